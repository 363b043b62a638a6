/**
 * The real ruff (its official WebAssembly build from npm) run over generated
 * files with the project's own `[tool.ruff]` settings from pyproject.toml.
 * The wasm build sees contents, not paths, so per-file-ignores are applied
 * here by matching each file's path, as the ruff CLI would.
 */
import { createRequire } from 'node:module';
import { parse as parseToml } from 'smol-toml';

const require = createRequire(import.meta.url);
const ruff = require('@astral-sh/ruff-wasm-nodejs') as typeof import('@astral-sh/ruff-wasm-nodejs');

export interface RuffProblem {
  readonly path: string;
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

interface RuffToml {
  'line-length'?: number;
  'target-version'?: string;
  lint?: {
    select?: string[];
    ignore?: string[];
    'per-file-ignores'?: Record<string, string[]>;
    isort?: Record<string, unknown>;
  };
  format?: Record<string, unknown>;
}

/** `tests/**` → matches `tests/x.py` and `tests/a/b.py`; `*` stays within one directory. */
function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

export const ruffVersion = (): string => ruff.Workspace.version();

/** Lint (`ruff check`) and format-check (`ruff format --check`) every `.py` file. */
export function ruffCheck(files: ReadonlyMap<string, string>): RuffProblem[] {
  const pyproject = files.get('pyproject.toml');
  if (pyproject === undefined) throw new Error('no pyproject.toml among the files');
  const settings = ((parseToml(pyproject) as { tool?: { ruff?: RuffToml } }).tool?.ruff ?? {}) as RuffToml;
  const { lint = {}, ...top } = settings;
  const { 'per-file-ignores': perFile = {}, ...lintRest } = lint;
  const workspaces = new Map<string, InstanceType<typeof ruff.Workspace>>();
  const workspaceFor = (extraIgnores: string[]) => {
    const key = extraIgnores.join(',');
    let workspace = workspaces.get(key);
    if (!workspace) {
      workspace = new ruff.Workspace(
        { ...top, lint: { ...lintRest, ignore: [...(lintRest.ignore ?? []), ...extraIgnores] } },
        ruff.PositionEncoding.Utf16,
      );
      workspaces.set(key, workspace);
    }
    return workspace;
  };
  const problems: RuffProblem[] = [];
  for (const [path, content] of files) {
    if (!path.endsWith('.py')) continue;
    const ignores = Object.entries(perFile)
      .filter(([glob]) => globToRegExp(glob).test(path))
      .flatMap(([, codes]) => codes);
    const workspace = workspaceFor(ignores);
    const diagnostics = workspace.check(content) as { code: string | null; message: string; start_location: { row: number } }[];
    for (const d of diagnostics) {
      problems.push({ path, line: d.start_location.row, code: d.code ?? 'syntax-error', message: d.message });
    }
    let formatted: string;
    try {
      formatted = workspace.format(content);
    } catch (error) {
      // ruff format refuses files it cannot parse (ruff check reports those too).
      problems.push({ path, line: 1, code: 'format', message: `ruff format cannot parse it: ${String(error)}` });
      continue;
    }
    if (formatted !== content) problems.push({ path, line: 1, code: 'format', message: 'would be reformatted by ruff format' });
  }
  return problems;
}
