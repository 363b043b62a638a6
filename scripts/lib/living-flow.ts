/**
 * The living-project flow of `npm run verify`, as a user lives it: a project
 * created with git and committed, two routes added, switched from slim to
 * distroless with `pyservice docker`, edited by hand (a route, the Makefile,
 * the Dockerfile), then updated by the next release of the generator (built
 * from a copy of this tree with changed templates: scripts/lib/next-release.ts),
 * offline; every edit must survive, and the result is proven as every preset
 * is: ruff, its own tests on real Python (the routes' tests included), and an
 * image that builds, runs and answers /health.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { buildNextRelease, NEXT_RELEASE } from './next-release.js';
import { ruffCheck } from './ruff.js';
import { textProblems } from './text-checks.js';

export interface FlowContext {
  /** The repository (the next release is built from a copy of it). */
  readonly repo: string;
  readonly cli: string;
  readonly harness: string;
  readonly work: string;
  readonly logDir: string;
  readonly record: (preset: string, name: string, ok: boolean, detail: string) => boolean;
  readonly run: (command: string, args: readonly string[], log: string) => Promise<{ code: number; output: string }>;
}

const ID = 'living';
const GIT_ID = { GIT_AUTHOR_NAME: 'verify', GIT_AUTHOR_EMAIL: 'verify@example.org', GIT_COMMITTER_NAME: 'verify', GIT_COMMITTER_EMAIL: 'verify@example.org' };

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (entry.isFile() && !path.startsWith('.git/')) out.set(path, readFileSync(join(dir, path), 'utf8'));
  }
  return out;
}

export async function livingFlow(ctx: FlowContext): Promise<void> {
  const { cli, work, record } = ctx;
  const env = { ...process.env, ...GIT_ID, NO_COLOR: '1' };
  const dir = join(work, ID);
  const steps: [string, string[], string][] = [
    ['create (with git)', [dir, '--yes', '--author', ''], work],
    ['add route orders', ['add', 'route', 'orders'], dir],
    ['add route order_lines', ['add', 'route', 'order_lines'], dir],
    ['docker --runtime distroless', ['docker', '--runtime', 'distroless'], dir],
  ];
  for (const [name, args, cwd] of steps) {
    const result = spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8' });
    if (!record(ID, `pyservice ${name}`, result.status === 0, result.status === 0 ? '' : `exit ${result.status}: ${result.stderr.trim().split('\n')[0]}`)) return;
  }
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  git('add', '--all');
  git('commit', '--quiet', '--message', 'two routes, distroless');

  // The user's edits, committed; then the next release updates the project.
  const edits: [path: string, from: RegExp, to: string, kept: string][] = [
    ['app/routes/orders.py', /"""List every order\."""/, '"""List every order, oldest first."""', 'oldest first'],
    ['Makefile', /^(lint:[^#\n]*)## .*$/m, '$1## Check style, formatting and types, as CI does', 'as CI does'],
    ['Dockerfile', /^(EXPOSE .*)$/m, '$1\nLABEL org.opencontainers.image.vendor="verify"', 'image.vendor="verify"'],
  ];
  for (const [path, from, to] of edits) {
    const text = readFileSync(join(dir, path), 'utf8');
    if (!record(ID, `user edit of ${path} applies`, from.test(text), '')) return;
    writeFileSync(join(dir, path), text.replace(from, to));
  }
  git('commit', '--quiet', '--all', '--message', 'our edits');
  let next;
  try {
    next = buildNextRelease(ctx.repo, work);
  } catch (error) {
    record(ID, 'the next release builds', false, (error as Error).message);
    return;
  }
  try {
    const offline = { HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', npm_config_offline: 'true' };
    const update = spawnSync(process.execPath, [next.cli, 'update', '--json'], { cwd: dir, env: { ...env, ...offline }, encoding: 'utf8' });
    const plan = update.status === 0 ? (JSON.parse(update.stdout) as { files: { path: string; action: string }[] }) : undefined;
    const merged = plan?.files.filter((f) => f.action === 'merge').map((f) => f.path).sort().join(', ');
    const detail = update.status === 0 ? `merged: ${merged}` : `exit ${update.status}: ${update.stderr.trim().split('\n')[0]}`;
    if (!record(ID, `pyservice update to ${next.version} (offline, with the next release only)`, update.status === 0, detail)) return;
  } finally {
    rmSync(next.tree, { recursive: true, force: true });
  }
  const project = files(dir);
  const dockerfile = project.get('Dockerfile') ?? '';
  const lost = edits.filter(([path, , , kept]) => !(project.get(path) ?? '').includes(kept));
  record(ID, 'every user edit survived the update', lost.length === 0, lost.map(([path]) => `lost in ${path}`).join(', '));
  const arrived = {
    'Dockerfile line': dockerfile.includes(NEXT_RELEASE.dockerfileLine),
    'new file': project.get(NEXT_RELEASE.newFile.path) === NEXT_RELEASE.newFile.content,
    'dropped file': !project.has(NEXT_RELEASE.droppedFile),
    Makefile: (project.get('Makefile') ?? '').includes(NEXT_RELEASE.makefileTo),
  };
  const missing = Object.entries(arrived).filter(([, ok]) => !ok).map(([what]) => what);
  record(ID, "the next release's changes arrived (Dockerfile line, new file, dropped file, Makefile)", missing.length === 0, missing.join(', '));
  record(ID, 'the Dockerfile is the distroless one', dockerfile.includes('gcr.io/distroless/python3-debian13:nonroot'), '');
  const base = spawnSync('git', ['rev-parse', '--verify', '--quiet', 'refs/pyservice/base'], { cwd: dir, encoding: 'utf8' });
  record(ID, 'the base of the next update is in git (refs/pyservice/base)', base.status === 0, base.stdout.trim());
  const ruff = ruffCheck(project);
  record(ID, 'ruff check + format --check (routes and main.py included)', ruff.length === 0, ruff.map((p) => `${p.path}:${p.line} ${p.code}`).join(', '));
  const text = textProblems(project);
  record(ID, 'no template leftovers / trailing whitespace', text.length === 0, text.map((p) => `${p.path}:${p.line} ${p.problem}`).join(', '));

  const pytest = await ctx.run(join(ctx.harness, 'pytest.sh'), [dir], join(ctx.logDir, `${ID}.pytest.log`));
  const passed = /(\d+) passed/.exec(pytest.output)?.[1] ?? '0';
  const routeTests = /tests\/test_orders\.py/.test(pytest.output) && /tests\/test_order_lines\.py/.test(pytest.output);
  record(ID, "the project's tests pass on real Python, the routes' included (harness pytest.sh)", pytest.code === 0 && routeTests, `${passed} passed${pytest.code ? `; exit ${pytest.code}` : ''}`);

  const jsonPath = join(work, `${ID}.build.json`);
  const build = await ctx.run(join(ctx.harness, 'build-and-run.sh'), [dir, '--json', jsonPath, '--no-rebuild', '--tag', 'localhost/pyservice-verify/living:latest'], join(ctx.logDir, `${ID}.build.log`));
  const result = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as { endpoint_ok?: boolean; health_ok?: boolean; reason?: string; user?: string }) : undefined;
  record(
    ID,
    'its image builds, runs and answers /health; the HEALTHCHECK reports healthy',
    result?.endpoint_ok === true && result.health_ok === true,
    result ? `user ${result.user ?? '?'}${result.reason ? `; ${result.reason}` : ''}` : build.output.trim().split('\n').slice(-3).join(' | '),
  );
}
