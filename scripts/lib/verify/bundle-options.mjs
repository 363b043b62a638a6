// How launch.mjs bundles the verify sources (and the test that renders from such a bundle): one place.
import { join } from 'node:path';

/** esbuild options for `entryPoints`, written to `dir` (a .verify-XXXXXX directory at the top of `repo`). */
export function bundleOptions(entryPoints, dir, version) {
  return {
    entryPoints,
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    define: { __VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  };
}

/** The verify entry point of `repo`. */
export const verifyEntry = (repo) => ({ verify: join(repo, 'scripts', 'verify.ts') });
