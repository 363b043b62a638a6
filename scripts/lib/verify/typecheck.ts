/** Strict type check of the generated code (issue #9): pyright --strict over every distinct generated Python tree. */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { validCombinations } from '../../../src/model/compat.js';
import { DB_CHOICES, STATIC_DEFAULTS } from '../../../src/model/options.js';
import { renderService } from '../../../src/render/render.js';
import { pyrightStrict, pyrightVersion, type TypeCheckFinding, type TypeCheckTree } from '../pyright.js';
import { HARNESS_HOME, record } from './context.js';

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
export type GeneratedTree = TypeCheckTree & { view: 'index' | 'index-sid' };

const DB_VALUES = DB_CHOICES.map((choice) => choice.value);

/** The distinct generated Python trees (by content and Python version) of all valid combinations. */
export function generatedTrees(): Map<string, GeneratedTree> {
  const trees = new Map<string, GeneratedTree>();
  // Each combination without and with the database (--db postgres adds app/db/, migrations/ and its tests).
  for (const [combo, db] of validCombinations().flatMap((c) => DB_VALUES.map((db) => [c, db] as const))) {
    const files = renderService({ ...STATIC_DEFAULTS, name: 'typed-service', author: null, ...combo, db }, '0.0.0');
    const python = new Map([...files].filter(([path]) => path.endsWith('.py')).sort(([a], [b]) => a.localeCompare(b)));
    const key = `${combo.python}\n${JSON.stringify([...python])}`;
    if (trees.has(key)) continue;
    const minor = Number(combo.python.split('.')[1]);
    // The harness's index views: trixie's packages for Python <= 3.13, sid's for 3.14/3.15.
    trees.set(key, { name: `py${combo.python.replace('.', '')}-${combo.server}${db === 'none' ? '' : `-${db}`}`, python: combo.python, files: python, view: minor >= 14 ? 'index-sid' : 'index' });
  }
  return trees;
}

export function typeCheckGenerated(work: string, trees: ReadonlyMap<string, GeneratedTree>): void {
  const id = 'type check';
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

