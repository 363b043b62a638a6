/**
 * What a plan was made from, and whether the disk still holds it.
 *
 * Planning reads the record, app/main.py and every path it plans (present or
 * absent); each read is noted as a fingerprint. Before the writer moves
 * anything (under the project's lock, after any confirmation prompt), every
 * noted path is read again: if one changed (an editor saved it while the
 * prompt waited, another program wrote it), the stale plan is not applied.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** path → fingerprint of what planning read there. */
export type Reads = Map<string, string>;

const ABSENT = 'absent';
const NOT_A_FILE = 'not a regular file';
const hash = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The fingerprint of a read: text (as decoded), bytes, absent (undefined) or not a regular file (null). */
export function fingerprint(value: string | Buffer | undefined | null): string {
  if (value === undefined) return ABSENT;
  if (value === null) return NOT_A_FILE;
  return typeof value === 'string' ? `text:${hash(Buffer.from(value, 'utf8'))}` : `bytes:${hash(value)}`;
}

/** What `path` holds now, fingerprinted the way `recorded` was (text or bytes). */
function current(root: string, path: string, recorded: string): string {
  let isFile: boolean;
  try {
    isFile = lstatSync(join(root, path)).isFile();
  } catch {
    return ABSENT;
  }
  if (!isFile) return NOT_A_FILE;
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(root, path));
  } catch {
    return ABSENT; // removed between the two calls
  }
  return recorded.startsWith('text:') ? fingerprint(bytes.toString('utf8')) : fingerprint(bytes);
}

/** The noted paths whose content differs now from what planning read, sorted. */
export function changedSince(root: string, reads: ReadonlyMap<string, string>): string[] {
  return [...reads].filter(([path, recorded]) => current(root, path, recorded) !== recorded).map(([path]) => path).sort();
}
