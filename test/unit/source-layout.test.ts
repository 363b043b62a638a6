/**
 * The source tree's shape: no import cycle among our modules (type imports,
 * re-exports and dynamic imports included: a cycle of types is still two
 * modules that cannot be read, changed or moved one without the other), and
 * no source file over 500 lines. The imports are read with TypeScript's own
 * parser from the real files, so what is checked is what tsc and esbuild see.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const SOURCE = /\.(ts|mts|mjs|js)$/;

/** Every source file below `dir` (relative to the repository, `/`-separated). */
function sourcesIn(dir: string, recursive: boolean): string[] {
  return readdirSync(join(REPO, dir), { recursive, withFileTypes: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(REPO, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** The modules the cycle check covers (and the size check, with test helpers). */
const MODULES = [...sourcesIn('generators', false), ...sourcesIn('src', true), 'plopfile.ts', ...sourcesIn('scripts', true), ...sourcesIn('test/helpers', false)];

/** Every module specifier `file` names: import, import type, export … from, import(), require(). */
export function specifiersOf(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0]!)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text); // type X = import('./y.js').Z
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Our module a relative specifier names (`./x.js` is `./x.ts` on disk), or undefined for a package or a file outside the set. */
function resolveSpecifier(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = relative(REPO, resolve(REPO, dirname(from), specifier)).split(sep).join('/');
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => known.has(c));
}

/** The import graph of `files`: module → the modules it imports. */
export function importGraph(files: readonly string[], read: (file: string) => string): Map<string, string[]> {
  const known = new Set(files);
  return new Map(
    files.map((file) => [file, [...new Set(specifiersOf(file, read(file)).map((s) => resolveSpecifier(file, s, known)).filter((m): m is string => m !== undefined))]]),
  );
}

/** Every cycle, one per strongly connected component, as `a → b → … → a` (Tarjan, then a shortest way back). */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!order.has(v)) connect(v);
  return components.map((component) => {
    const inside = new Set(component);
    const start = [...component].sort()[0]!;
    // Breadth-first from start's successors back to start, inside the component: one concrete cycle to name.
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift()!;
      const next = (graph.get(v) ?? []).filter((w) => inside.has(w)).sort();
      if (next.includes(start)) {
        const path = [v];
        for (let p = v; p !== start; ) path.unshift((p = previous.get(p)!));
        const others = component.filter((m) => !path.includes(m)).sort();
        return [...path, start].join(' → ') + (others.length > 0 ? ` (caught in the same cycle: ${others.join(', ')})` : '');
      }
      for (const w of next) {
        if (w === start || previous.has(w)) continue;
        previous.set(w, v);
        queue.push(w);
      }
    }
    return component.join(' → ');
  });
}

const read = (file: string) => readFileSync(join(REPO, file), 'utf8');

describe('the source tree', () => {
  it('reads every kind of import, so a cycle made of any of them is found', () => {
    const files: Record<string, string> = {
      'a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
      'b.ts': "export { c } from './c.js';\nexport type B = import('./a.js').A;\n",
      'c.ts': "export const c = () => import('./d.js');\n",
      'd.ts': "import fs from 'node:fs';\nexport const d = fs;\n",
    };
    const graph = importGraph(Object.keys(files), (f) => files[f]!);
    expect(Object.fromEntries(graph)).toEqual({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts', 'a.ts'], 'c.ts': ['d.ts'], 'd.ts': [] });
    expect(cyclesOf(graph)).toEqual(['a.ts → b.ts → a.ts']);
  });

  it('has no import cycle among generators/, src/, plopfile.ts, scripts/ and test/helpers/ (type imports included)', () => {
    expect(MODULES).toContain('src/io/write.ts');
    expect(MODULES).toContain('scripts/lib/verify/plan.ts');
    expect(cyclesOf(importGraph(MODULES, read))).toEqual([]);
  });

  it('keeps the layers apart: each folder imports only the folders below it', () => {
    const layerOf = (file: string) => (file.startsWith('src/') ? file.split('/')[1]! : file.startsWith('generators/') ? 'generators' : undefined);
    // What each layer may import besides itself. render's one reach up: a new project's files include its
    // record (render.ts → project/record.ts), which holds the base of later updates.
    const allowed: Record<string, readonly string[]> = {
      model: [],
      io: ['model'],
      render: ['model', 'project/record.ts'],
      project: ['model', 'render', 'io'],
      generators: ['model', 'render', 'project', 'io'],
      cli: ['model', 'render', 'project', 'io', 'generators'],
    };
    const layers = new Set(Object.keys(allowed));
    const files = MODULES.filter((file) => layerOf(file) !== undefined);
    expect([...new Set(files.map(layerOf))].sort()).toEqual([...layers].sort());
    const crossings: string[] = [];
    for (const [file, imports] of importGraph(MODULES, read)) {
      const from = layerOf(file);
      if (from === undefined) continue;
      for (const target of imports) {
        const to = layerOf(target);
        if (to === undefined || to === from) continue;
        const ok = allowed[from]!.some((entry) => entry === to || target === `src/${entry}`);
        if (!ok) crossings.push(`${file} → ${target}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('has no dependency imported nowhere (each package is named by some source file; @types/X goes with X)', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    const files = [...MODULES, ...sourcesIn('test', true).filter((f) => !f.startsWith('test/helpers/')), 'vitest.config.ts', ...sourcesIn('bin', false)];
    const named = new Set<string>();
    for (const file of files) {
      const text = read(file);
      for (const specifier of specifiersOf(file, text)) named.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
      // Packages run rather than imported (their bin through node_modules, e.g. pyright, plop) are named as strings.
      for (const name of names) if (text.includes(`'${name}'`) || text.includes(`"${name}"`) || text.includes(`node_modules/${name}/`)) named.add(name);
    }
    const unused = names.filter((name) => {
      const typed = /^@types\/(.+)$/.exec(name)?.[1];
      if (typed === undefined) return !named.has(name);
      const of = typed.includes('__') ? `@${typed.replace('__', '/')}` : typed;
      return of !== 'node' && !(names.includes(of) && named.has(of));
    });
    expect(unused).toEqual([]);
  });

  it('has no source file over 500 lines (generators/, src/, plopfile.ts, scripts/, test/helpers/)', () => {
    const long = MODULES.map((file) => ({ file, lines: read(file).split('\n').length - (read(file).endsWith('\n') ? 1 : 0) })).filter(({ lines }) => lines > 500);
    expect(long.map(({ file, lines }) => `${file}: ${lines} lines`)).toEqual([]);
  });
});
