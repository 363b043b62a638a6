/**
 * `npm run verify`: every preset the compatibility table allows, proven for real
 * with the offline harness (../shared/harness): BuildKit's own build checks on the
 * Dockerfile of every valid combination, the generated project's own tests on real
 * Python, `poetry check`, the real ruff, our Dockerfile rules, and for every built
 * preset, with each engine users build with (BuildKit as in `docker build`, and
 * podman/buildah): an image build + run + /health + HEALTHCHECK, an image filesystem
 * inspection, a cached rebuild after a code change, and size/start budgets. Writes
 * reports/images.md and the table in README.md. Bad cases prove each check can fail.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validCombinations } from '../generators/compat.js';
import { IMAGE_KEYS, realMachine, STATIC_DEFAULTS, type Answers } from '../generators/options.js';
import { fillDefaults, isComplete } from '../generators/resolve.js';
import { DEPS_VARIANTS, NO_LOCK_WARNING } from '../generators/variants.js';
import { PYTHON_VERSIONS, VERSIONS } from '../generators/versions.js';
import { renderService } from '../generators/render.js';
import { lintDockerfile } from './lib/dockerfile-lint.js';
import { livingFlow } from './lib/living-flow.js';
import { pyrightStrict, pyrightVersion, type TypeCheckFinding, type TypeCheckTree } from './lib/pyright.js';
import { ruffCheck, ruffVersion } from './lib/ruff.js';
import { textProblems } from './lib/text-checks.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'dist', 'cli.js');
const HARNESS = resolve(process.env.PYSERVICE_HARNESS ?? join(REPO, '..', 'shared', 'harness'));
const REPORT_DIR = join(REPO, 'reports');
const LOG_DIR = join(REPORT_DIR, 'tmp');
/** Budgets the run enforces. */
const BUDGET = { defaultAddedBytes: 40e6, startToHealthS: 10 } as const;

type Choices = Pick<Answers, 'python' | 'runtime' | 'deps' | 'server'>;

/**
 * The builders every built preset goes through. BuildKit is what `docker build` uses (it reads
 * `# syntax=`, runs the build checks, and dockerd schedules the HEALTHCHECK); podman/buildah is
 * what Podman users build with. Both build the same, unmodified Dockerfile.
 */
type Engine = 'buildkit' | 'podman';
const ENGINES: readonly Engine[] = ['buildkit', 'podman'];
const ENGINE_LABEL: Record<Engine, string> = { buildkit: 'BuildKit', podman: 'podman' };
/** How each engine's HEALTHCHECK verdict is obtained (see the harness README). */
const HEALTH_BY: Record<Engine, string> = {
  buildkit: 'scheduled by dockerd itself',
  podman: 'run by hand with `podman healthcheck run` (no systemd here to schedule it)',
};



interface Preset {
  readonly id: string;
  readonly choices: Choices;
  /** What the harness proves for this preset's Python (README's image table and reports/images.md). */
  readonly note: string;
  /** Why the harness cannot build and run this preset's image (its tests, mypy and checks still run). */
  readonly noImage?: string;
}

interface Check {
  readonly preset: string;
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

interface ImageRow {
  preset: string;
  engine: Engine;
  base: string;
  sizeBytes: number;
  addedBytes: number;
  buildS: number;
  rebuildS: number;
  user: string;
  health: string;
  upS: number;
  tests: string;
  python: string;
  mypy: string;
  note: string;
}

const checks: Check[] = [];
const rows: ImageRow[] = [];

function record(preset: string, name: string, ok: boolean, detail: string): boolean {
  checks.push({ preset, name, ok, detail });
  const mark = ok ? 'PASS' : 'FAIL';
  process.stdout.write(`${mark} ${preset}: ${name}${detail ? ` (${detail})` : ''}\n`);
  return ok;
}

/** Run a command, tee its output to a log file, resolve with status and output. */
function run(command: string, args: readonly string[], log: string, timeoutMs = 15 * 60_000): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => (output += `\n${error.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      writeFileSync(log, output);
      done({ code: code ?? 124, output });
    });
  });
}

const tail = (text: string, lines = 8) => text.trim().split('\n').slice(-lines).join(' | ');
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const presetId = (c: Choices) => `py${c.python.replace('.', '')}-${c.runtime}-${c.deps}-${c.server}`;
/** What `--yes` picks for the image-shaping choices (Python 3.14 on slim). */
const defaults: Choices = (() => {
  const { answers } = fillDefaults({}, realMachine(false, () => false), IMAGE_KEYS);
  if (!isComplete(answers, IMAGE_KEYS)) throw new Error('the option table has no default for an image choice');
  return { python: answers.python, runtime: answers.runtime, deps: answers.deps, server: answers.server };
})();

/**
 * Which Python the harness really runs for a project of `python` (its README:
 * real CPython 3.13, 3.14 and 3.15; the python:3.11/3.12 tags hold 3.13), and so
 * what a green row proves.
 */
function pythonNote(python: string): string {
  if (python === '3.13') return 'real CPython 3.13 (Debian trixie) with its packages: fastapi 0.115, starlette 0.46, pydantic 2.10, Poetry 2.1';
  if (python === '3.14') return 'real CPython 3.14 (Debian sid) with current packages: fastapi 0.162, starlette 1.9, pydantic 2.14, Poetry 2.3';
  if (python === '3.15') return 'real CPython 3.15 (Debian sid), current packages; no uvloop for 3.15, so uvicorn runs on asyncio';
  return (
    `proves the Dockerfile shape and that the dependency ranges lock for requires-python >=${python}, not the ${python} interpreter: ` +
    `the harness's python:${python}-slim-trixie tag holds CPython 3.13, tests and mypy run on 3.13, and check.sh byte-compiles ` +
    `with a ${python} interpreter only where the machine has one (syntax only: a newer stdlib import is not caught)`
  );
}

/**
 * What the harness cannot run, measured, with the reason (a gap of the harness, not of the
 * generated project): its Debian sid index has uvicorn-worker 0.3.0 only, which calls
 * uvicorn's Config.setup_event_loop, removed in uvicorn 0.36, and the index has uvicorn 0.53,
 * so gunicorn's worker fails to boot. uvicorn-worker 0.4.0 supports uvicorn >= 0.36
 * (Kludex/uvicorn-worker#35), and is what a resolver picks on PyPI within the generated range.
 */
function harnessGap(choices: Choices): string | undefined {
  if (choices.server === 'gunicorn' && (choices.python === '3.14' || choices.python === '3.15')) {
    return "image not run: the harness's sid index has uvicorn-worker 0.3.0 only, which fails to boot on uvicorn 0.53 (setup_event_loop was removed in uvicorn 0.36; uvicorn-worker 0.4.0 fixed it, Kludex/uvicorn-worker#35)";
  }
  return undefined;
}

/**
 * Every preset is built, run and tested for real: every valid combination at
 * Python 3.13 (distroless exists only there) and at the default Python, and the
 * default preset at every other offered version.
 */
function presets(): Preset[] {
  const full = (python: string) => python === VERSIONS.distrolessPython || python === defaults.python;
  const list: Preset[] = validCombinations()
    .filter((c) => full(c.python))
    .map((choices) => {
      const noImage = harnessGap(choices);
      return { id: presetId(choices), choices, note: pythonNote(choices.python), ...(noImage ? { noImage } : {}) };
    });
  for (const python of PYTHON_VERSIONS) {
    if (full(python)) continue;
    const choices = { ...defaults, python };
    list.push({ id: presetId(choices), choices, note: pythonNote(python) });
  }
  return list;
}

async function scaffold(dir: string, choices: Choices): Promise<Map<string, string> | undefined> {
  const args = [CLI, dir, '--yes', '--no-git', '--json', '--author', '', ...Object.entries(choices).flatMap(([k, v]) => [`--${k}`, v])];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const summary = JSON.parse(result.stdout) as { files: { path: string }[] };
  return new Map(summary.files.map((f) => [f.path, readFileSync(join(dir, f.path), 'utf8')]));
}

function staticChecks(id: string, files: Map<string, string>): boolean {
  const ruff = ruffCheck(files);
  const lint = lintDockerfile(files.get('Dockerfile')!);
  const text = textProblems(files);
  return [
    record(id, `ruff ${ruffVersion()} check + format --check`, ruff.length === 0, ruff.map((p) => `${p.path}:${p.line} ${p.code}`).join(', ')),
    record(id, 'our Dockerfile rules + dockerfile-utils validator', lint.length === 0, lint.map((f) => `${f.line} ${f.rule}`).join(', ')),
    record(id, 'no template leftovers / trailing whitespace', text.length === 0, text.map((p) => `${p.path}:${p.line} ${p.problem}`).join(', ')),
  ].every(Boolean);
}

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

/** The engine's CLI: podman with the harness's storage, or docker talking to the harness's dockerd. */
function engineCli(engine: Engine): [string, string[]] {
  if (engine === 'podman') return [join(HARNESS, 'podman.sh'), []];
  return ['bash', ['-c', 'source "$0/lib.sh" && hdocker "$@"', HARNESS]];
}

/** Every path in an image's filesystem, read by exporting a container created from it. */
function imagePaths(engine: Engine, tag: string): string[] {
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
function basePathsOf(engine: Engine, image: string): Set<string> {
  const key = `${engine} ${image}`;
  let paths = baseCache.get(key);
  if (!paths) {
    paths = new Set(imagePaths(engine, image));
    baseCache.set(key, paths);
  }
  return paths;
}

interface HarnessJson {
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

/** The generated project's own tests, mypy and `poetry check` (no image involved). */
async function projectChecks(preset: Preset, dir: string): Promise<Pick<ImageRow, 'tests' | 'python' | 'mypy'>> {
  const { id } = preset;
  // Warnings are errors: a deprecated API (e.g. starlette 1.x's TestClient over httpx) fails the run.
  const pytest = await run(join(HARNESS, 'pytest.sh'), [dir, '--', '-W', 'error', '-p', 'no:cacheprovider'], join(LOG_DIR, `${id}.pytest.log`));
  const passed = /(\d+) passed/.exec(pytest.output)?.[1] ?? '0';
  const failed = /(\d+) failed/.exec(pytest.output)?.[1] ?? '0';
  const python = /platform \S+ -- Python ([\d.]+)/.exec(pytest.output)?.[1] ?? 'unknown';
  const warned = /\d+ warnings?\b/.test(pytest.output);
  record(
    id,
    'generated tests pass on real Python with warnings as errors (harness pytest.sh -W error)',
    pytest.code === 0 && !warned,
    `Python ${python}: ${passed} passed, ${failed} failed${pytest.code ? `; exit ${pytest.code}: ${tail(pytest.output, 3)}` : ''}`,
  );
  // The project's own strict mypy configuration, on the project's own Python (the pre-commit hook's command).
  const mypy = await run(join(HARNESS, 'run.sh'), [dir, '--', 'mypy'], join(LOG_DIR, `${id}.mypy.log`));
  const mypyVersion = /Installing mypy \(([\d.]+)\)/.exec(mypy.output)?.[1] ?? '?';
  const mypyOk = mypy.code === 0 && /Success: no issues found/.test(mypy.output);
  record(id, `mypy --strict passes (harness run.sh -- mypy; mypy ${mypyVersion})`, mypyOk, mypyOk ? /Success: .*/.exec(mypy.output)![0] : tail(mypy.output, 6));
  const check = await run(join(HARNESS, 'check.sh'), [dir], join(LOG_DIR, `${id}.check.log`));
  record(id, 'poetry check + compileall (harness check.sh)', check.code === 0, check.code ? tail(check.output) : '');
  return { tests: `${passed} passed`, python, mypy: mypyOk ? `strict, ${mypyVersion}` : 'failed' };
}

/** `build-and-run.sh --engine ENGINE`: build the unmodified Dockerfile, run, probe, rebuild. */
async function buildAndRun(engine: Engine, dir: string, args: readonly string[], log: string) {
  return run(join(HARNESS, 'build-and-run.sh'), [dir, '--engine', engine, ...args], log);
}

/** One preset's image, built and run by one engine: the checks every engine must pass. */
async function imageChecks(preset: Preset, dir: string, work: string, engine: Engine, project: Pick<ImageRow, 'tests' | 'python' | 'mypy'>): Promise<void> {
  const { id } = preset;
  const on = `[${ENGINE_LABEL[engine]}]`;
  const jsonPath = join(work, `${id}.${engine}.build.json`);
  // No --build-arg: the harness passes POETRY_VERSION and POETRY_PLUGIN_EXPORT_VERSION of the Dockerfile's Python view.
  const build = await buildAndRun(
    engine,
    dir,
    ['--json', jsonPath, '--timeout', String(BUDGET.startToHealthS), '--touch', 'app/main.py', '--tag', `localhost/pyservice-verify/${id}:${engine}`],
    join(LOG_DIR, `${id}.${engine}.build.log`),
  );
  if (!existsSync(jsonPath)) {
    record(id, `${on} image builds, runs and answers /health`, false, tail(build.output));
    return;
  }
  const result = JSON.parse(readFileSync(jsonPath, 'utf8')) as HarnessJson;
  const upS = Number(/up after ([\d.]+)s/.exec(build.output)?.[1] ?? NaN);
  record(id, `${on} image builds, runs and answers GET /health with 2xx`, result.endpoint_ok === true, result.ok ? '' : (result.reason ?? tail(build.output)));
  if (!result.endpoint_ok) return;
  const user = result.user ?? '';
  const rootUser = user === '' || /^(0|root)(:|$)/.test(user);
  record(id, `${on} image user is not root`, !rootUser, `USER ${user || '(unset: root)'}`);
  record(id, `${on} HEALTHCHECK present and reports healthy, ${HEALTH_BY[engine]}`, result.healthcheck !== null && result.health_ok === true, (result.healthcheck ?? []).join(' '));
  record(id, `${on} start → /health 200 within ${BUDGET.startToHealthS} s`, upS <= BUDGET.startToHealthS, `${upS} s`);
  record(id, `${on} code-only rebuild reuses the dependency layer`, result.deps_cached === true, `rebuild ${result.rebuild_s} s`);
  // Judge what our Dockerfile adds, not what the base image ships (e.g. Debian's ensurepip wheels).
  const basePaths = result.base_image ? basePathsOf(engine, result.base_image) : new Set<string>();
  const paths = imagePaths(engine, result.image).filter((p) => !basePaths.has(p));
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
  rows.push({
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
    ...project,
    note: preset.note,
  });
}

async function fullChecks(preset: Preset, dir: string, work: string): Promise<void> {
  const project = await projectChecks(preset, dir);
  if (preset.noImage) {
    process.stdout.write(`NOTE ${preset.id}: ${preset.noImage}\n`);
    return;
  }
  plantSecrets(dir);
  for (const engine of ENGINES) await imageChecks(preset, dir, work, engine, project);
}

/** A lock-less build: exactly what `docker build .` sees right after scaffolding. */
async function noLockBuild(dir: string, work: string, engine: Engine) {
  const id = `${presetId(defaults)} (no poetry.lock)`;
  const jsonPath = join(work, `nolock.${engine}.json`);
  const build = await buildAndRun(engine, dir, ['--no-lock', '--no-rebuild', '--json', jsonPath, '--tag', `localhost/pyservice-verify/nolock:${engine}`], join(LOG_DIR, `nolock.${engine}.build.log`));
  record(id, `[${ENGINE_LABEL[engine]}] builds and answers /health with no poetry.lock (resolved in the build)`, build.code === 0, build.code ? tail(build.output) : '');
  noLockWarningCheck(id, `localhost/pyservice-verify/nolock:${engine}`, 1, engine);
}

/** `lint.sh`: BuildKit's own build checks (the harness's dockerd, `docker buildx build --call=check`). */
async function buildkitLint(dir: string, log: string) {
  const lint = await run(join(HARNESS, 'lint.sh'), [dir], log, 2 * 60_000);
  const warnings = lint.output.split('\n').filter((line) => /^Dockerfile:[\d?]+: \w+: /.test(line));
  return { ok: lint.code === 0, warnings, detail: lint.code === 0 ? '' : warnings.join('; ') || tail(lint.output, 4) };
}

/** A build under `engine` that must fail: the FAIL reason build-and-run gives, or '' if it passed. */
async function mustFailToRun(engine: Engine, dir: string, name: string): Promise<string> {
  const build = await buildAndRun(engine, dir, ['--no-rebuild', '--timeout', '20', '--tag', `localhost/pyservice-verify/${name}:${engine}`], join(LOG_DIR, `${name}.${engine}.log`));
  return build.code !== 0 ? (/FAIL: (.*)/.exec(build.output)?.[1] ?? '') : '';
}

/** Each check must be able to fail: known-bad variants must be caught. */
async function badCases(work: string, dirs: Map<string, string>) {
  const distroless = dirs.get(presetId({ ...defaults, runtime: 'distroless', python: VERSIONS.distrolessPython }));
  const base = dirs.get(presetId(defaults));
  if (!distroless || !base) {
    record('bad cases', 'prerequisite presets scaffolded', false, 'default or distroless preset missing');
    return;
  }
  // 1. The second article's bug: a venv from python:3.13-slim copied into distroless, not re-pointed.
  const broken = join(work, 'bad-distroless');
  cpSync(distroless, broken, { recursive: true });
  const dockerfile = readFileSync(join(broken, 'Dockerfile'), 'utf8');
  const withoutFix = dockerfile.replace('COPY --from=venv-distroless ', 'COPY --from=builder ');
  if (withoutFix === dockerfile) record('bad cases', 'venv → distroless without the interpreter-path fix', false, 'could not remove the fix from the Dockerfile');
  else {
    writeFileSync(join(broken, 'Dockerfile'), withoutFix);
    for (const engine of ENGINES) {
      const reason = await mustFailToRun(engine, broken, 'bad-distroless');
      record('bad cases', `[${ENGINE_LABEL[engine]}] venv → distroless without the interpreter-path fix fails build-and-run`, reason !== '', reason || 'it passed');
    }
  }
  await pipInVenvBadCase(work, base);
  // 2. Builder and runtime on different Python versions: the venv's interpreter is missing in the
  // runtime. Our rule PS001 catches it before any build; each engine proves the image is broken.
  const other = defaults.python === '3.14' ? '3.13' : '3.14';
  const mismatchedDir = join(work, 'bad-mismatch');
  cpSync(base, mismatchedDir, { recursive: true });
  const mismatched = readFileSync(join(base, 'Dockerfile'), 'utf8').replace(
    'FROM python:${PYTHON_VERSION}-slim-trixie AS runtime',
    `FROM python:${other}-slim-trixie AS runtime`,
  );
  writeFileSync(join(mismatchedDir, 'Dockerfile'), mismatched);
  const findings = lintDockerfile(mismatched).filter((f) => f.rule === 'PS001');
  record('bad cases', `builder python:${defaults.python} with runtime python:${other} fails our Dockerfile rules (PS001)`, findings.length > 0, findings.map((f) => f.message).join('; '));
  for (const engine of ENGINES) {
    const reason = await mustFailToRun(engine, mismatchedDir, 'bad-mismatch');
    record('bad cases', `[${ENGINE_LABEL[engine]}] builder python:${defaults.python} with runtime python:${other} fails build-and-run`, reason !== '', reason || 'it passed');
  }
  // 3. A project whose test fails must fail the pytest step.
  const failing = join(work, 'bad-test');
  cpSync(base, failing, { recursive: true });
  writeFileSync(join(failing, 'tests', 'test_health.py'), `${readFileSync(join(failing, 'tests', 'test_health.py'), 'utf8')}\n\ndef test_deliberately_broken() -> None:\n    assert 1 + 1 == 3\n`);
  const pytest = await run(join(HARNESS, 'pytest.sh'), [failing], join(LOG_DIR, 'bad-test.log'));
  record('bad cases', 'a failing generated test fails the pytest step', pytest.code === 1 && /1 failed/.test(pytest.output), `exit ${pytest.code}`);
  // 4. Starlette 1.x's TestClient on httpx warns on 3.14: with -W error, the test run must fail.
  const deprecated = join(work, 'bad-deprecated');
  cpSync(base, deprecated, { recursive: true });
  writeFileSync(
    join(deprecated, 'tests', 'test_testclient.py'),
    'from fastapi.testclient import TestClient\n\nfrom app.main import create_app\n\n\ndef test_health() -> None:\n    with TestClient(create_app()) as client:\n        assert client.get("/health").status_code == 200\n',
  );
  const warned = await run(join(HARNESS, 'pytest.sh'), [deprecated, '--', '-W', 'error', '-p', 'no:cacheprovider'], join(LOG_DIR, 'bad-deprecated.log'));
  record(
    'bad cases',
    `starlette's deprecated TestClient-over-httpx on Python ${defaults.python} fails the -W error test run`,
    warned.code !== 0 && /StarletteDeprecationWarning/.test(warned.output),
    `exit ${warned.code}`,
  );
  // 5. A type error in the app must fail the mypy step.
  const untyped = join(work, 'bad-mypy');
  cpSync(base, untyped, { recursive: true });
  writeFileSync(join(untyped, 'app', 'broken.py'), 'def port() -> int:\n    return "8000"\n');
  const mypy = await run(join(HARNESS, 'run.sh'), [untyped, '--', 'mypy'], join(LOG_DIR, 'bad-mypy.log'));
  record('bad cases', 'a type error in app/ fails the mypy step', mypy.code === 1 && /app\/broken\.py:2: error: Incompatible return value type/.test(mypy.output), `exit ${mypy.code}`);
  // 6. BuildKit's build checks must report what they exist for: a lower-case `as`, a misspelt ARG in a
  // FROM and an undefined variable in an ENV.
  const unlinted = join(work, 'bad-lint');
  cpSync(base, unlinted, { recursive: true });
  const original = readFileSync(join(base, 'Dockerfile'), 'utf8');
  const runtimeFrom = 'FROM python:${PYTHON_VERSION}-slim-trixie AS runtime';
  const sloppy = original
    .replace(runtimeFrom, 'FROM python:${PYTHON_VERSON}-slim-trixie as runtime')
    .replace('WORKDIR /app', 'ENV APP_HOME=/srv/${APP_NAME}\nWORKDIR /app');
  writeFileSync(join(unlinted, 'Dockerfile'), sloppy);
  const lint = await buildkitLint(unlinted, join(LOG_DIR, 'bad-lint.log'));
  const expected = ['FromAsCasing', 'UndefinedArgInFrom', 'UndefinedVar'];
  const missing = expected.filter((rule) => !lint.warnings.some((w) => w.includes(`: ${rule}: `)));
  record(
    'bad cases',
    `lower-case \`as\`, a misspelt \${PYTHON_VERSON} in FROM and an undefined \${APP_NAME} fail BuildKit's build checks (lint.sh: ${expected.join(', ')})`,
    sloppy.includes(' as runtime') && sloppy.includes('${APP_NAME}') && !lint.ok && missing.length === 0,
    missing.length ? `missing ${missing.join(', ')}; got: ${lint.warnings.join('; ') || 'no warnings'}` : '',
  );
}


// ---- Hardening checks (issue #9): secrets, pip, build output -----------------------------

const HARNESS_HOME = process.env.PYSERVICE_HARNESS_HOME ?? '/var/cache/pyservice-harness';
/** Secrets a developer may have in the project: none may reach the image. */
const PLANTED_SECRETS = ['app/.env', 'app/core/.env.production', 'app/certs/server.pem', 'app/signing.key'] as const;

function plantSecrets(dir: string): void {
  for (const path of PLANTED_SECRETS) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), 'PLANTED_BY_VERIFY=must-not-reach-the-image\n');
  }
}

/** The harness's build log of an image tag (build-and-run.sh names it after the tag). */
function harnessBuildLog(tag: string, engine: Engine): string {
  const name = (tag.split('/').pop() ?? tag).toLowerCase().replace(/[^a-z0-9._\n-]/g, '-');
  const path = join(HARNESS_HOME, 'logs', 'build-and-run', `${name}${engine === 'buildkit' ? '-buildkit' : ''}.log`);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** A venv's pip (the package or its scripts), under `venvPath` ("/app/.venv"), in image paths. */
function pipInVenv(paths: readonly string[], venvPath: string): string[] {
  const venv = venvPath.replace(/^\//, '');
  const pattern = new RegExp(`^${venv.replace(/\./g, '\\.')}/(lib/python[\\d.]+/site-packages/pip([-/]|$)|bin/pip[\\d.]*$)`);
  return paths.filter((p) => pattern.test(p));
}

function noLockWarningCheck(id: string, tag: string, expected: 0 | 1, engine: Engine): void {
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

/** Ask the harness what it provides for a Python version (a lib.sh function, e.g. harness_poetry_version). */
function harnessFact(fn: string, python: string): string {
  const result = spawnSync('bash', ['-c', `source "${HARNESS}/lib.sh" && ${fn} "$1"`, 'fact', python], { encoding: 'utf8' });
  return result.stdout.trim();
}

/**
 * `make lock` on a machine with Docker but no Poetry: the Makefile builds the Dockerfile's
 * `poetry` stage and runs its pinned Poetry. `docker` here is the harness's podman with the
 * harness's network (its local PyPI) and Poetry version, as build-and-run.sh builds.
 */
async function makeLockWithoutPoetry(base: string, work: string): Promise<void> {
  const id = `${presetId(defaults)} (make lock without Poetry)`;
  const dir = join(work, 'make-lock');
  cpSync(base, dir, { recursive: true });
  rmSync(join(dir, 'poetry.lock'), { force: true });
  const bin = join(work, 'docker-bin');
  mkdirSync(bin, { recursive: true });
  const podman = join(HARNESS, 'podman.sh');
  const hosts = '--network host --add-host pypi.org:127.0.0.1 --add-host files.pythonhosted.org:127.0.0.1';
  const poetry = harnessFact('harness_poetry_version', defaults.python);
  writeFileSync(
    join(bin, 'docker'),
    `#!/bin/sh
# docker for make lock: the harness's podman, its network (local PyPI) and its Poetry ${poetry}
sub=$1; shift
case "$sub" in
  build) exec "${podman}" build ${hosts} --pull=never --build-arg POETRY_VERSION=${poetry} "$@" ;;
  run) exec "${podman}" run ${hosts} "$@" ;;
  *) exec "${podman}" "$sub" "$@" ;;
esac
`,
    { mode: 0o755 },
  );
  const make = await run('make', ['-C', dir, 'lock', 'POETRY=poetry-is-not-installed', `DOCKER=${join(bin, 'docker')}`, 'IMAGE=localhost/pyservice-verify/make-lock'], join(LOG_DIR, 'make-lock.log'));
  const said = make.output.includes('poetry-is-not-installed is not installed: locking with the Poetry pinned in the Dockerfile');
  const locked = existsSync(join(dir, 'poetry.lock'));
  record(id, 'make lock writes poetry.lock with the Dockerfile\'s pinned Poetry when Poetry is not installed', make.code === 0 && said && locked, make.code ? tail(make.output) : `poetry.lock ${locked ? 'written' : 'missing'}`);
  if (!locked) return;
  const check = await run(join(HARNESS, 'check.sh'), [dir], join(LOG_DIR, 'make-lock.check.log'));
  record(id, 'that lock passes poetry check --lock (harness check.sh)', check.code === 0, check.code ? tail(check.output) : '');
}

let pipSaving: { withPip: number; without: number; pipPaths: number } | undefined;

/** The default Dockerfile with pip left in the venv: the check must catch it; the size difference is what dropping pip saves. */
async function pipInVenvBadCase(work: string, base: string): Promise<void> {
  // One engine is enough to show the check can fail; sizes are compared within podman's count.
  const ours = rows.find((r) => r.preset === presetId(defaults) && r.engine === 'podman');
  const dir = join(work, 'bad-pip');
  cpSync(base, dir, { recursive: true });
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  const withPip = dockerfile.replace(/ \\\n\s+POETRY_VIRTUALENVS_OPTIONS_NO_PIP=true/, '');
  if (withPip === dockerfile || !ours) {
    record('bad cases', 'venv with pip', false, ours ? 'could not remove the no-pip option from the Dockerfile' : 'default preset has no image row');
    return;
  }
  writeFileSync(join(dir, 'Dockerfile'), withPip);
  const jsonPath = join(work, 'bad-pip.json');
  const tag = 'localhost/pyservice-verify/bad-pip:latest';
  await buildAndRun('podman', dir, ['--no-rebuild', '--json', jsonPath, '--tag', tag], join(LOG_DIR, 'bad-pip.log'));
  if (!existsSync(jsonPath)) {
    record('bad cases', 'a venv with pip is caught by the no-pip check', false, 'the build failed');
    return;
  }
  const result = JSON.parse(readFileSync(jsonPath, 'utf8')) as HarnessJson;
  const basePaths = result.base_image ? basePathsOf('podman', result.base_image) : new Set<string>();
  const pip = pipInVenv(imagePaths('podman', tag).filter((p) => !basePaths.has(p)), DEPS_VARIANTS[defaults.deps].venvPath);
  record('bad cases', 'a venv with pip (no POETRY_VIRTUALENVS_OPTIONS_NO_PIP) is caught by the no-pip check', pip.length > 0, `${pip.length} pip paths`);
  pipSaving = { withPip: result.added_bytes, without: ours.addedBytes, pipPaths: pip.length };
}

function pipSavingReport(): string {
  if (!pipSaving) return '';
  const saved = pipSaving.withPip - pipSaving.without;
  return `
**pip left out of the runtime venv** (every preset; \`verify\` checks that no image has pip in its venv): the default
preset built with pip in its venv (the same Dockerfile without \`POETRY_VIRTUALENVS_OPTIONS_NO_PIP=true\`, ${pipSaving.pipPaths}
pip paths) adds ${mb(pipSaving.withPip)} above its base; without pip it adds ${mb(pipSaving.without)}: **${mb(saved)} (${saved.toLocaleString('en')} bytes) saved**.
The wheels presets never had pip in their venv (\`python -m venv --without-pip\`); the slim base image keeps its own system pip.
`;
}

// ---- Strict type check of the generated code (issue #9) -----------------------------------

/** Unpack the Python sources (.py, .pyi, py.typed) of every wheel in a harness index view. */
function unpackIndex(view: 'index' | 'index-sid', dest: string): string {
  const packages = join(HARNESS_HOME, view, 'packages');
  const script = `import pathlib, sys, zipfile
dest = pathlib.Path(sys.argv[1])
for wheel in sorted(pathlib.Path(sys.argv[2]).glob("*.whl")):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.endswith((".py", ".pyi", "py.typed")) and ".dist-info/" not in name:
                z.extract(name, dest)
`;
  const result = spawnSync('python3', ['-c', script, dest, packages], { encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`could not unpack ${packages}: ${result.stderr.trim()}`);
  return dest;
}

/**
 * pyright --strict over every distinct Python tree the generator writes (the Python files of
 * all valid combinations, grouped by content and Python version), each against the libraries
 * of the harness index view its Python uses.
 */
function typeCheckGenerated(work: string): void {
  const id = 'type check';
  const trees = new Map<string, TypeCheckTree & { view: 'index' | 'index-sid' }>();
  for (const combo of validCombinations()) {
    const files = renderService({ ...STATIC_DEFAULTS, name: 'typed-service', author: null, ...combo }, '0.0.0');
    const python = new Map([...files].filter(([path]) => path.endsWith('.py')).sort(([a], [b]) => a.localeCompare(b)));
    const key = `${combo.python}\n${JSON.stringify([...python])}`;
    if (trees.has(key)) continue;
    const minor = Number(combo.python.split('.')[1]);
    // The harness's index views: trixie's packages for Python <= 3.13, sid's for 3.14/3.15.
    trees.set(key, { name: `py${combo.python.replace('.', '')}-${combo.server}`, python: combo.python, files: python, view: minor >= 14 ? 'index-sid' : 'index' });
  }
  const findings: TypeCheckFinding[] = [];
  let filesAnalyzed = 0;
  for (const view of ['index', 'index-sid'] as const) {
    const dir = join(work, `typecheck-${view}`);
    mkdirSync(dir, { recursive: true });
    const libraries = unpackIndex(view, join(work, `libs-${view}`));
    const result = pyrightStrict([...trees.values()].filter((t) => t.view === view), libraries, dir);
    findings.push(...result.findings);
    filesAnalyzed += result.filesAnalyzed;
  }
  record(id, `${pyrightVersion()} --strict analysed the generated trees`, filesAnalyzed > 0, `${trees.size} distinct trees, ${filesAnalyzed} files`);
  for (const tree of trees.values()) {
    const own = findings.filter((f) => f.tree === tree.name);
    record(id, `${tree.name} (Python ${tree.python}) is clean under pyright --strict`, own.length === 0, own.slice(0, 4).map((f) => `${f.path}:${f.line} ${f.rule}: ${f.message}`).join('; '));
  }
}

function writeReports(all: Preset[], lintedCount: number) {
  const passed = checks.filter((c) => c.ok).length;
  const failed = checks.length - passed;
  const table = [
    '| preset | engine | base image | image size | added above base | cold build | code-only rebuild | user | health | start → /health 200 | tests on | generated tests (-W error) | mypy |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| \`${r.preset}\` | ${ENGINE_LABEL[r.engine]} | \`${r.base}\` | ${mb(r.sizeBytes)} | ${mb(r.addedBytes)} | ${r.buildS} s | ${r.rebuildS} s | ${r.user} | ${r.health} | ${r.upS} s | Python ${r.python} | ${r.tests} | ${r.mypy} |`,
    ),
  ].join('\n');
  const gaps = all.filter((p) => p.noImage).map((p) => `- \`${p.id}\`: tests, mypy and checks ran; ${p.noImage}.`);
  const notes = [...new Set(all.map((p) => p.choices.python))].map(
    (python) => `- Python ${python} (${all.filter((p) => p.choices.python === python).map((p) => `\`${p.id}\``).join(', ')}): ${pythonNote(python)}.`,
  );
  const date = new Date().toISOString().slice(0, 10);
  const body = `<!-- generated by npm run verify; do not edit by hand -->
# Image report

Measured by \`npm run verify\` on ${date} (${process.platform}/${process.arch}, ${(spawnSync('nproc', { encoding: 'utf8' }).stdout || '?').trim()} cores) with the offline harness: each generated Dockerfile built unmodified by both engines users build with, from stand-in base images and a local PyPI: **BuildKit** (Docker Engine 28.5 with buildx 0.29, as \`docker build\` runs; dockerd runs the container and schedules its HEALTHCHECK) and **podman** (buildah 1.28). ${lintedCount} valid combinations passed BuildKit's build checks (\`lint.sh\`). ${passed} checks passed, ${failed} failed.

${table}

Sizes are each engine's own count: compare *added above base* between rows of the **same engine** only (BuildKit
and podman store and measure layers differently, so the same Dockerfile differs by about a megabyte between them).
What only one engine can show here: BuildKit honours \`# syntax=docker/dockerfile:1\`, runs the build checks, and its
dockerd schedules the HEALTHCHECK (podman has no systemd timer here, so the harness runs the check by hand once);
podman publishes the container port on the host (\`-p 127.0.0.1:PORT:8000\`, as \`make docker-run\` does), while the
harness's dockerd has no bridge network, so its containers are probed inside their own network namespace.
${pipSavingReport()}
What each Python's rows prove:
${notes.join('\n')}
${gaps.length > 0 ? `\nNot run in the harness (a gap of the harness, measured):\n${gaps.join('\n')}\n` : ''}
## Compared with the source articles

| source | shape | reported size | ours (added above the base) |
|---|---|---|---|
| blog "venv into distroless" | python:3.11 → distroless debian11 | 1.04 GB single-stage → 103 MB (and the image does not start) | distroless rows above: it starts, runs as 65532, is healthy |
| blog "poetry export → wheels" | wheels → python slim | 581 MB → 391 MB | wheels rows above |
| Fly.io "Multi-stage builds" | poetry venv → python:3.11.9-slim | ~200 MB | slim venv rows above |

What the stand-ins change: the harness's \`python:*-slim\` image is Debian trixie's Python 3.13 (133 MB here; the official
image is about 120–150 MB depending on the version), its distroless image is about 53 MB, and the index serves Debian's
builds of each package (for 3.13 Debian trixie's fastapi 0.115, uvicorn 0.32, pydantic 2.10; for 3.14/3.15 Debian sid's
fastapi 0.162, uvicorn 0.53, pydantic 2.14), so absolute sizes differ from the real registries.
Compare **added above base**: it is the dependency layer, the app and the user we add, which is what our Dockerfile decides.
Build times include resolving a lock inside the harness and are cold (no cached layers for the image); rebuild times are
after appending one line to \`app/main.py\`, and include byte-compiling \`app/\` and the build-time import check (about 4–6 s
here: importing the app loads FastAPI and pydantic), which rerun whenever the code changes.
`;
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(join(REPORT_DIR, 'images.md'), body);
  writeFileSync(join(REPORT_DIR, 'verify.json'), `${JSON.stringify({ date, checks, rows }, null, 2)}\n`);
  const readmePath = join(REPO, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = '<!-- images:start -->';
  const end = '<!-- images:end -->';
  if (readme.includes(start) && readme.includes(end)) {
    const section = `${start}\n${table}\n\n_From \`npm run verify\` on ${date}; details and caveats in \`reports/images.md\` in the repository._\n${end}`;
    writeFileSync(readmePath, readme.replace(new RegExp(`${start}[\\s\\S]*?${end}`), section));
  }
}

async function main(): Promise<number> {
  if (!existsSync(join(HARNESS, 'build-and-run.sh'))) {
    process.stderr.write(
      `npm run verify needs the offline verification harness (podman, stand-in base images, a local PyPI) at ${HARNESS}.\n` +
        'In CI it is ../shared/harness beside the clone; elsewhere set PYSERVICE_HARNESS=/path/to/harness. Nothing was checked.\n',
    );
    return 1;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('npm run verify must run as root: the harness builds with podman and serves its index on 127.0.0.1:443.\n');
    return 1;
  }
  if (!existsSync(CLI)) {
    process.stderr.write(`${CLI} is missing: run npm run build first (npm run verify does).\n`);
    return 1;
  }
  mkdirSync(LOG_DIR, { recursive: true });
  // BuildKit is set up once with `setup.sh --buildkit`; a plain setup.sh then keeps it up to date.
  const status = spawnSync(join(HARNESS, 'buildkit.sh'), ['status'], { encoding: 'utf8' });
  if (status.status !== 0 && !/^stopped/.test(status.stdout)) {
    process.stderr.write(
      `npm run verify needs the harness's BuildKit engine (Docker Engine with buildx, what \`docker build\` uses), and it is not set up here` +
        `${status.stdout.trim() ? ` (buildkit.sh status: ${status.stdout.trim()})` : ''}.\n` +
        `Run once, as root: ${join(HARNESS, 'setup.sh')} --buildkit   (about 1.5 min on a set-up harness, 6.5 min from nothing; .ci/run does it). Nothing was checked.\n`,
    );
    return 1;
  }
  const engineWasRunning = status.status === 0;
  const setup = await run(join(HARNESS, 'setup.sh'), [], join(LOG_DIR, 'setup.log'), 30 * 60_000);
  if (setup.code !== 0) {
    process.stderr.write(`harness setup.sh failed (exit ${setup.code}); log: ${join(LOG_DIR, 'setup.log')}\n${tail(setup.output, 20)}\n`);
    return 1;
  }
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const all = presets();
  const expectedFull = validCombinations().filter((c) => c.python === VERSIONS.distrolessPython).length;
  record('matrix', 'presets at Python 3.13 = combinations the compatibility table allows there', all.filter((p) => p.choices.python === VERSIONS.distrolessPython).length === expectedFull, `${expectedFull} runtime × deps × server combinations`);
  const expectedDefault = validCombinations().filter((c) => c.python === defaults.python).length;
  record('matrix', `presets at the default Python ${defaults.python} = combinations allowed there`, all.filter((p) => p.choices.python === defaults.python).length === expectedDefault, `${expectedDefault} combinations`);
  record('matrix', 'every offered Python version is covered', PYTHON_VERSIONS.every((v) => all.some((p) => p.choices.python === v)), PYTHON_VERSIONS.join(', '));

  const work = mkdtempSync(join(tmpdir(), 'pyservice-verify-'));
  const dirs = new Map<string, string>();
  const started = Date.now();
  try {
    typeCheckGenerated(work);
    // Every valid combination: scaffolded, our static checks, and BuildKit's own build checks.
    const combos = validCombinations().map((choices) => ({ id: presetId(choices), choices }));
    let linted = 0;
    for (const { id, choices } of combos.filter((c) => only.length === 0 || only.includes(c.id))) {
      const dir = join(work, id);
      const files = await scaffold(dir, choices);
      if (!record(id, 'scaffolded non-interactively', files !== undefined, '')) continue;
      dirs.set(id, dir);
      staticChecks(id, files!);
      const lint = await buildkitLint(dir, join(LOG_DIR, `${id}.lint.log`));
      if (record(id, "BuildKit's build checks on the Dockerfile (harness lint.sh)", lint.ok, lint.detail)) linted++;
    }
    for (const preset of all.filter((p) => only.length === 0 || only.includes(p.id))) {
      const dir = dirs.get(preset.id);
      if (!record(preset.id, 'preset is a valid combination, scaffolded above', dir !== undefined, '')) continue;
      await fullChecks(preset, dir!, work);
    }
    // create, add route ×2, docker --runtime distroless, edit, update to the next release (scripts/lib/living-flow.ts).
    if (only.length === 0 || only.includes('living')) await livingFlow({ repo: REPO, cli: CLI, harness: HARNESS, work, logDir: LOG_DIR, record, run });
    if (only.length === 0) {
      for (const engine of ENGINES) await noLockBuild(dirs.get(presetId(defaults))!, work, engine);
      await makeLockWithoutPoetry(dirs.get(presetId(defaults))!, work);
      await badCases(work, dirs);
      writeReports(all, linted);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    // Leave the engine as it was found (lint.sh and build-and-run.sh start it on demand).
    if (!engineWasRunning) spawnSync(join(HARNESS, 'buildkit.sh'), ['stop'], { encoding: 'utf8' });
  }
  const failedChecks = checks.filter((c) => !c.ok);
  process.stdout.write(`\nverify took ${Math.round((Date.now() - started) / 1000)} s; report: reports/images.md\n`);
  for (const c of failedChecks) process.stdout.write(`failed: ${c.preset}: ${c.name}: ${c.detail}\n`);
  process.stdout.write(`verify: ${checks.length - failedChecks.length} passed, ${failedChecks.length} failed\n`);
  return failedChecks.length === 0 ? 0 : 1;
}

process.exitCode = await main();
