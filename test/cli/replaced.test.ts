/**
 * `--force` names every file of yours it replaces, by path, wherever the run reports: the end
 * screen (into `.` or a named directory, with or without git), --json ("replaced"), --dry-run (text
 * and --json: what would be replaced), and the last line of a run stopped after the write.
 * (The interview's "write into it" choice: test/cli/interactive.test.ts.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, sandbox } from '../helpers/cli.js';
import { fakePoetry } from '../helpers/fake-poetry.js';
import { runMain } from '../helpers/in-process.js';

const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };
const env = (home: string, extra: Record<string, string> = {}) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', NO_COLOR: '1', ...GIT_ID, ...extra });

/** A directory holding two files the project also writes, and one it does not. */
function yours(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Makefile'), 'mine\n');
  writeFileSync(join(dir, 'README.md'), 'mine\n');
  writeFileSync(join(dir, 'notes.txt'), 'keep me\n');
}

const LISTED = 'Replaced (your previous versions are gone):\n    Makefile\n    README.md\n';

describe.concurrent('--force names every replaced file', () => {
  it.each([
    ['into ., without git', ['.', '--name', 'svc', '--no-git'], false],
    ['into ., a new git repository', ['.', '--name', 'svc'], false],
    ['into ., inside a git repository', ['.', '--name', 'svc'], true],
    ['into a named directory', ['svc', '--no-git'], false],
  ] as const)('on the end screen: %s', async (_name, args, inRepo) => {
    const { cwd, home } = sandbox();
    const target = args[0] === '.' ? join(cwd, 'here') : join(cwd, 'svc');
    yours(target);
    if (inRepo) spawnSync('git', ['init', '--quiet'], { cwd: target });
    const result = await runMain([...args, '--yes', '--force'], { cwd: args[0] === '.' ? target : cwd, env: env(home) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`39 files (2 of yours replaced)\n  ${LISTED}`);
    expect(readFileSync(join(target, 'notes.txt'), 'utf8')).toBe('keep me\n');
  });

  it('in --json: "replaced" lists them, as "overwrite" in files does', async () => {
    const { cwd, home } = sandbox();
    yours(join(cwd, 'svc'));
    const result = await runMain(['svc', '--yes', '--force', '--no-git', '--json'], { cwd, env: env(home) });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { replaced: string[]; files: { path: string; action: string }[] };
    expect(summary.replaced).toEqual(['Makefile', 'README.md']);
    expect(summary.files.filter((f) => f.action === 'overwrite').map((f) => f.path)).toEqual(summary.replaced);
    const fresh = await runMain(['other', '--yes', '--no-git', '--json'], { cwd, env: env(home) });
    expect(JSON.parse(fresh.stdout).replaced).toEqual([]);
  });

  it('in --dry-run, text and --json: what would be replaced, and nothing is', async () => {
    const { cwd, home } = sandbox();
    yours(join(cwd, 'svc'));
    const text = await runMain(['svc', '--yes', '--force', '--dry-run'], { cwd, env: env(home) });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^Dry run: would write 39 files to svc \(nothing written; 2 of yours would be replaced\)\n {2}Would replace \(nothing else in the directory is touched\):\n {4}Makefile\n {4}README\.md\n/,
    );
    const json = await runMain(['svc', '--yes', '--force', '--dry-run', '--json'], { cwd, env: env(home) });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, dryRun: true, replaced: ['Makefile', 'README.md'] });
    expect(readFileSync(join(cwd, 'svc', 'Makefile'), 'utf8')).toBe('mine\n');
  });

  it('in the last line of a run stopped after the write (Ctrl-C during poetry install)', async () => {
    const { cwd, home } = sandbox();
    yours(join(cwd, 'svc'));
    const bin = fakePoetry(home, 'exec sleep 30');
    const child = spawn(process.execPath, [CLI, 'svc', '--yes', '--force', '--no-git', '--install'], {
      cwd,
      env: { ...process.env, ...env(home), PATH: `${bin}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((done) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('poetry lock')) done();
      }),
    );
    child.kill('SIGINT');
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(130);
    expect(stderr).toContain(`Cancelled after the project was written to ${join(cwd, 'svc')}. It replaced 2 files of yours: Makefile, README.md.\n`);
  });
});
