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

/** What a developer's `.env` (and environment) may hold that the generated tests must not read. */
export const HOSTILE_ENV = { PORT: '80800', LOG_LEVEL: 'LOUD', LOG_FORMAT: 'xml' } as const;

/** What pytest's exit statuses mean. */
const PYTEST_EXIT: Record<string, string> = { '1': 'tests failed', '2': 'interrupted', '3': 'internal error', '4': 'usage error: collection could not start', '5': 'no tests collected' };

/** Section markers of the one harness call (each on a line of its own). */
const MARK = '@@pyservice-verify';

/**
 * The shell script run in the project's prepared environment (one `run.sh` call: one lock, one
 * install): the tests with warnings as errors, mypy, the tests again with a hostile `.env` beside
 * them and the same values in the environment (one run), and the poetry.lock the harness made.
 */
function checkScript(db?: { tests: string; migrations: string }): string {
  const pairs = Object.entries(HOSTILE_ENV).map(([k, v]) => `${k}=${v}`);
  return [
    'exec 2>&1',
    // A database preset: its tests read the URL from the environment; the Alembic cycle gets a database of its own.
    ...(db
      ? [
          `export DATABASE_URL='${db.tests}'`,
          `echo "${MARK} alembic"; DATABASE_URL='${db.migrations}' sh -c 'alembic upgrade head && alembic downgrade base && alembic upgrade head && alembic check'; m=$?`,
        ]
      : ['m=0']),
    `echo "${MARK} pytest"; pytest -W error -p no:cacheprovider; a=$?`,
    `echo "${MARK} mypy"; mypy; b=$?`,
    // One run with both: a test that read either the file or the environment would fail on the hostile values.
    `echo "${MARK} hostile"; printf '${pairs.join('\\n')}\\n' > .env; env ${pairs.join(' ')} pytest -p no:cacheprovider -q; c=$?; rm -f .env`,
    `echo "${MARK} lock"; cat poetry.lock`,
    `echo "${MARK} codes $a $b $c $m"`,
    '[ $a = 0 ] && [ $b = 0 ] && [ $c = 0 ] && [ $m = 0 ]',
  ].join('\n');
}

/** The output of each section of checkScript(), by name ('' holds what came before: the harness's steps). */
function sections(output: string): Map<string, string> {
  const parts = new Map<string, string>();
  let name = '';
  let lines: string[] = [];
  for (const line of output.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      parts.set(name, lines.join('\n'));
      name = line.slice(MARK.length + 1).split(' ')[0]!;
      lines = name === 'codes' ? [line.slice(MARK.length + 7)] : [];
    } else lines.push(line);
  }
  parts.set(name, lines.join('\n'));
  return parts;
}

/**
 * The generated project's own tests (warnings as errors), mypy --strict, the tests with a hostile
 * `.env` and environment, in one prepared environment; then `poetry check` (check.sh). The lock the
 * harness made is kept as the project's poetry.lock, so the later checks of this preset (check.sh,
 * builds, runs) use it instead of locking again. Callers that need a project without a lock copy
 * it with copyWithoutLock().
 */
export async function projectChecks(preset: Preset, dir: string, db?: { tests: string; migrations: string }): Promise<ProjectFacts> {
  const { id } = preset;
  rmSync(join(dir, 'poetry.lock'), { force: true });
  const result = await timed('tests + mypy + hostile .env (run.sh)', () => run(join(HARNESS, 'run.sh'), [dir, '--', 'sh', '-c', checkScript(db)], join(LOG_DIR, `${id}.project.log`)));
  const part = sections(result.output);
  const [testsCode, mypyCode, hostileCode, alembicCode] = (part.get('codes') ?? '').trim().split(' ');
  if (db) {
    const alembic = part.get('alembic') ?? '';
    record(id, 'on a real PostgreSQL: alembic upgrade head, downgrade base, upgrade head, check (no drift between models and migrations)', alembicCode === '0', alembicCode === '0' ? (/No new upgrade operations detected\.?/.exec(alembic)?.[0] ?? '') : tail(alembic || result.output, 4));
  }
  const pytest = part.get('pytest') ?? '';
  const prepared = testsCode !== undefined;
  const passed = /(\d+) passed/.exec(pytest)?.[1] ?? '0';
  const failed = /(\d+) failed/.exec(pytest)?.[1] ?? '0';
  const python = /platform \S+ -- Python ([\d.]+)/.exec(pytest)?.[1] ?? 'unknown';
  const warned = /\d+ warnings?\b/.test(pytest);
  record(
    id,
    `generated tests pass on real Python with warnings as errors (harness run.sh -- pytest -W error)${db ? ', against a real PostgreSQL' : ''}`,
    testsCode === '0' && !warned,
    prepared ? `Python ${python}: ${passed} passed, ${failed} failed${testsCode !== '0' ? `; exit ${testsCode}: ${tail(pytest, 3)}` : ''}` : `environment not prepared (exit ${result.code}): ${tail(result.output, 3)}`,
  );
  // The project's own strict mypy configuration, on the project's own Python (the pre-commit hook's command).
  const mypy = part.get('mypy') ?? '';
  const mypyVersion = /Installing mypy \(([\d.]+)\)/.exec(result.output)?.[1] ?? '?';
  const mypyOk = mypyCode === '0' && /Success: no issues found/.test(mypy);
  record(id, `mypy --strict passes (harness run.sh -- mypy; mypy ${mypyVersion})`, mypyOk, mypyOk ? /Success: .*/.exec(mypy)![0] : tail(mypy || result.output, 6));
  const pairs = Object.entries(HOSTILE_ENV).map(([k, v]) => `${k}=${v}`);
  // pytest -q's summary line of each run: "16 passed in 0.4s", "1 error in 0.6s", "2 failed, 14 passed in ..."
  const summary = (text: string) => /^(?:=+ )?(\d+ (?:passed|failed|errors?|skipped)\b.*?)(?: =+)?$/m.exec(text)?.[1]?.trim();
  const cause = (text: string) => (/^ImportError while loading conftest/m.test(text) ? `; ${/^E +(.*Error.*)$/m.exec(text)?.[1] ?? 'conftest.py could not be imported'}` : '');
  const detail = (code: string | undefined, text: string) => {
    if (code === undefined) return tail(result.output, 3);
    const count = summary(text);
    return code === '0' ? (count ?? '') : `pytest exit ${code} (${PYTEST_EXIT[code] ?? 'error'})${count ? `: ${count}` : cause(text)}`;
  };
  record(id, `generated tests pass with a .env holding ${pairs.join(' ')} beside them and the same in the environment`, hostileCode === '0', detail(hostileCode, part.get('hostile') ?? ''));
  const lock = part.get('lock') ?? '';
  if (/^\[\[package\]\]$/m.test(lock) && /^content-hash = /m.test(lock)) writeFileSync(join(dir, 'poetry.lock'), `${lock.trim()}\n`);
  const check = await timed('poetry check (check.sh)', () => run(join(HARNESS, 'check.sh'), [dir], join(LOG_DIR, `${id}.check.log`)));
  record(id, 'poetry check + compileall (harness check.sh)', check.code === 0, check.code ? tail(check.output) : '');
  return { tests: `${passed} passed`, python, mypy: mypyOk ? `strict, ${mypyVersion}` : 'failed' };
}

/** A copy of a project without its poetry.lock (checks whose point is a project as scaffolded). */
export function copyWithoutLock(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
  rmSync(join(to, 'poetry.lock'), { force: true });
}
