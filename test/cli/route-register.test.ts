/**
 * `pyservice add route` on a generated project whose app/main.py the user has
 * reshaped (in process, as the bin runs it): an aliased import inside
 * parentheses used to end in "unexpected failure" (exit 1); CRLF endings were
 * turned into LF on the lines we wrote; what cannot be edited safely is one
 * line on stderr, exit 2, nothing written.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { read, sandbox } from '../helpers/cli.js';
import { runCommandInProcess, runMain } from '../helpers/in-process.js';

const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };
const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...GIT_ID });
const status = (dir: string) =>
  spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();

/** A generated project (committed), with app/main.py changed by `change`. */
async function project(change: (main: string) => string) {
  const { cwd, home } = sandbox();
  const created = await runMain(['api', '--yes'], { cwd, env: env(home) });
  expect(created.code, created.stderr).toBe(0);
  const dir = join(cwd, 'api');
  const mainPath = join(dir, 'app/main.py');
  writeFileSync(mainPath, change(read(mainPath)));
  return { dir, mainPath, run: (args: string[]) => runCommandInProcess(args, { cwd: dir, env: env(home) }) };
}

describe.concurrent('add route on a reshaped app/main.py', () => {
  it('an aliased import in parentheses, CRLF endings: registered, every byte and ending kept', async () => {
    const { dir, mainPath, run } = await project((main) =>
      main
        .replace('from app.routes import health, items\n', 'from app.routes import (\n    health,  # liveness\n    items as item_routes,\n)\n')
        .replace('app.include_router(items.router)', 'app.include_router(item_routes.router)')
        .replace(/\n/g, '\r\n'),
    );
    const before = read(mainPath);
    const added = await run(['add', 'route', 'orders']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const after = read(mainPath);
    expect(after).toContain('    health,  # liveness\r\n    items as item_routes,\r\n    orders,\r\n)\r\n');
    expect(after).toContain('    app.include_router(item_routes.router)\r\n    app.include_router(orders.router)\r\n    # pyservice:routers');
    expect(after.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(after.replace('    orders,\r\n', '').replace('    app.include_router(orders.router)\r\n', '')).toBe(before);
    expect(status(dir)).toContain(' M app/main.py');
  });

  it('an import it cannot edit safely: one line naming app/main.py and the line, exit 2, nothing written', async () => {
    const { dir, mainPath, run } = await project((main) =>
      main.replace('from app.routes import health, items\n', 'from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.routes import health, items\n'),
    );
    const before = read(mainPath);
    const line = before.split('\n').findIndex((l) => l.includes('from app.routes import')) + 1;
    const statusBefore = status(dir);
    const refused = await run(['add', 'route', 'orders']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(`app/main.py:${line}: the "from app.routes import ..." line is inside a block ("if TYPE_CHECKING:")`);
    expect(refused.stderr).not.toMatch(/unexpected failure|\n\s+at /);
    expect(read(mainPath)).toBe(before);
    expect(status(dir)).toEqual(statusBefore);
  });
});
