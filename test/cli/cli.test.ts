/** End to end: spawn the built CLI as a user or a script would, and look at the disk. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { OPTIONS, type OptionKey } from '../../generators/options.js';
import { renderService } from '../../generators/render.js';
import { listFiles, read, runCli, sandbox } from '../helpers/cli.js';
import { defaultAnswers } from '../helpers/presets.js';

const env = (home: string, extra: Record<string, string> = {}) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...extra });

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
    const text = help.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('3.13 is the one every runtime offers');
    expect(text).toContain('22 valid combinations');
    const version = await runCli(['-v'], { cwd, env: env(home) });
    expect(version).toMatchObject({ code: 0, stdout: `${JSON.parse(read(join(__dirname, '../../package.json'))).version}\n` });
  });

  it('writes the default project with --yes: files as rendered, git commit, next steps', async () => {
    const { cwd, home } = sandbox();
    withGitIdentity(home);
    const result = await runCli(['my-api', '--yes'], { cwd, env: env(home) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const dir = join(cwd, 'my-api');
    const expected = renderService(
      defaultAnswers({ author: { name: 'Ada Lovelace', email: 'ada@example.org' } }),
      JSON.parse(read(join(__dirname, '../../package.json'))).version,
    );
    expect(listFiles(dir)).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) expect(read(join(dir, path)), path).toBe(content);
    const toml = parseToml(read(join(dir, 'pyproject.toml'))) as any;
    expect(toml.project.authors).toEqual([{ name: 'Ada Lovelace', email: 'ada@example.org' }]);
    const log = spawnSync('git', ['log', '--format=%s'], { cwd: dir, encoding: 'utf8' });
    expect(log.stdout).toMatch(/^Initial commit from create-pyservice/);
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
    expect(record.answers).toMatchObject({ name: 'svc', python: '3.13', runtime: 'slim', deps: 'venv', server: 'uvicorn', port: 8000 });
    expect(record.answers.author).toBeUndefined(); // no git identity in this HOME
  });

  it('uses "my-service" (or --name) when no directory is given and there is no terminal', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['--yes', '--no-git'], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'my-service', 'pyproject.toml'))).toBe(true);
    expect((await runCli(['--yes', '--no-git', '--name', 'Billing_API'], { cwd, env: env(home) })).code).toBe(0);
    expect(existsSync(join(cwd, 'billing-api', 'pyproject.toml'))).toBe(true);
  });

  it('initialises git without a commit when git has no identity, and says so', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['svc', '--yes'], {
      cwd,
      env: env(home, { GIT_AUTHOR_NAME: '', GIT_COMMITTER_NAME: '', EMAIL: '' }),
    });
    expect(result.code).toBe(0);
    expect(existsSync(join(cwd, 'svc', '.git'))).toBe(true);
    expect(result.stdout).toMatch(/initialised a git repository(; no first commit| with a first commit)/);
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

  it('creates nested directories and accepts "." for an empty current directory', async () => {
    const { cwd, home } = sandbox();
    expect((await runCli(['a/b/c', '--yes', '--no-git', '--name', 'deep'], { cwd, env: env(home) })).code).toBe(0);
    expect(existsSync(join(cwd, 'a/b/c/app/main.py'))).toBe(true);
    const here = join(cwd, 'billing-api');
    mkdirSync(here);
    const result = await runCli(['.', '--yes', '--no-git'], { cwd: here, env: env(home) });
    expect(result.code).toBe(0);
    expect(JSON.parse(read(join(here, '.pyservice.json'))).answers.name).toBe('billing-api');
    expect(result.stdout).not.toContain('cd ');
  });

  it('--dry-run prints the tree with sizes and writes nothing', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['svc', '--dry-run', '--server', 'gunicorn'], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    const expected = renderService(defaultAnswers({ name: 'svc', server: 'gunicorn' }), '0.1.0');
    expect(result.stdout).toMatch(new RegExp(`^Dry run: would write ${expected.size} files to svc \\(nothing written\\)`));
    for (const path of expected.keys()) expect(result.stdout).toMatch(new RegExp(`^  ${path.replace(/\./g, '\\.')} +\\d+ B$`, 'm'));
    expect(result.stdout).toMatch(/^  gunicorn_config\.py +\d+ B$/m);
    expect(result.stdout).toMatch(/^  Dockerfile +\d+ B$/m);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--json prints a machine-readable summary (and --dry-run --json writes nothing)', async () => {
    const { cwd, home } = sandbox();
    const dry = await runCli(['svc', '--json', '--dry-run', '--runtime', 'distroless'], { cwd, env: env(home) });
    expect(dry.code).toBe(0);
    const summary = JSON.parse(dry.stdout);
    expect(summary).toMatchObject({ ok: true, dryRun: true, answers: { name: 'svc', runtime: 'distroless', python: '3.13' } });
    expect(summary.files).toContainEqual({ path: 'Dockerfile', bytes: expect.any(Number), action: 'create' });
    expect(summary.nextSteps).toEqual(['cd svc', 'make install', 'make test', 'make run', 'make docker-build docker-run']);
    expect(readdirSync(cwd)).toEqual([]);
    const real = await runCli(['svc', '--json', '--no-git'], { cwd, env: env(home) });
    expect(JSON.parse(real.stdout)).toMatchObject({ ok: true, dryRun: false });
    expect(existsSync(join(cwd, 'svc', 'Dockerfile'))).toBe(true);
  });

  it('--json reports errors as JSON too, with the exit code', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['svc', '--json', '--port', '0'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, errors: ['--port: 0 is outside 1–65535'], details: [], exitCode: 2 });
  });

  it('honours NO_COLOR and colours only when asked or on a terminal', async () => {
    const { cwd, home } = sandbox();
    const plain = await runCli(['svc', '--dry-run'], { cwd, env: env(home) });
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await runCli(['svc', '--dry-run'], { cwd, env: env(home, { FORCE_COLOR: '1', NO_COLOR: '' }) });
    expect(forced.stdout).toContain('\u001b[1m');
  });
});

describe.concurrent('bad input: one clear line per problem, exit 2, nothing written', () => {
  it.each([
    [['--python', '3.10'], '--python: "3.10" is not one of: 3.11, 3.12, 3.13, 3.14, 3.15 (Python 3.10 reached end of life in October 2026)'],
    [['--runtime', 'alpine'], '--runtime: "alpine" is not one of: slim, distroless'],
    [['--deps', 'pipenv'], '--deps: "pipenv" is not one of: venv, wheels'],
    [['--server', 'hypercorn'], '--server: "hypercorn" is not one of: uvicorn, gunicorn'],
    [['--port', '70000'], '--port: 70000 is outside 1–65535'],
    [['--port', 'abc'], '--port: "abc" is not a whole number from 1 to 65535'],
    [['--name', 'bad name!'], '--name: "bad name!" is not a valid Python distribution name'],
    [['--name', 'fastapi'], "--name: \"fastapi\" is the name of one of the project's own dependencies"],
    [['--description', ''], '--description: is empty'],
    [['--author', 'Ada <nope>'], '--author: "nope" is not an email address'],
    [['--poetry-version', '1.8.0'], '--poetry-version: Poetry 1.8.0 is too old'],
    [['--poetry-version', 'latest'], '--poetry-version: "latest" is not a release version'],
    [['--pyhton', '3.12'], '--pyhton: unknown option (did you mean --python?)'],
    [['--git=no'], '--git: takes no value; use --git or --no-git'],
    [['--port'], '--port: needs a value (N)'],
    [['other-dir'], 'unexpected argument "other-dir"'],
    [['--runtime', 'distroless', '--python', '3.12'], '--runtime distroless with --python 3.12 is not possible'],
    [['--runtime', 'distroless', '--deps', 'wheels'], '--runtime distroless with --deps wheels is not possible'],
  ])('%j', async (args, message) => {
    const { cwd, home } = sandbox();
    const result = await runCli(['svc', '--yes', ...args], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`error: ${message}`);
    expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('reports all problems at once', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['svc', '--python', '2', '--port', '0', '--runtime', 'distroless', '--deps', 'wheels'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(3);
  });

  it('refuses a directory name that is not a valid distribution name, suggesting --name', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['My Project!', '--yes'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pass --name my-project');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe.concurrent('never loses a file', () => {
  it('refuses a non-empty directory, listing the files that would conflict, and touches nothing', async () => {
    const { cwd, home } = sandbox();
    const dir = join(cwd, 'svc');
    mkdirSync(join(dir, 'app'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), 'mine\n');
    writeFileSync(join(dir, 'app', 'main.py'), 'print("mine")\n');
    const result = await runCli(['svc', '--yes'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/svc is not empty and 2 generated files would overwrite yours/);
    expect(result.stderr).toContain('\n  README.md\n');
    expect(result.stderr).toContain('\n  app/main.py\n');
    expect(listFiles(dir)).toEqual(['README.md', 'app/main.py']);
    expect(read(join(dir, 'README.md'))).toBe('mine\n');
    expect(readdirSync(cwd)).toEqual(['svc']);
  });

  it('refuses a non-empty directory even without conflicts unless --force', async () => {
    const { cwd, home } = sandbox();
    mkdirSync(join(cwd, 'svc'));
    writeFileSync(join(cwd, 'svc', 'notes.txt'), 'keep me\n');
    const refused = await runCli(['svc', '--yes'], { cwd, env: env(home) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no generated file would overwrite one of them, but pass --force');
    const forced = await runCli(['svc', '--yes', '--force', '--no-git'], { cwd, env: env(home) });
    expect(forced.code).toBe(0);
    expect(read(join(cwd, 'svc', 'notes.txt'))).toBe('keep me\n');
    expect(existsSync(join(cwd, 'svc', 'Dockerfile'))).toBe(true);
  });

  it('--force replaces only generated files and keeps everything else', async () => {
    const { cwd, home } = sandbox();
    const dir = join(cwd, 'svc');
    mkdirSync(join(dir, 'app', 'extra'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), 'old\n');
    writeFileSync(join(dir, 'app', 'extra', 'mine.py'), 'x = 1\n');
    writeFileSync(join(dir, '.env'), 'SECRET=1\n');
    const result = await runCli(['svc', '--yes', '--force', '--no-git', '--json'], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.files.filter((f: { action: string }) => f.action === 'overwrite')).toEqual([
      { path: 'README.md', bytes: expect.any(Number), action: 'overwrite' },
    ]);
    expect(read(join(dir, 'README.md'))).toContain('# svc');
    expect(read(join(dir, 'app', 'extra', 'mine.py'))).toBe('x = 1\n');
    expect(read(join(dir, '.env'))).toBe('SECRET=1\n');
    expect(readdirSync(cwd)).toEqual(['svc']);
  });

  it('refuses even with --force when a generated path would replace a directory, a file or a link of yours', async () => {
    const { cwd, home } = sandbox();
    const dir = join(cwd, 'svc');
    mkdirSync(join(dir, 'Dockerfile'), { recursive: true });
    writeFileSync(join(dir, 'tests'), 'a file where a directory goes\n');
    mkdirSync(join(cwd, 'elsewhere'));
    symlinkSync(join(cwd, 'elsewhere'), join(dir, 'app'));
    const result = await runCli(['svc', '--yes', '--force'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot write into svc without deleting something of yours');
    expect(result.stderr).toContain('Dockerfile is a directory');
    expect(result.stderr).toContain('tests/ is a file');
    expect(result.stderr).toContain('app/ is a symbolic link');
    expect(listFiles(dir).sort()).toEqual(['app', 'tests']);
    expect(readdirSync(join(cwd, 'elsewhere'))).toEqual([]);
  });

  it('refuses a target that is a file', async () => {
    const { cwd, home } = sandbox();
    writeFileSync(join(cwd, 'svc'), 'file\n');
    const result = await runCli(['svc', '--yes', '--force'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('svc exists and is not a directory');
    expect(read(join(cwd, 'svc'))).toBe('file\n');
  });

  it('keeps hostile values inert in every generated file', async () => {
    const { cwd, home } = sandbox();
    const description = 'Say "hi" `id` $(touch /tmp/pwned-pyservice) %> \\ \'q\'';
    const result = await runCli(['svc', '--yes', '--no-git', '--description', description, '--author', 'O\'Brien "Ob" <ob@example.org>'], {
      cwd,
      env: env(home),
    });
    expect(result.code).toBe(0);
    const dir = join(cwd, 'svc');
    const toml = parseToml(read(join(dir, 'pyproject.toml'))) as any;
    expect(toml.project.description).toBe(description);
    expect(toml.project.authors).toEqual([{ name: 'O\'Brien "Ob"', email: 'ob@example.org' }]);
    const py = spawnSync('python3', ['-c', 'import ast,sys; t=ast.parse(open("app/main.py").read()); print("ok")'], { cwd: dir, encoding: 'utf8' });
    expect(py.stdout).toBe('ok\n');
    const make = spawnSync('make', ['-n', 'docker-build'], { cwd: dir, encoding: 'utf8' });
    expect(make.status).toBe(0);
    expect(existsSync('/tmp/pwned-pyservice')).toBe(false);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('\\$(touch /tmp/pwned-pyservice)');
  });
});
