/**
 * The line diff under the three-way merge (merge.ts) and `--diff` (diff.ts):
 * Myers' O(ND) algorithm in linear space ("middle snake", as in GNU diff and
 * diff-match-patch), with the sub-problems kept on an explicit stack, so no
 * recursion grows with the input: files of hundreds of thousands of lines
 * diff in well under a second when the changes are few.
 *
 * Lines that do not occur in the other file at all cannot be part of any
 * common subsequence, so they are marked changed up front (GNU diff does the
 * same); the search then runs on what is left, and two unrelated files cost
 * nothing. A sub-problem whose edit distance would exceed a work budget is
 * taken as "all of it changed": the result is still a correct diff (a merge
 * from it is still right), only no longer the smallest; this bounds the time
 * on pathological inputs (hundreds of thousands of interleaved repeated lines).
 */

/** One changed region: [start, length] in each buffer (the names node-diff3 used). */
export interface Chunk {
  readonly buffer1: readonly [number, number];
  readonly buffer2: readonly [number, number];
}

/** Work budget of one middle-snake search, in diagonal steps (about a second). */
const BUDGET = 400_000_000;

/** Split into lines, each keeping its line break (the last may have none), so joining them gives the text back. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\n', at);
    const next = end === -1 ? text.length : end + 1;
    out.push(text.slice(at, next));
    at = next;
  }
  return out;
}

/** Numbers lines: equal lines get equal ids, across every list given to one interner. */
function interner(): (lines: readonly string[]) => Int32Array {
  const ids = new Map<string, number>();
  return (lines) => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let id = ids.get(line);
      if (id === undefined) ids.set(line, (id = ids.size));
      out[i] = id;
    }
    return out;
  };
}

/** Changed regions between two line lists, in order; [] when equal. */
export function diffLines(a: readonly string[], b: readonly string[]): Chunk[] {
  const intern = interner();
  return diffIds(intern(a), intern(b));
}

function diffIds(aIds: Int32Array, bIds: Int32Array): Chunk[] {
  let size = 0;
  for (const id of aIds) size = Math.max(size, id + 1);
  for (const id of bIds) size = Math.max(size, id + 1);
  const inA = new Uint8Array(size);
  const inB = new Uint8Array(size);
  for (const id of aIds) inA[id] = 1;
  for (const id of bIds) inB[id] = 1;
  const a = aIds;
  const b = bIds;
  const aChanged = new Uint8Array(a.length);
  const bChanged = new Uint8Array(b.length);
  // Only the lines both files have take part in the search; the others are changes.
  const aKept: number[] = [];
  const bKept: number[] = [];
  aIds.forEach((id, i) => (inB[id] ? aKept.push(i) : (aChanged[i] = 1)));
  bIds.forEach((id, j) => (inA[id] ? bKept.push(j) : (bChanged[j] = 1)));
  const A = Int32Array.from(aKept, (i) => aIds[i]!);
  const B = Int32Array.from(bKept, (j) => bIds[j]!);
  const keptA = new Uint8Array(A.length);
  const keptB = new Uint8Array(B.length);
  compare(A, B, keptA, keptB);
  keptA.forEach((changed, x) => changed && (aChanged[aKept[x]!] = 1));
  keptB.forEach((changed, y) => changed && (bChanged[bKept[y]!] = 1));

  const chunks: Chunk[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && !aChanged[i] && !bChanged[j]) {
      i++;
      j++;
      continue;
    }
    const i0 = i;
    const j0 = j;
    while (i < a.length && aChanged[i]) i++;
    while (j < b.length && bChanged[j]) j++;
    chunks.push({ buffer1: [i0, i - i0], buffer2: [j0, j - j0] });
  }
  return chunks;
}

/** Mark in `ca`/`cb` the elements of A and B outside one longest common subsequence. */
function compare(A: Int32Array, B: Int32Array, ca: Uint8Array, cb: Uint8Array): void {
  const stack: number[] = [0, A.length, 0, B.length];
  while (stack.length > 0) {
    let bHi = stack.pop()!;
    let bLo = stack.pop()!;
    let aHi = stack.pop()!;
    let aLo = stack.pop()!;
    while (aLo < aHi && bLo < bHi && A[aLo] === B[bLo]) {
      aLo++;
      bLo++;
    }
    while (aLo < aHi && bLo < bHi && A[aHi - 1] === B[bHi - 1]) {
      aHi--;
      bHi--;
    }
    if (aLo === aHi || bLo === bHi) {
      ca.fill(1, aLo, aHi);
      cb.fill(1, bLo, bHi);
      continue;
    }
    const split = middleSnake(A, aLo, aHi, B, bLo, bHi);
    if (split === undefined || (split[0] === 0 && split[1] === 0) || (split[0] === aHi - aLo && split[1] === bHi - bLo)) {
      ca.fill(1, aLo, aHi);
      cb.fill(1, bLo, bHi);
      continue;
    }
    const [x, y] = split;
    stack.push(aLo, aLo + x, bLo, bLo + y, aLo + x, aHi, bLo + y, bHi);
  }
}

/**
 * Myers' bisection, the shape of diff-match-patch's `diff_bisect_`.
 * Where a shortest edit script of A[aLo,aHi) → B[bLo,bHi) crosses its middle
 * (offsets into the two ranges), or undefined past the work budget.
 */
function middleSnake(A: Int32Array, aLo: number, aHi: number, B: Int32Array, bLo: number, bHi: number): [number, number] | undefined {
  const n = aHi - aLo;
  const m = bHi - bLo;
  const maxD = Math.ceil((n + m) / 2);
  const limit = Math.min(maxD, Math.max(1000, Math.floor(BUDGET / (n + m))));
  const offset = maxD;
  const size = 2 * maxD + 2;
  const v1 = new Int32Array(size).fill(-1);
  const v2 = new Int32Array(size).fill(-1);
  v1[offset + 1] = 0;
  v2[offset + 1] = 0;
  const delta = n - m;
  const front = delta % 2 !== 0;
  let k1start = 0;
  let k1end = 0;
  let k2start = 0;
  let k2end = 0;
  for (let d = 0; d <= limit; d++) {
    for (let k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
      const k1Offset = offset + k1;
      let x1 = k1 === -d || (k1 !== d && v1[k1Offset - 1]! < v1[k1Offset + 1]!) ? v1[k1Offset + 1]! : v1[k1Offset - 1]! + 1;
      let y1 = x1 - k1;
      while (x1 < n && y1 < m && A[aLo + x1] === B[bLo + y1]) {
        x1++;
        y1++;
      }
      v1[k1Offset] = x1;
      if (x1 > n) k1end += 2;
      else if (y1 > m) k1start += 2;
      else if (front) {
        const k2Offset = offset + delta - k1;
        if (k2Offset >= 0 && k2Offset < size && v2[k2Offset] !== -1 && x1 >= n - v2[k2Offset]!) return [x1, y1];
      }
    }
    for (let k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
      const k2Offset = offset + k2;
      let x2 = k2 === -d || (k2 !== d && v2[k2Offset - 1]! < v2[k2Offset + 1]!) ? v2[k2Offset + 1]! : v2[k2Offset - 1]! + 1;
      let y2 = x2 - k2;
      while (x2 < n && y2 < m && A[aHi - x2 - 1] === B[bHi - y2 - 1]) {
        x2++;
        y2++;
      }
      v2[k2Offset] = x2;
      if (x2 > n) k2end += 2;
      else if (y2 > m) k2start += 2;
      else if (!front) {
        const k1Offset = offset + delta - k2;
        if (k1Offset >= 0 && k1Offset < size && v1[k1Offset] !== -1) {
          const x1 = v1[k1Offset]!;
          const y1 = offset + x1 - k1Offset;
          if (x1 >= n - x2) return [x1, y1];
        }
      }
    }
  }
  return undefined;
}

/** A region of a three-way merge: lines all sides agree on, or a conflict between ours (a) and theirs (b). */
export type MergeRegion = { readonly ok: string[] } | { readonly conflict: { readonly a: string[]; readonly b: string[] } };

/**
 * diff3 (Khanna, Kunal & Pierce), ported from node-diff3's `diff3MergeRegions`
 * and `diff3Merge` (MIT licence: © 2006, 2008 Tony Garnock-Jones, LShift Ltd.;
 * © 2019-2026 Bryan Housel), without their spreads of whole regions into
 * push() (the stack overflow). False conflicts (both sides made the same
 * change) are resolved; `a` and `b` both derived from `o`.
 */
export function diff3Merge(a: readonly string[], o: readonly string[], b: readonly string[]): MergeRegion[] {
  interface Hunk {
    readonly side: 'a' | 'b';
    readonly oStart: number;
    readonly oLength: number;
    readonly start: number;
    readonly length: number;
  }
  const hunks: Hunk[] = [];
  const intern = interner();
  const oIds = intern(o);
  for (const [side, other] of [['a', intern(a)], ['b', intern(b)]] as const) {
    for (const c of diffIds(oIds, other)) hunks.push({ side, oStart: c.buffer1[0], oLength: c.buffer1[1], start: c.buffer2[0], length: c.buffer2[1] });
  }
  hunks.sort((x, y) => x.oStart - y.oStart);
  const regions: MergeRegion[] = [];
  let ok: string[] = [];
  const keep = (from: readonly string[], start: number, end: number) => {
    for (let i = start; i < end; i++) ok.push(from[i]!);
  };
  let at = 0;
  let h = 0;
  while (h < hunks.length) {
    const first = hunks[h]!;
    const regionStart = first.oStart;
    let regionEnd = first.oStart + first.oLength;
    let last = h + 1;
    while (last < hunks.length && hunks[last]!.oStart <= regionEnd) {
      regionEnd = Math.max(regionEnd, hunks[last]!.oStart + hunks[last]!.oLength);
      last++;
    }
    keep(o, at, regionStart);
    if (last === h + 1) {
      keep(first.side === 'a' ? a : b, first.start, first.start + first.length);
    } else {
      const bounds = { a: [a.length, -1, o.length, -1], b: [b.length, -1, o.length, -1] };
      for (let k = h; k < last; k++) {
        const hunk = hunks[k]!;
        const bound = bounds[hunk.side];
        bound[0] = Math.min(hunk.start, bound[0]!);
        bound[1] = Math.max(hunk.start + hunk.length, bound[1]!);
        bound[2] = Math.min(hunk.oStart, bound[2]!);
        bound[3] = Math.max(hunk.oStart + hunk.oLength, bound[3]!);
      }
      const side = (bound: number[]) => [bound[0]! + (regionStart - bound[2]!), bound[1]! + (regionEnd - bound[3]!)] as const;
      const [aStart, aEnd] = side(bounds.a);
      const [bStart, bEnd] = side(bounds.b);
      const aLines = a.slice(aStart, aEnd);
      const bLines = b.slice(bStart, bEnd);
      if (aLines.length === bLines.length && aLines.every((line, i) => line === bLines[i])) keep(a, aStart, aEnd);
      else {
        if (ok.length > 0) regions.push({ ok });
        ok = [];
        regions.push({ conflict: { a: aLines, b: bLines } });
      }
    }
    at = regionEnd;
    h = last;
  }
  keep(o, at, o.length);
  if (ok.length > 0) regions.push({ ok });
  return regions;
}
