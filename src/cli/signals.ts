/**
 * How the process ends when it is told to stop, and when its output goes away.
 *
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP are handled alike: any child we started
 * is stopped, one line says truthfully whether the project was written (the
 * writer is synchronous, so a signal is never handled in the middle of it: the
 * target is either untouched or complete), and the exit code is 128 + the
 * signal number (130 for Ctrl-C).
 *
 * Output that cannot be written (a closed pipe, a full disk) is handled by
 * output.ts, whose guard is installed here with the signal handlers.
 */
import { guardOutput, writeErr } from './output.js';
import { visible } from '../model/text.js';
import { stopChildren } from '../io/children.js';
import { forgetWritten, writtenTarget } from '../io/write.js';

const EXIT_CODES = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof EXIT_CODES;


let replacing: readonly string[] = [];

/** The user's files the coming write replaces (--force): a stop after the write names them. */
export function noteReplaced(paths: readonly string[]): void {
  replacing = paths;
}

/** What to say when stopped by `signal`, given what has been written. */
function stopMessage(signal: HandledSignal, written: string | undefined): string {
  const how = signal === 'SIGINT' ? 'Cancelled' : `Stopped by ${signal}`;
  if (!written) return `${how}: nothing was written.`;
  const replaced = replacing.length === 0 ? '' : ` It replaced ${replacing.length} file${replacing.length === 1 ? '' : 's'} of yours: ${replacing.join(', ')}.`;
  return `${how} after the project was written to ${visible(written)}.${replaced}`;
}

/** Install the handlers for one run; returns a function that removes them. */
export function guardProcess(): () => void {
  forgetWritten();
  replacing = [];
  const onSignal = (signal: HandledSignal) => {
    stopChildren(signal);
    writeErr(`\n${stopMessage(signal, writtenTarget())}\n`);
    process.exit(EXIT_CODES[signal]);
  };
  const handlers = (Object.keys(EXIT_CODES) as HandledSignal[]).map((signal) => {
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  // Once per process: output may still fail after main() returns (a pipe closed late).
  guardOutput();
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
