/**
 * The follow-up steps around the real tools we drive: `pyservice new`, and
 * --install, which runs whatever `poetry` is on PATH. Poetry itself cannot be
 * installed offline here (no PyPI; Debian's is 1.x), so a small stand-in
 * script records how it was called: what is under test is our handling of its
 * success and failure, not Poetry. --install runs main() in process (the
 * poetry it starts is a real process either way); Ctrl-C and the bins need
 * the spawned bundle.
 */
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, runCli, sandbox } from '../helpers/cli.js';
import { fakePoetry } from '../helpers/fake-poetry.js';
import { runMain } from '../helpers/in-process.js';

/** Poetry that locks (writes poetry.lock), or fails with a resolver error on `failOn`. */
const poetry = (home: string, failOn?: string) =>
  fakePoetry(
    home,
    `case "$1" in
  ${failOn ?? 'never'}) echo "Because my-api depends on fastapi (>=0.115,<1.0) which doesn't match any versions, version solving failed." >&2; exit 1 ;;
  lock) echo "# lock" > poetry.lock ;;
esac`,
  );

const env = (home: string, bin?: string) => ({
  HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  PATH: `${bin ? `${bin}:` : ''}/usr/bin:/bin`,
});

describe.concurrent('--install', () => {
  it('runs poetry lock then poetry install in the new project', async () => {
    const { cwd, home } = sandbox();
    const bin = poetry(home);
    const result = await runMain(['svc', '--yes', '--no-git', '--install'], { cwd, env: env(home, bin) });
    expect(result.code).toBe(0);
    expect(readFileSync(join(home, 'poetry-calls.log'), 'utf8')).toBe('--version\nlock --no-interaction\ninstall --no-interaction\n'); // its version checked once (Poetry 1 cannot read the project)
    expect(existsSync(join(cwd, 'svc', 'poetry.lock'))).toBe(true);
    expect(result.stdout).toContain('dependencies locked (poetry.lock) and installed in .venv');
    expect(result.stdout).not.toContain('make install'); // already done
  });

  it('keeps the project and exits 1 with Poetry\'s own words when it fails', async () => {
    const { cwd, home } = sandbox();
    const bin = poetry(home, 'lock');
    const result = await runMain(['svc', '--yes', '--no-git', '--install'], { cwd, env: env(home, bin) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the project was written, but a follow-up step failed');
    expect(result.stderr).toContain('version solving failed');
    expect(existsSync(join(cwd, 'svc', 'pyproject.toml'))).toBe(true);
  });

  it('is refused up front when poetry is not on PATH', async () => {
    const { cwd, home } = sandbox();
    const result = await runMain(['svc', '--yes', '--install'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--install: poetry is not on PATH');
    expect(existsSync(join(cwd, 'svc'))).toBe(false);
  });

  it('is off by default without a terminal, and poetry is only asked its version (for the end screen)', async () => {
    const { cwd, home } = sandbox();
    const bin = poetry(home);
    const result = await runMain(['svc', '--yes', '--no-git'], { cwd, env: env(home, bin) });
    expect(result.code).toBe(0);
    expect(readFileSync(join(home, 'poetry-calls.log'), 'utf8')).toBe('--version\n');
  });
});

describe('Ctrl-C', () => {
  it('exits 130 and says the project is already written when interrupted during poetry install', async () => {
    const { cwd, home } = sandbox();
    const bin = fakePoetry(home, 'exec sleep 5');
    const child = spawn(process.execPath, [CLI, 'svc', '--yes', '--no-git', '--install'], {
      cwd,
      env: { ...process.env, ...env(home, bin), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const started = new Promise<void>((done) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('poetry lock')) done();
      }),
    );
    await started;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(130);
    expect(stderr).toContain(`Cancelled after the project was written to ${join(cwd, 'svc')}`);
    expect(existsSync(join(cwd, 'svc', 'pyproject.toml'))).toBe(true);
  });
});

describe.concurrent('the pyservice bin', () => {
  it('accepts "pyservice new DIR" as create-pyservice DIR', async () => {
    const { cwd, home } = sandbox();
    const link = join(home, 'pyservice');
    symlinkSync(CLI, link);
    const code = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, [link, 'new', 'svc', '--yes', '--no-git'], { cwd, env: { ...process.env, HOME: home }, stdio: 'ignore' });
      child.on('close', done);
    });
    expect(code).toBe(0);
    expect(existsSync(join(cwd, 'svc', 'pyproject.toml'))).toBe(true);
    expect(existsSync(join(cwd, 'new'))).toBe(false);
  });

  it('treats "new" as a directory name for create-pyservice', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['new', '--yes', '--no-git'], { cwd, env: { HOME: home } });
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'new', 'pyproject.toml'))).toBe(true);
  });
});
