/**
 * End to end: spawn the built CLI as a user or a script would, and look at the
 * disk. Only what depends on the process boundary or the bundle is here (the
 * bundle itself, closed stdin, git run by the CLI, colours, exit codes as the
 * shell sees them); the rest of the CLI's behaviour is tested in process
 * (in-process.test.ts). Expected files come from the reviewed golden snapshots.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { OPTIONS, type OptionKey } from '../../src/model/options.js';
import { listFiles, read, runCli, sandbox } from '../helpers/cli.js';
import { expectedProject } from '../helpers/golden.js';
import { ADA, GOLDEN_PRESETS, TEST_VERSION } from '../helpers/presets.js';

const env = (home: string, extra: Record<string, string | undefined> = {}) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...extra });

function withGitIdentity(home: string) {
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n');
}

describe.concurrent('create-pyservice (spawned)', () => {
  it('prints help generated from the option table, and the version', async () => {
    const { cwd, home } = sandbox();
    const help = await runCli(['--help'], { cwd, env: env(home) });
    expect(help.code).toBe(0);
    for (const key of Object.keys(OPTIONS) as OptionKey[]) {
      const def = OPTIONS[key];
      if (def.flag) expect(help.stdout).toContain(`--${def.flag}`);
    }
    for (const line of help.stdout.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80); // not a terminal: 80 columns
    const text = help.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('3.14 is the current release, 3.13 the one distroless ships');
    expect(text).toContain('[default: 3.14; 3.13 with --runtime distroless (its only Python)]');
    expect(text).toContain('22 valid combinations');
    const version = await runCli(['-v'], { cwd, env: env(home) });
    expect(version).toMatchObject({ code: 0, stdout: `${TEST_VERSION}\n` });
  });

  it('writes the reviewed default project with --yes, the author from git, a first commit, next steps', async () => {
    const { cwd, home } = sandbox();
    withGitIdentity(home);
    const result = await runCli(['my-api', '--yes'], { cwd, env: env(home) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const dir = join(cwd, 'my-api');
    const expected = expectedProject('default', GOLDEN_PRESETS.default.combo);
    expect(listFiles(dir)).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) expect(read(join(dir, path)), path).toBe(content);
    const toml = parseToml(read(join(dir, 'pyproject.toml'))) as any;
    expect(toml.project.authors).toEqual([ADA]);
    const log = spawnSync('git', ['log', '--format=%s|%an <%ae>'], { cwd: dir, encoding: 'utf8' });
    expect(log.stdout).toBe(`Initial commit from create-pyservice ${TEST_VERSION}|Ada Lovelace <ada@example.org>\n`);
    expect(spawnSync('git', ['ls-files'], { cwd: dir, encoding: 'utf8' }).stdout.trimEnd().split('\n')).toEqual([...expected.keys()].sort());
    expect(spawnSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8' }).stdout).toBe('');
    expect(result.stdout).toContain('✔ Created my-api: '); // not "Created my-api in my-api"
    expect(result.stdout).toMatch(/Next steps:\n  cd my-api\n  make install +poetry install.*\n  make test +pytest\n  make run +development server.*\n  make docker-build docker-run +build/);
    expect(readdirSync(cwd)).toEqual(['my-api']); // no staging directory left behind
  });

  it('never hangs or prompts on closed stdin: missing values take defaults', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['svc', '--no-git'], { cwd, env: env(home), timeoutMs: 10_000 });
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'svc', '.git'))).toBe(false);
    const record = JSON.parse(read(join(cwd, 'svc', '.pyservice.json')));
    expect(record.answers).toMatchObject({ name: 'svc', python: '3.14', runtime: 'slim', deps: 'venv', server: 'uvicorn', port: 8000 });
    expect(record.answers.author).toBeUndefined(); // no git identity in this HOME
  });

  it('initialises git without a commit when git has no identity, and says so', async () => {
    const { cwd, home } = sandbox();
    // No identity anywhere, and git told not to guess one from the host name.
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tuseConfigOnly = true\n');
    const noIdentity = { GIT_AUTHOR_NAME: undefined, GIT_AUTHOR_EMAIL: undefined, GIT_COMMITTER_NAME: undefined, GIT_COMMITTER_EMAIL: undefined, EMAIL: undefined };
    const result = await runCli(['svc', '--yes'], { cwd, env: { ...env(home), ...noIdentity } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/initialised a git repository; no first commit \(git has no\s+user\.name\/user\.email\): commit when ready/);
    const dir = join(cwd, 'svc');
    expect(existsSync(join(dir, '.git'))).toBe(true);
    expect(spawnSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd: dir }).status).not.toBe(0); // no commit
    expect(existsSync(join(dir, 'pyproject.toml'))).toBe(true);
  });

  it('skips git init inside an existing repository', async () => {
    const { cwd, home } = sandbox();
    withGitIdentity(home);
    spawnSync('git', ['init', '-q'], { cwd });
    const result = await runCli(['nested', '--yes'], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'nested', '.git'))).toBe(false);
    expect(result.stdout).toContain('inside a git repository: skipped git init');
  });
});

describe.concurrent('what the shell sees', () => {
  it('exits 2 with one line on stderr, nothing on stdout and no stack trace for a usage error', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['svc', '--yes', '--runtime', 'distroless', '--python', '3.12'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: --runtime distroless with --python 3\.12 is not possible: [^\n]+; use --python 3\.13, or --runtime slim\n$/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('exits 2 and touches nothing when the target has files of the user', async () => {
    const { cwd, home } = sandbox();
    mkdirSync(join(cwd, 'svc'));
    writeFileSync(join(cwd, 'svc', 'Makefile'), 'mine\n');
    const result = await runCli(['svc', '--yes'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('svc is not empty and 1 generated file would overwrite yours');
    expect(listFiles(join(cwd, 'svc'))).toEqual(['Makefile']);
    expect(readFileSync(join(cwd, 'svc', 'Makefile'), 'utf8')).toBe('mine\n');
  });
});
