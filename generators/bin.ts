#!/usr/bin/env node
/** Executable entry: `create-pyservice` and `pyservice` (where `pyservice new ...` is the same). */
import { basename } from 'node:path';
import { main } from './cli.js';

const args = process.argv.slice(2);
// `pyservice new my-api` = `create-pyservice my-api`; for create-pyservice, "new" is a directory name.
if (basename(process.argv[1] ?? '').startsWith('pyservice') && args[0] === 'new') args.shift();
process.exitCode = await main(args);
