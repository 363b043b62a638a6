/**
 * The writer's base (write.ts explains the promise): its two error types, the
 * names of its own files in a target (the lock, staging directories, whose
 * names carry host and process id so a leftover of ours is recognised), and
 * what a file-system error means to the user, in one line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import { visible } from '../model/text.js';
import { DetailedError } from '../model/errors.js';

/** A refusal caused by the user's argument (exit code 2), with the details to show. */
export class WriteRefused extends DetailedError {}

/** A failure of the environment (exit code 1): permissions, space, read-only, a race lost. */
export class WriteFailed extends DetailedError {}

/** What the writer takes: file contents by relative path (render.ts's RenderedFiles is this type). */
export type RenderedFiles = Map<string, string>;

export interface WritePlan {
  readonly target: string;
  readonly targetExists: boolean;
  /** Generated paths that already exist and will be replaced (only with force). */
  readonly overwrites: string[];
  readonly force: boolean;
}

/** Entries that do not make a directory "non-empty" for our purposes. */
export const IGNORABLE = new Set(['.git', '.DS_Store', 'Thumbs.db']);

export const LOCK = '.create-pyservice.lock';
/** Linux's limit on a path, terminating NUL excluded. */
export const PATH_MAX = 4095;
export const STAGING = /^\.create-pyservice-([0-9a-f]{8})-(\d+)-([0-9a-f]{8})$/;
/** This host's id (computed on first use: a run that writes nothing needs no node:crypto). */
export let hostId: string | undefined;
export const host = () => (hostId ??= createHash('sha256').update(hostname()).digest('hex').slice(0, 8));

/** `.create-pyservice-<host>-<pid>-<random>`: at most 45 bytes, whatever the target's name. */
export const stagingName = () => `.create-pyservice-${host()}-${process.pid}-${randomBytes(4).toString('hex')}`;

export const ours = (entry: string) => entry === LOCK || STAGING.test(entry);

export type Errno = NodeJS.ErrnoException;
export const code = (error: unknown) => (error as Errno | undefined)?.code;
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

export function alive(pid: number): boolean {
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
