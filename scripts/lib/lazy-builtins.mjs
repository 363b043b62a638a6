// esbuild plugin: Node built-in modules are loaded when first used, not when
// the bundle starts.
//
// An ESM `import ... from 'node:fs'` makes Node build the module's ESM facade,
// which reads every export, getters included: `fs` then loads its streams and
// fs/promises, `crypto` its Web Crypto, for nothing. Here each built-in the
// bundle imports becomes a small CommonJS module whose exports are getters that
// require() the real module (no facade) on first access, so a run pays only for
// the built-ins it calls. The export names are the built-in's own, read from
// this Node at build time.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Built-ins whose exports are a plain object of functions, classes and values (not a class or an
// instance such as `events` or `process`, whose default import must stay the thing itself).
const LAZY = new Set(['async_hooks', 'child_process', 'crypto', 'fs', 'fs/promises', 'os', 'path', 'readline', 'tty', 'url', 'util', 'zlib']);

export const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      return LAZY.has(name) && args.namespace !== 'lazy-builtin' ? { path: name, namespace: 'lazy-builtin' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
      const names = Object.keys(require(`node:${args.path}`)).filter((key) => key !== 'default' && key !== '__esModule');
      return {
        contents: `let loaded;
const load = () => (loaded ??= require(${JSON.stringify(`node:${args.path}`)}));
for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
`,
        loader: 'js',
      };
    });
  },
};
