#!/usr/bin/env node
// The executable behind `create-pyservice` and `pyservice`. The CLI itself is
// the esbuild bundle in dist/, built when the package is packed (prepack), so
// the published package always has it and installing it runs no script. In a
// clone, `npm ci && npx . my-api` arrives here before any build: build once.
// Every run starts here, so this file loads nothing it does not use: node:fs through Node's own
// lookup where it has one (20.16+; an ESM import of node:fs also loads its streams and promise API),
// and what only that first build needs only then.
const { existsSync } = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  const [{ spawnSync }, { fileURLToPath }] = await Promise.all([import('node:child_process'), import('node:url')]);
  const repo = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write('dist/ is not built yet (a clone of the repository): running npm run build first...\n');
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
await import(cli.href);
