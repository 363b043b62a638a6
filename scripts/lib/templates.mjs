// Templates compiled at build time: templates/<kind>/** (the source of truth)
// becomes one JavaScript module of functions, which the bundle uses instead of
// src/render/template-source.ts (which reads and renders the files with ejs, as
// the sources and the tests do). A run then reads no template and parses none.
//
// Each .ejs file is turned into JavaScript by ejs itself (the body ejs.render
// would run), in strict mode: ejs.render looks the template's names up in the
// context with `with (locals)`, which a module cannot use, so the names the
// body uses without declaring them are found here (with TypeScript's parser) and
// taken from the context by name. A name the context lacks fails the render as
// ejs.render would; a JavaScript global (String, JSON, ...) stays the global.
// test/unit/templates.test.ts renders every template both ways, for every
// supported combination, and requires the same bytes.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import ts from 'typescript';

export const TEMPLATES_ROOT = new URL('../../templates/', import.meta.url);

/** What a template may not use: ejs.render's HTML escaping (same message as template-source.ts). */
const REFUSE_HTML_ESCAPE = 'templates must not use <%= (HTML escaping); use <%- with an escaping function';

/** Names ejs's generated body relies on that it does not declare itself. */
const EJS_OWN = new Set(['__output', '__append', 'escapeFn', 'locals', 'include', 'rethrow']);

/** `templates/<kind>/` files, '/'-separated and sorted, for each kind (directory) under templates/. */
export function listTemplateKinds(root = TEMPLATES_ROOT) {
  const rootPath = root instanceof URL ? fileURLToPath(root) : root;
  const kinds = {};
  for (const entry of readdirSync(rootPath, { withFileTypes: true }).filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const dir = join(rootPath, entry.name);
    kinds[entry.name] = readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
      .sort()
      .map((path) => ({ path, text: readFileSync(join(dir, path), 'utf8') }));
  }
  return kinds;
}

/** Identifiers `code` (a function body) uses without declaring them anywhere in it. */
function freeNames(code) {
  const file = ts.createSourceFile('template.js', `function template() {\n${code}\n}`, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const syntax = file.parseDiagnostics ?? [];
  if (syntax.length > 0) throw new Error(ts.flattenDiagnosticMessageText(syntax[0].messageText, '\n'));
  const declared = new Set();
  const used = new Set();
  const visit = (node) => {
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isName = (p) => p.name === node;
      if (
        (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isFunctionExpression(parent) || ts.isClassDeclaration(parent) || ts.isClassExpression(parent)) &&
        isName(parent)
      ) {
        declared.add(node.text);
      } else if (ts.isBindingElement(parent)) {
        if (isName(parent)) declared.add(node.text); // `{ a: b }` declares b; the property name a is no reference
        else if (parent.initializer === node) used.add(node.text);
      } else if ((ts.isPropertyAccessExpression(parent) || ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent)) && isName(parent)) {
        // a property name
      } else if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) {
        // a label
      } else {
        used.add(node.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file.statements[0].body);
  return [...used].filter((name) => !declared.has(name) && !EJS_OWN.has(name) && name !== 'undefined').sort();
}

/** One .ejs template as the source of a JavaScript function of the context. */
function compileEjs(text, filename) {
  const template = new ejs.Template(text, { strict: true, _with: false, compileDebug: false, filename });
  template.generateSource();
  const body = template.source;
  const free = freeNames(body);
  if (free.includes('include')) throw new Error(`${filename}: include() is not supported by the compiled templates`);
  const globals = free.filter((name) => name in globalThis);
  const names = free.filter((name) => !(name in globalThis));
  return `(locals) => {
  const { ${names.join(', ')} } = contextOf(locals, ${JSON.stringify(names)}, ${JSON.stringify(globals)}, ${JSON.stringify(filename)});
  let __output = "";
  function __append(s) { if (s !== undefined && s !== null) __output += s; }
  {
${body}
  }
  return __output;
}`;
}

/** The module that stands in for src/render/template-source.ts in the bundle. */
export function compiledTemplatesModule(root = TEMPLATES_ROOT) {
  const kinds = listTemplateKinds(root);
  const entries = Object.entries(kinds).map(([kind, files]) => {
    const list = files.map(({ path, text }) => {
      const render = path.endsWith('.ejs') ? compileEjs(text, `${kind}/${path}`) : `() => ${JSON.stringify(text)}`;
      return `  { path: ${JSON.stringify(path)}, render: ${render} }`;
    });
    return `${JSON.stringify(kind)}: [\n${list.join(',\n')}\n]`;
  });
  return `// Generated by scripts/lib/templates.mjs from templates/ at build time.
function escapeFn() {
  throw new Error(${JSON.stringify(REFUSE_HTML_ESCAPE)});
}
/** The context's values of \`names\`, checked as ejs.render's \`with (locals)\` would find them. */
function contextOf(locals, names, globals, filename) {
  for (const name of names) {
    if (!Object.hasOwn(locals, name)) throw new ReferenceError(\`\${name} is not defined (in \${filename})\`);
  }
  for (const name of globals) {
    if (Object.hasOwn(locals, name)) throw new Error(\`\${filename}: the context's "\${name}" would hide the JavaScript global of that name\`);
  }
  return locals;
}
const KINDS = {
${entries.join(',\n')}
};
export function templateFiles(kind) {
  const files = Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
  if (!files) throw new Error(\`no templates/\${kind}/ was compiled into this build\`);
  return files;
}
`;
}

/** esbuild plugin: src/render/template-source.ts → the compiled templates. */
export function compiledTemplates(root = TEMPLATES_ROOT) {
  return {
    name: 'compiled-templates',
    setup(build) {
      build.onResolve({ filter: /[\\/]template-source\.js$/ }, (args) =>
        /[\\/]src[\\/]render$/.test(args.resolveDir) ? { path: 'compiled-templates', namespace: 'compiled-templates' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'compiled-templates' }, () => ({ contents: compiledTemplatesModule(root), loader: 'js' }));
    },
  };
}
