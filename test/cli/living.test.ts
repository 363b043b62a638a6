/**
 * `add route`, `docker` and `update` end to end on freshly generated projects
 * (in process, as the bin runs them; spawned where a given package or a
 * terminal is the point); and a real update from
 * one release to the next, with two packages built from two template trees.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, read, REPO, sandbox, type CliResult } from '../helpers/cli.js';
import { runCommandInProcess, runMain } from '../helpers/in-process.js';
import { KEY, startPty } from '../helpers/pty.js';
import { buildNextRelease } from '../../scripts/lib/next-release.js';

const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };
const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...GIT_ID });
const VERSION = JSON.parse(read(join(REPO, 'package.json'))).version as string;

const git = (cwd: string, ...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ID } }).stdout.trim();
const status = (dir: string) =>
  spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
const edit = (dir: string, path: string, change: (text: string) => string) => writeFileSync(join(dir, path), change(read(join(dir, path))));

/** Create a project with the CLI (committed, base recorded); returns its directory. */
async function create(flags: string[], cli?: string): Promise<string> {
  const { cwd, home } = sandbox();
  // In process where the process boundary is not the point; spawned when a given package must run.
  const created = cli ? await runCli(['api', '--yes', ...flags], { cwd, env: env(home), cli }) : await runMain(['api', '--yes', ...flags], { cwd, env: env(home) });
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  return join(cwd, 'api');
}

// The default project is created once; each test gets a copy of it (its git repository and base
// included), so tests share the cost of creating it but never each other's changes.
let pristine: Promise<string> | undefined;

/** A fresh project (committed), and a function to run a command in it. */
async function project(flags: string[] = [], cli?: string) {
  const { cwd, home } = sandbox();
  const dir = join(cwd, 'api');
  if (flags.length === 0 && !cli) cpSync(await (pristine ??= create([])), dir, { recursive: true });
  else cpSync(await create(flags, cli), dir, { recursive: true });
  const run = (args: string[], bin?: string) => (bin ? runCli(args, { cwd: dir, env: env(home), cli: bin }) : runCommandInProcess(args, { cwd: dir, env: env(home) }));
  return { dir, home, run };
}

const json = (result: CliResult) => JSON.parse(result.stdout);
const actions = (result: CliResult) =>
  Object.fromEntries((json(result).files as { path: string; action: string; reason: string }[]).filter((f) => f.reason !== 'unchanged').map((f) => [f.path, f.action]));

describe.concurrent('pyservice add route', () => {
  it('adds two routes to a fresh project: files, registration, record; refuses a third time', async () => {
    const { dir, run } = await project();
    const first = await run(['add', 'route', 'orders']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/create\s+app\/routes\/orders\.py/);
    expect((await run(['add', 'route', 'order_lines', '--json'])).code).toBe(0);
    expect(read(join(dir, 'app/main.py'))).toContain('from app.routes import health, items, order_lines, orders\n');
    expect(read(join(dir, 'app/main.py'))).toContain('    app.include_router(orders.router)\n    app.include_router(order_lines.router)\n    # pyservice:routers');
    expect(status(dir)).toEqual(
      [' M .pyservice.json', ' M app/main.py', ...['app/routes', 'app/schemas', 'app/services'].flatMap((d) => [`?? ${d}/order_lines.py`, `?? ${d}/orders.py`]), '?? tests/test_order_lines.py', '?? tests/test_orders.py'].sort(),
    );
    expect(JSON.parse(read(join(dir, '.pyservice.json'))).routes).toEqual(['orders', 'order_lines']);

    for (const [args, message] of [
      [['add', 'route', 'orders'], /route "orders" already exists/],
      [['add', 'route', 'items'], /route "items" already exists/],
      [['add', 'route', 'class'], /route name "class" is a Python keyword/],
      [['add', 'route', 'Order-Lines'], /not a valid Python identifier/],
      [['add', 'route'], /give the route's name/],
      [['add', 'widget', 'x'], /"widget" is not something to add/],
      [['add', 'route', 'a', 'b'], /unexpected argument "b"/],
    ] as const) {
      const before = status(dir);
      const refused = await run([...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(message);
      expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(status(dir)).toEqual(before);
    }
  });

  it('--dry-run shows the plan and --diff the registration, writing nothing', async () => {
    const { dir, run } = await project();
    const dry = await run(['add', 'route', 'orders', '--dry-run', '--diff']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+from app.routes import health, items, orders');
    expect(dry.stdout).toContain('+    app.include_router(orders.router)');
    expect(dry.stdout).toContain('Dry run: nothing was changed.');
    expect(status(dir)).toEqual([]);
  });
});

describe.concurrent('pyservice docker', () => {
  it('switches slim → distroless and uvicorn → gunicorn, keeping the user’s edits; deleted files stay deleted', async () => {
    const { dir, run } = await project();
    edit(dir, 'Dockerfile', (t) => t.replace(/^(EXPOSE .*)$/m, '$1\nLABEL org.opencontainers.image.vendor="ours"'));
    edit(dir, 'pyproject.toml', (t) => t.replace(/^(\[tool\.ruff\]\n)/m, '[tool.mine]\nkey = 1\n\n$1'));
    rmSync(join(dir, 'README.md'));
    git(dir, 'commit', '-qam', 'our edits');
    const result = await run(['docker', '--runtime', 'distroless', '--server', 'gunicorn', '--json']);
    expect(result.code).toBe(0);
    expect(actions(result)).toEqual({
      '.env.example': 'update', // gunicorn's settings
      '.github/workflows/ci.yml': 'update', // names the Python
      '.python-version': 'update', // distroless runs 3.13: the project moves with it
      Dockerfile: 'merge',
      Makefile: 'update', // `make server` runs gunicorn
      'README.md': 'keep', // deleted by the user: stays deleted
      'app/__main__.py': 'delete',
      'app/core/config.py': 'update', // gunicorn's settings (workers, graceful timeout)
      'app/core/cpus.py': 'create', // gunicorn's default worker count
      'gunicorn_config.py': 'create',
      'pyproject.toml': 'merge',
      'tests/test_cpus.py': 'create',
      'tests/test_gunicorn_config.py': 'create',
      'tests/test_main.py': 'delete',
      'tests/test_server.py': 'update', // starts gunicorn instead of uvicorn
    });
    const dockerfile = read(join(dir, 'Dockerfile'));
    expect(dockerfile).toContain('LABEL org.opencontainers.image.vendor="ours"');
    expect(dockerfile).toContain('gcr.io/distroless/python3-debian13:nonroot');
    expect(dockerfile).toContain('gunicorn_config.py');
    expect(read(join(dir, 'pyproject.toml'))).toMatch(/\[tool\.mine\]\nkey = 1/);
    expect(read(join(dir, 'pyproject.toml'))).toMatch(/"gunicorn /);
    expect(existsSync(join(dir, 'README.md'))).toBe(false);
    expect(JSON.parse(read(join(dir, '.pyservice.json'))).answers).toMatchObject({ runtime: 'distroless', python: '3.13', server: 'gunicorn' });
    expect(read(join(dir, '.python-version'))).toBe('3.13\n');
  });

  it('refuses as creation does (nothing written), and needs something to change', async () => {
    const { dir, run } = await project();
    for (const [args, message] of [
      [['docker', '--runtime', 'distroless', '--python', '3.12'], /--runtime distroless with --python 3.12 is not possible/],
      [['docker', '--runtime', 'distroless', '--deps', 'wheels'], /--runtime distroless with --deps wheels is not possible/],
      [['docker', '--runtime', 'alpine'], /--runtime: "alpine" is not one of: slim, distroless/],
      [['docker', '--port', '0'], /--port: 0 is outside/],
      [['docker', '--name', 'x'], /--name: not an option of "docker"/],
      [['docker'], /nothing to change; give at least one of --runtime, --python, --deps, --server, --port/],
    ] as const) {
      const refused = await run([...args]);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toMatch(message);
      expect(status(dir)).toEqual([]);
    }
  });

  it('a conflicting edit: markers, listed, exit 1, nothing else changed', async () => {
    const { dir, run } = await project();
    edit(dir, 'Dockerfile', (t) => t.replace(/^FROM (.*) AS runtime$/m, 'FROM $1 AS runtime # pinned by us'));
    git(dir, 'commit', '-qam', 'our edit');
    const result = await run(['docker', '--runtime', 'distroless']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/conflict\s+Dockerfile/);
    expect(result.stdout).toMatch(/1 file has conflicts: resolve the blocks between <<<<<<< yours and >>>>>>> create-pyservice .* in:\n\s+Dockerfile/);
    const dockerfile = read(join(dir, 'Dockerfile'));
    // Theirs: the distroless venv fix-up stage, then the runtime stage on distroless.
    expect(dockerfile).toMatch(/<<<<<<< yours\nFROM .* AS runtime # pinned by us\n=======\n[^<>]*\nFROM gcr\.io\/distroless\/python3-debian13:nonroot AS runtime\n[^<>]*>>>>>>> create-pyservice/);
    expect(status(dir)).toEqual([' M .github/workflows/ci.yml', ' M .pyservice.json', ' M .python-version', ' M Dockerfile', ' M README.md', ' M pyproject.toml']);
  });
});

describe.concurrent('pyservice update', () => {
  it('on an up-to-date project: nothing to change (and --no-git projects work too)', async () => {
    for (const flags of [[], ['--no-git']]) {
      const { dir, run } = await project(flags);
      const result = await run(['update']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Nothing to change');
      if (flags.length === 0) expect(status(dir)).toEqual([]);
    }
  });

  it('refuses outside a project and with a corrupt, foreign or invalid record: exit 2, nothing written', async () => {
    const { cwd, home } = sandbox();
    const outside = await runCommandInProcess(['update'], { cwd, env: env(home) });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/is not inside a project generated by create-pyservice/);

    const { dir, run } = await project();
    const record = read(join(dir, '.pyservice.json'));
    for (const [text, message] of [
      [record.slice(0, 100), /is not valid JSON/],
      [record.replace('"create-pyservice"', '"copier"'), /was not written by create-pyservice/],
      [record.replace('"runtime": "slim"', '"runtime": "alpine"'), /answers.runtime \(--runtime\): "alpine" is not one of/],
      [record.replace('"python": "3.14"', '"python": "3.12"').replace('"runtime": "slim"', '"runtime": "distroless"'), /--runtime distroless with --python 3.12 is not possible/],
    ] as const) {
      writeFileSync(join(dir, '.pyservice.json'), text);
      for (const args of [['update'], ['docker', '--port', '9000'], ['add', 'route', 'orders']]) {
        const refused = await run(args);
        expect(refused.code, `${args.join(' ')}: ${text.slice(0, 40)}`).toBe(2);
        expect(refused.stderr).toMatch(message);
        expect(status(dir)).toEqual([' M .pyservice.json']);
        expect(read(join(dir, '.pyservice.json'))).toBe(text);
      }
    }
  });

  it('works from a sub-directory and answers --help', async () => {
    const { dir, home } = await project();
    const result = await runCommandInProcess(['update', '--dry-run'], { cwd: join(dir, 'app', 'routes'), env: env(home) });
    expect(result.code).toBe(0);
    const help = await runCommandInProcess(['update', '--help'], { cwd: dir, env: env(home) });
    expect(help.stdout).toContain('pyservice update [--dry-run [--diff]] [--json] [--yes]');
  });
});

describe.concurrent('a real two-release update (two packages built from two template trees, offline)', () => {
  const work = mkdtempSync(join(tmpdir(), 'pyservice-release-'));
  let next = '';
  let nextVersion = '';
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(() => {
    const release = buildNextRelease(REPO, work);
    next = release.cli;
    nextVersion = release.version;
  }, 60_000);

  it('keeps every user edit, deletes and adds as the outcome table says, with no network and without release N', async () => {
    // Release N: a copy of this build, removed before the update to prove the project carries its base.
    const current = join(work, 'current');
    cpSync(join(REPO, 'dist'), join(current, 'dist'), { recursive: true });
    cpSync(join(REPO, 'templates'), join(current, 'templates'), { recursive: true });
    const { dir, run } = await project([], join(current, 'dist', 'cli.js'));
    expect((await run(['add', 'route', 'orders'], join(current, 'dist', 'cli.js'))).code).toBe(0);
    // The user's edits: near the Makefile change, in the Dockerfile away from it, a deleted file, a conflict.
    edit(dir, 'Makefile', (t) => t.replace('lint: ruff typecheck ## Check style, formatting and types (ruff + mypy)', 'lint: ruff typecheck ## Check style, formatting and types'));
    edit(dir, 'Dockerfile', (t) => t.replace(/^(EXPOSE .*)$/m, '$1\nLABEL team="payments"'));
    rmSync(join(dir, '.dockerignore'));
    edit(dir, 'app/routes/orders.py', (t) => t.replace('"""List every order."""', '"""List every order, newest last."""'));
    git(dir, 'add', '--all');
    git(dir, 'commit', '-qm', 'our edits');
    rmSync(current, { recursive: true, force: true });

    const offline = { npm_config_offline: 'true', HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' };
    const dry = await runCli(['update', '--dry-run', '--json'], { cwd: dir, env: { ...env(sandbox().home), ...offline }, cli: next });
    expect(dry.code).toBe(0);
    expect(actions(dry)).toEqual({
      '.dockerignore': 'keep', // you deleted it
      '.env.example': 'delete', // the template dropped it, you never changed it
      'CHANGELOG.md': 'create',
      Dockerfile: 'merge',
      Makefile: 'merge',
      'README.md': 'update', // names the release
      'app/routes/orders.py': 'keep', // only you changed it
    });
    expect(status(dir)).toEqual([]);

    const result = await runCli(['update'], { cwd: dir, env: { ...env(sandbox().home), ...offline }, cli: next });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`create-pyservice ${VERSION} → ${nextVersion}`);
    const makefile = read(join(dir, 'Makefile'));
    expect(makefile).toContain('\t$(POETRY) run pytest -q --cov=app\n\nlint: ruff typecheck ## Check style, formatting and types\n');
    const dockerfile = read(join(dir, 'Dockerfile'));
    expect(dockerfile).toContain('# Rendered by the next release.');
    expect(dockerfile).toContain('LABEL team="payments"');
    expect(existsSync(join(dir, '.dockerignore'))).toBe(false);
    expect(existsSync(join(dir, '.env.example'))).toBe(false);
    expect(read(join(dir, 'CHANGELOG.md'))).toContain('Started by create-pyservice.');
    expect(read(join(dir, 'app/routes/orders.py'))).toContain('newest last');
    expect(read(join(dir, 'app/main.py'))).toContain('app.include_router(orders.router)');
    const record = JSON.parse(read(join(dir, '.pyservice.json')));
    expect(record.version).toBe(nextVersion);
    expect(record.routes).toEqual(['orders']);
    expect(git(dir, 'rev-list', '--count', 'refs/pyservice/base')).toBe('3'); // created, route added, updated

    // Then a conflict with the next release's own change: markers, exit 1.
    git(dir, 'add', '--all');
    git(dir, 'commit', '-qm', 'updated');
    const again = await runCli(['update'], { cwd: dir, env: env(sandbox().home), cli: next });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
  });

  it('conflicts where the user changed what the release changed; a dropped file the user changed is kept', async () => {
    const { dir, run } = await project();
    void run;
    edit(dir, 'Dockerfile', (t) => t.replace(/^(# syntax=docker\/dockerfile:1)$/m, '$1\n# Our own first comment.'));
    edit(dir, '.env.example', (t) => `${t}OUR_SETTING=1\n`);
    git(dir, 'commit', '-qam', 'our edits');
    const result = await runCli(['update'], { cwd: dir, env: env(sandbox().home), cli: next });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/conflict\s+Dockerfile/);
    expect(result.stdout).toMatch(/keep\s+\.env\.example\s+no longer generated, but you changed it/);
    expect(read(join(dir, 'Dockerfile'))).toMatch(
      /# syntax=docker\/dockerfile:1\n<<<<<<< yours\n# Our own first comment\.\n=======\n# Rendered by the next release\.\n>>>>>>> create-pyservice \d+\.\d+\.\d+\n/,
    );
    expect(read(join(dir, '.env.example'))).toContain('OUR_SETTING=1');
    expect(JSON.parse(read(join(dir, '.pyservice.json'))).base.files['.env.example']).toBeUndefined(); // no longer ours
    expect(status(dir)).toEqual([' M .pyservice.json', ' M Dockerfile', ' M Makefile', ' M README.md', '?? CHANGELOG.md']);
  });
});

describe.concurrent('in a terminal (pty)', () => {
  it('add route asks for the name; docker asks each choice (current as default) and confirms the plan', async () => {
    const { dir, home } = await project();
    const ptyEnv = { ...env(home), PATH: '/usr/bin:/bin', NO_COLOR: '1' };
    const route = startPty(['add', 'route'], { cwd: dir, env: ptyEnv });
    await route.expect(/Route name/);
    route.type('class\r');
    await route.expect(/Python keyword/);
    route.type('\u0015orders\r'); // Ctrl-U clears the line
    expect(await route.exit).toBe(0);
    expect(existsSync(join(dir, 'app/routes/orders.py'))).toBe(true);

    const docker = startPty(['docker'], { cwd: dir, env: ptyEnv });
    const runtime = await docker.expect(/Base image[\s\S]*navigate/);
    expect(runtime).toMatch(/python:3\.14-slim-trixie \(current\)/);
    docker.type(`${KEY.down}${KEY.enter}`);
    // Distroless leaves one Python and one dependency strategy: decided, with the reason, not asked.
    const decided = await docker.expect(/Server[\s\S]*navigate/);
    expect(decided).toMatch(/Python version Python 3\.13 \(decided: [^\n]*distroless/);
    docker.type(KEY.enter);
    await docker.expect(/Port/);
    docker.type(KEY.enter);
    const plan = await docker.expect(/Apply these changes\?/);
    expect(plan).toMatch(/--runtime slim → distroless/);
    expect(plan).toMatch(/update\s+Dockerfile/);
    docker.type(KEY.enter);
    expect(await docker.exit).toBe(0);
    expect(JSON.parse(read(join(dir, '.pyservice.json'))).answers.runtime).toBe('distroless');
  });
});

describe.concurrent('untrusted text in messages', () => {
  it('shows escape sequences typed as a route name or flag as visible escapes, never raw', async () => {
    const { run } = await project();
    for (const args of [['add', 'route', 'x\u001b[31mred'], ['add', 'wid\u001bget'], ['update', '--fo\u001bo'], ['update', 'stray\u001b']]) {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).not.toContain('\u001b');
      expect(result.stderr).toContain('\\x1b');
    }
  });
});
