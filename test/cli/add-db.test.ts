/**
 * `pyservice add db postgres` end to end on freshly generated projects (in process, as the bin
 * runs them): the project re-rendered with the database through the same plan/merge/apply
 * engine as `docker`, the user's edits kept, recorded so `update` keeps it; refusals write
 * nothing. That the result's tests pass on a real PostgreSQL is proven with the harness.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { read, sandbox, type CliResult } from '../helpers/cli.js';
import { runCommandInProcess, runMain } from '../helpers/in-process.js';

const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };
const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...GIT_ID });
const git = (cwd: string, ...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ID } }).stdout.trim();
const status = (dir: string) =>
  spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
const edit = (dir: string, path: string, change: (text: string) => string) => writeFileSync(join(dir, path), change(read(join(dir, path))));
const actions = (result: CliResult) =>
  Object.fromEntries((JSON.parse(result.stdout).files as { path: string; action: string; reason: string }[]).filter((f) => f.reason !== 'unchanged').map((f) => [f.path, f.action]));

/** A fresh project made by the CLI (committed, base recorded), and a function to run a command in it. */
async function project(flags: string[] = []) {
  const { cwd, home } = sandbox();
  const created = await runMain(['api', '--yes', ...flags], { cwd, env: env(home) });
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  const dir = join(cwd, 'api');
  return { dir, run: (args: string[]) => runCommandInProcess(args, { cwd: dir, env: env(home) }) };
}

describe.concurrent('pyservice add db postgres', () => {
  it('adds the database to a default project, keeping the user’s edits, recorded so update keeps it', async () => {
    const { dir, run } = await project();
    edit(dir, 'pyproject.toml', (t) => t.replace(/^(\[tool\.ruff\]\n)/m, '[tool.mine]\nkey = 1\n\n$1'));
    edit(dir, 'app/schemas/items.py', (t) => `${t}\n\nNOTE = "ours"\n`);
    git(dir, 'commit', '-qam', 'our edits');

    const added = await run(['add', 'db', 'postgres', '--json']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const summary = JSON.parse(added.stdout);
    expect(summary.command).toBe('add db');
    expect(summary.to.answers.db).toBe('postgres');
    expect(actions(added)).toMatchObject({
      'alembic.ini': 'create',
      'app/db/session.py': 'create',
      'migrations/env.py': 'create',
      'migrations/versions/0001_create_items.py': 'create',
      'app/services/items.py': 'update',
      'tests/conftest.py': 'update',
      'app/main.py': 'update',
      'pyproject.toml': 'merge',
      'compose.yaml': 'update',
    });
    expect(read(join(dir, 'pyproject.toml'))).toMatch(/\[tool\.mine\]\nkey = 1/);
    expect(read(join(dir, 'pyproject.toml'))).toContain('"sqlalchemy[asyncio] (>=2.0.40,<3.0)"');
    expect(read(join(dir, 'app/schemas/items.py'))).toContain('NOTE = "ours"');
    expect(read(join(dir, 'app/services/items.py'))).toContain('async def list_all(self) -> list[Item]:');
    expect(read(join(dir, 'Dockerfile'))).toContain('COPY migrations ./migrations');
    expect(JSON.parse(read(join(dir, '.pyservice.json'))).answers.db).toBe('postgres');

    // Recorded: update has nothing to change, and adding it again is refused.
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'add db');
    const update = await run(['update', '--json']);
    expect(update.code).toBe(0);
    expect(Object.values(actions(update)).every((action) => action === 'keep')).toBe(true);
    const again = await run(['add', 'db', 'postgres']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/add db postgres: this project has it already/);
    expect(status(dir)).toEqual([]);
  });

  it('says what to run next: lock, install, start the database, migrate, test', async () => {
    const { run } = await project(['--no-compose']);
    const added = await run(['add', 'db', 'postgres']);
    expect(added.code).toBe(0);
    const next = added.stdout.slice(added.stdout.indexOf('Next steps:'));
    expect(next).not.toBe('');
    expect(next).toMatch(/make lock[\s\S]*make install[\s\S]*make migrate[\s\S]*make test/);
    expect(next).not.toContain('make db-up'); // no compose.yaml to start it with
  });

  it('refuses with one line and writes nothing: no kind, an unknown one, none, an extra word', async () => {
    const { dir, run } = await project();
    for (const [args, message] of [
      [['add', 'db'], /^error: add db: say which database: pyservice add db postgres$/m],
      [['add', 'db', 'mysql'], /^error: add db: "mysql" is not one of: none, postgres; the one database to add is: pyservice add db postgres$/m],
      [['add', 'db', 'none'], /^error: add db none: removing a database is not offered/m],
      [['add', 'db', 'postgres', 'extra'], /unexpected argument "extra": usage: pyservice add db postgres/],
      [['add', 'dv', 'postgres'], /"dv" is not something to add \(did you mean db\?\); the kinds are: pyservice add route NAME, pyservice add db postgres/],
    ] as const) {
      const refused = await run([...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr, args.join(' ')).toMatch(message);
      expect(status(dir), args.join(' ')).toEqual([]);
    }
    expect(existsSync(join(dir, 'alembic.ini'))).toBe(false);
  });

  it('documents itself in --help', async () => {
    const { run } = await project();
    const help = await run(['add', 'db', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('pyservice add db postgres [--dry-run [--diff]] [--json] [--yes]');
  });
});
