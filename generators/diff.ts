/**
 * Unified diffs for `--dry-run --diff`: the changed chunks come from
 * node-diff3's LCS diff (the same library as the merge); this only lays them
 * out as `git apply` and `patch` read them, with three lines of context.
 */
import { diffIndices } from 'node-diff3';

const CONTEXT = 3;

const lines = (text: string) => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

function body(line: string, prefix: string): string {
  return line.endsWith('\n') ? `${prefix}${line}` : `${prefix}${line}\n\\ No newline at end of file\n`;
}

const range = (start: number, count: number) => (count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`);

/** A unified diff of one file; `before`/`after` undefined for a created/deleted file; '' when equal. */
export function unifiedDiff(path: string, before: string | undefined, after: string | undefined): string {
  const a = lines(before ?? '');
  const b = lines(after ?? '');
  const chunks = diffIndices(a, b);
  if (chunks.length === 0) return '';
  const out = [`--- ${before === undefined ? '/dev/null' : `a/${path}`}\n`, `+++ ${after === undefined ? '/dev/null' : `b/${path}`}\n`];
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
