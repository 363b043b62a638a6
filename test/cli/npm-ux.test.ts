/**
 * Never act against what the user typed (issue #22):
 * - `npm create pyservice d1 --dry-run` (no `--`): the REAL npm 11 keeps the switch and tells us
 *   only through npm_config_*; each switch is honoured or the run stops (exit 2) with the
 *   corrected command, and nothing is ever written against it;
 * - Poetry 1 on PATH is "missing" for us (too old), never run;
 * - dry runs say what would happen, and report the same missing tools as the real run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, read, sandbox } from '../helpers/cli.js';
import { runCommandInProcess, runMain } from '../helpers/in-process.js';
import { KEY, startPty } from '../helpers/pty.js';
import { parseArgv } from '../../src/cli/argv.js';

/** The environment without what an npm that started this test run exported. */
const clean = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))) as Record<string, string>;

let app = '';
let home = '';
const npmEnv = () => ({ ...clean(), HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org', NO_COLOR: '1', PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, npm_config_cache: join(home, '.npm'), npm_config_registry: 'http://127.0.0.1:9/', npm_config_update_notifier: 'false' });

/** `npm create pyservice <args>` with the real npm, offline, from the local package in `app`. */
const npmCreate = (args: string[]) => spawnSync('npm', ['create', 'pyservice', ...args, '--offline'], { cwd: app, encoding: 'utf8', timeout: 120_000, env: npmEnv() });

beforeAll(() => {
  // create-pyservice installed in app/node_modules as npm would link it: its bin runs this worktree's dist/.
  const base = mkdtempSync(join(tmpdir(), 'pyservice-npm-'));
  home = join(base, 'home');
  app = join(base, 'app');
  const pkg = join(base, 'pkg');
  for (const dir of [home, join(app, 'node_modules', '.bin'), pkg]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'create-pyservice', version: '9.9.9', type: 'module', bin: { 'create-pyservice': 'bin/create-pyservice.js', pyservice: 'bin/create-pyservice.js' } }));
  symlinkSync(join(REPO, 'bin'), join(pkg, 'bin'));
  symlinkSync(join(REPO, 'dist'), join(pkg, 'dist'));
  symlinkSync(pkg, join(app, 'node_modules', 'create-pyservice'));
  for (const name of ['create-pyservice', 'pyservice']) symlinkSync('../create-pyservice/bin/create-pyservice.js', join(app, 'node_modules', '.bin', name));
  expect(existsSync(join(REPO, 'dist', 'cli.js')), 'node scripts/build.mjs first').toBe(true);
});

describe('npm create without -- (the real npm CLI)', () => {
  it('--dry-run: honoured, nothing written', () => {
    const result = npmCreate(['d-dry', '--dry-run']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Dry run: would write \d+ files to d-dry \(nothing written\)/);
    expect(existsSync(join(app, 'd-dry'))).toBe(false);
  }, 120_000);

  it('--json (with --dry-run): a JSON summary, nothing written', () => {
    const result = npmCreate(['d-json', '--json', '--dry-run']);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, dryRun: true, directory: join(app, 'd-json') });
    expect(existsSync(join(app, 'd-json'))).toBe(false);
  }, 120_000);

  it('--no-git: the project is written without a repository', () => {
    const result = npmCreate(['d-nogit', '--no-git']);
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(join(app, 'd-nogit', 'pyproject.toml'))).toBe(true);
    expect(existsSync(join(app, 'd-nogit', '.git'))).toBe(false);
  }, 120_000);

  it('--force: never acted on; a non-empty target is refused (exit 2) with the corrected command', () => {
    mkdirSync(join(app, 'd-force'));
    writeFileSync(join(app, 'd-force', 'pyproject.toml'), 'mine\n');
    const result = npmCreate(['d-force', '--force']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('npm kept --force for itself; to replace the generated files, put it after --: npm create pyservice@latest d-force -- --force');
    expect(readdirSync(join(app, 'd-force'))).toEqual(['pyproject.toml']);
    expect(read(join(app, 'd-force', 'pyproject.toml'))).toBe('mine\n');
  }, 120_000);

  it.each([
    [['--runtime=distroless'], '-- --runtime distroless'],
    [['--name', 'orders'], '-- --name orders'],
    [['--install'], '-- --install'],
    [['--no-compose', '--dry-run'], '-- --no-compose --dry-run'],
    [['--ci', 'none', '--port', '9000'], '-- --port 9000 --ci none'],
  ])('%j: our option never reached us: exit 2 with the corrected command, nothing written', (args, corrected) => {
    const result = npmCreate(['d-opt', ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`npm create pyservice@latest d-opt ${corrected}`);
    expect(existsSync(join(app, 'd-opt'))).toBe(false);
  }, 120_000);

  it('npm exec pyservice add route orders --dry-run: honoured by the project commands too, nothing written', () => {
    expect(npmCreate(['d-route', '--yes']).status).toBe(0);
    const dir = join(app, 'd-route');
    const result = spawnSync('npm', ['exec', '--offline', 'pyservice', 'add', 'route', 'orders', '--dry-run'], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: npmEnv() });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Dry run');
    expect(existsSync(join(dir, 'app', 'routes', 'orders.py'))).toBe(false);
  }, 120_000);

  it('docker options npm kept (npm create … docker --runtime distroless, npm exec … --port 9000): exit 2 with the corrected command, nothing changed', () => {
    expect(npmCreate(['d-docker', '--yes', '--no-git']).status).toBe(0);
    const dir = join(app, 'd-docker');
    const before = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    const viaCreate = spawnSync('npm', ['create', 'pyservice', 'docker', '--runtime', 'distroless', '--offline'], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: npmEnv() });
    expect(viaCreate.status, viaCreate.stdout).toBe(2);
    expect(viaCreate.stderr).toContain('--runtime: npm kept this option for itself');
    expect(viaCreate.stderr).toContain('run: npm create pyservice@latest docker -- --runtime distroless');
    expect(viaCreate.stderr).not.toMatch(/unexpected argument/); // the value npm left behind is not a stray word
    const viaExec = spawnSync('npm', ['exec', '--offline', 'pyservice', 'docker', '--port', '9000', '--server', 'gunicorn', '--yes'], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: npmEnv() });
    expect(viaExec.status, viaExec.stdout).toBe(2);
    expect(viaExec.stderr).toMatch(/--server, --port: npm kept these options for itself.*run: npx create-pyservice docker --server gunicorn --port 9000/);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toBe(before);
    // After --, npm passes them on: the same change works.
    const fixed = spawnSync('npm', ['create', 'pyservice', 'docker', '--offline', '--', '--runtime', 'distroless', '--yes'], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: npmEnv() });
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain('distroless');
  }, 240_000);

  it('--yes in a terminal: no question asked', async () => {
    const pty = startPty(['create', 'pyservice', 'd-yes', '--yes', '--no-git', '--offline'], { cwd: app, env: npmEnv(), bin: ['npm'] });
    const screen = await pty.expect(/Created|Project directory|\? /, 120_000);
    expect(screen).toContain('Created');
    expect(await pty.exit).toBe(0);
    expect(existsSync(join(app, 'd-yes', 'pyproject.toml'))).toBe(true);
  }, 150_000);
});

/** Debian's python3-poetry: 1.x, which rejects the generated pyproject.toml. */
function poetry1(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'poetry'),
    `#!/bin/sh\necho "$*" >> "$HOME/poetry-calls.log"\n[ "$1" = --version ] && { echo "Poetry (version 1.8.2)"; exit 0; }\necho "The Poetry configuration is invalid:\n  - Additional properties are not allowed ('package-mode' was unexpected)" >&2; exit 1\n`,
  );
  chmodSync(join(bin, 'poetry'), 0o755);
  return bin;
}
const poetryEnv = (home: string, bin: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', PATH: `${bin}:/usr/bin:/bin`, NO_COLOR: '1' });
const calls = (home: string) => readFileSync(join(home, 'poetry-calls.log'), 'utf8');

describe.concurrent('Poetry 1 on PATH counts as missing', () => {
  it('the Enter-only interview does not offer to run it, and it is never run', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['svc', '--runtime', 'slim', '--python', '3.13', '--deps', 'venv', '--server', 'uvicorn', '--no-git'], { cwd, env: poetryEnv(home, poetry1(home)) });
    const summary = await pty.expect(/Change any of these\?/, 60_000);
    expect(summary).toMatch(/poetry install now\s+no \(poetry 1\.8\.2 on PATH is too old\)/);
    pty.type(KEY.enter);
    await pty.expect(/Next steps/, 60_000);
    expect(await pty.exit).toBe(0);
    expect(pty.output()).toMatch(/! poetry 1\.8\.2 on PATH is too old: make install, test, run need Poetry 2\.\s+Get it with one of:\s+pipx install poetry/);
    expect(calls(home)).toBe('--version\n');
  }, 90_000);

  it('--install is refused up front, naming the version found; --json lists poetry in missingTools, dry run or not', async () => {
    const { cwd, home } = sandbox();
    const env = poetryEnv(home, poetry1(home));
    const refused = await runMain(['svc', '--yes', '--install'], { cwd, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--install: poetry 1.8.2 on PATH is too old; Poetry 2 is needed: install it (pipx install poetry');
    expect(existsSync(join(cwd, 'svc'))).toBe(false);
    const dry = JSON.parse((await runMain(['svc', '--yes', '--json', '--dry-run'], { cwd, env })).stdout);
    const real = JSON.parse((await runMain(['svc', '--yes', '--json', '--no-git'], { cwd, env })).stdout);
    expect(real.missingTools).toContain('poetry');
    expect(dry.missingTools).toEqual(real.missingTools);
    expect(calls(home)).not.toMatch(/^(lock|install)/m);
  }, 90_000);
});

describe('dry runs tell the truth', () => {
  it('a docker dry run with a conflict says the markers would be written, and writes none', async () => {
    const { cwd, home } = sandbox();
    const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };
    const env = { HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...GIT_ID };
    expect((await runMain(['api', '--yes'], { cwd, env })).code).toBe(0);
    const dir = join(cwd, 'api');
    const dockerfile = read(join(dir, 'Dockerfile')).replace(/^FROM (.*) AS runtime$/m, 'FROM $1 AS runtime # pinned by us');
    writeFileSync(join(dir, 'Dockerfile'), dockerfile);
    spawnSync('git', ['commit', '-qam', 'our edit'], { cwd: dir, env: { ...process.env, ...GIT_ID } });
    const text = await runCommandInProcess(['docker', '--runtime', 'distroless', '--dry-run'], { cwd: dir, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/conflict\s+Dockerfile\s+your changes and the new version overlap:\s+conflict markers would be written/);
    expect(text.stdout).not.toMatch(/markers written|: replaced by the new version/);
    const json = JSON.parse((await runCommandInProcess(['docker', '--runtime', 'distroless', '--dry-run', '--json'], { cwd: dir, env })).stdout);
    const file = json.files.find((f: { path: string }) => f.path === 'Dockerfile');
    expect(file).toMatchObject({ action: 'conflict', description: 'your changes and the new version overlap: conflict markers would be written' });
    expect(read(join(dir, 'Dockerfile'))).toBe(dockerfile);
  }, 90_000);
});

describe('what npm kept, decided from its environment (as npm 11 sets it)', () => {
  const create = { npm_command: 'init', npm_lifecycle_event: 'npx', npm_config_yes: '' };
  const npx = { npm_command: 'exec', npm_lifecycle_event: 'npx', npm_config_yes: 'true' };

  it('honours --yes under npm create, not npx -y (npx\'s own "install without asking")', () => {
    expect(parseArgv(['d1'], { ...create, npm_config_yes: 'true' }).controls.yes).toBe(true);
    expect(parseArgv(['d1'], npx).controls.yes).toBe(false);
    expect(parseArgv(['d1'], { ...create, npm_config_yes: '' }).controls.yes).toBe(false); // npm's default, and --no-yes
    // Outside npm, npm_config_* means nothing.
    expect(parseArgv(['d1'], { npm_config_dry_run: 'true', npm_config_name: 'x' })).toMatchObject({ errors: [], controls: { dryRun: false } });
  });

  it('reads npm\'s git setting ("false" is --no-git, "" is --git, a path is npm\'s own); after -- wins; a value not ours is ignored', () => {
    expect(parseArgv(['d1'], { ...create, npm_config_git: 'false' }).given.git).toBe(false);
    expect(parseArgv(['d1'], { ...create, npm_config_git: '' }).given.git).toBe(true);
    expect(parseArgv(['d1'], { ...create, npm_config_git: '/usr/local/bin/git' }).given.git).toBeUndefined();
    // What reached us after -- wins; a value that is not ours (node-gyp's npm_config_python) is ignored.
    expect(parseArgv(['d1', '--git'], { ...create, npm_config_git: 'false' }).given.git).toBe(true);
    const parsed = parseArgv(['d1'], { ...create, npm_config_python: '/usr/bin/python3' });
    expect(parsed.errors).toEqual([]);
    expect(parsed.given.python).toBeUndefined();
  });
});
