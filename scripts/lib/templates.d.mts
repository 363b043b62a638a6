// Types of templates.mjs (plain JavaScript, so that scripts/build.mjs can run it with node).
import type { Plugin } from 'esbuild';

export const TEMPLATES_ROOT: URL;
/** templates/<kind>/ files, '/'-separated and sorted, with their text, for each kind. */
export function listTemplateKinds(root?: URL | string): Record<string, { path: string; text: string }[]>;
/** The JavaScript module that stands in for src/render/template-source.ts in the bundle. */
export function compiledTemplatesModule(root?: URL | string): string;
/** esbuild plugin: src/render/template-source.ts → the compiled templates. */
export function compiledTemplates(root?: URL | string): Plugin;
