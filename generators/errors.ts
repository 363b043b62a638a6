/**
 * The one shape of the errors a run can end with besides CliError (ui.ts): a
 * one-line message naming what was wrong and what to do, and indented detail
 * lines. Each module's error type (RecordError, RouteError, WriteRefused,
 * WriteFailed) is this class under its own name, so failure.ts maps each to
 * its exit code.
 */
export class DetailedError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}
