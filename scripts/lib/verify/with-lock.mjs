// `node scripts/lib/verify/with-lock.mjs COMMAND [ARGS...]`: run COMMAND holding the harness lock
// (lock.mjs), as `flock /tmp/pyservice-harness.lock COMMAND` does, but saying once whom it waits
// for, and without deadlocking when an ancestor holds the lock already (`flock LOCK .ci/run`).
// Exits with COMMAND's status (128+n after signal n); the lock goes when this process does.
import { spawn } from 'node:child_process';
import { acquireLock } from './lock.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/lib/verify/with-lock.mjs COMMAND [ARGS...] (runs COMMAND holding the harness lock)\n');
  process.exit(2);
}
const SIGNAL_NUMBER = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
let lock;
try {
  lock = await acquireLock({ what: [command, ...args].join(' ') });
} catch (error) {
  process.stderr.write(`with-lock: ${error.message}; ${command} was not run.\n`);
  process.exit(1);
}
const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`with-lock: cannot run ${command}: ${error.message}\n`);
  lock.release();
  process.exit(127);
});
child.on('exit', (code, signal) => {
  lock.release();
  process.exit(code ?? 128 + (SIGNAL_NUMBER[signal] ?? 1));
});
