// The harness lock of `npm run verify`: one verify at a time on a machine, queued with any manual
// use of the harness that takes the same lock (`flock /tmp/pyservice-harness.lock COMMAND`).
//
// The lock is util-linux's flock(1) on the lock file, held by a `flock` child whose command reads
// our stdin pipe: when this process ends in any way (exit, crash, Ctrl-C, SIGKILL) the pipe closes,
// the child exits and the kernel releases the lock; nothing stale is ever left to clean up.
// Plain JavaScript so that the launcher (launch.mjs) runs it before anything is built.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';

/** The harness lock; PYSERVICE_HARNESS_LOCK names another (a private harness, or a test). */
export const DEFAULT_LOCK = process.env.PYSERVICE_HARNESS_LOCK || '/tmp/pyservice-harness.lock';
/** flock's exit status when the lock is busy with -n (chosen so it cannot be confused with a failure). */
const BUSY = 75;

/** Processes holding a flock(2) lock on `path` (from /proc/locks; waiters, marked "->", excluded). */
export function lockHolders(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return [];
  }
  const dev = st.dev;
  const major = ((dev >> 8) & 0xfff) | Math.floor(dev / 2 ** 32) & ~0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & ~0xff & 0xfffff);
  const want = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${st.ino}`;
  const holders = [];
  for (const line of readFileSync('/proc/locks', 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== 'FLOCK') continue;
    if (fields[5] === want || fields[5]?.endsWith(`:${st.ino}`)) holders.push(Number(fields[4]));
  }
  return [...new Set(holders)];
}

function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** This process's ancestors (parent first), up to init. */
export function ancestors(pid = process.pid) {
  const out = [];
  for (let p = parentOf(pid); p > 1 && out.length < 64; p = parentOf(p)) out.push(p);
  return out;
}

/** When `pid` started, as HH:MM (local time), from /proc/PID/stat and the boot time. */
export function startedAt(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return hhmm(new Date((btime + ticks / 100) * 1000));
  } catch {
    return '?';
  }
}

const hhmm = (date) => date.toTimeString().slice(0, 5);

function commandOf(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return argv.length > 90 ? `${argv.slice(0, 87)}...` : argv;
  } catch {
    return 'a process that has since ended';
  }
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};

/**
 * Who holds the lock, in words: "npm run verify (pid N, started HH:MM)" when it is a verify (it
 * records itself in the lock file), else the holder's command line, pid and start time.
 */
export function describeHolder(path, holder) {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8'));
    if (owner.lockPid === holder && alive(owner.pid)) return `${owner.what} (pid ${owner.pid}, started ${owner.started})`;
  } catch {
    // not written by a verify (or empty): describe the holding process itself
  }
  return `${commandOf(holder)} (pid ${holder}, started ${startedAt(holder)})`;
}

function record(path, lockPid, what) {
  try {
    writeFileSync(path, `${JSON.stringify({ pid: process.pid, lockPid, what, started: hhmm(new Date()) })}\n`);
  } catch {
    // the description is a courtesy; the lock itself is the kernel's
  }
}

/** Start a `flock` child that holds the lock until our stdin pipe to it closes. Resolves when it holds it (true) or found it busy (false). */
function holdWith(path, wait) {
  const child = spawn('flock', [...(wait ? [] : ['-n']), '-E', String(BUSY), path, '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('error', (error) => reject(new Error(`cannot take the harness lock ${path}: flock (util-linux) could not be started: ${error.message}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('locked\n')) resolve(child);
    });
    child.on('exit', (code, signal) => {
      if (code === BUSY) resolve(undefined);
      else reject(new Error(`cannot take the harness lock ${path}: flock exited with ${signal ?? `status ${code}`}`));
    });
  });
}

/**
 * Take the harness lock for this process (what: how it is named to whoever waits for it, e.g.
 * "npm run verify"). If it is busy, `say` is called once with "waiting for WHO (pid N, started HH:MM)
 * to finish" and the call waits. If an ancestor already holds it (`flock LOCK npm run verify`),
 * it is ours already. Resolves with release(): idempotent; the lock also goes when the process does.
 */
export async function acquireLock({ path = DEFAULT_LOCK, what = 'npm run verify', say = (line) => process.stderr.write(`${line}\n`) } = {}) {
  try {
    closeSync(openSync(path, 'a'));
  } catch {
    // not ours to create or write: flock(1) opens it read-only, which is all a lock needs
  }
  const mine = ancestors();
  const inherited = lockHolders(path).find((pid) => mine.includes(pid));
  if (inherited !== undefined) {
    record(path, inherited, what);
    return { inherited: true, release() {} };
  }
  let child = await holdWith(path, false);
  if (!child) {
    const holder = lockHolders(path)[0];
    say(`waiting for ${holder === undefined ? 'another user of the harness' : describeHolder(path, holder)} to finish (harness lock ${path})`);
    child = await holdWith(path, true);
  }
  record(path, child.pid, what);
  // Do not keep the event loop alive for the lock: the holder goes with this process.
  child.unref();
  child.stdout.destroy();
  child.stdin.unref?.();
  let released = false;
  return {
    inherited: false,
    release() {
      if (released) return;
      released = true;
      child.stdin.end();
      child.kill();
    },
  };
}
