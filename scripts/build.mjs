// Bundles the CLI into dist/ with esbuild: one small entry chunk that starts
// fast, and lazily loaded chunks for the prompt library and node-plop. The
// templates are compiled into the bundle (scripts/lib/templates.mjs), and only
// the part of node-plop we use is bundled (scripts/lib/node-plop-core.mjs).
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { nodePlopCore } from './lib/node-plop-core.mjs';
import { compiledTemplates } from './lib/templates.mjs';
import { lazyBuiltins } from './lib/lazy-builtins.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
for (const dir of ['../dist', '../build']) rmSync(new URL(dir, import.meta.url), { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Bundled CommonJS code (and the lazily loaded built-ins, scripts/lib/lazy-builtins.mjs) call
  // require() for Node built-ins (esbuild's __require looks for a `require` in scope): Node's own
  // lookup of a built-in where it has one (20.16+), else a require() made on first use.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; var __required; function require(id) { return process.getBuiltinModule?.(id) ?? (__required ??= __createRequire(import.meta.url))(id); }",
  },
  logLevel: 'warning',
};

// The published CLI. Legal comments (/*! … */, @license) stay at the end of each file.
const cli = await build({
  ...common,
  plugins: [nodePlopCore, compiledTemplates(), lazyBuiltins],
  entryPoints: { cli: 'src/cli/bin.ts' },
  outdir: 'dist',
  splitting: true,
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  metafile: true,
  chunkNames: 'chunks/[name]-[hash]',
});


/** The package directory of a bundled input (node_modules/<name> or node_modules/@scope/<name>). */
function packageDir(input) {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at === -1) return undefined;
  const size = parts[at + 1]?.startsWith('@') ? 2 : 1;
  return parts.slice(0, at + 1 + size).join(sep);
}

/** The MIT and ISC texts, for the few packages that ship no licence file (the copyright holder from their package.json). */
const SPDX = {
  MIT: (holder) => `MIT License

Copyright (c) ${holder}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`,
  ISC: (holder) => `ISC License

Copyright (c) ${holder}

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.`,
};

function spdxText(manifest) {
  const author = typeof manifest.author === 'string' ? manifest.author : manifest.author?.name;
  const license = SPDX[manifest.license];
  if (!license || !author) throw new Error(`${manifest.name} is bundled into dist/ but ships no licence file and no MIT/ISC licence with an author: add its notice by hand`);
  return `${license(author)}\n\n(${manifest.name} publishes no licence file; this is the ${manifest.license} text its package.json names, with its author.)`;
}

function thirdPartyNotices(inputs) {
  const dirs = [...new Set(inputs.map(packageDir).filter(Boolean))].sort();
  const sections = dirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licenceFile = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
    const text = licenceFile ? readFileSync(join(dir, licenceFile), 'utf8').trim() : spdxText(manifest);
    // An Apache-2.0 NOTICE file travels with the licence.
    const noticeFile = readdirSync(dir).find((name) => /^notice(\.(md|txt))?$/i.test(name));
    const notice = noticeFile ? `\n\nNOTICE:\n\n${readFileSync(join(dir, noticeFile), 'utf8').trim()}` : '';
    return `## ${manifest.name} ${manifest.version}\n\nLicence: ${manifest.license}${manifest.homepage ? ` · ${manifest.homepage}` : ''}\n\n\`\`\`\`text\n${text}${notice}\n\`\`\`\`\n`;
  });
  // Code ported into our sources (not bundled as a package): src/project/line-diff.ts's diff3 regions.
  const ported = `## node-diff3 3.2.1 (ported: src/project/line-diff.ts)\n\nLicence: MIT · https://github.com/bhousel/node-diff3\n\n\`\`\`\`text\n${readFileSync('scripts/notices/node-diff3-3.2.1-LICENSE.md', 'utf8').trim()}\n\`\`\`\`\n`;
  return `# Third-party notices\n\ncreate-pyservice bundles the following packages into dist/ (found from the esbuild metafile at build time),\nand carries code ported from the last one. Their licences follow.\n\n${[...sections, ported].join('\n')}`;
}

// `npm run verify` (development only, not published): dev dependencies stay external.
await build({
  ...common,
  entryPoints: { verify: 'scripts/verify.ts' },
  outdir: 'build',
  packages: 'external',
});

// Tests only (never published): the CLI behind an entry that installs the writer's step hook from the
// environment (test/helpers/fault-cli.ts), so a spawned run can be killed or paused at a chosen step;
// dist/ itself has no fault injection. (A tree without test/, as the next-release copy of the tests, skips it.)
if (existsSync('test/helpers/fault-cli.ts')) await build({
  ...common,
  plugins: [nodePlopCore, compiledTemplates(), lazyBuiltins],
  entryPoints: { cli: 'test/helpers/fault-cli.ts' },
  outdir: 'build/fault-cli',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

// Every package with code in the bundle, with its licence text: dist/THIRD_PARTY_NOTICES.md.
writeFileSync('dist/THIRD_PARTY_NOTICES.md', thirdPartyNotices(Object.keys(cli.metafile.inputs)));
