/**
 * The one protocol of every command that changes an existing project
 * (`add route`, `docker`, `update`):
 *
 *   lock → recover an interrupted run → read → plan → confirm → re-verify → apply → release
 *
 * `openSession` finds the project's directory WITHOUT reading the record
 * (a run killed after it moved the record aside leaves only our staging
 * directory and journal, or the lock: those mark the project too), takes the
 * project's lock (waiting a bounded time for a live holder, and saying so on
 * stderr), and undoes what a run killed outright left, before anything of the
 * project is read. The transaction it holds (staging directory, journal,
 * lock) is the one the writer applies the plan with (apply.ts), which
 * re-verifies what the plan read (recheck.ts) just before the first move.
 * The lock is released on every way out, a signal's process.exit included.
 */
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join, resolve } from 'node:path';
import { findProject, RECORD_FILE, RecordError } from './record.js';
import { visible } from '../model/text.js';
import {
  display,
  LOCK,
  LockBusy,
  openTransaction,
  readJournal,
  recoverInterrupted,
  releaseLock,
  STAGING,
  staleStaging,
  WriteFailed,
  type Transaction,
} from '../io/write.js';

/** How long a command waits for another run to release the project (ms). */
export const LOCK_WAIT_MS = 120_000;
const POLL_MS = 100;

export interface Session {
  readonly root: string;
  readonly transaction: Transaction;
  /** Release the lock and remove the staging directory (idempotent). */
  release(): void;
}

const entries = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** Does `dir` hold a project: its record, or the marks a run into it leaves (a journal, the lock)? */
function marksProject(dir: string): boolean {
  if (lstatOrNull(join(dir, RECORD_FILE)) || lstatOrNull(join(dir, LOCK))) return true;
  return entries(dir).some((entry) => STAGING.test(entry) && existsSync(join(dir, entry, 'journal')));
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** The nearest directory at or above `from` that holds a project (reads no file's content). */
export function locateProject(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (marksProject(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Lock the project containing `from` and undo an interrupted run in it.
 * `say` gets the one "waiting for process N" line if another run holds it.
 */
export async function openSession(from: string, say: (line: string) => void, waitMs = LOCK_WAIT_MS): Promise<Session> {
  const root = locateProject(from) ?? (await findProject(from)).root; // not found: findProject says so, in its words
  const deadline = Date.now() + waitMs;
  let transaction: Transaction | undefined;
  let told = false;
  while (!transaction) {
    try {
      transaction = openTransaction(root, 'nothing was changed');
    } catch (error) {
      if (!(error instanceof LockBusy)) throw error;
      if (Date.now() >= deadline) {
        const who = error.holder ? `process ${error.holder.pid}` : 'another create-pyservice run';
        throw new WriteFailed(
          `${who} still holds ${display(join(root, LOCK))} after ${Math.round(waitMs / 1000)} s; nothing was changed: run again when it has finished, or remove that file if no such run exists`,
        );
      }
      if (!told) {
        const who = error.holder ? `process ${error.holder.pid}` : 'another create-pyservice run';
        say(`waiting for ${who} to finish with ${visible(root)} (it holds the project's lock; up to ${Math.round(waitMs / 1000)} s) ...`);
        told = true;
      }
      await sleep(POLL_MS);
    }
  }
  const held = transaction;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // A journal with entries that could not all be undone keeps the user's originals in backup/: it stays.
    if (held.journal.entries.length === 0) rmSync(held.staging, { recursive: true, force: true });
    releaseLock(root, held.lock);
  };
  process.on('exit', release); // a signal ends the run with process.exit: the lock goes with it
  try {
    recoverInterrupted(root);
    if (!lstatOrNull(join(root, RECORD_FILE))) {
      throw new RecordError(`${display(root)} has no ${RECORD_FILE} (an interrupted run was undone, and none was left); restore it from version control, then run again`);
    }
  } catch (error) {
    release();
    throw error;
  }
  return { root, transaction: held, release };
}

/**
 * For a dry run, which takes no lock and writes nothing (so cannot undo): refuse when a run
 * killed outright left `root` half-changed, instead of planning on that mix.
 */
export function refuseInterrupted(from: string): void {
  const root = locateProject(from);
  if (root === undefined) return;
  const pending = entries(root).some((entry) => {
    if (!staleStaging(entry)) return false;
    const journal = readJournal(join(root, entry)) ?? [];
    return journal.length > 0 && !journal.some((e) => e[0] === 'commit');
  });
  if (pending) {
    throw new WriteFailed(
      `an earlier run that changed ${display(root)} was killed before it finished and is not undone yet; a dry run changes nothing, so it cannot undo that: run the command without --dry-run (it undoes that run before it plans)`,
    );
  }
}
