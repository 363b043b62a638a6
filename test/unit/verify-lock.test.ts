/**
 * One `npm run verify` at a time: the harness lock (scripts/lib/verify/lock.mjs) with real
 * processes, a real flock(1) and real signals. Each holder is a node process that takes the lock
 * on a private lock file and then idles; the waiter must say once whom it waits for, and get the
 * lock as soon as the holder ends, however it ends (exit, crash, Ctrl-C), or at once when an
 * ancestor already holds it (`flock LOCK npm run verify`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const LOCK_MODULE = resolve(fileURLToPath(new URL('../../scripts/lib/verify/lock.mjs', import.meta.url)));
const tmp = mkdtempSync(join(tmpdir(), 'pyservice-verify-lock-'));
const HOLDER = join(tmp, 'holder.mjs');
// Whatever these tests start never touches the machine's real harness lock.
process.env.PYSERVICE_HARNESS_LOCK = join(tmp, 'default.lock');
writeFileSync(
  HOLDER,
  `import { acquireLock } from ${JSON.stringify(LOCK_MODULE)};
const lock = await acquireLock({ path: process.argv[2], what: 'npm run verify', say: (line) => console.log('SAID ' + line) });
console.log('ACQUIRED ' + (lock.inherited ? 'inherited' : 'own'));
if (process.argv[3] === 'release') { lock.release(); console.log('RELEASED'); }
// Idle until our stdin closes (the test ends it, or the test process is gone).
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`,
);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Killed at the end (not after each test: the tests run concurrently).
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started.splice(0)) {
    child.stdin?.end(); // ends a holder run under flock too: it shares this pipe
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

interface Proc {
  child: ChildProcess;
  out: () => string;
  /** Resolves when a line containing `text` has been printed (rejects if the process ends first). */
  line: (text: string) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  started.push(child);
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  const line = (text: string) =>
    new Promise<string>((done, fail) => {
      const check = () => {
        const hit = out.split('\n').find((l) => l.includes(text));
        if (hit !== undefined) return done(hit);
        if (child.exitCode !== null || child.signalCode !== null) return fail(new Error(`exited before printing "${text}"; output:\n${out}`));
        waiters.push(check);
      };
      check();
      void exited.then(() => setImmediate(check));
    });
  return { child, out: () => out, line, exited };
}

const holder = (lock: string, ...extra: string[]) => start(process.execPath, [HOLDER, lock, ...extra]);
let n = 0;
const freshLock = () => join(tmp, `harness-${n++}.lock`);

/** The waiter has printed its one line and is blocked: give it a moment to prove it does not take the lock. */
async function waitingOn(waiter: Proc): Promise<string> {
  const said = await waiter.line('SAID ');
  await new Promise((r) => setTimeout(r, 300));
  expect(waiter.out()).not.toContain('ACQUIRED');
  return said;
}

describe.concurrent('the harness lock of npm run verify', () => {
  it('a second verify waits, saying once for which verify (pid, start time), and runs when the first ends', async () => {
    const lock = freshLock();
    const first = holder(lock);
    await first.line('ACQUIRED own');
    const second = holder(lock);
    const said = await waitingOn(second);
    expect(said).toMatch(new RegExp(`^SAID waiting for npm run verify \\(pid ${first.child.pid}, started \\d\\d:\\d\\d\\) to finish`));
    first.child.kill('SIGTERM');
    await second.line('ACQUIRED own');
    expect(second.out().split('\n').filter((l) => l.startsWith('SAID'))).toHaveLength(1);
  });

  it('the lock is released when the holder crashes (SIGKILL: no cleanup code runs)', async () => {
    const lock = freshLock();
    const first = holder(lock);
    await first.line('ACQUIRED own');
    const second = holder(lock);
    await waitingOn(second);
    first.child.kill('SIGKILL');
    await second.line('ACQUIRED own');
  });

  it('the lock is released on Ctrl-C (SIGINT to the holder)', async () => {
    const lock = freshLock();
    const first = holder(lock);
    await first.line('ACQUIRED own');
    const second = holder(lock);
    await waitingOn(second);
    first.child.kill('SIGINT');
    expect((await first.exited).signal).toBe('SIGINT');
    await second.line('ACQUIRED own');
  });

  it('release() frees it while the holder lives on', async () => {
    const lock = freshLock();
    const first = holder(lock, 'release');
    await first.line('RELEASED');
    const second = holder(lock);
    await second.line('ACQUIRED own');
    expect(second.out()).not.toContain('SAID');
  });

  it('queues with manual harness use (flock LOCK COMMAND), naming that command', async () => {
    const lock = freshLock();
    // The manual command runs until its stdin closes (as a shell command runs until it is done).
    const manual = start('flock', [lock, 'sh', '-c', 'echo HELD; exec cat >/dev/null']);
    await manual.line('HELD');
    const waiter = holder(lock);
    const said = await waitingOn(waiter);
    expect(said).toMatch(new RegExp(`waiting for flock ${lock.replace(/[.]/g, '\\.')} sh -c .*\\(pid ${manual.child.pid}, started \\d\\d:\\d\\d\\) to finish`));
    manual.child.stdin!.end();
    expect((await manual.exited).code).toBe(0);
    await waiter.line('ACQUIRED own');
  });

  it('and a manual user queues behind a verify', async () => {
    const lock = freshLock();
    const first = holder(lock);
    await first.line('ACQUIRED own');
    const manual = start('flock', ['-w', '120', lock, 'echo', 'MANUAL RAN']);
    await new Promise((r) => setTimeout(r, 500));
    expect(manual.out()).not.toContain('MANUAL RAN');
    first.child.kill('SIGTERM');
    await manual.line('MANUAL RAN');
  });

  it('under `flock LOCK npm run verify` the lock is already ours: no wait, no deadlock', async () => {
    const lock = freshLock();
    const wrapped = start('flock', ['-n', lock, process.execPath, HOLDER, lock]);
    await wrapped.line('ACQUIRED inherited');
    // ...and it is still held for everybody else.
    const other = holder(lock);
    await waitingOn(other);
  });

  it('with-lock.mjs runs a command under the lock (as .ci/run runs setup.sh): it queues, passes the exit status, and nests', async () => {
    const lock = freshLock();
    const WITH_LOCK = resolve(LOCK_MODULE, '..', 'with-lock.mjs');
    const env = { ...process.env, PYSERVICE_HARNESS_LOCK: lock };
    const first = holder(lock);
    await first.line('ACQUIRED own');
    const queued = spawn(process.execPath, [WITH_LOCK, 'sh', '-c', 'echo RAN; exit 3'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(queued);
    let out = '';
    queued.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    queued.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const done = new Promise<number | null>((r) => queued.on('exit', (code) => r(code)));
    await new Promise((r) => setTimeout(r, 800));
    expect(out).not.toContain('RAN');
    first.child.stdin!.end();
    expect(await done).toBe(3);
    expect(out).toMatch(/^waiting for npm run verify \(pid \d+, started \d\d:\d\d\) to finish[^\n]*\nRAN\n$/);
    // Nested under a holder of the lock: runs at once.
    const nested = start('flock', [lock, process.execPath, WITH_LOCK, 'echo', 'NESTED'], env);
    await nested.line('NESTED');
    expect((await nested.exited).code).toBe(0);
  });
});
