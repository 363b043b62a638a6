/**
 * How every command ends when it fails: the one mapping from an error to the
 * lines the user reads and the exit code (2 usage/refusal, nothing written;
 * 1 failure; 130 cancelled), and the one way those are written (stderr, and
 * with --json the same on stdout through jsonText, the escaping JSON writer).
 * Creation (cli.ts), the commands on a project (commands.ts), the entry's own
 * refusals (bin.ts) and plop's runs (plopfile.ts) all end here.
 */
import { writeErr, writeOut } from './output.js';
import { RecordError } from '../project/record.js';
import { RouteError } from '../render/route.js';
import { Refused } from '../model/errors.js';
import { jsonText } from '../model/text.js';
import { CliError, EXIT, printErrors } from './ui.js';
import { explainFsError, WriteFailed, WriteRefused } from '../io/write.js';

/** What a failed run says: one line each (plus indented details), and its exit code. */
export interface Failure {
  readonly lines: string[];
  readonly details: string[];
  readonly code: number;
}

export function describeError(error: unknown): Failure {
  if (error instanceof CliError) return { lines: error.lines, details: error.details, code: error.exitCode };
  if (error instanceof Refused) return { lines: [...error.problems], details: error.details, code: EXIT.usage };
  if (error instanceof RecordError || error instanceof RouteError || error instanceof WriteRefused) {
    return { lines: [error.message], details: error.details, code: EXIT.usage };
  }
  if (error instanceof WriteFailed) return { lines: [error.message], details: error.details, code: EXIT.failure };
  if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'InterviewCancelled')) return { lines: ['cancelled'], details: [], code: EXIT.cancelled };
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
    const failure = explainFsError(error);
    return { lines: [failure.message], details: failure.details, code: failure instanceof WriteRefused ? EXIT.usage : EXIT.failure };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { lines: [`unexpected failure: ${message}`], details: [], code: EXIT.failure };
}

/**
 * Say `failure`: with `json`, the summary `{ ok: false, errors, details, exitCode }` on stdout; then, on
 * stderr, `cancelled` for Ctrl-C or the error lines.
 */
export function reportFailure(failure: Failure, json: boolean, cancelled = 'Cancelled: nothing was written.'): void {
  if (json) writeOut(`${jsonText({ ok: false, errors: failure.lines, details: failure.details, exitCode: failure.code })}\n`);
  if (failure.code === EXIT.cancelled) writeErr(`${cancelled}\n`);
  else printErrors(failure.lines, failure.details);
}
