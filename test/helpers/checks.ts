/**
 * Checks of generated files by their real consumers, done once per distinct
 * content and shared by every test in the worker that asks again.
 *
 * The 22 valid combinations render only a handful of distinct Python trees and
 * Makefiles, so checking each combination's copy separately mostly repeats
 * work (and process starts). Every function here takes whole rendered
 * projects, works out what is distinct, does the work for what it has not seen
 * yet in one go (one CPython process per interpreter, one ruff workspace per
 * settings, one make run per Makefile) and answers from memory after that.
 * Nothing is skipped: each input still gets the result for exactly its content.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { ruffCheck, type RuffProblem } from '../../scripts/lib/ruff.js';

type Files = ReadonlyMap<string, string>;

const hash = (parts: readonly string[]): string => {
  const h = createHash('sha256');
  for (const part of parts) h.update(`${part.length}:${part}`);
  return h.digest('hex');
};

const compareVersions = (a: string, b: string): number => {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
};

// ---------------------------------------------------------------- CPython

export interface Interpreter {
  readonly path: string;
  /** "3.11" */
  readonly version: string;
}

let interpreters: Interpreter[] | undefined;

/** An executable file that is not a script (pyenv's shims are bash scripts that may refuse to run). */
function isBinary(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(2);
      readSync(fd, head, 0, 2, 0);
      return head.toString('latin1') !== '#!';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

const listDir = (dir: string): string[] => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

/**
 * One CPython per minor version (3.N) installed here, found without starting
 * any: `python3.N` and `python3` on PATH (by the name they resolve to), then
 * pyenv's installed versions ($PYENV_ROOT or ~/.pyenv), which its shims only
 * run when selected. The first found for a version wins.
 */
export function availablePythons(): Interpreter[] {
  if (interpreters) return interpreters;
  const candidates: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of listDir(dir)) if (/^python3(\.\d+)?$/.test(name)) candidates.push(join(dir, name));
  }
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  for (const version of listDir(join(pyenvRoot, 'versions'))) candidates.push(join(pyenvRoot, 'versions', version, 'bin', 'python3'));
  const byVersion = new Map<string, Interpreter>();
  for (const path of candidates) {
    if (!isBinary(path)) continue;
    const version = /python(3\.\d+)$/.exec(realpathSync(path))?.[1];
    if (version && !byVersion.has(version)) byVersion.set(version, { path, version });
  }
  interpreters = [...byVersion.values()].sort((a, b) => compareVersions(a.version, b.version));
  return interpreters;
}

// Compiles each file as `python -m py_compile` does (source → code object),
// with warnings (invalid escapes, ...) turned into failures as well.
const COMPILE_PROGRAM = `
import json, sys, warnings
warnings.simplefilter("error")
results = {}
for key, files in json.load(sys.stdin).items():
    problems = []
    for path, source in files:
        try:
            compile(source, path, "exec", dont_inherit=True)
        except Exception as error:
            problems.append("%s: %s: %s" % (path, type(error).__name__, error))
    results[key] = problems
json.dump(results, sys.stdout)
`;

/** tree key → interpreter path → problems */
const compiled = new Map<string, Map<string, string[]>>();

export interface CompileReport {
  /** Versions of the interpreters whose verdict counts. */
  readonly compiledBy: string[];
  /** "[3.12] path: SyntaxError: ..." per file that failed on one of them. */
  readonly problems: string[];
}

/** The interpreters whose verdict counts for a project on `python`. */
export function pythonsFor(python: string): Interpreter[] {
  const all = availablePythons();
  const atLeast = all.filter((i) => compareVersions(i.version, python) >= 0);
  return atLeast.length > 0 ? atLeast : all.slice(-1);
}

/**
 * A CPython to run a snippet with: the oldest installed at or above `version`
 * (the newest there is otherwise), by its real path. Spawning `python3` by name
 * may go through pyenv's shim, a bash script that starts several processes.
 */
export function pythonPath(version = '3.11'): string {
  const interpreter = pythonsFor(version)[0];
  if (!interpreter) throw new Error('a CPython 3 (python3 on PATH) is needed by this test');
  return interpreter.path;
}

function runCompile(interpreter: Interpreter, todo: Map<string, [string, string][]>): Promise<Record<string, string[]>> {
  return new Promise((done, fail) => {
    const child = spawn(interpreter.path, ['-c', COMPILE_PROGRAM], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) done(JSON.parse(stdout) as Record<string, string[]>);
      else fail(new Error(`${interpreter.path} could not run the compile check (exit ${code}): ${stderr}`));
    });
    child.stdin.end(JSON.stringify(Object.fromEntries(todo)));
  });
}

/**
 * Compile every `.py` file of each project (as `python -m py_compile` does,
 * warnings counting as failures) with the CPythons installed here: every one
 * at or above the project's Python version, or, when none is (a 3.14 project
 * on a machine with 3.13 at most), the newest there is, the closest available
 * check of the same code. Each distinct tree is compiled once per interpreter,
 * all trees in one process per interpreter, the interpreters in parallel.
 * `compiledBy` is empty only when there is no CPython 3 at all: a test should
 * fail on that rather than pass without compiling.
 */
export async function compilePython(projects: readonly { files: Files; python: string }[]): Promise<CompileReport[]> {
  const trees = projects.map(({ files, python }) => {
    const py = [...files].filter(([path]) => path.endsWith('.py')).sort(([a], [b]) => (a < b ? -1 : 1));
    return { key: hash(py.flat()), py, interpreters: pythonsFor(python) };
  });
  const work = new Map<Interpreter, Map<string, [string, string][]>>();
  for (const tree of trees) {
    for (const interpreter of tree.interpreters) {
      if (compiled.get(tree.key)?.has(interpreter.path)) continue;
      if (!work.has(interpreter)) work.set(interpreter, new Map());
      work.get(interpreter)!.set(tree.key, tree.py);
    }
  }
  await Promise.all(
    [...work].map(async ([interpreter, todo]) => {
      for (const [key, problems] of Object.entries(await runCompile(interpreter, todo))) {
        if (!compiled.has(key)) compiled.set(key, new Map());
        compiled.get(key)!.set(interpreter.path, problems);
      }
    }),
  );
  return trees.map((tree) => ({
    compiledBy: tree.interpreters.map((i) => i.version),
    problems: tree.interpreters.flatMap((i) => compiled.get(tree.key)!.get(i.path)!.map((p) => `[${i.version}] ${p}`)),
  }));
}

// ---------------------------------------------------------------- ruff

/** settings + path + content → problems of that file */
const linted = new Map<string, RuffProblem[]>();

const ruffSettingsOf = (files: Files): string => {
  const pyproject = files.get('pyproject.toml');
  if (pyproject === undefined) throw new Error('no pyproject.toml among the files');
  return JSON.stringify((parseToml(pyproject) as { tool?: { ruff?: unknown } }).tool?.ruff ?? {});
};

/**
 * `ruffCheck` (ruff check + ruff format --check with the project's own
 * settings) for each project, running ruff only on files whose path, content
 * and settings it has not seen before.
 */
export function ruffProblems(projects: readonly Files[]): RuffProblem[][] {
  const keyed = projects.map((files) => {
    const settings = ruffSettingsOf(files);
    const py = [...files].filter(([path]) => path.endsWith('.py'));
    return { files, py: py.map(([path, content]) => ({ path, key: hash([settings, path, content]) })) };
  });
  for (const { files, py } of keyed) {
    const todo = py.filter((f) => !linted.has(f.key));
    if (todo.length === 0) continue;
    const subset = new Map([['pyproject.toml', files.get('pyproject.toml')!], ...todo.map((f) => [f.path, files.get(f.path)!] as const)]);
    const problems = ruffCheck(subset);
    for (const f of todo) linted.set(f.key, problems.filter((p) => p.path === f.path));
  }
  return keyed.map(({ py }) => py.flatMap((f) => linted.get(f.key)!));
}

// ---------------------------------------------------------------- make

export interface MakeResult {
  /** `make -n TARGETS` */
  readonly dryRun: { readonly status: number | null; readonly stdout: string; readonly stderr: string };
  /** `make` alone (the help target) */
  readonly help: { readonly status: number | null; readonly stdout: string; readonly stderr: string };
}

const made = new Map<string, MakeResult>();

/**
 * GNU make run on the project's Makefile, in a copy of the project: once with
 * `-n` over `targets`, once alone (its default goal). Projects whose Makefile
 * and targets are the same share one run.
 */
export function runMake(files: Files, targets: readonly string[]): MakeResult {
  const makefile = files.get('Makefile');
  if (makefile === undefined) throw new Error('no Makefile among the files');
  const key = hash([makefile, ...targets]);
  const known = made.get(key);
  if (known) return known;
  const dir = mkdtempSync(join(tmpdir(), 'pyservice-make-'));
  try {
    for (const [path, content] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const run = (args: string[]) => {
      const r = spawnSync('make', args, { cwd: dir, encoding: 'utf8' });
      if (r.error) throw new Error(`make is needed by this test: ${r.error.message}`);
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    // POETRY/DOCKER given: `make -n` expands the recipes, and a missing tool stops make (this machine may lack both).
    const result = { dryRun: run(['-n', 'POETRY=poetry', 'DOCKER=docker', ...targets]), help: run(['--no-print-directory']) };
    made.set(key, result);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
