/**
 * A preset's image, built and run by each engine with the harness's build-and-run.sh, then
 * inspected: non-root, HEALTHCHECK, cached rebuild, nothing that must not ship (Poetry,
 * compilers, caches, tests/, .git, wheels, planted secrets, pip in the venv), byte-compiled
 * app/, a clean build log. Also the lock-less build, and BuildKit's lint.sh.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEPS_VARIANTS, NO_LOCK_WARNING } from '../../../src/render/variants.js';
import { addRow, BUDGET, defaults, ENGINE_LABEL, HARNESS, HARNESS_HOME, LOG_DIR, mb, presetId, record, run, tail, type Engine, type Preset } from './context.js';
import { engineCli, imageTag, markBuilt, PROXY_ENV, PROXY_URL, proxyArgs } from './container.js';
import { copyWithoutLock } from './project.js';
import { timed } from './times.js';

/** How each engine's HEALTHCHECK verdict is obtained (see the harness README). */
const HEALTH_BY: Record<Engine, string> = {
  buildkit: 'scheduled by dockerd itself',
  podman: 'run by hand with `podman healthcheck run` (no systemd here to schedule it)',
};

/** Paths inside the image that must not be there. */
const FORBIDDEN_IN_IMAGE: readonly [string, RegExp][] = [
  ['Poetry', /(^|\/)site-packages\/poetry\/|(^|\/)bin\/poetry$/],
  ['a compiler', /^usr\/(local\/)?bin\/((x86_64-linux-gnu-)?(gcc|cc|g\+\+|c\+\+|clang)(-[\d.]+)?)$/],
  ['a pip cache', /(^|\/)\.cache\/pip\//],
  ['a Poetry cache', /(^|\/)\.cache\/pypoetry\//],
  ['tests/', /^app\/tests\//],
  ['.git', /(^|\/)\.git\//],
  ['wheel files', /\.whl$/],
];

/** Every path in an image's filesystem, read by exporting a container created from it. */
export function imagePaths(engine: Engine, tag: string): string[] {
  const name = `pyservice-verify-inspect-${process.pid}`;
  const [cli, prefix] = engineCli(engine);
  const engineRun = (...args: string[]) => spawnSync(cli, [...prefix, ...args], { encoding: 'utf8' });
  engineRun('rm', '-f', name);
  const created = engineRun('create', '--name', name, tag);
  if (created.status !== 0) throw new Error(`${engine} create ${tag}: ${created.stderr.trim()}`);
  try {
    const exported = spawnSync('bash', ['-c', 'set -o pipefail; "$@" | tar -tf -', '_', cli, ...prefix, 'export', name], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300_000 });
    if (exported.status !== 0) throw new Error(`${engine} export ${tag}: ${exported.stderr.trim() || 'timed out'}`);
    return exported.stdout.split('\n').filter(Boolean).map((p) => p.replace(/^\.?\//, ''));
  } finally {
    engineRun('rm', '-f', name);
  }
}

const baseCache = new Map<string, Set<string>>();
export function basePathsOf(engine: Engine, image: string): Set<string> {
  const key = `${engine} ${image}`;
  let paths = baseCache.get(key);
  if (!paths) {
    paths = new Set(imagePaths(engine, image));
    baseCache.set(key, paths);
  }
  return paths;
}

export interface HarnessJson {
  ok: boolean;
  reason: string | null;
  image: string;
  base_image: string | null;
  size_bytes: number;
  added_bytes: number;
  user: string | null;
  healthcheck: string[] | null;
  health_ok: boolean | null;
  endpoint_ok: boolean | null;
  build_s: number;
  rebuild_s: number | null;
  deps_cached: boolean | null;
}

/** `build-and-run.sh --engine ENGINE`: build the unmodified Dockerfile, run, probe, rebuild. */
export async function buildAndRun(engine: Engine, dir: string, args: readonly string[], log: string) {
  return timed(engine === 'buildkit' ? 'build + run: BuildKit' : 'build + run: podman', () => run(join(HARNESS, 'build-and-run.sh'), [dir, '--engine', engine, ...args], log));
}

/** One preset's image, built and run by one engine: the checks every engine must pass. */
export async function imageChecks(preset: Preset, dir: string, work: string, engine: Engine): Promise<void> {
  const { id } = preset;
  const on = `[${ENGINE_LABEL[engine]}]`;
  const jsonPath = join(work, `${id}.${engine}.build.json`);
  // No --build-arg: the harness passes POETRY_VERSION and POETRY_PLUGIN_EXPORT_VERSION of the Dockerfile's Python view.
  const build = await buildAndRun(
    engine,
    dir,
    ['--json', jsonPath, '--timeout', String(BUDGET.startToHealthS), '--touch', 'app/main.py', '--tag', imageTag(id, engine), ...proxyArgs()],
    join(LOG_DIR, `${id}.${engine}.build.log`),
  );
  if (!existsSync(jsonPath)) {
    record(id, `${on} image builds, runs and answers /health`, false, tail(build.output));
    return;
  }
  const result = JSON.parse(readFileSync(jsonPath, 'utf8')) as HarnessJson;
  if (result.size_bytes !== null) markBuilt(imageTag(id, engine));
  const upS = Number(/up after ([\d.]+)s/.exec(build.output)?.[1] ?? NaN);
  record(id, `${on} image builds, runs and answers GET /health with 2xx`, result.endpoint_ok === true, result.ok ? '' : (result.reason ?? tail(build.output)));
  if (!result.endpoint_ok) return;
  const user = result.user ?? '';
  const rootUser = user === '' || /^(0|root)(:|$)/.test(user);
  record(id, `${on} image user is not root`, !rootUser, `USER ${user || '(unset: root)'}`);
  record(id, `${on} HEALTHCHECK present and reports healthy with proxy variables set (${PROXY_ENV.map((kv) => kv.split('=')[0]).join(', ')} = ${PROXY_URL}, unreachable), ${HEALTH_BY[engine]}`, result.healthcheck !== null && result.health_ok === true, (result.healthcheck ?? []).join(' '));
  record(id, `${on} start → /health 200 within ${BUDGET.startToHealthS} s`, upS <= BUDGET.startToHealthS, `${upS} s`);
  record(id, `${on} code-only rebuild reuses the dependency layer`, result.deps_cached === true, `rebuild ${result.rebuild_s} s`);
  // Judge what our Dockerfile adds, not what the base image ships (e.g. Debian's ensurepip wheels).
  const paths = await timed('image inspection', () => {
    const basePaths = result.base_image ? basePathsOf(engine, result.base_image) : new Set<string>();
    return imagePaths(engine, result.image).filter((p) => !basePaths.has(p));
  });
  const found = FORBIDDEN_IN_IMAGE.map(([what, pattern]) => [what, paths.filter((p) => pattern.test(p))] as const).filter(([, hits]) => hits.length > 0);
  record(
    id,
    `${on} runtime has no Poetry, compiler, pip cache, tests/, .git or wheel files`,
    found.length === 0 && paths.includes('app/app/main.py'),
    found.map(([what, hits]) => `${what}: ${hits.slice(0, 3).join(', ')}`).join('; ') || `${paths.length} paths added above the base inspected`,
  );
  hardeningChecks(preset, result, paths, engine);
  if (preset.id === presetId(defaults)) {
    // Sizes are compared within one engine: BuildKit and podman count layers differently.
    record(id, `${on} budget: default preset adds ≤ ${mb(BUDGET.defaultAddedBytes)} above its base`, result.added_bytes <= BUDGET.defaultAddedBytes, mb(result.added_bytes));
  }
  addRow({
    preset: id,
    engine,
    base: result.base_image ?? 'unknown',
    sizeBytes: result.size_bytes,
    addedBytes: result.added_bytes,
    buildS: result.build_s,
    rebuildS: result.rebuild_s ?? NaN,
    user,
    health: result.health_ok ? 'healthy' : 'unhealthy',
    upS,
  });
}

/** A lock-less build: exactly what `docker build .` sees right after scaffolding. */
export async function noLockBuild(dir: string, work: string, engine: Engine) {
  const id = `${presetId(defaults)} (no poetry.lock)`;
  const jsonPath = join(work, `nolock.${engine}.json`);
  // The preset's directory holds the lock its project unit made: build a copy as scaffolded.
  const scaffolded = join(work, `nolock-${engine}`, 'service');
  copyWithoutLock(dir, scaffolded);
  const build = await buildAndRun(engine, scaffolded, ['--no-lock', '--no-rebuild', '--json', jsonPath, '--tag', `localhost/pyservice-verify/nolock:${engine}`], join(LOG_DIR, `nolock.${engine}.build.log`));
  record(id, `[${ENGINE_LABEL[engine]}] builds and answers /health with no poetry.lock (resolved in the build)`, build.code === 0, build.code ? tail(build.output) : '');
  noLockWarningCheck(id, `localhost/pyservice-verify/nolock:${engine}`, 1, engine);
}

/** `lint.sh`: BuildKit's own build checks (the harness's dockerd, `docker buildx build --call=check`). */
export async function buildkitLint(dir: string, log: string) {
  const lint = await timed('BuildKit lint', () => run(join(HARNESS, 'lint.sh'), [dir], log, 2 * 60_000));
  const warnings = lint.output.split('\n').filter((line) => /^Dockerfile:[\d?]+: \w+: /.test(line));
  return { ok: lint.code === 0, warnings, detail: lint.code === 0 ? '' : warnings.join('; ') || tail(lint.output, 4) };
}

/** Secrets a developer may have in the project: none may reach the image. */
const PLANTED_SECRETS = ['app/.env', 'app/core/.env.production', 'app/certs/server.pem', 'app/signing.key'] as const;

export function plantSecrets(dir: string): void {
  for (const path of PLANTED_SECRETS) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), 'PLANTED_BY_VERIFY=must-not-reach-the-image\n');
  }
}

/** The harness's build log of an image tag (build-and-run.sh names it after the tag). */
export function harnessBuildLog(tag: string, engine: Engine): string {
  const name = (tag.split('/').pop() ?? tag).toLowerCase().replace(/[^a-z0-9._\n-]/g, '-');
  const path = join(HARNESS_HOME, 'logs', 'build-and-run', `${name}${engine === 'buildkit' ? '-buildkit' : ''}.log`);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** A venv's pip (the package or its scripts), under `venvPath` ("/app/.venv"), in image paths. */
export function pipInVenv(paths: readonly string[], venvPath: string): string[] {
  const venv = venvPath.replace(/^\//, '');
  const pattern = new RegExp(`^${venv.replace(/\./g, '\\.')}/(lib/python[\\d.]+/site-packages/pip([-/]|$)|bin/pip[\\d.]*$)`);
  return paths.filter((p) => pattern.test(p));
}

export function noLockWarningCheck(id: string, tag: string, expected: 0 | 1, engine: Engine): void {
  const log = harnessBuildLog(tag, engine);
  const lines = log.split('\n').filter((line) => line.includes(NO_LOCK_WARNING) && !/\becho\b/.test(line));
  record(
    id,
    `[${ENGINE_LABEL[engine]}] ${expected ? 'a build without poetry.lock says so in one line of its output' : 'a build with poetry.lock prints no missing-lock warning'}`,
    log !== '' && lines.length === expected,
    log === '' ? `no build log for ${tag}` : `${lines.length} warning line(s)`,
  );
}

function hardeningChecks(preset: Preset, result: HarnessJson, paths: readonly string[], engine: Engine): void {
  const { id } = preset;
  const on = `[${ENGINE_LABEL[engine]}]`;
  const planted = paths.filter((p) => PLANTED_SECRETS.some((s) => p === `app/${s}` || p.endsWith(`/${s}`)));
  record(id, `${on} planted secrets (${PLANTED_SECRETS.join(', ')}) are not in the image`, planted.length === 0, planted.join(', '));
  const venvPath = DEPS_VARIANTS[preset.choices.deps].venvPath;
  const pip = pipInVenv(paths, venvPath);
  record(id, `${on} no pip in the runtime venv (${venvPath})`, pip.length === 0, pip.slice(0, 3).join(', '));
  const compiled = paths.filter((p) => /^app\/app\/(.*\/)?__pycache__\/.*\.pyc$/.test(p));
  record(id, `${on} app/ is byte-compiled in the image`, compiled.some((p) => p.startsWith('app/app/__pycache__/main.')), `${compiled.length} .pyc files under app/`);
  const log = harnessBuildLog(result.image, engine);
  const warnings = log.split('\n').filter((line) => /useradd warning|SYS_UID_MAX|groupadd warning/i.test(line));
  record(id, `${on} the build prints no useradd/groupadd warning`, log !== '' && warnings.length === 0, log === '' ? 'no build log' : warnings.slice(0, 2).join(' | '));
  noLockWarningCheck(id, result.image, 0, engine);
}

