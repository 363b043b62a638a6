/**
 * Drive the real CLI through a pseudo-terminal, as a person at a keyboard:
 * util-linux `script` allocates the pty (no native Node addon needed), we
 * wait for each prompt to appear and type keys.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { CLI } from './cli.js';

export const KEY = { enter: '\r', down: '\u001b[B', up: '\u001b[A', ctrlC: '\u0003' } as const;

// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

export interface PtySession {
  /** Resolve once the screen output (ANSI stripped) since the last expect matches. */
  expect(pattern: RegExp, timeoutMs?: number): Promise<string>;
  type(keys: string): void;
  /** Everything printed so far, ANSI stripped. */
  output(): string;
  /** Everything printed so far, as it came (escape sequences included). */
  raw(): string;
  exit: Promise<number | null>;
  /**
   * CPU seconds (user + system) the program has used so far: every process below `script`.
   * A claim such as "answers a paste quickly" is about the work the program does, which a
   * machine busy with other tests does not change, while the wall-clock time it does.
   */
  cpuSeconds(): number;
}

/** The text without escape sequences, and for each of its characters the raw offset just after it. */
function stripWithOffsets(raw: string): { text: string; ends: number[] } {
  const escape = /\u001b\[[0-9;?]*[A-Za-z]/y;
  let text = '';
  const ends: number[] = [];
  for (let i = 0; i < raw.length; ) {
    escape.lastIndex = i;
    if (raw[i] === '\u001b' && escape.test(raw)) {
      i = escape.lastIndex;
      continue;
    }
    text += raw[i];
    ends.push(++i);
  }
  return { text, ends };
}

/** `/proc/PID/stat` fields after the command name: state, ppid, …, utime (index 11), stime (12). */
function stat(pid: string): { ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** Ticks used by the descendants of `root` (not `root` itself): Linux's USER_HZ is 100. */
function descendantCpuSeconds(root: number): number {
  const all = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = stat(entry);
    if (info) all.set(Number(entry), info);
  }
  const below = (pid: number): boolean => {
    for (let parent = all.get(pid)?.ppid; parent !== undefined && parent > 1; parent = all.get(parent)?.ppid) {
      if (parent === root) return true;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, info] of all) if (below(pid)) ticks += info.ticks;
  return ticks / 100;
}

/** `columns`: the terminal's width as the program sees it (stty sets the pty's size; script gives it 0 otherwise). */
export function startPty(args: readonly string[], options: { cwd: string; env: Record<string, string>; bin?: readonly string[]; columns?: number }): PtySession {
  const quoted = [...(options.bin ?? [process.execPath, CLI]), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = options.columns ? `stty cols ${options.columns} rows 40 && exec ${quoted}` : quoted;
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd: options.cwd,
    env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let all = '';
  let seen = 0;
  const waiters: { pattern: RegExp; done: (s: string) => void }[] = [];
  const check = () => {
    const { text: fresh, ends } = stripWithOffsets(all.slice(seen));
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(fresh);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        // Consume up to the end of the match only: the next prompt may have come in the same chunk,
        // and the next expect must still see it.
        const end = match.index + match[0].length;
        seen += end === 0 ? 0 : ends[end - 1]!;
        waiter.done(fresh);
      }
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    check();
  });
  const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return {
    expect(pattern, timeoutMs = 30_000) {
      return new Promise((done, fail) => {
        const timer = setTimeout(() => {
          fail(new Error(`timed out waiting for ${pattern}; screen so far:\n${stripAnsi(all)}`));
        }, timeoutMs);
        waiters.push({
          pattern,
          done: (s) => {
            clearTimeout(timer);
            done(s);
          },
        });
        check();
      });
    },
    type(keys) {
      child.stdin.write(keys);
    },
    output: () => stripAnsi(all),
    raw: () => all,
    exit,
    cpuSeconds: () => descendantCpuSeconds(child.pid ?? -1),
  };
}
