/**
 * What every part of `npm run verify` shares: where things are, the presets' vocabulary, and the
 * record of results. `record()` prints one PASS/FAIL line and keeps the check; while a check unit
 * runs (plan.ts), its records are also captured, so that a passed unit can be stored in the cache
 * (cache.ts) and replayed by a later run whose inputs are the same.
 */
import { realMachine } from '../../../src/io/machine.js';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_KEYS, type Answers } from '../../../src/model/options.js';
import { fillDefaults, isComplete } from '../../../src/model/resolve.js';

/** The repository: verify runs bundled from build/verify.js (or a --list bundle one level below the root). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(REPO, 'dist', 'cli.js');
export const HARNESS = resolve(process.env.PYSERVICE_HARNESS ?? join(REPO, '..', 'shared', 'harness'));
export const HARNESS_HOME = process.env.PYSERVICE_HARNESS_HOME ?? '/var/cache/pyservice-harness';
export const REPORT_DIR = join(REPO, 'reports');
export const LOG_DIR = join(REPORT_DIR, 'tmp');
/** Budgets the run enforces. */
export const BUDGET = { defaultAddedBytes: 40e6, startToHealthS: 10 } as const;

/** The choices a preset is made of; `db` only for the database presets (verify/db.ts). */
export type Choices = Pick<Answers, 'python' | 'runtime' | 'deps' | 'server'> & { readonly db?: 'postgres' };

/**
 * The builders every built preset goes through. BuildKit is what `docker build` uses (it reads
 * `# syntax=`, runs the build checks, and dockerd schedules the HEALTHCHECK); podman/buildah is
 * what Podman users build with. Both build the same, unmodified Dockerfile.
 */
export type Engine = 'buildkit' | 'podman';
export const ENGINES: readonly Engine[] = ['buildkit', 'podman'];
export const ENGINE_LABEL: Record<Engine, string> = { buildkit: 'BuildKit', podman: 'podman' };

/** The Pythons the harness really has (its README): 3.11/3.12 images are 3.13 under another tag. */
export const REAL_PYTHONS: readonly string[] = ['3.13', '3.14', '3.15'];

/**
 * The engines a preset's image is built and served with. A preset on a stand-in Python (3.11, 3.12:
 * the interpreter is 3.13's, so running it proves what the 3.13 preset proves) is built with BuildKit
 * only, to prove its Dockerfile and tag; the hardened runs are for real interpreters.
 */
export const enginesOf = (choices: Pick<Answers, 'python'>): readonly Engine[] => (REAL_PYTHONS.includes(choices.python) ? ENGINES : ['buildkit']);
export const hardenedRunsOf = (choices: Pick<Answers, 'python'>): readonly Engine[] => (REAL_PYTHONS.includes(choices.python) ? ENGINES : []);

export interface Preset {
  readonly id: string;
  readonly choices: Choices;
  /** What the harness proves for this preset's Python (README's image table and reports/images.md). */
  readonly note: string;
}

export interface Check {
  readonly preset: string;
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Replayed from the cache: it passed with the same inputs on an earlier run on this machine. */
  readonly reused?: boolean;
}

/** One image row of the report (the project's tests/python/mypy are joined in from its project unit). */
export interface ImageRow {
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
}

/** What a preset's project unit found, for its image rows. */
export interface ProjectFacts {
  tests: string;
  python: string;
  mypy: string;
}

export const checks: Check[] = [];
export const rows: ImageRow[] = [];
export const projectFacts = new Map<string, ProjectFacts>();

let capture: { records: Check[]; rows: ImageRow[] } | undefined;

/** Where each check's PASS/FAIL line goes: stdout in a run; the unit tests of the runner silence it. */
let printLine = (line: string): void => {
  process.stdout.write(line);
};
export function setCheckOutput(print: (line: string) => void): void {
  printLine = print;
}

export function record(preset: string, name: string, ok: boolean, detail: string): boolean {
  const check = { preset, name, ok, detail };
  checks.push(check);
  capture?.records.push(check);
  const mark = ok ? 'PASS' : 'FAIL';
  printLine(`${mark} ${preset}: ${name}${detail ? ` (${detail})` : ''}\n`);
  return ok;
}

export function addRow(row: ImageRow): void {
  rows.push(row);
  capture?.rows.push(row);
}

/** Run `fn`, returning the records and rows it made (units run one after the other). */
export async function capturing(fn: () => Promise<void>): Promise<{ records: Check[]; rows: ImageRow[] }> {
  const outer = capture;
  const mine = { records: [] as Check[], rows: [] as ImageRow[] };
  capture = mine;
  try {
    await fn();
  } finally {
    capture = outer;
  }
  return mine;
}

/** Replay a stored unit's results as this run's, under `preset` (a build shared by identical presets). */
export function replay(stored: { records: readonly Check[]; rows: readonly ImageRow[] }, from: string, preset: string): void {
  for (const c of stored.records) {
    const check = { ...c, preset: c.preset === from ? preset : c.preset, reused: true };
    checks.push(check);
    printLine(`PASS ${check.preset}: ${check.name}${check.detail ? ` (${check.detail})` : ''} [reused]\n`);
  }
  for (const r of stored.rows) rows.push({ ...r, preset: r.preset === from ? preset : r.preset });
}

/** Run a command, tee its output to a log file, resolve with status and output. */
export function run(command: string, args: readonly string[], log: string, timeoutMs = 15 * 60_000): Promise<{ code: number; output: string }> {
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

export const tail = (text: string, lines = 8) => text.trim().split('\n').slice(-lines).join(' | ');
export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
export const presetId = (c: Choices) => `py${c.python.replace('.', '')}-${c.runtime}-${c.deps}-${c.server}${c.db === 'postgres' ? '-postgres' : ''}`;
/** What `--yes` picks for the image-shaping choices (Python 3.14 on slim). */
export const defaults: Choices = (() => {
  const { answers } = fillDefaults({}, realMachine(false, () => false), IMAGE_KEYS);
  if (!isComplete(answers, IMAGE_KEYS)) throw new Error('the option table has no default for an image choice');
  return { python: answers.python, runtime: answers.runtime, deps: answers.deps, server: answers.server };
})();

/**
 * Which Python the harness really runs for a project of `python` (its README:
 * real CPython 3.13, 3.14 and 3.15; the python:3.11/3.12 tags hold 3.13), and so
 * what a green row proves.
 */
export function pythonNote(python: string): string {
  if (python === '3.13') return 'real CPython 3.13 (Debian trixie) with its packages: fastapi 0.115, starlette 0.46, pydantic 2.10, Poetry 2.1';
  if (python === '3.14') return 'real CPython 3.14 (Debian sid) with current packages: fastapi 0.162, starlette 1.9, pydantic 2.14, Poetry 2.3';
  if (python === '3.15') return 'real CPython 3.15 (Debian sid), current packages; no uvloop for 3.15, so uvicorn runs on asyncio';
  return (
    `proves the Dockerfile shape and that the dependency ranges lock for requires-python >=${python}, not the ${python} interpreter: ` +
    `the harness's python:${python}-slim-trixie tag holds CPython 3.13, tests and mypy run on 3.13, and check.sh byte-compiles ` +
    `with a ${python} interpreter only where the machine has one (syntax only: a newer stdlib import is not caught)`
  );
}
