/**
 * Diffs for `--dry-run --diff`, in git's format, exactly what the apply
 * would do: `git apply` of the printed diff turns the project into what the
 * command writes (the record .pyservice.json and refs/pyservice aside: they
 * are bookkeeping, not shown). Every file that is written or removed gets a
 * `diff --git` header; a created file says `new file mode 100644` (an empty
 * one has nothing more), a removed one `deleted file mode` with its mode; text
 * changes are unified hunks (three lines of context, `\ No newline at end of
 * file`, CRLF lines as they are), from our iterative Myers diff (line-diff.ts).
 * Content that is not UTF-8 text (bytes.ts) is shown as a `GIT binary patch`
 * (git's `diff --binary` form: full blob ids, zlib-deflated base85 literal),
 * which `git apply` applies.
 */
import { deflateSync } from 'node:zlib';
import { toBytes, type Content } from '../io/bytes.js';
import { diffLines, splitLines as lines } from './line-diff.js';
import type { FilePlan } from './merge.js';
import { blobId } from './record.js';

const CONTEXT = 3;
const NO_BLOB = '0'.repeat(40);


function body(line: string, prefix: string): string {
  return line.endsWith('\n') ? `${prefix}${line}` : `${prefix}${line}\n\\ No newline at end of file\n`;
}

const range = (start: number, count: number) => (count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`);

/** The hunks of a text change ('' when equal). */
function hunks(before: string, after: string): string {
  const a = lines(before);
  const b = lines(after);
  const chunks = diffLines(a, b);
  const out: string[] = [];
  let i = 0;
  while (i < chunks.length) {
    // Group chunks whose context would touch into one hunk.
    let j = i;
    while (j + 1 < chunks.length && chunks[j + 1]!.buffer1[0] - (chunks[j]!.buffer1[0] + chunks[j]!.buffer1[1]) <= 2 * CONTEXT) j++;
    const first = chunks[i]!;
    const last = chunks[j]!;
    const aStart = Math.max(0, first.buffer1[0] - CONTEXT);
    const aEnd = Math.min(a.length, last.buffer1[0] + last.buffer1[1] + CONTEXT);
    const bStart = first.buffer2[0] - (first.buffer1[0] - aStart);
    const bEnd = last.buffer2[0] + last.buffer2[1] + (aEnd - (last.buffer1[0] + last.buffer1[1]));
    out.push(`@@ -${range(aStart, aEnd - aStart)} +${range(bStart, bEnd - bStart)} @@\n`);
    let at = aStart;
    for (let k = i; k <= j; k++) {
      const chunk = chunks[k]!;
      for (; at < chunk.buffer1[0]; at++) out.push(body(a[at]!, ' '));
      for (let x = 0; x < chunk.buffer1[1]; x++) out.push(body(a[chunk.buffer1[0] + x]!, '-'));
      for (let x = 0; x < chunk.buffer2[1]; x++) out.push(body(b[chunk.buffer2[0] + x]!, '+'));
      at = chunk.buffer1[0] + chunk.buffer1[1];
    }
    for (; at < aEnd; at++) out.push(body(a[at]!, ' '));
    i = j + 1;
  }
  return out.join('');
}

const BASE85 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/** git's binary literal: the bytes deflated, in lines of up to 52 bytes, base85, each led by its length letter. */
function binaryLiteral(bytes: Buffer): string {
  const data = deflateSync(bytes);
  const out = [`literal ${bytes.length}\n`];
  for (let at = 0; at < data.length; at += 52) {
    const line = data.subarray(at, at + 52);
    let text = line.length <= 26 ? String.fromCharCode(64 + line.length) : String.fromCharCode(96 + line.length - 26);
    for (let k = 0; k < line.length; k += 4) {
      let word = 0;
      for (let n = 0; n < 4; n++) word = word * 256 + (line[k + n] ?? 0);
      let group = '';
      for (let n = 0; n < 5; n++) {
        group = BASE85[word % 85]! + group;
        word = Math.floor(word / 85);
      }
      text += group;
    }
    out.push(`${text}\n`);
  }
  return `${out.join('')}\n`;
}

/**
 * The git diff of one file: `before`/`after` undefined for a created/removed
 * file; '' when nothing changes. `mode` is the file's git mode (kept by the
 * apply, so shown only where git shows it: a removal, and the index line).
 */
export function unifiedDiff(path: string, before: Content | undefined, after: Content | undefined, mode: '100644' | '100755' = '100644'): string {
  if (before === undefined && after === undefined) return '';
  if (before !== undefined && after !== undefined && toBytes(before).equals(toBytes(after))) return '';
  const head = [`diff --git a/${path} b/${path}\n`];
  if (before === undefined) head.push('new file mode 100644\n');
  if (after === undefined) head.push(`deleted file mode ${mode}\n`);
  const text = (before === undefined || typeof before === 'string') && (after === undefined || typeof after === 'string');
  if (!text) {
    const ids = `${before === undefined ? NO_BLOB : blobId(before)}..${after === undefined ? NO_BLOB : blobId(after)}`;
    head.push(before !== undefined && after !== undefined ? `index ${ids} ${mode}\n` : `index ${ids}\n`);
    return `${head.join('')}GIT binary patch\n${binaryLiteral(toBytes(after ?? ''))}`;
  }
  const change = hunks(before ?? '', after ?? '');
  if (change === '') return head.join(''); // an empty file created or removed: the header says it all
  return `${head.join('')}--- ${before === undefined ? '/dev/null' : `a/${path}`}\n+++ ${after === undefined ? '/dev/null' : `b/${path}`}\n${change}`;
}

/** What `--diff` shows for one planned file ('' for a file the plan does not change). */
export function fileDiff(file: FilePlan): string {
  if (file.action === 'delete') return unifiedDiff(file.path, file.before, undefined, file.mode);
  if (file.content === undefined) return '';
  if (file.writeTo !== undefined) return unifiedDiff(file.writeTo, undefined, file.content);
  return unifiedDiff(file.path, file.before, file.content, file.mode);
}
