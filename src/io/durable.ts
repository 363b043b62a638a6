/**
 * The file-system operations whose ORDER makes a write survive power loss,
 * as SQLite and git (core.fsync) do it:
 * - a journal entry is on disk (appended, then fsync) before the rename or
 *   link it announces;
 * - a staged file's bytes are on disk (fsync) before it is linked into the
 *   project, so a link never names an empty or partial file after a crash;
 * - a directory is synced after a name in it was added, renamed or removed,
 *   and the project directory before the journal says "commit".
 *
 * The writer (write.ts) takes these operations as a `DurableFs`, so a test can
 * pass a wrapper that records the order of the calls; `realFs` is the one the
 * CLI uses. A file system that cannot fsync a directory (EINVAL, EISDIR on
 * some) is not an error: there is nothing more to do there.
 */
import { appendFileSync, closeSync, constants, fsyncSync, linkSync, openSync, renameSync } from 'node:fs';

export interface DurableFs {
  /** Append `text` to the journal at `path` and fsync it before returning. */
  appendSynced(path: string, text: string): void;
  /** fsync a file or a directory (its entries) by path. */
  sync(path: string): void;
  rename(from: string, to: string): void;
  /** Link `from` at `to`; fails if `to` exists (never replaces). */
  link(from: string, to: string): void;
}

type Errno = NodeJS.ErrnoException;
/** Errors that mean "this file system does not sync that": nothing to wait for. */
const UNSYNCABLE = new Set(['EINVAL', 'EISDIR', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF']);

function syncPath(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (error) {
    if ((error as Errno).code === 'EACCES' || (error as Errno).code === 'EPERM') return; // cannot open it to sync: the write itself was allowed
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!UNSYNCABLE.has((error as Errno).code ?? '')) throw error;
  } finally {
    closeSync(fd);
  }
}

export const realFs: DurableFs = {
  appendSynced(path, text) {
    appendFileSync(path, text);
    syncPath(path);
  },
  sync: syncPath,
  rename: renameSync,
  link: linkSync,
};
