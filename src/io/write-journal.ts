/**
 * The writer's transaction state (write.ts explains the promise): the journal
 * of a write into an existing directory and undoing it (now, on failure, or
 * in the next run after a run killed outright), and the lock file that claims
 * an existing directory.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { realFs, type DurableFs } from './durable.js';
import { alive, code, display, explainFsError, host, LOCK, lstatOrUndefined, stagingName, staleStaging, WriteFailed } from './write-fs.js';

// ---------------------------------------------------------------------------
// The journal of a write into an existing directory, and undoing it.
// ---------------------------------------------------------------------------

/** What undoing an interrupted run would change: paths that would go, and replaced files that would come back. */
export interface Undo {
  readonly gone: ReadonlySet<string>;
  readonly back: ReadonlySet<string>;
}

export type Entry = readonly ['dir' | 'backup' | 'create', string] | readonly ['commit'];

export class Journal {
  readonly entries: Entry[] = [];
  constructor(
    readonly staging: string,
    readonly fs: DurableFs = realFs,
  ) {
    writeFileSync(join(staging, 'journal'), '');
  }
  /** Record a step before taking it (memory first: the disk may be full), on disk (fsync) before the step. */
  add(entry: Entry) {
    this.entries.push(entry);
    this.fs.appendSynced(join(this.staging, 'journal'), `${JSON.stringify(entry)}\n`);
  }
}

export function readJournal(staging: string): Entry[] | undefined {
  let text: string;
  try {
    text = readFileSync(join(staging, 'journal'), 'utf8');
  } catch {
    return undefined;
  }
  const entries: Entry[] = [];
  for (const line of text.split('\n')) {
    try {
      if (line) entries.push(JSON.parse(line) as Entry);
    } catch {
      /* a line cut short by the kill: the step it announced was not taken */
    }
  }
  return entries;
}

/** Is `path` the file we linked or copied from `staged`? */
export function isOurs(path: string, staged: string): boolean {
  const mine = lstatOrUndefined(path);
  const theirs = lstatOrUndefined(staged);
  if (!mine?.isFile() || !theirs?.isFile()) return false;
  if (mine.ino === theirs.ino && mine.dev === theirs.dev) return true;
  try {
    return mine.size === theirs.size && readFileSync(path).equals(readFileSync(staged));
  } catch {
    return false;
  }
}

/**
 * Undo a journal in reverse: remove what we moved in, put back what we moved
 * out, remove the directories we made. Returns one line per step that could
 * not be undone (a replaced file's original then stays in backup/).
 */
export function undo(root: string, staging: string, entries: readonly Entry[]): string[] {
  const stuck: string[] = [];
  for (const entry of [...entries].reverse()) {
    if (entry[0] === 'commit') continue;
    const [kind, path] = entry;
    const destination = join(root, path);
    const saved = join(staging, 'backup', path);
    try {
      if (kind === 'create') {
        if (isOurs(destination, join(staging, 'files', path))) unlinkSync(destination);
      } else if (kind === 'backup') {
        if (!lstatOrUndefined(saved)) continue; // the move out never happened
        if (lstatOrUndefined(destination)) stuck.push(`${path}: something else is there now; your original is ${display(saved)}`);
        else renameSync(saved, destination);
      } else {
        rmdirSync(destination);
      }
    } catch (error) {
      if (kind === 'backup') stuck.push(`${path}: could not be put back (${code(error)}); your original is ${display(saved)}`);
      else if (kind === 'create') stuck.push(`${path}: the generated file could not be removed (${code(error)})`);
      // a directory that is not empty any more holds someone's files: it stays
    }
  }
  return stuck;
}

/** What `recoverInterrupted` would do to `root`, without doing it (for --dry-run). */
export function pendingUndo(root: string): Undo {
  const gone = new Set<string>();
  const back = new Set<string>();
  for (const entry of safeReaddir(root)) {
    if (!staleStaging(entry)) continue;
    const staging = join(root, entry);
    const entries = readJournal(staging) ?? [];
    if (entries.some((e) => e[0] === 'commit')) continue;
    for (const e of entries) {
      if (e[0] === 'dir' || (e[0] === 'create' && isOurs(join(root, e[1]), join(staging, 'files', e[1])))) gone.add(e[1]);
      if (e[0] === 'backup' && lstatOrUndefined(join(staging, 'backup', e[1]))) back.add(e[1]);
    }
  }
  for (const path of back) gone.delete(path);
  return { gone, back };
}

export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Undo what an earlier run into `root` left when it was killed outright, and
 * remove its staging directory and stale lock. Only directories of ours whose
 * process is gone are touched.
 */
export function recoverInterrupted(root: string): void {
  const stale = safeReaddir(root).filter(staleStaging);
  if (stale.length === 0) return;
  for (const entry of stale) {
    // Claim the leftover by renaming it to a name of ours: of two recovering runs, one wins.
    const claimed = join(root, stagingName());
    try {
      renameSync(join(root, entry), claimed);
    } catch {
      continue;
    }
    const entries = readJournal(claimed);
    const committed = entries?.some((e) => e[0] === 'commit') ?? false;
    const stuck = entries && !committed ? undo(root, claimed, entries) : [];
    if (stuck.length > 0) {
      throw new WriteFailed(`an earlier run into ${display(root)} was interrupted, and undoing it failed; see each file below:`, stuck);
    }
    rmSync(claimed, { recursive: true, force: true });
  }
  const lock = join(root, LOCK);
  const holder = readLock(lock);
  if (holder && lockIsStale(holder)) breakLock(lock, holder, undefined);
}

/** Remove staging directories of ours in `dir` whose process is gone (new-target staging only). */
export function removeStaleStaging(dir: string): void {
  for (const entry of safeReaddir(dir)) {
    if (!staleStaging(entry)) continue;
    const path = join(dir, entry);
    if (existsSync(join(path, 'journal'))) continue; // a write into `dir` itself: undone under its lock
    const claimed = join(dir, stagingName());
    try {
      renameSync(path, claimed);
      rmSync(claimed, { recursive: true, force: true });
    } catch {
      /* another run removed it first */
    }
  }
}

// ---------------------------------------------------------------------------
// The lock that claims an existing directory.
// ---------------------------------------------------------------------------

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

export function readLock(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

export const lockIsStale = (holder: LockHolder) => holder.host === host() && !alive(holder.pid);

/** Move a stale lock aside; if it turns out to be a fresh one (a race), put it back. */
export function breakLock(path: string, holder: LockHolder, staging: string | undefined) {
  const aside = staging ? join(staging, 'stale-lock') : `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  const moved = readLock(aside);
  if (moved?.token !== holder.token) {
    try {
      linkSync(aside, path);
    } catch {
      /* someone holds the lock again: theirs stands */
    }
  }
  rmSync(aside, { force: true });
}

/** Thrown by `acquireLock` when a live run holds the lock (the caller may wait and try again). */
export class LockBusy extends WriteFailed {
  constructor(
    message: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(message);
  }
}

export function acquireLock(root: string, staging: string): LockHolder {
  const me: LockHolder = { pid: process.pid, host: host(), token: randomBytes(8).toString('hex') };
  const body = JSON.stringify(me);
  const path = join(root, LOCK);
  writeFileSync(join(staging, 'lock'), body);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      linkSync(join(staging, 'lock'), path);
      return me;
    } catch (error) {
      if (code(error) === 'EPERM' || code(error) === 'ENOTSUP' || code(error) === 'EOPNOTSUPP') {
        // No hard links on this file system: O_EXCL is just as exclusive.
        try {
          const fd = openSync(path, 'wx');
          writeSync(fd, body);
          closeSync(fd);
          return me;
        } catch (inner) {
          if (code(inner) !== 'EEXIST') throw explainFsError(inner);
        }
      } else if (code(error) !== 'EEXIST') {
        throw explainFsError(error);
      }
    }
    const holder = readLock(path);
    if (holder && lockIsStale(holder)) {
      breakLock(path, holder, staging);
      continue;
    }
    const who = holder ? ` (process ${holder.pid}${holder.host === host() ? '' : ' on another host'})` : '';
    throw new LockBusy(
      `another create-pyservice run${who} is writing into ${display(root)}; wait for it to finish, or remove ${display(path)} if no such run exists`,
      holder,
    );
  }
  throw new WriteFailed(`could not claim ${display(root)}: its lock ${display(path)} keeps changing; run again`);
}

export function releaseLock(root: string, me: LockHolder) {
  const path = join(root, LOCK);
  if (readLock(path)?.token === me.token) rmSync(path, { force: true });
}
