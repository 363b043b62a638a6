/**
 * Which paths a record may name. `.pyservice.json` can be edited by hand, so
 * every path taken from it (base.files, the snapshot, the first commit of an
 * older project) is untrusted: it must be a file the generator could manage,
 * checked here as text (`pathProblem`), and again on disk just before it is
 * read or written (`assertManagedPath`: no directory on the way may be a
 * symbolic link, since that would lead outside the project).
 *
 * Kept free of imports from the other record modules (they import this one).
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { DetailedError } from '../model/errors.js';

export const RECORD_FILE = '.pyservice.json';
export const GENERATOR = 'create-pyservice';

/** A record problem the user must fix: exit 2, nothing written. */
export class RecordError extends DetailedError {}

/** Bounds no generated project comes near: a longer path or a longer list is not a record we wrote. */
export const MAX_PATH_LENGTH = 1024;
export const MAX_SEGMENT_LENGTH = 255;
export const MAX_FILES = 10_000;
/** The record file itself (a fresh one is about 14 kB; a snapshot-carrying one with many routes stays far below). */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** A relative path inside the project, as the generator writes them: characters and shape. */
export const SAFE_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
/** The writer's own lock and staging directories (write.ts), never project files. */
const WRITER_NAMES = /^\.create-pyservice(?:\.lock$|-)/i;

/**
 * Why `path` cannot be a file the generator manages, or undefined when it can:
 * relative and normalised, inside the root, not in (or named) `.git` at any
 * depth and in any case, not the writer's lock or staging names, not the record.
 */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  if (path.endsWith('/')) return 'ends with a slash';
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '') return 'has an empty segment (//)';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
    if (segment.length > MAX_SEGMENT_LENGTH) return `has a name longer than ${MAX_SEGMENT_LENGTH} characters`;
    if (segment.toLowerCase() === '.git') return 'is inside .git';
    if (WRITER_NAMES.test(segment)) return "is the writer's own lock or staging name";
  }
  if (!SAFE_PATH.test(path)) return 'has characters the generator never writes (letters, digits, _ . - and / only)';
  if (path.toLowerCase() === RECORD_FILE) return 'is the record itself';
  return undefined;
}

/**
 * Refuse (RecordError, exit 2) a path that is not a managed file, or one whose
 * directories on disk include a symbolic link (checked now, as it is read or
 * written). The last component is the file itself: what it is (a link, a
 * directory) is the caller's business.
 */
export async function assertManagedPath(root: string, path: string): Promise<void> {
  const problem = pathProblem(path);
  if (problem) throw new RecordError(`${RECORD_FILE}: the path ${JSON.stringify(path.slice(0, 200))} ${problem}; it is not a file the generator manages (restore ${RECORD_FILE} from version control)`);
  const segments = path.split('/');
  let dir = root;
  for (let i = 0; i < segments.length - 1; i++) {
    dir = join(dir, segments[i]!);
    const st = await lstat(dir).catch(() => undefined);
    if (!st) return; // absent from here on: nothing to follow
    if (st.isSymbolicLink()) {
      throw new RecordError(
        `${path}: its directory ${segments.slice(0, i + 1).join('/')} is a symbolic link; the generator neither reads nor writes through links out of the project (replace the link with a directory, or move it away)`,
      );
    }
    if (!st.isDirectory()) return; // a file where a directory should be: the writer refuses that with its own words
  }
}
