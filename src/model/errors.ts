/**
 * The one family of errors below the CLI: a one-line message naming what was
 * wrong and what to do, and indented detail lines. Each module's error type
 * (RecordError, RouteError, WriteRefused, WriteFailed) is this class under its
 * own name, and `Refused` says that several things the user gave are wrong at
 * once; cli/failure.ts maps each to its exit code (domain code knows none).
 */
export class DetailedError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** What the user asked for cannot be done as given (usage: exit 2, nothing written); one line per problem. */
export class Refused extends DetailedError {
  constructor(
    readonly problems: readonly string[],
    details: string[] = [],
  ) {
    super(problems.join('\n'), details);
  }
}
