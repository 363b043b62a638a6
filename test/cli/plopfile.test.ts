/**
 * plop's own CLI (spawned, as a contributor runs it) with our plopfile.ts:
 * it lists the four generators, and each run writes exactly what the CLI
 * (dist/, built) writes for the same answers: every file, byte for byte and
 * mode for mode, and for a project in git the same committed tree.
 * Needs dist/ (node scripts/build.mjs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listFiles, REPO, runCli, sandbox, type CliResult } from '../helpers/cli.js';
import { KEY, startPty } from '../helpers/pty.js';

const require = createRequire(import.meta.url);
const TSX = pathToFileURL(require.resolve('tsx')).href;
const PLOP = join(REPO, 'node_modules', 'plop', 'bin', 'plop.js');
const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };
const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...GIT_ID });

/** Run `command args` (stdin closed) to its end. */
function run(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, npm_lifecycle_event: undefined, INIT_CWD: undefined, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} did not finish within 50 s\n${stdout}\n${stderr}`));
    }, 50_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** plop's CLI, loading plopfile.ts through tsx (what `npm run plop` runs). */
const plop = (args: readonly string[], cwd: string, home: string) =>
  run(process.execPath, ['--import', TSX, PLOP, '--plopfile', join(REPO, 'plopfile.ts'), ...args], { cwd, env: env(home) });

/** Every file of `dir` outside .git: its bytes and its mode. */
function tree(dir: string): Map<string, { bytes: string; mode: number }> {
  return new Map(listFiles(dir).map((path) => [path, { bytes: readFileSync(join(dir, path)).toString('base64'), mode: statSync(join(dir, path)).mode }]));
}

const git = (dir: string, ...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' }).stdout.trim();

describe.concurrent("plop's CLI runs our generators", () => {
  it('npm run plop, from another directory: lists service, route, db, docker and update with their descriptions', async () => {
    const { cwd, home } = sandbox();
    const listed = await run('npm', ['--prefix', REPO, 'run', '--silent', 'plop'], { cwd, env: env(home) });
    for (const [name, description] of [
      ['service', 'a new FastAPI + Poetry service'],
      ['route', 'add a route to a project'],
      ['db', 'add a PostgreSQL database to a project'],
      ['docker', "change a project's image choices"],
      ['update', "bring a project to this release's templates"],
    ]) {
      expect(listed.stdout, listed.stderr).toContain(`${name} - ${description}`);
    }
  });

  it('npx plop, plain (no NODE_OPTIONS), in the repository: plopfile.js hands plop the generators of plopfile.ts', async () => {
    const { home } = sandbox();
    const listed = await run('npx', ['--no-install', 'plop'], { cwd: REPO, env: { ...env(home), NODE_OPTIONS: '' } });
    for (const name of ['service', 'route', 'db', 'docker', 'update']) expect(listed.stdout, listed.stderr).toMatch(new RegExp(`^\\s*(❯ )?${name} - `, 'm'));
  });

  it('service by bypass (positional directory, named flags, --no-git): the same files, bytes and modes, as create-pyservice', async () => {
    const { cwd, home } = sandbox();
    const flags = ['--name', 'shop-api', '--python', '3.13', '--runtime', 'distroless', '--server', 'gunicorn', '--port', '9000', '--no-install'];
    const viaPlop = await plop(['service', 'by-plop', '--', ...flags, '--no-git'], cwd, home);
    expect(viaPlop.code, viaPlop.stderr).toBe(0);
    const viaCli = await runCli(['by-cli', '--yes', ...flags, '--no-git'], { cwd, env: env(home) });
    expect(viaCli.code, viaCli.stderr).toBe(0);
    const plopTree = tree(join(cwd, 'by-plop'));
    expect([...plopTree.keys()]).toContain('.pyservice.json');
    expect(plopTree).toEqual(tree(join(cwd, 'by-cli')));
  });

  it('service with git: the same working tree and the same committed tree (only commit times and ids differ)', async () => {
    const { cwd, home } = sandbox();
    // The name defaults to the directory's: the same name for both.
    const viaPlop = await plop(['service', 'by-plop', '--', '--name', 'api', '--no-install'], cwd, home);
    expect(viaPlop.code, viaPlop.stderr).toBe(0);
    const viaCli = await runCli(['by-cli', '--yes', '--name', 'api', '--no-install'], { cwd, env: env(home) });
    expect(viaCli.code, viaCli.stderr).toBe(0);
    const [a, b] = [join(cwd, 'by-plop'), join(cwd, 'by-cli')];
    expect(tree(a)).toEqual(tree(b));
    expect(git(a, 'rev-parse', 'HEAD^{tree}')).toBe(git(b, 'rev-parse', 'HEAD^{tree}'));
    expect(git(a, 'rev-parse', 'refs/pyservice/base^{tree}')).toBe(git(b, 'rev-parse', 'refs/pyservice/base^{tree}'));
    expect(git(a, 'status', '--porcelain')).toBe('');
  });

  it('route NAME, docker -- --runtime R and db postgres inside a generated project: the same changes as pyservice add route / docker / add db', async () => {
    const { cwd, home } = sandbox();
    const created = await runCli(['base', '--yes', '--no-install'], { cwd, env: env(home) });
    expect(created.code, created.stderr).toBe(0);
    const [a, b] = [join(cwd, 'by-plop'), join(cwd, 'by-cli')];
    cpSync(join(cwd, 'base'), a, { recursive: true });
    cpSync(join(cwd, 'base'), b, { recursive: true });

    const routePlop = await plop(['route', 'orders'], a, home);
    expect(routePlop.code, routePlop.stderr).toBe(0);
    const routeCli = await runCli(['add', 'route', 'orders', '--yes'], { cwd: b, env: env(home) });
    expect(routeCli.code, routeCli.stderr).toBe(0);
    expect(existsSync(join(a, 'app/routes/orders.py'))).toBe(true);
    expect(tree(a)).toEqual(tree(b));
    expect(git(a, 'rev-parse', 'refs/pyservice/base^{tree}')).toBe(git(b, 'rev-parse', 'refs/pyservice/base^{tree}'));

    // A name that is not one of docker's options is refused by plop itself (its message, its exit 1), before our code runs.
    const before = tree(a);
    const notAnOption = await plop(['docker', '--', '--runtime', 'distroless', '--no-compose'], a, home);
    expect(notAnOption.code).toBe(1);
    expect(notAnOption.stderr).toContain('"no-compose" is an invalid argument for "docker"');
    expect(tree(a)).toEqual(before);
    // Distroless has one Python: as with pyservice docker, the project's Python follows it.
    const dockerPlop = await plop(['docker', '--', '--runtime', 'distroless'], a, home);
    expect(dockerPlop.code, dockerPlop.stderr).toBe(0);
    const dockerCli = await runCli(['docker', '--runtime', 'distroless', '--yes'], { cwd: b, env: env(home) });
    expect(dockerCli.code, dockerCli.stderr).toBe(0);
    expect(tree(a)).toEqual(tree(b));

    // db postgres: the database added as pyservice add db postgres adds it.
    const dbPlop = await plop(['db', 'postgres'], a, home);
    expect(dbPlop.code, dbPlop.stderr).toBe(0);
    const dbCli = await runCli(['add', 'db', 'postgres', '--yes'], { cwd: b, env: env(home) });
    expect(dbCli.code, dbCli.stderr).toBe(0);
    expect(existsSync(join(a, 'migrations/env.py'))).toBe(true);
    expect(tree(a)).toEqual(tree(b));
    expect(git(a, 'rev-parse', 'refs/pyservice/base^{tree}')).toBe(git(b, 'rev-parse', 'refs/pyservice/base^{tree}'));
  });

  it('a refused value: our one line per problem, exit 2, nothing written', async () => {
    const { cwd, home } = sandbox();
    const refused = await plop(['service', 'bad', '--', '--python', '2.7', '--port', 'x'], cwd, home);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--python: "2.7" is not one of');
    expect(refused.stderr).toContain('--port: "x" is not a whole number');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(cwd, 'bad'))).toBe(false);
  });

  it('in a terminal, service asks our interview (only what was not given), then writes what the CLI writes', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['service', 'by-plop', '--', '--name', 'api', '--deps', 'wheels', '--no-git', '--no-install'], {
      cwd,
      env: env(home),
      bin: [process.execPath, '--import', TSX, PLOP, '--plopfile', join(REPO, 'plopfile.ts')],
    });
    await pty.expect(/Base image[\s\S]*navigate/);
    pty.type(`${KEY.down}${KEY.enter}`); // the second image in the list
    await pty.expect(/Server[\s\S]*navigate/);
    pty.type(KEY.enter);
    await pty.expect(/Change any of these\?/);
    pty.type(KEY.enter);
    expect(await pty.exit, pty.output()).toBe(0);
    expect(pty.output()).not.toMatch(/\? Dependency strategy/); // given: not asked
    const python = (JSON.parse(readFileSync(join(cwd, 'by-plop', '.pyservice.json'), 'utf8')) as { answers: { python: string } }).answers.python;
    const viaCli = await runCli(['by-cli', '--yes', '--name', 'api', '--deps', 'wheels', '--python', python, '--no-git', '--no-install'], { cwd, env: env(home) });
    expect(viaCli.code, viaCli.stderr).toBe(0);
    expect(tree(join(cwd, 'by-plop'))).toEqual(tree(join(cwd, 'by-cli')));
  });
});
