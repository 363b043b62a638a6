// Bundles the CLI into dist/ with esbuild: one small entry chunk that starts
// fast, and lazily loaded chunks for the prompt library and node-plop.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const dir of ['../dist', '../build']) rmSync(new URL(dir, import.meta.url), { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
};

// node-plop imports inquirer 9 (and rxjs) for its own prompting, which we never use:
// our questions are asked with @inquirer/prompts before node-plop runs the actions.
// Bundling a stand-in keeps ~40 ms of module loading out of every run; using it fails loudly.
const nodePlopWithoutPrompts = {
  name: 'node-plop-without-prompts',
  setup(b) {
    b.onResolve({ filter: /^inquirer$/ }, (args) =>
      args.importer.includes(`node-plop`) ? { path: 'inquirer', namespace: 'no-inquirer' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'no-inquirer' }, () => ({
      contents: `const unavailable = () => { throw new Error('node-plop prompts are not used by create-pyservice'); };
export default { registerPrompt() {}, prompt: Object.assign(unavailable, { prompts: {} }) };`,
      loader: 'js',
    }));
  },
};

// The published CLI.
await build({
  ...common,
  plugins: [nodePlopWithoutPrompts],
  entryPoints: { cli: 'generators/bin.ts' },
  outdir: 'dist',
  splitting: true,
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
});

// `npm run verify` (development only, not published): dev dependencies stay external.
await build({
  ...common,
  entryPoints: { verify: 'scripts/verify.ts' },
  outdir: 'build',
  packages: 'external',
});
