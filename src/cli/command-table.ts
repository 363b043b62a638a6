/**
 * THE table of the commands on an existing project (`add route`, `add db`, `docker`, `update`): their
 * switches, usage line and summary. The flag scanner (commands.ts, through flags.ts) and the help
 * (help.ts) both read it, so what `--help` shows is what the parser takes.
 */
import type { Command } from '../project/living.js';

export const CONTROLS = {
  yes: { flag: 'yes', short: 'y', help: 'ask nothing: take what the flags say (and apply without confirming)' },
  dryRun: { flag: 'dry-run', help: 'show the plan (each file: create, update, merge, conflict, keep, delete); change nothing' },
  diff: { flag: 'diff', help: 'show a unified diff of every file that changes' },
  json: { flag: 'json', help: 'print a machine-readable summary instead of prose' },
  help: { flag: 'help', short: 'h', help: 'show this help' },
} as const;
export type ControlKey = keyof typeof CONTROLS;

export const USAGE: Readonly<Record<Command, string>> = {
  'add route': 'pyservice add route NAME [--dry-run [--diff]] [--json] [--yes]',
  'add db': 'pyservice add db postgres [--dry-run [--diff]] [--json] [--yes]',
  docker: 'pyservice docker [--runtime R] [--python V] [--deps D] [--server S] [--port N] [--dry-run [--diff]] [--json] [--yes]',
  update: 'pyservice update [--dry-run [--diff]] [--json] [--yes]',
};

export const SUMMARY: Readonly<Record<Command, string>> = {
  'add route': 'add a resource: APIRouter module, service, schemas and tests, registered in app/main.py',
  'add db': 'add PostgreSQL: SQLAlchemy 2 async, Alembic migrations, /health/ready, the items and tests on it; merged with your edits',
  docker: "change the image choices; every file they touch is re-rendered and merged with your edits",
  update: "bring the project to this release's templates, merged three ways with your edits",
};

