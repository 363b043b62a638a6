/**
 * The CLI's main() run in this process (test/helpers/in-process.ts) for what
 * does not depend on the process boundary: every usage error and its exit
 * code, the target-directory rules, --force, --dry-run and --json. The
 * spawned bundle is tested in cli.test.ts; expectations come from the reviewed
 * golden snapshots (test/golden/), never from the renderer under test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { RECORD_FILE } from '../../src/project/record.js';
import { pythonPath, runMake } from '../helpers/checks.js';
import { listFiles, read, sandbox } from '../helpers/cli.js';
import { expectedProject } from '../helpers/golden.js';
import { runMain } from '../helpers/in-process.js';
import { GOLDEN_PRESETS } from '../helpers/presets.js';

const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1' });

const bytes = (files: Map<string, string>) => [...files].map(([path, content]) => ({ path, bytes: Buffer.byteLength(content) }));

describe('bad input: one clear line per problem, exit 2, nothing written', () => {
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
    const result = await runMain(['svc', '--yes', ...args], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`error: ${message}`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('reports all problems at once', async () => {
    const { cwd, home } = sandbox();
    const result = await runMain(['svc', '--python', '2', '--port', '0', '--runtime', 'distroless', '--deps', 'wheels'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'error: --python: "2" is not one of: 3.11, 3.12, 3.13, 3.14, 3.15',
      'error: --port: 0 is outside 1–65535',
      expect.stringMatching(/^error: --runtime distroless with --deps wheels is not possible: .*no pip/),
    ]);
  });

  it('refuses a directory name that is not a valid distribution name, suggesting --name', async () => {
    const { cwd, home } = sandbox();
    const result = await runMain(['My Project!', '--yes'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pass --name my-project');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--json reports errors as JSON too, with the exit code', async () => {
    const { cwd, home } = sandbox();
    const result = await runMain(['svc', '--json', '--port', '0'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, errors: ['--port: 0 is outside 1–65535'], details: [], exitCode: 2 });
  });
});

describe('where the project goes', () => {
  it('uses "my-service" (or --name) when no directory is given and there is no terminal', async () => {
    const { cwd, home } = sandbox();
    expect((await runMain(['--yes', '--no-git'], { cwd, env: env(home) })).code).toBe(0);
    expect(JSON.parse(read(join(cwd, 'my-service', '.pyservice.json'))).answers.name).toBe('my-service');
    expect((await runMain(['--yes', '--no-git', '--name', 'Billing_API'], { cwd, env: env(home) })).code).toBe(0);
    expect(JSON.parse(read(join(cwd, 'billing-api', '.pyservice.json'))).answers.name).toBe('billing-api');
    expect(readdirSync(cwd).sort()).toEqual(['billing-api', 'my-service']);
  });

  it('creates nested directories and accepts "." for an empty current directory', async () => {
    const { cwd, home } = sandbox();
    expect((await runMain(['a/b/c', '--yes', '--no-git', '--name', 'deep'], { cwd, env: env(home) })).code).toBe(0);
    expect(JSON.parse(read(join(cwd, 'a/b/c/.pyservice.json'))).answers.name).toBe('deep');
    const here = join(cwd, 'billing-api');
    mkdirSync(here);
    const result = await runMain(['.', '--yes', '--no-git'], { cwd: here, env: env(home) });
    expect(result.code).toBe(0);
    expect(JSON.parse(read(join(here, '.pyservice.json'))).answers.name).toBe('billing-api');
    expect(result.stdout).toMatch(/Next steps:\n {2}make install /); // no "cd" into where we already are
  });
});

describe('--dry-run and --json', () => {
  it('--dry-run prints every file with its size and writes nothing', async () => {
    const { cwd, home } = sandbox();
    const { combo } = GOLDEN_PRESETS['wheels-gunicorn'];
    const result = await runMain(['my-api', '--dry-run', '--deps', 'wheels', '--server', 'gunicorn', '--author', ''], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    const expected = expectedProject('wheels-gunicorn', combo);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Dry run: would write ${expected.size} files to my-api (nothing written)`);
    expect(lines.slice(1).map((line) => line.trim().split(/\s+/))).toEqual(
      [...expected.keys()].sort().map((path) => [path, String(Buffer.byteLength(expected.get(path)!)), 'B']),
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--json prints a machine-readable summary (and --dry-run --json writes nothing)', async () => {
    const { cwd, home } = sandbox();
    const { combo } = GOLDEN_PRESETS.distroless;
    const dry = await runMain(['my-api', '--json', '--dry-run', '--runtime', 'distroless', '--author', ''], { cwd, env: env(home) });
    expect(dry.code).toBe(0);
    const summary = JSON.parse(dry.stdout);
    expect(summary).toEqual({
      ok: true,
      dryRun: true,
      directory: join(cwd, 'my-api'),
      answers: { ...GOLDEN_PRESETS.distroless.answers, directory: 'my-api', git: true, install: false },
      files: bytes(expectedProject('distroless', combo))
        .sort((a, b) => (a.path < b.path ? -1 : 1))
        .map((f) => ({ ...f, action: 'create' })),
      replaced: [], // none of yours (--force: each replaced path)
      notes: [],
      nextSteps: ['cd my-api', 'make install', 'make test', 'make run', 'make docker-build docker-run'],
      missingTools: expect.any(Array), // as the real run reports them (below)
    });
    expect(readdirSync(cwd)).toEqual([]);
    const real = await runMain(['my-api', '--json', '--no-git', '--runtime', 'distroless', '--author', ''], { cwd, env: env(home) });
    expect(JSON.parse(real.stdout)).toMatchObject({ ok: true, dryRun: false, notes: [], missingTools: summary.missingTools });
    const dir = join(cwd, 'my-api');
    const expected = expectedProject('distroless', combo);
    expect(listFiles(dir)).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) {
      if (path !== RECORD_FILE) expect(read(join(dir, path)), path).toBe(content);
    }
    // Without git, the record also carries the base's contents (a snapshot) beside the reviewed ids.
    const { base, ...record } = JSON.parse(read(join(dir, RECORD_FILE)));
    const { base: reviewedBase, ...reviewed } = JSON.parse(expected.get(RECORD_FILE)!);
    expect(record).toEqual(reviewed);
    expect(base.files).toEqual(reviewedBase.files);
    expect(base.snapshot).toMatch(/^H4sI/); // gzip
  });
});

describe('colours', () => {
  it('colours only when asked (FORCE_COLOR), never with NO_COLOR or without a terminal', async () => {
    const { cwd, home } = sandbox();
    const dryRun = (extra: Record<string, string | undefined>) => runMain(['svc', '--dry-run'], { cwd, env: { ...env(home), ...extra } });
    expect((await dryRun({ NO_COLOR: '1' })).stdout).not.toContain('\u001b[');
    expect((await dryRun({ NO_COLOR: undefined })).stdout).not.toContain('\u001b['); // no terminal here
    expect((await dryRun({ NO_COLOR: undefined, FORCE_COLOR: '0' })).stdout).not.toContain('\u001b[');
    const forced = await dryRun({ NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(forced.stdout).toMatch(/^\u001b\[1mDry run\u001b\[0m: would write/);
  });
});

describe('never loses a file', () => {
  it('refuses a non-empty directory, listing the files that would conflict, and touches nothing', async () => {
    const { cwd, home } = sandbox();
    const dir = join(cwd, 'svc');
    mkdirSync(join(dir, 'app'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), 'mine\n');
    writeFileSync(join(dir, 'app', 'main.py'), 'print("mine")\n');
    const result = await runMain(['svc', '--yes'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/svc is not empty and 2 generated files would overwrite yours/);
    expect(result.stderr).toContain('\n  README.md\n');
    expect(result.stderr).toContain('\n  app/main.py\n');
    expect(listFiles(dir)).toEqual(['README.md', 'app/main.py']);
    expect(read(join(dir, 'README.md'))).toBe('mine\n');
    expect(read(join(dir, 'app', 'main.py'))).toBe('print("mine")\n');
    expect(readdirSync(cwd)).toEqual(['svc']);
  });

  it('refuses a non-empty directory even without conflicts unless --force', async () => {
    const { cwd, home } = sandbox();
    mkdirSync(join(cwd, 'svc'));
    writeFileSync(join(cwd, 'svc', 'notes.txt'), 'keep me\n');
    const refused = await runMain(['svc', '--yes'], { cwd, env: env(home) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no generated file would overwrite one of them, but pass --force');
    expect(listFiles(join(cwd, 'svc'))).toEqual(['notes.txt']);
    const forced = await runMain(['svc', '--yes', '--force', '--no-git'], { cwd, env: env(home) });
    expect(forced.code).toBe(0);
    expect(read(join(cwd, 'svc', 'notes.txt'))).toBe('keep me\n');
    expect(existsSync(join(cwd, 'svc', 'Dockerfile'))).toBe(true);
  });

  it('--force replaces only generated files and keeps everything else', async () => {
    const { cwd, home } = sandbox();
    const dir = join(cwd, 'my-api');
    mkdirSync(join(dir, 'app', 'extra'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), 'old\n');
    writeFileSync(join(dir, 'app', 'extra', 'mine.py'), 'x = 1\n');
    writeFileSync(join(dir, '.env'), 'SECRET=1\n');
    const result = await runMain(['my-api', '--yes', '--force', '--no-git', '--json', '--python', '3.11', '--author', ''], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    const expected = expectedProject('python-3.11', GOLDEN_PRESETS['python-3.11'].combo);
    const summary = JSON.parse(result.stdout);
    expect(summary.files.filter((f: { action: string }) => f.action === 'overwrite')).toEqual([
      { path: 'README.md', bytes: Buffer.byteLength(expected.get('README.md')!), action: 'overwrite' },
    ]);
    expect(read(join(dir, 'README.md'))).toBe(expected.get('README.md'));
    expect(read(join(dir, 'app', 'extra', 'mine.py'))).toBe('x = 1\n');
    expect(read(join(dir, '.env'))).toBe('SECRET=1\n');
    expect(listFiles(dir)).toEqual([...expected.keys(), '.env', 'app/extra/mine.py'].sort());
    expect(readdirSync(cwd)).toEqual(['my-api']);
  });

  it('refuses even with --force when a generated path would replace a directory, a file or a link of yours', async () => {
    const { cwd, home } = sandbox();
    const dir = join(cwd, 'svc');
    mkdirSync(join(dir, 'Dockerfile'), { recursive: true });
    writeFileSync(join(dir, 'tests'), 'a file where a directory goes\n');
    mkdirSync(join(cwd, 'elsewhere'));
    symlinkSync(join(cwd, 'elsewhere'), join(dir, 'app'));
    const result = await runMain(['svc', '--yes', '--force'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot write into svc without deleting something of yours');
    expect(result.stderr).toContain('Dockerfile is a directory');
    expect(result.stderr).toContain('tests/ is a file');
    expect(result.stderr).toContain('app/ is a symbolic link');
    expect(listFiles(dir)).toEqual(['app', 'tests']);
    expect(readdirSync(join(dir, 'Dockerfile'))).toEqual([]);
    expect(readFileSync(join(dir, 'tests'), 'utf8')).toBe('a file where a directory goes\n');
    expect(readdirSync(join(cwd, 'elsewhere'))).toEqual([]);
  });

  it('refuses a target that is a file', async () => {
    const { cwd, home } = sandbox();
    writeFileSync(join(cwd, 'svc'), 'file\n');
    const result = await runMain(['svc', '--yes', '--force'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('svc exists and is not a directory');
    expect(read(join(cwd, 'svc'))).toBe('file\n');
    expect(readdirSync(cwd)).toEqual(['svc']);
  });

  it('keeps hostile values inert in every generated file', async () => {
    const { cwd, home } = sandbox();
    const description = 'Say "hi" `id` $(touch /tmp/pwned-pyservice) %> \\ \'q\'';
    const author = 'O\'Brien "Ob" <ob@example.org>';
    const result = await runMain(['svc', '--yes', '--no-git', '--description', description, '--author', author], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    const dir = join(cwd, 'svc');
    const files = new Map(listFiles(dir).map((path) => [path, read(join(dir, path))] as const));
    const toml = parseToml(files.get('pyproject.toml')!) as any;
    expect(toml.project.description).toBe(description);
    expect(toml.project.authors).toEqual([{ name: 'O\'Brien "Ob"', email: 'ob@example.org' }]);
    // CPython reads the description back from app/main.py as the same string.
    const program = 'import ast, json, sys\nfor node in ast.walk(ast.parse(sys.stdin.read())):\n    if isinstance(node, ast.keyword) and node.arg == "description":\n        print(json.dumps(ast.literal_eval(node.value)))';
    const py = spawnSync(pythonPath(), ['-c', program], { input: files.get('app/main.py'), encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(JSON.parse(py.stdout)).toBe(description);
    // (That such values leave every file lint-clean and compilable: test/structure.)
    const make = runMake(files, ['docker-build']);
    expect(make.dryRun).toMatchObject({ status: 0, stderr: '' });
    expect(make.dryRun.stdout).toBe('docker build -t svc .\n');
    expect(files.get('Dockerfile')).toContain('\\$(touch /tmp/pwned-pyservice)');
    expect(existsSync('/tmp/pwned-pyservice')).toBe(false);
  });
});
