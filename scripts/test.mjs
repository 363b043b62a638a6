// `npm test`: typecheck and test side by side instead of one after the other.
// The type checker needs nothing built; vitest needs dist/ (the CLI tests spawn
// the bundle), so: start tsc, build, run vitest, then report tsc. Fails if
// either fails. Arguments go to vitest (`npm test -- test/unit`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** The JavaScript file behind a package's bin (what node_modules/.bin links to). */
const bin = (pkg, name) => {
  const manifest = require.resolve(`${pkg}/package.json`);
  return join(dirname(manifest), require(manifest).bin[name]);
};

// The tests make no TLS connection (npm in the package test is offline). NODE_EXTRA_CA_CERTS,
// set on some machines, makes every Node process parse a CA bundle as it starts (here about
// 0.1 s each), and the tests start hundreds (workers, the CLI, npm): leave it out.
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const run = (args, options = {}) =>
  new Promise((done) => {
    const child = spawn(process.execPath, args, { env, stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (options.capture) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    child.on('close', (code, signal) => done({ code: code ?? (signal ? 1 : 0), output }));
  });

// Incremental: a re-run re-checks only what changed (the state lives in node_modules/.cache).
const typecheck = run(
  [bin('typescript', 'tsc'), '--noEmit', '--pretty', '--incremental', '--tsBuildInfoFile', 'node_modules/.cache/create-pyservice/tsc.tsbuildinfo'],
  { capture: true },
);
const build = await run(['scripts/build.mjs']);
const tests = build.code === 0 ? await run([bin('vitest', 'vitest'), 'run', ...process.argv.slice(2)]) : build;
const types = await typecheck;
process.stdout.write(types.output);
if (types.code !== 0) process.stderr.write('\ntsc --noEmit failed (see above)\n');
else process.stdout.write('tsc --noEmit: no type errors\n');
process.exitCode = tests.code || types.code;
