// `npm run verify [-- PATTERN... | --list]`: bundles scripts/verify.ts into a private directory of
// the repository (.verify-<random>/, removed afterwards) and runs it from there. Not build/verify.js:
// verify takes the harness lock (lock.mjs) before it runs scripts/build.mjs, so a second verify
// never rebuilds dist/ or build/ under a running one; and --list, --help and a bad argument are
// answered at once, with no lock, no build and no harness.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleOptions, verifyEntry } from './bundle-options.mjs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const SIGNAL_NUMBER = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

/** Run `node file args` with our stdio; resolve with its exit status (128+n after a signal). */
function node(file, argv) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [file, ...argv], { cwd: repo, stdio: 'inherit' });
    // A signal for us is one for verify too (Ctrl-C reaches both already; `kill PID` only us).
    const forward = (signal) => child.kill(signal);
    for (const signal of SIGNALS) process.on(signal, forward);
    child.on('exit', (code, signal) => {
      for (const s of SIGNALS) process.off(s, forward);
      done(code ?? 128 + (SIGNAL_NUMBER[signal] ?? 1));
    });
  });
}

async function main() {
  const { build } = await import('esbuild');
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const dir = mkdtempSync(join(repo, '.verify-'));
  try {
    await build(bundleOptions(verifyEntry(repo), dir, pkg.version));
    return await node(join(dir, 'verify.js'), process.argv.slice(2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
