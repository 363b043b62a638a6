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
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { realFs, type DurableFs } from './durable.js';
import type { RenderedFiles } from './render.js';
import { visible } from './text.js';

/** A refusal caused by the user's argument (exit code 2), with the details to show. */
export class WriteRefused extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** A failure of the environment (exit code 1): permissions, space, read-only, a race lost. */
export class WriteFailed extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export interface WritePlan {
  readonly target: string;
  readonly targetExists: boolean;
  /** Generated paths that already exist and will be replaced (only with force). */
  readonly overwrites: string[];
  readonly force: boolean;
}

/** Entries that do not make a directory "non-empty" for our purposes. */
const IGNORABLE = new Set(['.git', '.DS_Store', 'Thumbs.db']);

export const LOCK = '.create-pyservice.lock';
/** Linux's limit on a path, terminating NUL excluded. */
const PATH_MAX = 4095;
export const STAGING = /^\.create-pyservice-([0-9a-f]{8})-(\d+)-([0-9a-f]{8})$/;
/** This host's id (computed on first use: a run that writes nothing needs no node:crypto). */
let hostId: string | undefined;
const host = () => (hostId ??= createHash('sha256').update(hostname()).digest('hex').slice(0, 8));

/** `.create-pyservice-<host>-<pid>-<random>`: at most 45 bytes, whatever the target's name. */
const stagingName = () => `.create-pyservice-${host()}-${process.pid}-${randomBytes(4).toString('hex')}`;

const ours = (entry: string) => entry === LOCK || STAGING.test(entry);

type Errno = NodeJS.ErrnoException;
const code = (error: unknown) => (error as Errno | undefined)?.code;
export const lstatOrUndefined = (path: string) => {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
};
export const statOrUndefined = (path: string) => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return code(error) === 'EPERM';
  }
}

/** A staging directory left by a process of this host that no longer runs. */
export function staleStaging(entry: string): boolean {
  const match = STAGING.exec(entry);
  return match !== null && match[1] === host() && !alive(Number(match[2]));
}

/** How a path is shown: relative to the working directory when below it, control characters visible. */
export function display(path: string): string {
  let cwd: string | undefined;
  try {
    cwd = process.cwd();
  } catch {
    cwd = undefined;
  }
  const rel = cwd ? relative(cwd, path) : '';
  const shown = cwd === undefined ? path : rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  return visible(shown);
}

/** Fail clearly when the working directory has been deleted (every relative path depends on it). */
export function checkWorkingDirectory(): void {
  try {
    process.cwd();
  } catch {
    throw new WriteFailed('the current directory no longer exists (it was deleted or moved away); cd into an existing directory and run again');
  }
}

/**
 * One line naming the real cause of a file-system error and what to do.
 * `undone` completes the sentence with what happened to the target.
 */
export function explainFsError(error: unknown, undone = ''): WriteFailed | WriteRefused {
  if (error instanceof WriteFailed || error instanceof WriteRefused) return error;
  const err = error as Errno & { dest?: string };
  // link and copyfile name the staged file first: the destination is the one that matters.
  const path = (err.syscall === 'link' || err.syscall === 'copyfile') && err.dest ? err.dest : err.path;
  const where = path ? display(path) : 'the target';
  const tail = undone ? `; ${undone}` : '';
  switch (err.code) {
    case 'ENOSPC':
      return new WriteFailed(`no space left on the file system (bytes or inodes) while writing ${where}; free some space or choose another directory${tail}`);
    case 'EDQUOT':
      return new WriteFailed(`disk quota exceeded while writing ${where}; free some space or choose another directory${tail}`);
    case 'EROFS':
      return new WriteFailed(`${where} is on a read-only file system; choose a directory on a writable one${tail}`);
    case 'EACCES':
    case 'EPERM':
      return new WriteFailed(`permission denied for ${where}; choose a directory you can write to, or fix its permissions${tail}`);
    case 'EXDEV':
      return new WriteFailed(`${where} is on another file system than the rest of the target (a mount point inside it); unmount it or choose another directory${tail}`);
    case 'ENAMETOOLONG':
      return new WriteRefused(`a path is too long for the file system: ${where}; choose a shorter directory name${tail}`);
    case 'ELOOP':
      return new WriteRefused(`too many levels of symbolic links in ${where}${tail}`);
    case 'ENOTDIR':
      return new WriteRefused(`part of ${where} is not a directory${tail}`);
    case 'EEXIST':
    case 'ENOTEMPTY':
      return new WriteFailed(`${where} was created by someone else while we were writing; nothing of theirs was replaced${tail}`);
    case 'ENOENT':
      return new WriteFailed(`${where} disappeared while we were writing (removed by another process?)${tail}`);
    case 'EBUSY':
      return new WriteFailed(`${where} is in use (a mount point, or held by another program); choose another directory${tail}`);
    case 'EIO':
      return new WriteFailed(`input/output error on ${where}: the disk or file system reported a failure${tail}`);
    case 'EMFILE':
    case 'ENFILE':
      return new WriteFailed(`too many open files while writing ${where}; close some programs and run again${tail}`);
    default: {
      const message = err instanceof Error ? err.message : String(error);
      return new WriteFailed(`could not write ${where}: ${visible(message)}${tail}`);
    }
  }
}

function absoluteTarget(target: string): string {
  if (isAbsolute(target)) return resolve(target);
  checkWorkingDirectory();
  return resolve(target);
}

/** Mount points strictly below `root` (Linux: /proc/self/mountinfo), for the up-front check. */
function mountPointsBelow(root: string): string[] {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const prefix = root.endsWith(sep) ? root : `${root}${sep}`;
  return info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((m): m is string => m !== undefined)
    .map((m) => m.replace(/\\([0-7]{3})/g, (_s, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((m) => m.startsWith(prefix));
}

/** Every directory the files live in (relative, parents first). */
export function directoriesOf(paths: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

function checkWritable(dir: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw explainFsError(error);
  }
}

/** Refuse up front when the file system of `dir` cannot hold the files (bytes or inodes). */
function checkSpace(dir: string, files: RenderedFiles, extraInodes: number): void {
  let fs: ReturnType<typeof statfsSync>;
  try {
    fs = statfsSync(dir);
  } catch {
    return; // not knowable here: the write itself will tell
  }
  const block = fs.bsize > 0 ? fs.bsize : 4096;
  let bytes = 2 * block; // journal and lock
  for (const content of files.values()) bytes += Math.ceil(Buffer.byteLength(content) / block) * block;
  const freeBlocks = process.getuid?.() === 0 ? fs.bfree : fs.bavail;
  const where = display(dir);
  if (fs.blocks > 0 && freeBlocks * block < bytes) {
    throw new WriteFailed(
      `no space left on the file system of ${where}: the project needs about ${Math.ceil(bytes / 1024)} KiB, ${Math.floor((freeBlocks * block) / 1024)} KiB are free; free some space or choose another directory`,
    );
  }
  const inodes = files.size + 2 * directoriesOf(files.keys()).length + extraInodes;
  if (fs.files > 0 && fs.ffree < inodes) {
    throw new WriteFailed(
      `no free inodes left on the file system of ${where}: the project needs ${inodes} new files and directories, ${fs.ffree} are free; free some or choose another directory`,
    );
  }
}

/** What undoing an interrupted run would change: paths that would go, and replaced files that would come back. */
interface Undo {
  readonly gone: ReadonlySet<string>;
  readonly back: ReadonlySet<string>;
}
const NO_UNDO: Undo = { gone: new Set(), back: new Set() };

/** What is in an existing target, checked against the files: conflicts, blocked paths, emptiness. */
function inspectExisting(root: string, target: string, files: RenderedFiles, force: boolean, undo = NO_UNDO): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root).filter((e) => !IGNORABLE.has(e) && !ours(e) && !undo.gone.has(e));
    for (const path of undo.back) if (!entries.includes(path.split('/')[0]!)) entries.push(path.split('/')[0]!);
  } catch (error) {
    if (code(error) === 'EACCES' || code(error) === 'EPERM') {
      throw new WriteFailed(`cannot read ${display(root)} (permission denied); choose a directory you can read and write, or fix its permissions`);
    }
    throw explainFsError(error);
  }
  const paths = [...files.keys()].sort();
  const overwrites: string[] = [];
  const blocked: string[] = [];
  for (const dir of directoriesOf(paths)) {
    const st = lstatOrUndefined(join(root, dir));
    if (st && !st.isDirectory()) {
      blocked.push(`${visible(dir)}/ is ${st.isSymbolicLink() ? 'a symbolic link' : 'a file'}, but the project needs a directory there`);
    }
  }
  for (const path of paths) {
    if (undo.back.has(path)) overwrites.push(path);
    if (undo.gone.has(path) || undo.back.has(path)) continue;
    const st = lstatOrUndefined(join(root, path));
    if (st?.isDirectory()) blocked.push(`${path} is a directory, but the project needs a file there`);
    else if (st?.isSymbolicLink()) blocked.push(`${path} is a symbolic link; the project will not write through it`);
    else if (st) overwrites.push(path);
  }
  if (blocked.length > 0) {
    throw new WriteRefused(`cannot write into ${visible(target)} without deleting something of yours`, [...new Set(blocked)]);
  }
  if (entries.length > 0 && !force) {
    if (overwrites.length > 0) {
      throw new WriteRefused(
        `${visible(target)} is not empty and ${overwrites.length} generated file${overwrites.length > 1 ? 's' : ''} would overwrite yours; use another directory, or --force to replace exactly these files (nothing else is touched):`,
        overwrites,
      );
    }
    throw new WriteRefused(
      `${visible(target)} is not empty (${entries.length} entr${entries.length > 1 ? 'ies' : 'y'}); no generated file would overwrite one of them, but pass --force to write into it`,
      entries.sort().slice(0, 20).map(visible),
    );
  }
  return overwrites;
}

/**
 * Decide what writing `files` into `target` would do, or refuse with every
 * reason. Writes nothing when `dryRun`; otherwise it first undoes what a killed
 * earlier run left in the target (see `recoverInterrupted`).
 */
export function planWrite(target: string, files: RenderedFiles, force: boolean, options: { dryRun?: boolean } = {}): WritePlan {
  const root = absoluteTarget(target);
  const shown = visible(target);
  // The deepest path we write: a generated file inside our staging directory inside the target.
  const deepest = Buffer.byteLength(root) + 1 + stagingName().length + '/files/'.length + Math.max(0, ...[...files.keys()].map((p) => Buffer.byteLength(p)));
  if (deepest > PATH_MAX) {
    throw new WriteRefused(
      `${shown} is too deep: its full path is ${Buffer.byteLength(root)} bytes, and with the project's files inside it paths would reach ${deepest} bytes (the limit is ${PATH_MAX}); choose a shorter path`,
    );
  }
  const link = lstatOrUndefined(root);
  if (link?.isSymbolicLink() && !statOrUndefined(root)) {
    let to = '';
    try {
      to = readlinkSync(root);
    } catch {
      /* shown without its destination */
    }
    throw new WriteRefused(`${shown} is a symbolic link to ${to ? visible(to) : 'a place'} that does not exist; create that directory first or choose another name`);
  }
  const info = statOrUndefined(root);
  if (info && !info.isDirectory()) throw new WriteRefused(`${shown} exists and is not a directory; choose another directory`);

  if (!info) {
    let ancestor = dirname(root);
    const missing = [root];
    while (!lstatOrUndefined(ancestor)) {
      missing.push(ancestor);
      ancestor = dirname(ancestor);
    }
    const st = statOrUndefined(ancestor);
    if (!st) throw new WriteRefused(`cannot create ${shown}: ${display(ancestor)} is a symbolic link to a place that does not exist`);
    if (!st.isDirectory()) throw new WriteRefused(`cannot create ${shown}: ${display(ancestor)} is a file, not a directory`);
    checkWritable(ancestor);
    checkSpace(ancestor, files, missing.length + 1);
    return { target: root, targetExists: false, overwrites: [], force };
  }

  if (!options.dryRun) recoverInterrupted(root);
  const overwrites = inspectExisting(root, target, files, force, options.dryRun ? pendingUndo(root) : NO_UNDO);
  const generated = new Set([...directoriesOf(files.keys()), ...files.keys()].map((p) => join(root, p)));
  const mounts = mountPointsBelow(root).filter((m) => generated.has(m));
  for (const dir of directoriesOf(files.keys())) {
    const st = statOrUndefined(join(root, dir));
    if (st && st.dev !== info.dev && !mounts.includes(join(root, dir))) mounts.push(join(root, dir));
  }
  if (mounts.length > 0) {
    throw new WriteFailed(
      `${display(mounts[0]!)} is a mount point inside the target: files cannot be moved into it atomically or put back if the write fails; unmount it or choose another directory`,
    );
  }
  checkWritable(root);
  for (const dir of directoriesOf(files.keys())) if (statOrUndefined(join(root, dir))) checkWritable(join(root, dir));
  checkSpace(root, files, 4);
  return { target: root, targetExists: true, overwrites, force };
}

// ---------------------------------------------------------------------------
// Test hook: CREATE_PYSERVICE_TEST_HOOK="step[#n]:ACTION,..." stops at a named
// step of the write. ACTION is a signal name (sent to ourselves) or
// `wait=PATH` (create PATH.reached, then wait until PATH exists). Used by the
// tests to kill or race a real run at a chosen moment; not part of the CLI.
// ---------------------------------------------------------------------------

export type Step = 'claim' | 'stage' | 'move' | 'commit';

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function hookFromEnvironment(spec: string | undefined): ((step: Step) => void) | undefined {
  if (!spec) return undefined;
  const rules = spec.split(',').map((rule) => {
    const match = /^(\w+)(?:#(\d+))?:(.+)$/.exec(rule);
    if (!match) throw new Error(`CREATE_PYSERVICE_TEST_HOOK: cannot parse "${rule}"`);
    return { step: match[1], nth: match[2] ? Number(match[2]) : undefined, action: match[3]! };
  });
  const seen = new Map<string, number>();
  return (step) => {
    const n = (seen.get(step) ?? 0) + 1;
    seen.set(step, n);
    for (const rule of rules) {
      if (rule.step !== step || (rule.nth !== undefined && rule.nth !== n)) continue;
      if (rule.action.startsWith('wait=')) {
        const path = rule.action.slice('wait='.length);
        writeFileSync(`${path}.reached`, '');
        for (let waited = 0; !existsSync(path) && waited < 30_000; waited += 10) sleepSync(10);
      } else {
        process.kill(process.pid, rule.action as NodeJS.Signals);
      }
    }
  };
}

export const environmentHook = hookFromEnvironment(process.env.CREATE_PYSERVICE_TEST_HOOK);

// ---------------------------------------------------------------------------
// The journal of a write into an existing directory, and undoing it.
// ---------------------------------------------------------------------------

type Entry = readonly ['dir' | 'backup' | 'create', string] | readonly ['commit'];

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
function isOurs(path: string, staged: string): boolean {
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
function pendingUndo(root: string): Undo {
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

function safeReaddir(dir: string): string[] {
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
function removeStaleStaging(dir: string): void {
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

function readLock(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

const lockIsStale = (holder: LockHolder) => holder.host === host() && !alive(holder.pid);

/** Move a stale lock aside; if it turns out to be a fresh one (a race), put it back. */
function breakLock(path: string, holder: LockHolder, staging: string | undefined) {
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

function acquireLock(root: string, staging: string): LockHolder {
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
  const onStep = options.onStep ?? environmentHook ?? (() => undefined);
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
