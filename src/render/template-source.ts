/**
 * The templates, read from templates/<kind>/ (the source of truth) and rendered
 * with ejs: what the sources and the tests use. The bundle does not contain
 * this module: scripts/build.mjs replaces it with the same templates compiled
 * to JavaScript at build time (scripts/lib/templates.mjs), so a run reads and
 * parses no template. Every module that renders a template goes through
 * templateFiles(); test/unit/templates.test.ts requires both to render the same
 * bytes for every combination, and test/cli/bundle.test.ts runs the bundle with
 * no templates/ beside it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';

/** One file of templates/<kind>/. */
export interface TemplateFile {
  /** Its path below templates/<kind>/, '/'-separated, as in the repository (`app/main.py.ejs`, `_gitignore`). */
  readonly path: string;
  /** Its content for `context`: rendered by ejs for a `.ejs` file, the file as it is otherwise. */
  render(context: Readonly<Record<string, unknown>>): string;
}

/**
 * The repository's templates/: the nearest one above this module. The sources run from
 * src/render/, a bundle of them from wherever it was written (the verify bundle sits in
 * a .verify-XXXXXX directory at the top): walking up finds the one templates/ for both.
 */
function templatesRoot(from: string): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'templates', 'service'))) return join(dir, 'templates');
    if (dirname(dir) === dir) throw new Error(`no templates/ above ${from}`);
  }
}

let root: string | undefined;

const refuseHtmlEscape = () => {
  throw new Error('templates must not use <%= (HTML escaping); use <%- with an escaping function');
};

const cache = new Map<string, readonly TemplateFile[]>();

function load(kind: string): readonly TemplateFile[] {
  const dir = join((root ??= templatesRoot(fileURLToPath(import.meta.url))), kind);
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    throw new Error(`no templates/${kind}/ was found at ${dir}`);
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort()
    .map((path) => {
      const text = readFileSync(join(dir, path), 'utf8');
      const filename = `${kind}/${path}`;
      if (!path.endsWith('.ejs')) return { path, render: () => text };
      return {
        path,
        render: (context) => {
          // Without compileDebug: ejs would report an error through the escape function, which refuses.
          try {
            return ejs.render(text, context, { escape: refuseHtmlEscape, filename, compileDebug: false });
          } catch (error) {
            if (error instanceof Error && !error.message.includes('<%=')) error.message += ` (in ${filename})`;
            throw error;
          }
        },
      };
    });
}

/** The files of templates/<kind>/, sorted by path. */
export function templateFiles(kind: string): readonly TemplateFile[] {
  let files = cache.get(kind);
  if (!files) cache.set(kind, (files = load(kind)));
  return files;
}
