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
import { toBytes, type UserFile } from '../io/bytes.js';

/** path → fingerprint of what planning read there. */
export type Reads = Map<string, string>;

const ABSENT = 'absent';
const NOT_A_FILE = 'not a regular file';
const hash = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The fingerprint of a read: the file's exact bytes (a text is hashed as the UTF-8 it was decoded
 * from, which bytes.ts guarantees is exact), absent (undefined) or not a regular file (null).
 */
export function fingerprint(value: UserFile | string | undefined | null): string {
  if (value === undefined) return ABSENT;
  if (value === null) return NOT_A_FILE;
  return `bytes:${hash(toBytes(typeof value === 'string' ? value : value.content))}`;
}

/** What `path` holds now, fingerprinted as `fingerprint` does. */
function current(root: string, path: string): string {
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
  return `bytes:${hash(bytes)}`;
}

/** The noted paths whose content differs now from what planning read, sorted. */
export function changedSince(root: string, reads: ReadonlyMap<string, string>): string[] {
  return [...reads].filter(([path, recorded]) => current(root, path) !== recorded).map(([path]) => path).sort();
}
