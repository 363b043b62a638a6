/**
 * A preset as a project: scaffolded by the CLI, our static checks (ruff, our Dockerfile rules,
 * text checks), and the generated project's own tests, mypy and `poetry check` on real Python
 * through the harness (no image involved).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintDockerfile } from '../dockerfile-lint.js';
import { ruffCheck, ruffVersion } from '../ruff.js';
import { textProblems } from '../text-checks.js';
import { CLI, HARNESS, LOG_DIR, record, run, tail, type Choices, type Preset, type ProjectFacts } from './context.js';
import { timed } from './times.js';

/** The directory each preset is scaffolded into (below a directory named by the preset). */
export const PROJECT_DIR = 'service';

/**
 * Each preset's project is named by the preset (`--name py313-slim-wheels-gunicorn`), as different
 * projects are. Not one shared name: the runtime stage's first lines (the image title label) would
 * then be identical across presets, and buildah (podman) reuses a cached `RUN
 * --mount=type=bind,from=builder` install layer whatever the builder now produces (buildah #6609):
 * the wheels + gunicorn image got the wheels + uvicorn preset's packages and could not start. The
 * generated Dockerfile's own defence against that bug is issue #21's.
 */
export function scaffold(dir: string, choices: Choices, name: string): Map<string, string> | undefined {
  const args = [CLI, dir, '--yes', '--no-git', '--json', '--author', '', '--name', name, ...Object.entries(choices).flatMap(([k, v]) => [`--${k}`, v])];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const summary = JSON.parse(result.stdout) as { files: { path: string }[] };
  return new Map(summary.files.map((f) => [f.path, readFileSync(join(dir, f.path), 'utf8')]));
}

export function staticChecks(id: string, files: Map<string, string>): boolean {
  const ruff = ruffCheck(files);
  const lint = lintDockerfile(files.get('Dockerfile')!);
  const text = textProblems(files);
  return [
    record(id, `ruff ${ruffVersion()} check + format --check`, ruff.length === 0, ruff.map((p) => `${p.path}:${p.line} ${p.code}`).join(', ')),
    record(id, 'our Dockerfile rules + dockerfile-utils validator', lint.length === 0, lint.map((f) => `${f.line} ${f.rule}`).join(', ')),
    record(id, 'no template leftovers / trailing whitespace', text.length === 0, text.map((p) => `${p.path}:${p.line} ${p.problem}`).join(', ')),
  ].every(Boolean);
}

/** The generated project's own tests, mypy and `poetry check` (no image involved). */
export async function projectChecks(preset: Preset, dir: string): Promise<ProjectFacts> {
  const { id } = preset;
  // Warnings are errors: a deprecated API (e.g. starlette 1.x's TestClient over httpx) fails the run.
  const pytest = await timed('tests (pytest.sh)', () => run(join(HARNESS, 'pytest.sh'), [dir, '--', '-W', 'error', '-p', 'no:cacheprovider'], join(LOG_DIR, `${id}.pytest.log`)));
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
  const mypy = await timed('mypy (run.sh)', () => run(join(HARNESS, 'run.sh'), [dir, '--', 'mypy'], join(LOG_DIR, `${id}.mypy.log`)));
  const mypyVersion = /Installing mypy \(([\d.]+)\)/.exec(mypy.output)?.[1] ?? '?';
  const mypyOk = mypy.code === 0 && /Success: no issues found/.test(mypy.output);
  record(id, `mypy --strict passes (harness run.sh -- mypy; mypy ${mypyVersion})`, mypyOk, mypyOk ? /Success: .*/.exec(mypy.output)![0] : tail(mypy.output, 6));
  const check = await timed('poetry check (check.sh)', () => run(join(HARNESS, 'check.sh'), [dir], join(LOG_DIR, `${id}.check.log`)));
  record(id, 'poetry check + compileall (harness check.sh)', check.code === 0, check.code ? tail(check.output) : '');
  return { tests: `${passed} passed`, python, mypy: mypyOk ? `strict, ${mypyVersion}` : 'failed' };
}

/** What a developer's `.env` (and environment) may hold that the generated tests must not read. */
export const HOSTILE_ENV = { PORT: '80800', LOG_LEVEL: 'LOUD', LOG_FORMAT: 'xml' } as const;

/**
 * The generated tests pass with a hostile `.env` beside them (in the project's root, where the
 * settings look for it), and again with the same values in the environment (`run.sh ... -- sh -c`
 * runs both in one prepared environment).
 */
/** What pytest's exit statuses mean. */
const PYTEST_EXIT: Record<string, string> = { '1': 'tests failed', '2': 'interrupted', '3': 'internal error', '4': 'usage error: collection could not start', '5': 'no tests collected' };

export async function hostileEnvChecks(id: string, dir: string, work: string): Promise<void> {
  const copy = join(work, `hostile-env-${id}`);
  rmSync(copy, { recursive: true, force: true });
  cpSync(dir, copy, { recursive: true });
  const pairs = Object.entries(HOSTILE_ENV).map(([k, v]) => `${k}=${v}`);
  writeFileSync(join(copy, '.env'), `${pairs.join('\n')}\n`);
  const pytest = 'pytest -p no:cacheprovider -q';
  const script = `${pytest}; a=$?; echo HOSTILE-ENV-SECOND-RUN; env ${pairs.join(' ')} ${pytest}; b=$?; echo "HOSTILE-ENV $a $b"; [ $a = 0 ] && [ $b = 0 ]`;
  const result = await timed('hostile .env (run.sh)', () => run(join(HARNESS, 'run.sh'), [copy, '--', 'sh', '-c', script], join(LOG_DIR, `${id}.hostile-env.log`)));
  const [fileCode, envCode] = (/HOSTILE-ENV (\d+) (\d+)/.exec(result.output) ?? []).slice(1);
  // pytest -q's summary line of each run: "16 passed in 0.4s", "1 error in 0.6s", "2 failed, 14 passed in ..."
  const summary = (text: string) => /^(?:=+ )?(\d+ (?:passed|failed|errors?|skipped)\b.*?)(?: =+)?$/m.exec(text)?.[1]?.trim();
  const cause = (text: string) => (/^ImportError while loading conftest/m.test(text) ? `; ${/^E +(.*Error.*)$/m.exec(text)?.[1] ?? 'conftest.py could not be imported'}` : '');
  const detail = (code: string | undefined, text: string) => {
    if (code === undefined) return tail(result.output, 3);
    const count = summary(text);
    return code === '0' ? (count ?? '') : `pytest exit ${code} (${PYTEST_EXIT[code] ?? 'error'})${count ? `: ${count}` : cause(text)}`;
  };
  const [fileRun = '', envRun = ''] = result.output.split(/^HOSTILE-ENV-SECOND-RUN$/m);
  record(id, `generated tests pass with a .env holding ${pairs.join(' ')} beside them`, fileCode === '0', detail(fileCode, fileRun));
  record(id, `generated tests pass with ${pairs.join(' ')} in the environment`, envCode === '0', detail(envCode, envRun));
}
