/**
 * A user's file as bytes. What the generator renders is always UTF-8 text;
 * a user's file may not be, and nothing we do may change a byte of it we did
 * not mean to change. So a user's file is read as bytes and kept as a string
 * only when the string turns back into exactly those bytes (valid UTF-8, a
 * byte-order mark kept as U+FEFF) and has no NUL; otherwise it stays a
 * Buffer. A Buffer without NUL ("text in another encoding") is merged line
 * by line on its bytes (merge.ts, through `byteString`); a file with a NUL is
 * binary, never merged (see merge.ts: the new version goes beside it).
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A file's content: UTF-8 text as a string, anything else as its bytes. */
export type Content = string | Buffer;

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as a string when they are UTF-8 text that round-trips exactly (and has no NUL); else the bytes. */
export function decode(bytes: Buffer): Content {
  if (bytes.includes(0)) return bytes;
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    return bytes;
  }
  return Buffer.byteLength(text) === bytes.length && Buffer.from(text, 'utf8').equals(bytes) ? text : bytes;
}

export const toBytes = (content: Content): Buffer => (typeof content === 'string' ? Buffer.from(content, 'utf8') : content);

/** Content as a "byte string": one character (U+0000..U+00FF) per byte, so a line merge on it is a merge of the bytes. */
export const byteString = (content: Content): string => toBytes(content).toString('latin1');

export const fromByteString = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Binary as git decides it: a NUL byte anywhere (git looks at the first 8000 bytes; we look at all). */
export const isBinary = (content: Content): boolean => typeof content !== 'string' && content.includes(0);

/** Same bytes? */
export function sameContent(x: Content | undefined, y: Content | undefined): boolean {
  if (x === undefined || y === undefined) return x === y;
  if (typeof x === 'string' && typeof y === 'string') return x === y;
  return toBytes(x).equals(toBytes(y));
}

/** A user's file: its content, whether it is executable; undefined if absent, null when not a regular file. */
export interface UserFile {
  readonly content: Content;
  /** git's mode for it: '100755' when executable by its owner, else '100644'. */
  readonly mode: '100644' | '100755';
}

export async function readUserFile(root: string, path: string): Promise<UserFile | undefined | null> {
  const st = await lstat(join(root, path)).catch(() => undefined);
  if (!st) return undefined;
  if (!st.isFile()) return null;
  return { content: decode(await readFile(join(root, path))), mode: st.mode & 0o100 ? '100755' : '100644' };
}
