/**
 * pyright (npm `pyright`, the type checker's own CLI bundle; runs offline) in
 * strict mode over generated Python trees, in one process: each tree is an
 * execution environment with its own Python version and library path. Strict
 * checking needs the libraries' sources (fastapi, pydantic, pytest, ...): the
 * caller passes a directory holding them, e.g. wheels unpacked from the
 * harness's local index.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

export interface TypeCheckTree {
  /** A directory name for the tree. */
  readonly name: string;
  /** The Python version it targets ("3.13"). */
  readonly python: string;
  /** Its Python files: relative path → content. */
  readonly files: ReadonlyMap<string, string>;
}

export interface TypeCheckFinding {
  readonly tree: string;
  readonly path: string;
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

interface PyrightJson {
  generalDiagnostics: { file: string; severity: string; message: string; rule?: string; range: { start: { line: number } } }[];
  summary: { filesAnalyzed: number; errorCount: number };
}

const pyrightCli = () => join(dirname(createRequire(import.meta.url).resolve('pyright/package.json')), 'index.js');

export function pyrightVersion(): string {
  return (spawnSync(process.execPath, [pyrightCli(), '--version'], { encoding: 'utf8' }).stdout ?? '').trim();
}

/**
 * Type-check `trees` under `workDir` with pyright --strict against the libraries in
 * `libraries` (a site-packages, or wheels unpacked into one directory); returns every
 * error and warning. The libraries are presented as the site-packages of a venv, so
 * pyright never looks at the Python installed on this machine or its packages.
 */
export function pyrightStrict(trees: readonly TypeCheckTree[], libraries: string, workDir: string): { findings: TypeCheckFinding[]; filesAnalyzed: number } {
  const venvLib = join(workDir, '.venv', 'lib', `python${trees[0]?.python ?? '3'}`);
  mkdirSync(venvLib, { recursive: true });
  symlinkSync(libraries, join(venvLib, 'site-packages'));
  for (const tree of trees) {
    for (const [path, content] of tree.files) {
      mkdirSync(dirname(join(workDir, tree.name, path)), { recursive: true });
      writeFileSync(join(workDir, tree.name, path), content);
    }
  }
  const config = {
    typeCheckingMode: 'strict',
    venvPath: '.',
    venv: '.venv',
    include: trees.map((t) => t.name),
    executionEnvironments: trees.map((t) => ({ root: t.name, pythonVersion: t.python })),
  };
  writeFileSync(join(workDir, 'pyrightconfig.json'), `${JSON.stringify(config, null, 2)}\n`);
  const result = spawnSync(process.execPath, [pyrightCli(), '--project', join(workDir, 'pyrightconfig.json'), '--outputjson'], {
    cwd: workDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  let report: PyrightJson;
  try {
    report = JSON.parse(result.stdout) as PyrightJson;
  } catch {
    throw new Error(`pyright gave no report (exit ${result.status}): ${(result.stderr || result.stdout).slice(0, 500)}`);
  }
  const findings = report.generalDiagnostics
    .filter((d) => d.severity === 'error' || d.severity === 'warning')
    .map((d) => {
      const [tree, ...rest] = relative(workDir, d.file).split('/');
      return { tree: tree ?? '', path: rest.join('/'), line: d.range.start.line + 1, rule: d.rule ?? d.severity, message: d.message.split('\n')[0] ?? '' };
    });
  return { findings, filesAnalyzed: report.summary.filesAnalyzed };
}
