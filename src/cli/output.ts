/**
 * The one way the CLI writes to stdout and stderr (reports, help, version, JSON, errors, progress).
 *
 * Output that cannot be written never ends the run with a stack trace: a closed pipe
 * (`create-pyservice ... | head -1`: EPIPE), a full disk (`> /dev/full`: ENOSPC), a descriptor
 * that is not writable (EBADF) or any other error of the stream. The first failure of a stream
 * is noted and the rest of that stream's output is dropped; the run itself goes on, and what it
 * has written to disk stays written (nothing is undone because its report was lost).
 *
 * Exit code: a run that would have ended 0 ends 1 when stdout (the result the user asked for: the
 * report, --json, --help, --version) could not be written (ENOSPC, EBADF, ...), and one line on
 * stderr says so, if stderr can still take it. A reader that left on purpose (EPIPE: `| head -1`
 * has its line, `| true`) is not a failure of ours: the rest is dropped silently and the code
 * stays. A run that already failed keeps its own code (2, 1, 130, ...). Lost stderr lines
 * (progress, errors) do not change the code.
 */
type StreamName = 'stdout' | 'stderr';

const failed: Partial<Record<StreamName, string>> = {};
/** stdout failed for a reason other than its reader leaving. */
let stdoutLost = false;
/** The reader closed its end (or the stream was closed after that). */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EBADF: 'it is not open for writing',
  EIO: 'an input/output error',
};

function noteFailure(name: StreamName, error: unknown): void {
  if (failed[name] !== undefined) return;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  failed[name] = code;
  if (name === 'stdout' && !READER_GONE.has(code)) {
    stdoutLost = true;
    write('stderr', `error: could not write the output to stdout (${REASONS[code] ?? 'the stream failed'}, ${code}); the rest of it is lost, what was done stays done\n`);
  }
}

function write(name: StreamName, text: string): void {
  if (failed[name] !== undefined) return;
  try {
    // process[name] at call time: the in-process tests replace the streams' write().
    process[name].write(text);
  } catch (error) {
    noteFailure(name, error);
  }
}

/** Write `text` to stdout; never throws. */
export const writeOut = (text: string): void => write('stdout', text);

/** Write `text` to stderr; never throws. */
export const writeErr = (text: string): void => write('stderr', text);

const onStdoutError = (error: unknown) => noteFailure('stdout', error);
const onStderrError = (error: unknown) => noteFailure('stderr', error);
const onExit = (code: number) => {
  if (code === 0 && stdoutLost) process.exitCode = 1;
};

/**
 * Once per process (later calls do nothing): stream errors are noted instead of thrown, also
 * those that arrive after a run returned, and the exit code says when stdout was lost.
 */
export function guardOutput(): void {
  if (!process.stdout.listeners('error').includes(onStdoutError)) process.stdout.on('error', onStdoutError);
  if (!process.stderr.listeners('error').includes(onStderrError)) process.stderr.on('error', onStderrError);
  if (!process.listeners('exit').includes(onExit)) process.on('exit', onExit);
}
