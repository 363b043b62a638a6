/**
 * The writer's preflight (write.ts explains the promise): `planWrite` checks a
 * target without writing anything (what exists, what would be replaced,
 * symbolic links, mount points, permissions, free space and inodes), so
 * `--dry-run` reaches the verdict the real run reaches; the write re-checks
 * under its lock with `inspectExisting`.
 */
import { accessSync, constants, readdirSync, readFileSync, readlinkSync, statfsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { visible } from '../model/text.js';
import { checkWorkingDirectory, code, display, explainFsError, IGNORABLE, lstatOrUndefined, ours, PATH_MAX, stagingName, statOrUndefined, WriteFailed, WriteRefused, type RenderedFiles, type WritePlan } from './write-fs.js';
import { pendingUndo, recoverInterrupted, type Undo } from './write-journal.js';

export function absoluteTarget(target: string): string {
  if (isAbsolute(target)) return resolve(target);
  checkWorkingDirectory();
  return resolve(target);
}

/** Mount points strictly below `root` (Linux: /proc/self/mountinfo), for the up-front check. */
export function mountPointsBelow(root: string): string[] {
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

export function checkWritable(dir: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw explainFsError(error);
  }
}

/** Refuse up front when the file system of `dir` cannot hold the files (bytes or inodes). */
export function checkSpace(dir: string, files: RenderedFiles, extraInodes: number): void {
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

export const NO_UNDO: Undo = { gone: new Set(), back: new Set() };

/** What is in an existing target, checked against the files: conflicts, blocked paths, emptiness. */
export function inspectExisting(root: string, target: string, files: RenderedFiles, force: boolean, undo = NO_UNDO): string[] {
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
