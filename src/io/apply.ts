/**
 * Changing an existing project (`add route`, `docker`, `update`, and the
 * record creation writes last): the same claim, stage, journal and undo as a
 * write into an existing directory (write.ts), with files replaced or removed
 * as the plan names them.
 *
 * A command on an existing project holds the project's lock from before it
 * reads anything (session.ts) and passes that transaction here; without one
 * (creation, tests) the transaction is opened here. Either way, just before
 * the first move, `verify` re-checks under the lock that what the plan was
 * made from is still what the disk holds: a stale plan is never applied.
 */
import { chmodSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { realFs, type DurableFs } from './durable.js';
import { visible } from '../model/text.js';
import {
  directoriesOf,
  display,
  explainFsError,
  lstatOrUndefined,
  markWritten,
  moveIn,
  openTransaction,
  recoverInterrupted,
  releaseLock,
  stageTree,
  statOrUndefined,
  syncDirectories,
  undo,
  WriteFailed,
  WriteRefused,
  type Step,
  type Transaction,
} from './write.js';
import { installedStepHook } from './write-step.js';

/** What a command on an existing project writes: new contents by path, and paths to remove. */
export interface ProjectChanges {
  /** Absolute project root (exists). */
  readonly root: string;
  readonly writes: ReadonlyMap<string, string | Uint8Array>;
  readonly deletes: readonly string[];
}

export interface ApplyOptions {
  readonly onStep?: (step: Step) => void;
  /** The transaction (staging, journal, lock) the caller already holds; it stays held (the caller releases it). */
  readonly held?: Transaction;
  /** Called under the lock after staging, before anything moves: throws if the plan is stale. */
  readonly verify?: () => void;
  readonly fs?: DurableFs;
}

/**
 * Refuse, with every problem at once, changes that would write through a
 * symbolic link or over a directory: each parent a real directory (or absent),
 * each path a regular file (or absent).
 */
export function checkChanges(changes: ProjectChanges): void {
  const blocked: string[] = [];
  const paths = [...changes.writes.keys(), ...changes.deletes];
  for (const dir of directoriesOf(paths)) {
    const st = lstatOrUndefined(join(changes.root, dir));
    if (st && !st.isDirectory()) blocked.push(`${visible(dir)}/ is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}, but the project needs a directory there`);
  }
  for (const path of paths) {
    const st = lstatOrUndefined(join(changes.root, path));
    if (st && !st.isFile()) {
      blocked.push(`${visible(path)} is ${st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : 'not a regular file'}; it was generated as a file, and is left alone`);
    }
  }
  if (blocked.length > 0) throw new WriteRefused(`cannot change ${display(changes.root)} without replacing something of yours`, [...new Set(blocked)]);
}

/**
 * Apply changes to an existing project, all or nothing, under the directory's
 * lock: stage every new content inside the project, then, journalled, move
 * each replaced or removed file aside and each new one in. Any failure undoes
 * the journal (every original back, with its mode); a killed run is undone by
 * the next one. A replaced file keeps its permissions. Synchronous, like
 * `writeFiles`, so a signal sees the project untouched or changed completely.
 */
export function applyChanges(changes: ProjectChanges, options: ApplyOptions = {}): void {
  const onStep = options.onStep ?? installedStepHook() ?? (() => undefined);
  const fs = options.fs ?? options.held?.journal.fs ?? realFs;
  const { root } = changes;
  checkChanges(changes);
  const transaction = options.held ?? openTransaction(root, 'nothing was changed', fs);
  const { staging, journal, lock } = transaction;
  const release = () => {
    if (!options.held) releaseLock(root, lock);
  };
  const writes = [...changes.writes.keys()].sort();
  const deletes = [...changes.deletes].sort();
  const touched = new Set<string>([root]);
  try {
    if (!options.held) recoverInterrupted(root);
    checkChanges(changes); // again, now that nobody else can write
    onStep('claim');
    const files = join(staging, 'files');
    mkdirSync(files);
    stageTree(files, new Map(writes.map((path) => [path, changes.writes.get(path)!])), fs);
    for (const path of writes) {
      const previous = statOrUndefined(join(root, path));
      if (previous) chmodSync(join(files, path), previous.mode & 0o7777);
    }
    onStep('stage');
    options.verify?.();
    const moveAside = (path: string) => {
      journal.add(['backup', path]);
      mkdirSync(dirname(join(staging, 'backup', path)), { recursive: true });
      fs.rename(join(root, path), join(staging, 'backup', path));
      touched.add(dirname(join(root, path)));
    };
    for (const path of deletes) {
      if (lstatOrUndefined(join(root, path))) moveAside(path);
      onStep('move');
    }
    for (const path of writes) {
      for (const dir of directoriesOf([path])) {
        if (lstatOrUndefined(join(root, dir))) continue;
        journal.add(['dir', dir]);
        mkdirSync(join(root, dir));
        touched.add(dirname(join(root, dir)));
      }
      if (lstatOrUndefined(join(root, path))) moveAside(path);
      journal.add(['create', path]);
      moveIn(join(files, path), join(root, path), fs);
      touched.add(dirname(join(root, path)));
      onStep('move');
    }
    syncDirectories(touched, root, fs);
    journal.add(['commit']);
  } catch (error) {
    const stuck = undo(root, staging, journal.entries);
    release();
    if (stuck.length === 0) rmSync(staging, { recursive: true, force: true });
    const moved = journal.entries.length > 0;
    const undone = stuck.length > 0 ? 'and not everything could be put back:' : moved ? 'everything was put back as it was' : 'nothing was changed';
    const failure = explainFsError(error, undone);
    throw stuck.length > 0 ? new WriteFailed(failure.message, [...failure.details, ...stuck]) : failure;
  }
  markWritten(root);
  rmSync(staging, { recursive: true, force: true });
  release();
  // Directories that held only removed files go too.
  for (const path of deletes) {
    for (let dir = dirname(join(root, path)); dir.startsWith(`${root}${sep}`); dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        break; // not empty: it holds something else
      }
    }
  }
  onStep('commit');
}
