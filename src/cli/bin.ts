#!/usr/bin/env node
/** Executable entry: `create-pyservice` and `pyservice` (where `pyservice new ...` is the same). */
import { basename } from 'node:path';
import { main, VERSION } from './cli.js';
import { directoryWordRefusal, isCommandWord } from './command-words.js';
import { reportFailure } from './failure.js';
import { guardProcess } from './signals.js';
import { EXIT } from './ui.js';

const args = process.argv.slice(2);
// For the whole process, not only while a run is under way: each run removes its own handlers when
// it returns, and a signal that lands after that (while the report is still being flushed) must
// still end with the truthful line and 128 + n, not Node's silent default.
guardProcess();
// `pyservice new my-api` = `create-pyservice my-api`; for create-pyservice, "new" is a directory name.
if (basename(process.argv[1] ?? '').startsWith('pyservice') && args[0] === 'new') args.shift();
// `add route`, `docker`, `update` work on an existing project (a directory with such a name: ./update).
// A mistyped command (updte), a command not first, or a bare word inside a project is not a directory.
const refusal = isCommandWord(args[0]) ? undefined : directoryWordRefusal(args, () => process.cwd());
if (refusal !== undefined) {
  reportFailure({ lines: [refusal], details: [], code: EXIT.usage }, args.includes('--json'));
  process.exitCode = EXIT.usage;
} else if (isCommandWord(args[0])) {
  const { runCommand } = await import('./commands.js');
  process.exitCode = await runCommand(args, VERSION);
} else process.exitCode = await main(args);
