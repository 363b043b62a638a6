/**
 * One way a run ends and one JSON writer (src/cli/failure.ts, text.ts jsonText), whatever the
 * command: creation and the commands on a project say a failure in the same words (stderr, and
 * with --json the same summary on stdout), and every --json summary escapes what a terminal or a
 * JavaScript parser would take for something else (U+2028/2029, C1 controls, bidi overrides),
 * even where it carries the user's own text (a diff of their edits). Real processes, real files.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, sandbox } from '../helpers/cli.js';

const GONE_LINE = 'the current directory no longer exists (it was deleted or moved away); cd into an existing directory and run again';

/** Run the CLI from inside a directory removed just before it starts. */
function inDeletedDirectory(args: readonly string[]) {
  const { cwd } = sandbox();
  const gone = join(cwd, 'gone');
  mkdirSync(gone);
  return spawnSync('sh', ['-c', 'cd "$1" && rmdir "$1" && shift && exec "$@"', 'sh', gone, process.execPath, CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
}

describe.concurrent('one way to fail', () => {
  it.each(
    [['svc', '--yes', '--no-git'], ['update'], ['update', '--dry-run'], ['add', 'route', 'orders', '--yes'], ['docker', '--port', '9000', '--yes']].map((args) => [args.join(' '), args] as const),
  )('a deleted working directory: "%s" says the same one line as creation (exit 1), and the same --json summary', (_label, args) => {
    const plain = inDeletedDirectory(args);
    expect(plain.status, plain.stderr).toBe(1);
    expect(plain.stderr).toBe(`error: ${GONE_LINE}\n`);
    expect(plain.stdout).toBe('');
    const json = inDeletedDirectory([...args, '--json']);
    expect(json.status, json.stderr).toBe(1);
    expect(json.stderr).toBe(`error: ${GONE_LINE}\n`);
    expect(json.stdout).toBe(`${JSON.stringify({ ok: false, errors: [GONE_LINE], details: [], exitCode: 1 }, null, 2)}\n`);
  });
});

describe('one JSON writer', () => {
  it("a command's --json report escapes U+2028, C1 controls and bidi overrides from the user's own lines (parsed back unchanged)", () => {
    const { cwd, home } = sandbox();
    const env = { ...process.env, NO_COLOR: '1', HOME: home, GIT_CONFIG_NOSYSTEM: '1' };
    const created = spawnSync(process.execPath, [CLI, 'api', '--yes', '--no-git', '--no-install', '--author', ''], { cwd, env, encoding: 'utf8' });
    expect(created.status, created.stderr).toBe(0);
    const project = join(cwd, 'api');
    // The user's comment right above the line `docker --port` changes: it is in the diff's context.
    const mine = '# mine: \u2028 \u2029 \u0085 \u202e reversed \u2066 isolate';
    const dockerfile = readFileSync(join(project, 'Dockerfile'), 'utf8').split('\n');
    const expose = dockerfile.findIndex((line) => line.startsWith('EXPOSE '));
    expect(expose).toBeGreaterThan(0);
    dockerfile.splice(expose, 0, mine);
    writeFileSync(join(project, 'Dockerfile'), dockerfile.join('\n'));
    const result = spawnSync(process.execPath, [CLI, 'docker', '--port', '9000', '--dry-run', '--diff', '--json'], { cwd: project, env, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect([...result.stdout].filter((c) => /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(c))).toEqual([]);
    expect(result.stdout).toContain('\\u2028');
    const report = JSON.parse(result.stdout) as { files: { path: string; diff?: string }[] };
    expect(report.files.find((f) => f.path === 'Dockerfile')?.diff).toContain(mine);
  });
});
