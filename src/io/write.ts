/**
 * The only module that touches the disk for the generated project.
 *
 * The promise: after we return, or throw, or are stopped by a signal, the
 * target is either untouched or holds the complete project; a user's file is
 * replaced only when the plan names it (--force), and until the whole write has
 * succeeded it can be put back byte for byte, with its mode.
 *
 * How:
 * - Everything is rendered before anything is written; `planWrite` checks the
 *   target (what exists, what would be replaced, symbolic links, mount points,
 *   permissions, free space and inodes) without writing, so `--dry-run` reaches
 *   the verdict the real run reaches.
 * - The write itself is synchronous: a signal (Ctrl-C, SIGTERM, SIGHUP) is
 *   handled by Node only between two turns of the event loop, so it never sees
 *   a half-written target (see signals.ts).
 * - A new target is claimed with `mkdir` (atomic: of two runs, one gets it),
 *   staged complete in a sibling directory and moved into place with one
 *   `rename` over our own empty claim (which fails if anyone put anything in it).
 * - An existing target (empty, `.`, or --force) is claimed with a lock file
 *   created by `link` (atomic, never replaces), re-checked under the lock, and
 *   staged inside itself. Each file then moves in with `link` (never replaces
 *   what appeared meanwhile); a file it replaces is first renamed into the
 *   staging directory, and a journal records every step before it happens.
 *   Any failure undoes the journal in reverse; a run killed outright (SIGKILL,
 *   power loss) leaves the journal, and the next run into that directory undoes
 *   it before doing anything else. What must reach the disk first is fsynced
 *   first (durable.ts): a journal entry before its step, a staged file before
 *   its link, the directories before "commit".
 * - Commands on an existing project apply through apply.ts, under the lock
 *   session.ts takes before they read anything.
 * - Staging directories have short names of a fixed form that carry the host
 *   and process id, so a leftover of ours (and only ours) is recognised and
 *   removed, and a long target name cannot make them exceed 255 bytes.
 *
 * The writer's modules: write-fs.ts (its errors, the names of its own files,
 * what a file-system error means), write-preflight.ts (planWrite: the checks
 * without writing), write-journal.ts (journal, undo, recovery, lock),
 * write-step.ts (the steps a test can act at), and this one (the writing).
 * Importers use this module; it re-exports what they need.
 */
import { constants, copyFileSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { realFs, type DurableFs } from './durable.js';
import { code, display, explainFsError, lstatOrUndefined, stagingName, WriteFailed, WriteRefused, type RenderedFiles, type WritePlan } from './write-fs.js';
import { acquireLock, Journal, LockBusy, recoverInterrupted, releaseLock, removeStaleStaging, undo, type LockHolder } from './write-journal.js';
import { directoriesOf, inspectExisting } from './write-preflight.js';
import { installedStepHook, type Step } from './write-step.js';

export {
  checkWorkingDirectory,
  display,
  explainFsError,
  LOCK,
  lstatOrUndefined,
  STAGING,
  staleStaging,
  statOrUndefined,
  WriteFailed,
  WriteRefused,
  type WritePlan,
} from './write-fs.js';
export { Journal, LockBusy, readJournal, recoverInterrupted, releaseLock, undo, type LockHolder } from './write-journal.js';
export { directoriesOf, planWrite } from './write-preflight.js';
export type { Step } from './write-step.js';

// ---------------------------------------------------------------------------
// Writing.
// ---------------------------------------------------------------------------

let completedTarget: string | undefined;

/** Say that the write into `root` completed (what a signal handler then reports). */
export function markWritten(root: string): void {
  completedTarget = root;
}

/** The target of a write that completed in this run, if any (what a signal handler reports). */
export function writtenTarget(): string | undefined {
  return completedTarget;
}

/** A new run (main() may run more than once in a process, as in tests) has written nothing yet. */
export function forgetWritten(): void {
  completedTarget = undefined;
}

/** Write `files` below `dir`, each on disk (fsync) before it is linked anywhere; then the directories. */
export function stageTree(dir: string, files: ReadonlyMap<string, string | Uint8Array>, fs: DurableFs = realFs) {
  const dirs = directoriesOf(files.keys());
  for (const sub of dirs) mkdirSync(join(dir, sub));
  for (const [path, content] of files) {
    writeFileSync(join(dir, path), content, { flag: 'wx' });
    fs.sync(join(dir, path));
  }
  for (const sub of [...dirs].reverse()) fs.sync(join(dir, sub));
  fs.sync(dir);
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Write `files` as planned. Synchronous on purpose (see the module comment).
 * Throws WriteRefused/WriteFailed with one line saying what happened to the
 * target; on any failure the target is as it was.
 */
export function writeFiles(plan: WritePlan, files: RenderedFiles, options: { onStep?: (step: Step) => void; fs?: DurableFs } = {}): void {
  const onStep = options.onStep ?? installedStepHook() ?? (() => undefined);
  const fs = options.fs ?? realFs;
  if (plan.targetExists) {
    writeIntoDirectory(plan, files, onStep, 'changed since we checked it (another run, or files created meanwhile)', fs);
  } else if (!writeNewDirectory(plan, files, onStep, fs)) {
    writeIntoDirectory(plan, files, onStep, 'was created by someone else (another run?) while we were preparing', fs);
  }
}

/** mkdir each missing ancestor of `dir`; returns the ones made, outermost first. */
function makeParents(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !lstatOrUndefined(d); d = dirname(d)) missing.unshift(d);
  const made: string[] = [];
  try {
    for (const d of missing) {
      mkdirSync(d);
      made.push(d);
    }
  } catch (error) {
    removeDirectories(made);
    if (code(error) !== 'EEXIST') throw explainFsError(error, 'nothing was written');
  }
  return made;
}

function removeDirectories(made: readonly string[]) {
  for (const d of [...made].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      /* not empty any more: someone else uses it */
    }
  }
}

/** A new directory: claim it, stage beside it, one rename. False if it appeared meanwhile. */
function writeNewDirectory(plan: WritePlan, files: RenderedFiles, onStep: (step: Step) => void, fs: DurableFs): boolean {
  const root = plan.target;
  const parent = dirname(root);
  const parents = makeParents(parent);
  removeStaleStaging(parent);
  try {
    mkdirSync(root);
  } catch (error) {
    if (code(error) === 'EEXIST') return false; // someone made it: treat it as an existing directory, under its lock
    removeDirectories(parents);
    throw explainFsError(error, 'nothing was written');
  }
  onStep('claim');
  const staging = join(parent, stagingName());
  try {
    mkdirSync(staging);
    stageTree(staging, files, fs);
    onStep('stage');
    fs.rename(staging, root); // replaces our own empty claim; fails if anything appeared in it
    fs.sync(parent);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    try {
      rmdirSync(root);
    } catch {
      /* not empty: whoever wrote into it keeps it */
    }
    removeDirectories(parents);
    if (code(error) === 'ENOTEMPTY' || code(error) === 'EEXIST') {
      throw new WriteFailed(
        `${display(root)} was claimed by someone else (another run, or a file created in it) while we were writing; nothing of ours was left there`,
      );
    }
    throw explainFsError(error, 'nothing was written');
  }
  completedTarget = root;
  onStep('commit');
  return true;
}

/**
 * The start of every write into an existing directory: our staging directory inside it, its
 * journal, and the lock. If any of it fails, the staging directory goes and `untouched` says
 * what the error reports (nothing of the user's has been touched yet).
 */
export interface Transaction {
  readonly staging: string;
  readonly journal: Journal;
  readonly lock: LockHolder;
}

export function openTransaction(root: string, untouched: string, fs: DurableFs = realFs): Transaction {
  const staging = join(root, stagingName());
  try {
    mkdirSync(staging);
  } catch (error) {
    throw explainFsError(error, untouched);
  }
  try {
    const journal = new Journal(staging, fs);
    return { staging, journal, lock: acquireLock(root, staging) };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (error instanceof LockBusy) throw error;
    throw explainFsError(error, untouched);
  }
}

/** An existing directory: lock, re-check, stage inside, move file by file under a journal. */
function writeIntoDirectory(plan: WritePlan, files: RenderedFiles, onStep: (step: Step) => void, changed: string, fs: DurableFs): void {
  const root = plan.target;
  // A run killed while creating this directory left its staging beside it (and the empty claim we reuse).
  removeStaleStaging(dirname(root));
  const { staging, journal, lock } = openTransaction(root, 'nothing was written', fs);
  try {
    recoverInterrupted(root);
    // The plan was made without the lock: check again now that nobody else can write.
    let overwrites: string[];
    try {
      overwrites = inspectExisting(root, display(root), files, plan.force);
    } catch (error) {
      if (!(error instanceof WriteRefused)) throw error;
      throw new WriteFailed(`${display(root)} ${changed}; nothing was written: ${error.message}`, error.details);
    }
    if (!sameSet(overwrites, plan.overwrites)) {
      throw new WriteFailed(`${display(root)} ${changed}; nothing was written: run again to see what it holds now`);
    }
    onStep('claim');
    mkdirSync(join(staging, 'files'));
    stageTree(join(staging, 'files'), files, fs);
    onStep('stage');
    const replacing = new Set(plan.overwrites);
    const touched = new Set<string>([root]);
    for (const path of [...files.keys()].sort()) {
      for (const dir of directoriesOf([path])) {
        const destination = join(root, dir);
        if (lstatOrUndefined(destination)) continue;
        journal.add(['dir', dir]); // before: a kill right after the mkdir must not leave it behind
        try {
          mkdirSync(destination);
        } catch (error) {
          journal.entries.pop(); // not ours after all
          throw error;
        }
        touched.add(dirname(destination));
      }
      const destination = join(root, path);
      if (replacing.has(path)) {
        journal.add(['backup', path]);
        mkdirSync(dirname(join(staging, 'backup', path)), { recursive: true });
        fs.rename(destination, join(staging, 'backup', path));
      }
      journal.add(['create', path]);
      moveIn(join(staging, 'files', path), destination, fs);
      touched.add(dirname(destination));
      onStep('move');
    }
    syncDirectories(touched, root, fs);
    journal.add(['commit']);
  } catch (error) {
    const stuck = undo(root, staging, journal.entries);
    releaseLock(root, lock);
    if (stuck.length === 0) rmSync(staging, { recursive: true, force: true });
    const moved = journal.entries.length > 0;
    const undone = stuck.length > 0 ? 'and not everything could be put back:' : moved ? 'everything was put back as it was' : 'nothing was written';
    const failure = explainFsError(error, undone);
    if (failure !== error || !moved) throw stuck.length > 0 ? new WriteFailed(failure.message, stuck) : failure;
    throw new WriteFailed(`${failure.message}; ${undone}`, [...failure.details, ...stuck]);
  }
  completedTarget = root;
  rmSync(staging, { recursive: true, force: true });
  releaseLock(root, lock);
  onStep('commit');
}

/** Move a staged file in without ever replacing: `link` fails if the name exists. */
export function moveIn(staged: string, destination: string, fs: DurableFs = realFs) {
  try {
    fs.link(staged, destination);
  } catch (error) {
    const why = code(error);
    if (why !== 'EPERM' && why !== 'ENOTSUP' && why !== 'EOPNOTSUPP' && why !== 'EMLINK') throw error;
    copyFileSync(staged, destination, constants.COPYFILE_EXCL); // no hard links here: copy, still never replacing
    fs.sync(destination);
  }
}

/** fsync every directory whose entries changed, deepest first, the project's root last (before "commit"). */
export function syncDirectories(dirs: ReadonlySet<string>, root: string, fs: DurableFs): void {
  for (const dir of [...dirs].filter((d) => d !== root).sort().reverse()) fs.sync(dir);
  fs.sync(root);
}
