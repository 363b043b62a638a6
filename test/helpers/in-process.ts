/**
 * Run the CLI's `main(argv)` inside the test process, as the bin would, with
 * its own working directory, environment and captured stdout/stderr: a
 * fraction of the cost of spawning Node. For behaviour that does not depend
 * on the process boundary (validation messages, exit codes main returns,
 * conflict checks, --force, --dry-run, --json). What does depend on it (the
 * bundle, closed stdin, signals, a terminal, the bins) is tested by spawning
 * the built CLI (test/helpers/cli.ts).
 *
 * Needs the `forks` pool (process.chdir is not allowed in worker threads).
 * Calls are queued, so concurrent tests cannot interleave inside main(). While
 * a call runs, the working directory and the env keys it sets are the call's:
 * tests running beside it must use absolute paths and give what they spawn
 * its own cwd and env (runCli and spawnSync with `cwd`/`env` do).
 */
import { main, VERSION } from '../../src/cli/cli.js';
import { runCommand } from '../../src/cli/commands.js';
import type { CliResult } from './cli.js';

let queue: Promise<unknown> = Promise.resolve();

type Entry = (args: readonly string[]) => Promise<number>;

function queued(entry: Entry, args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  const result = queue.then(() => runOnce(entry, args, options));
  queue = result.catch(() => undefined);
  return result;
}

export function runMain(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  return queued(main, args, options);
}

/** `pyservice add route …`, `docker …`, `update …` (args start with the command word), in process. */
export function runCommandInProcess(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  return queued((argv) => runCommand(argv, VERSION), args, options);
}

type Write = typeof process.stdout.write;

async function runOnce(entry: Entry, args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  const env: Record<string, string | undefined> = { NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env };
  const savedEnv = new Map(Object.keys(env).map((key) => [key, process.env[key]]));
  const savedCwd = process.cwd();
  const streams = [process.stdout, process.stderr] as const;
  const savedWrites = streams.map((s) => s.write);
  const ttys = [process.stdin, process.stdout, process.stderr] as const;
  const savedTty = ttys.map((s) => Object.getOwnPropertyDescriptor(s, 'isTTY'));
  const captured = ['', ''];
  const setEnv = (key: string, value: string | undefined) => {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  };
  try {
    process.chdir(options.cwd);
    for (const [key, value] of Object.entries(env)) setEnv(key, value);
    // As when spawned with pipes: no terminal anywhere.
    for (const stream of ttys) Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
    streams.forEach((stream, index) => {
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        captured[index] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        const callback = rest.find((r): r is () => void => typeof r === 'function');
        if (callback) queueMicrotask(callback);
        return true;
      }) as Write;
    });
    const code = await entry(args);
    return { code, signal: null, stdout: captured[0]!, stderr: captured[1]! };
  } finally {
    streams.forEach((stream, index) => (stream.write = savedWrites[index]!));
    ttys.forEach((stream, index) => {
      const descriptor = savedTty[index];
      if (descriptor) Object.defineProperty(stream, 'isTTY', descriptor);
      else delete (stream as { isTTY?: boolean }).isTTY;
    });
    for (const [key, value] of savedEnv) setEnv(key, value);
    process.chdir(savedCwd);
  }
}
