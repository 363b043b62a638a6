/**
 * The bundle renders from templates compiled at build time
 * (scripts/lib/templates.mjs); the sources and every other test render from
 * templates/ with ejs (src/render/template-source.ts). Here both render every
 * supported combination (with and without an author, with text that needs
 * escaping) and must give the same bytes: renderService is bundled with the
 * very esbuild plugin the build uses, so the compiled side is the bundle's code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as source from '../../src/render/render.js';
import { templateFiles } from '../../src/render/template-source.js';
import { compiledTemplates, compiledTemplatesModule, listTemplateKinds } from '../../scripts/lib/templates.mjs';
import { REPO } from '../helpers/cli.js';
import { label, SUPPORTED } from '../helpers/matrix.js';
import { ADA, defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

let dir: string;
let compiled: typeof source;
let compiledFiles: (kind: string) => readonly { path: string; render(context: object): string }[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pyservice-templates-'));
  const bundle = join(dir, 'render.mjs');
  await build({
    entryPoints: [join(REPO, 'src/render/render.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: bundle,
    define: { __VERSION__: JSON.stringify(TEST_VERSION) },
    plugins: [compiledTemplates()],
    logLevel: 'error',
  });
  compiled = await import(pathToFileURL(bundle).href);
  const module = join(dir, 'templates.mjs');
  writeFileSync(module, compiledTemplatesModule());
  ({ templateFiles: compiledFiles } = await import(pathToFileURL(module).href));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const description = 'Say "hi" `id` $(touch /tmp/x) \\ \'q\' # <%- not a tag %> ${x}';
const variants = SUPPORTED.flatMap((combo) => [
  { name: `${label(combo)}, no author`, answers: defaultAnswers({ ...combo }) },
  { name: `${label(combo)}, author and odd text`, answers: defaultAnswers({ ...combo, name: 'odd-service', description, author: ADA, port: 8080 }) },
]);

describe('compiled templates render what templates/ renders', () => {
  it.each(variants)('$name', ({ answers }) => {
    const expected = source.renderService(answers, TEST_VERSION);
    const actual = compiled.renderService(answers, TEST_VERSION);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [path, content] of expected) expect(actual.get(path), path).toBe(content);
  });

  it('list the same paths for the early conflict check', () => {
    for (const known of [{}, { server: 'gunicorn' as const }, { server: 'uvicorn' as const }]) {
      expect(compiled.possibleServicePaths(known)).toEqual(source.possibleServicePaths(known));
    }
  });

  it('hold every file of every kind under templates/, with the same text where nothing is rendered', () => {
    for (const [kind, files] of Object.entries(listTemplateKinds())) {
      const bundled = compiledFiles(kind);
      expect(bundled.map((f) => f.path)).toEqual(files.map((f) => f.path));
      expect(templateFiles(kind).map((f) => f.path)).toEqual(files.map((f) => f.path));
      for (const file of files.filter((f) => !f.path.endsWith('.ejs'))) {
        expect(bundled.find((f) => f.path === file.path)!.render({})).toBe(file.text);
      }
    }
  });
});

describe('a compiled template fails where ejs.render fails', () => {
  const context = source.templateContext(defaultAnswers(), TEST_VERSION);

  it('on a name the context lacks', () => {
    const main = (files: typeof compiledFiles) => files('service').find((f) => f.path === 'pyproject.toml.ejs')!;
    const { name: _, ...withoutName } = context;
    expect(() => main(templateFiles).render(withoutName)).toThrow("name is not defined (in service/pyproject.toml.ejs)");
    expect(() => main(compiledFiles).render(withoutName)).toThrow("name is not defined (in service/pyproject.toml.ejs)");
  });

  it('on HTML escaping (<%=)', async () => {
    const { compiledTemplatesModule: compile } = await import('../../scripts/lib/templates.mjs');
    const root = mkdtempSync(join(tmpdir(), 'pyservice-escape-'));
    try {
      const kind = join(root, 'k');
      (await import('node:fs')).mkdirSync(kind);
      writeFileSync(join(kind, 'x.ejs'), 'a <%= value %> b <% for (const item of items) { %><%- item %>,<% } %>');
      writeFileSync(join(root, 'm.mjs'), compile(`${root}/`));
      const { templateFiles: files } = await import(pathToFileURL(join(root, 'm.mjs')).href);
      expect(() => files('k')[0].render({ value: 1, items: [] })).toThrow(/must not use <%=/);
      // declared names (item) are not taken from the context; used ones (items) are
      expect(() => files('k')[0].render({ value: 1 })).toThrow(/items is not defined/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('when the context would hide a JavaScript global the template uses', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pyservice-global-'));
    try {
      (await import('node:fs')).mkdirSync(join(root, 'k'));
      writeFileSync(join(root, 'k', 'x.ejs'), '<%- JSON.stringify(value) %>|<%- String(n) %>');
      writeFileSync(join(root, 'm.mjs'), compiledTemplatesModule(`${root}/`));
      const { templateFiles: files } = await import(pathToFileURL(join(root, 'm.mjs')).href);
      expect(files('k')[0].render({ value: [1, 'a'], n: 2 })).toBe('[1,"a"]|2');
      expect(() => files('k')[0].render({ value: 1, n: 2, JSON: {} })).toThrow(/would hide the JavaScript global/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('compiled route templates render what templates/route/ renders', () => {
  let compiledRoute: typeof import('../../src/render/route.js');
  beforeAll(async () => {
    const bundle = join(dir, 'route.mjs');
    await build({
      entryPoints: [join(REPO, 'src/render/route.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile: bundle,
      plugins: [compiledTemplates()],
      logLevel: 'error',
    });
    compiledRoute = await import(pathToFileURL(bundle).href);
  });

  it.each(['orders', 'order_lines', 'status', 'categories', 'x'.repeat(24)])('%s', async (name) => {
    const sourceRoute = await import('../../src/render/route.js');
    const expected = sourceRoute.renderRoute(sourceRoute.routeNames(name));
    const actual = compiledRoute.renderRoute(compiledRoute.routeNames(name));
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [path, content] of expected) expect(actual.get(path), path).toBe(content);
  });
});
