/**
 * Each check must be able to fail: known-bad variants of the generated project must be caught.
 * Also `make lock` on a machine with Docker and no Poetry.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPS_VARIANTS } from '../../../src/render/variants.js';
import { VERSIONS } from '../../../src/model/versions.js';
import { lintDockerfile } from '../dockerfile-lint.js';
import { defaults, ENGINE_LABEL, ENGINES, HARNESS, LOG_DIR, mb, presetId, record, rows, run, tail, type Engine } from './context.js';
import { basePathsOf, buildAndRun, buildkitLint, imagePaths, pipInVenv, type HarnessJson } from './image.js';
import { copyWithoutLock } from './project.js';

/** A build under `engine` that must fail: the FAIL reason build-and-run gives, or '' if it passed. */
async function mustFailToRun(engine: Engine, dir: string, name: string): Promise<string> {
  const build = await buildAndRun(engine, dir, ['--no-rebuild', '--timeout', '20', '--tag', `localhost/pyservice-verify/${name}:${engine}`], join(LOG_DIR, `${name}.${engine}.log`));
  return build.code !== 0 ? (/FAIL: (.*)/.exec(build.output)?.[1] ?? '') : '';
}

/** Each check must be able to fail: known-bad variants must be caught. */
export async function badCases(work: string, dirs: Map<string, string>) {
  const distroless = dirs.get(presetId({ ...defaults, runtime: 'distroless', python: VERSIONS.distrolessPython }));
  const base = dirs.get(presetId(defaults));
  if (!distroless || !base) {
    record('bad cases', 'prerequisite presets scaffolded', false, 'default or distroless preset missing');
    return;
  }
  // 1. The second article's bug: a venv from python:3.13-slim copied into distroless, not re-pointed.
  const broken = join(work, 'bad-distroless');
  copyWithoutLock(distroless, broken);
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
  copyWithoutLock(base, mismatchedDir);
  const mismatched = readFileSync(join(base, 'Dockerfile'), 'utf8').replace(
    `FROM python:${defaults.python}-slim-trixie AS runtime`,
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
  copyWithoutLock(base, failing);
  writeFileSync(join(failing, 'tests', 'test_health.py'), `${readFileSync(join(failing, 'tests', 'test_health.py'), 'utf8')}\n\ndef test_deliberately_broken() -> None:\n    assert 1 + 1 == 3\n`);
  const pytest = await run(join(HARNESS, 'pytest.sh'), [failing], join(LOG_DIR, 'bad-test.log'));
  record('bad cases', 'a failing generated test fails the pytest step', pytest.code === 1 && /1 failed/.test(pytest.output), `exit ${pytest.code}`);
  // 4. Starlette 1.x's TestClient on httpx warns on 3.14: with -W error, the test run must fail.
  const deprecated = join(work, 'bad-deprecated');
  copyWithoutLock(base, deprecated);
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
  copyWithoutLock(base, untyped);
  writeFileSync(join(untyped, 'app', 'broken.py'), 'def port() -> int:\n    return "8000"\n');
  const mypy = await run(join(HARNESS, 'run.sh'), [untyped, '--', 'mypy'], join(LOG_DIR, 'bad-mypy.log'));
  record('bad cases', 'a type error in app/ fails the mypy step', mypy.code === 1 && /app\/broken\.py:2: error: Incompatible return value type/.test(mypy.output), `exit ${mypy.code}`);
  // 6. BuildKit's build checks must report what they exist for: a lower-case `as` and a misspelt ARG
  // in a FROM (one Dockerfile), and an undefined variable in an ENV (another: BuildKit stops before
  // the per-stage checks such as UndefinedVar when a FROM names no valid image, so the two cannot share one).
  const original = readFileSync(join(base, 'Dockerfile'), 'utf8');
  const runtimeFrom = `FROM python:${defaults.python}-slim-trixie AS runtime`;
  const sloppyCases = [
    {
      name: 'bad-lint-from',
      what: 'lower-case `as` and a misspelt ${PYTHON_VERSON} in FROM',
      text: original.replace(runtimeFrom, 'FROM python:${PYTHON_VERSON}-slim-trixie as runtime'),
      planted: ' as runtime',
      expected: ['FromAsCasing', 'UndefinedArgInFrom'],
    },
    {
      name: 'bad-lint-var',
      what: 'an undefined ${APP_NAME} in an ENV',
      text: original.replace('WORKDIR /app', 'ENV APP_HOME=/srv/${APP_NAME}\nWORKDIR /app'),
      planted: '${APP_NAME}',
      expected: ['UndefinedVar'],
    },
  ];
  for (const sloppy of sloppyCases) {
    const unlinted = join(work, sloppy.name);
    copyWithoutLock(base, unlinted);
    writeFileSync(join(unlinted, 'Dockerfile'), sloppy.text);
    const lint = await buildkitLint(unlinted, join(LOG_DIR, `${sloppy.name}.log`));
    const missing = sloppy.expected.filter((rule) => !lint.warnings.some((w) => w.includes(`: ${rule}: `)));
    record(
      'bad cases',
      `${sloppy.what} fails BuildKit's build checks (lint.sh: ${sloppy.expected.join(', ')})`,
      sloppy.text.includes(sloppy.planted) && !lint.ok && missing.length === 0,
      missing.length ? `missing ${missing.join(', ')}; got: ${lint.warnings.join('; ') || 'no warnings'}` : '',
    );
  }
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
export async function makeLockWithoutPoetry(base: string, work: string): Promise<void> {
  const id = `${presetId(defaults)} (make lock without Poetry)`;
  const dir = join(work, 'make-lock');
  copyWithoutLock(base, dir);
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

export interface PipSaving {
  withPip: number;
  without: number;
  pipPaths: number;
}
/** What leaving pip out of the venv saves (the bad-cases unit measures it; a reused unit restores it). */
export let pipSaving: PipSaving | undefined;
export function restorePipSaving(saved: PipSaving | undefined): void {
  pipSaving = saved;
}

/** The default Dockerfile with pip left in the venv: the check must catch it; the size difference is what dropping pip saves. */
async function pipInVenvBadCase(work: string, base: string): Promise<void> {
  // One engine is enough to show the check can fail; sizes are compared within podman's count.
  const ours = rows.find((r) => r.preset === presetId(defaults) && r.engine === 'podman');
  const dir = join(work, 'bad-pip');
  copyWithoutLock(base, dir);
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

export function pipSavingReport(): string {
  if (!pipSaving) return '';
  const saved = pipSaving.withPip - pipSaving.without;
  return `
**pip left out of the runtime venv** (every preset; \`verify\` checks that no image has pip in its venv): the default
preset built with pip in its venv (the same Dockerfile without \`POETRY_VIRTUALENVS_OPTIONS_NO_PIP=true\`, ${pipSaving.pipPaths}
pip paths) adds ${mb(pipSaving.withPip)} above its base; without pip it adds ${mb(pipSaving.without)}: **${mb(saved)} (${saved.toLocaleString('en')} bytes) saved**.
The wheels presets never had pip in their venv (\`python -m venv --without-pip\`); the slim base image keeps its own system pip.
`;
}

