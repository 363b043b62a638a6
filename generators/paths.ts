/**
 * Where the templates are: beside generators/ in the sources, beside dist/ in
 * the package. Bundled code may sit in dist/ or in dist/chunks/, so look
 * upwards from this module for the first `templates/` directory.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findTemplates(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'service'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`templates/ not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** `templates/<kind>/`, with a trailing slash. */
export const templatesOf = (kind: 'service' | 'route'): string => `${join(findTemplates(), kind)}/`;
