/**
 * Missing tools are explained, not discovered: the end screen says what is
 * missing and how to get it, and the generated Makefile stops with the same
 * one-line advice instead of "No such file or directory ... Error 127".
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { runCli, sandbox } from '../helpers/cli.js';
import { fakePoetry } from '../helpers/fake-poetry.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

/** A PATH with make, sh and git but neither poetry nor docker (this machine has neither in /usr/bin or /bin). */
const BARE = '/usr/bin:/bin';
const env = (home: string, path = BARE) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', PATH: path });

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyservice-tools-'));
  for (const [path, content] of renderService(defaultAnswers(), TEST_VERSION)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const make = (dir: string, target: string, path: string) => spawnSync('make', ['--no-print-directory', target], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: path } });

describe.concurrent('the generated Makefile without the tools', () => {
  it.each(['install', 'test', 'run', 'lock', 'lint'])('make %s without poetry: one line of advice, not Error 127', (target) => {
    const result = make(project(), target, BARE);
    expect(result.status).not.toBe(0);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/poetry is not on PATH; Poetry 2 is needed: run "pipx install poetry" or run "curl -sSL https:\/\/install\.python-poetry\.org \| python3 -"/);
    expect(result.stderr).not.toMatch(/Error 127|No such file or directory/);
  });

  it.each(['docker-build', 'docker-run'])('make %s without docker: one line of advice', (target) => {
    const result = make(project(), target, BARE);
    expect(result.status).not.toBe(0);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/docker is not on PATH; Docker with BuildKit is needed: see https:\/\/docs\.docker\.com\/engine\/install\//);
  });

  it('runs the real tool when it is there, and lists the targets without needing any', () => {
    const dir = project();
    const home = mkdtempSync(join(tmpdir(), 'pyservice-tools-home-'));
    const bin = fakePoetry(home, 'exit 0');
    const result = spawnSync('make', ['--no-print-directory', 'install'], { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: home, PATH: `${bin}:${BARE}` } });
    expect(result.status).toBe(0);
    expect(readFileSync(join(home, 'poetry-calls.log'), 'utf8')).toBe('install\n');
    expect(make(dir, 'help', BARE)).toMatchObject({ status: 0, stderr: '' });
  });
});

describe.concurrent('the end screen', () => {
  it('says poetry is missing and how to get it (one line each way), after the next steps', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['svc', '--yes', '--no-git'], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Next steps:[\s\S]*make docker-build docker-run[\s\S]*! poetry is not on PATH: make install, test, run need Poetry 2\.\s+Get it with one of:\n {4}pipx install poetry\n {4}curl -sSL https:\/\/install\.python-poetry\.org \| python3 -\n/);
    expect(result.stdout).toMatch(/! docker is not on PATH: make docker-build, docker-run need Docker\s+with\s+BuildKit/);
    expect(JSON.parse((await runCli(['svc2', '--yes', '--no-git', '--json'], { cwd, env: env(home) })).stdout).missingTools).toEqual(['poetry', 'docker']);
  });

  it('says nothing about poetry when it is on PATH', async () => {
    const { cwd, home } = sandbox();
    const bin = fakePoetry(home);
    const result = await runCli(['svc', '--yes', '--no-git'], { cwd, env: env(home, `${bin}:${BARE}`) });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('poetry is not on PATH');
  });

  it('prints the next steps even when a follow-up step failed, with what failed', async () => {
    const { cwd, home } = sandbox();
    const bin = fakePoetry(home, '[ "$1" = lock ] && { echo "version solving failed" >&2; exit 1; }');
    const result = await runCli(['svc', '--yes', '--no-git', '--install'], { cwd, env: env(home, `${bin}:${BARE}`) });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ poetry lock failed \(exit 1\):/);
    expect(result.stdout).toMatch(/Next steps \(the project is written; see the error below\):\n  cd svc\n  make install/);
    expect(result.stderr).toContain('version solving failed');
  });
});
