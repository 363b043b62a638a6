/**
 * Pure three-way merge of a generated project, file by file.
 *
 * For every path there are up to three versions: the base B (what the
 * generator wrote last time, carried by the project: see record.ts), the
 * user's file U (on disk now) and the new render N (this release, these
 * answers). The outcome table:
 *
 *   U = B, N = B                → keep    (unchanged)
 *   U = B, N ≠ B                → update  (write N)
 *   U ≠ B, N = B                → keep    (only you changed it)
 *   U ≠ B, U = N                → keep    (you already have the new version)
 *   U, B, N all differ          → merge   (diff3; conflicts → git-style markers: conflict)
 *   U missing, B present        → keep    (you deleted it: it stays deleted)
 *   B missing, N new, U missing → create
 *   B missing, N new, U = N     → keep    (adopted)
 *   B missing, N new, U ≠ N     → conflict (two-way markers, as git's add/add)
 *   N missing, U = B            → delete  (the template dropped it)
 *   N missing, U ≠ B            → keep    (dropped by the template, but you changed it)
 *   N missing, U missing        → nothing
 *
 * The line merge is diff3 (Khanna, Kunal & Pierce) over our own iterative
 * Myers diff (line-diff.ts: no recursion, so 200,000-line files merge); we lay
 * out the result as git does (`<<<<<<<`, `=======`, `>>>>>>>`), with each
 * conflict trimmed to the lines that really differ (git's "zealous" level).
 *
 * Bytes (bytes.ts): the user's file is compared and merged as the bytes it
 * is. A file that is not UTF-8 text but has no NUL is merged line by line on
 * its bytes (every byte outside the changed lines stays as it was). A file
 * with a NUL is binary and never merged: when a merge would be needed, the
 * user's file is kept untouched and the new version is written beside it, as
 * `PATH.pyservice-new` (reason `binary`, counted as a conflict). A user file
 * whose every line ends in CRLF is merged with the generator's lines in CRLF
 * too (so untouched lines keep CRLF and the new lines get CRLF); a leading
 * UTF-8 byte-order mark the generator does not write is kept.
 */
import { byteString, fromByteString, isBinary, sameContent, type Content } from '../io/bytes.js';
import { diff3Merge, splitLines as lines } from './line-diff.js';

export type FileAction = 'create' | 'update' | 'merge' | 'conflict' | 'keep' | 'delete';

/** Why a file gets its action (stable codes for --json; `describe()` words them). */
export type FileReason =
  | 'new'
  | 'unchanged'
  | 'template-changed'
  | 'user-changed'
  | 'same-as-new'
  | 'merged'
  | 'conflict'
  | 'user-deleted'
  | 'adopted'
  | 'add-add-conflict'
  | 'dropped'
  | 'dropped-user-changed'
  | 'base-missing'
  | 'binary'
  | 'registered';

export interface FilePlan {
  readonly path: string;
  readonly action: FileAction;
  /** Size of what is written (0 when nothing is). */
  readonly bytes: number;
  readonly reason: FileReason;
  /** The content to write (create/update/merge/conflict); undefined otherwise. */
  readonly content?: Content;
  /** Number of conflict blocks written (conflict only). */
  readonly conflicts?: number;
  /** The user's file before the change (what a diff starts from). */
  readonly before?: Content;
  /** Where `content` goes when not to `path` (a binary file's new version: `PATH.pyservice-new`). */
  readonly writeTo?: string;
  /** git's mode of the user's file (what a diff shows); '100644' when not said. */
  readonly mode?: '100644' | '100755';
}

/** Where the new version of a binary file the user changed is written. */
export const besidePath = (path: string) => `${path}.pyservice-new`;

export interface MergeLabels {
  /** Label after `<<<<<<<`: the user's side. */
  readonly ours: string;
  /** Label after `>>>>>>>`: the new render. */
  readonly theirs: string;
}

export interface MergeResult {
  readonly content: string;
  readonly conflicts: number;
}

export interface ContentMergeResult {
  readonly content: Content;
  readonly conflicts: number;
}


const withBreak = (eol: string) => (line: string) => (line.endsWith('\n') ? line : `${line}${eol}`);

/**
 * Three-way merge of one text: `ours` and `theirs` both derived from `base`.
 * Changes that do not overlap are combined; overlapping ones become a
 * git-style conflict block. `base` undefined means both sides added the file.
 */
export function mergeText(base: string | undefined, ours: string, theirs: string, labels: MergeLabels, eol = '\n'): MergeResult {
  const regions = diff3Merge(lines(ours), lines(base ?? ''), lines(theirs));
  const out: string[] = [];
  const push = (from: readonly string[], map: (line: string) => string = (line) => line) => {
    for (const line of from) out.push(map(line));
  };
  let conflicts = 0;
  for (const region of regions) {
    if ('ok' in region) {
      push(region.ok);
      continue;
    }
    const { a, b } = region.conflict;
    // Trim the lines both sides agree on at either end: only the real difference is marked.
    let head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head++;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
    push(a.slice(0, head));
    const midA = a.slice(head, a.length - tail);
    const midB = b.slice(head, b.length - tail);
    if (midA.length > 0 || midB.length > 0) {
      conflicts++;
      out.push(`<<<<<<< ${labels.ours}${eol}`);
      push(midA, withBreak(eol));
      out.push(`=======${eol}`);
      push(midB, withBreak(eol));
      out.push(`>>>>>>> ${labels.theirs}${eol}`);
    }
    push(a.slice(a.length - tail));
  }
  return { content: out.join(''), conflicts };
}

/** Every line break a CRLF (and at least one)? */
const allCrlf = (text: string) => text.includes('\n') && !/(?<!\r)\n/.test(text);
const toCrlf = (text: string) => text.replace(/(?<!\r)\n/g, '\r\n');

/**
 * Three-way merge of contents, byte-exact: strings (UTF-8 text) merge as
 * text, anything else on its bytes; 'binary' when a side has a NUL. A user
 * file in CRLF gets the generator's lines in CRLF; its leading BOM is kept.
 */
export function mergeContent(base: Content | undefined, ours: Content, theirs: Content, labels: MergeLabels): ContentMergeResult | 'binary' {
  if (isBinary(ours) || isBinary(theirs) || (base !== undefined && isBinary(base))) return 'binary';
  const bytes = typeof ours !== 'string' || typeof theirs !== 'string' || (base !== undefined && typeof base !== 'string');
  const text = (c: Content) => (bytes ? byteString(c) : (c as string));
  let o = text(ours);
  let b = base === undefined ? undefined : text(base);
  let t = text(theirs);
  const bom = bytes ? '\xEF\xBB\xBF' : '\uFEFF';
  const keepBom = o.startsWith(bom) && !t.startsWith(bom) && !(b ?? '').startsWith(bom);
  if (keepBom) o = o.slice(bom.length);
  const crlf = allCrlf(o);
  if (crlf) {
    b = b === undefined ? undefined : toCrlf(b);
    t = toCrlf(t);
  }
  const shown = bytes ? { ours: byteString(labels.ours), theirs: byteString(labels.theirs) } : labels;
  const merged = mergeText(b, o, t, shown, crlf ? '\r\n' : '\n');
  const content = (keepBom ? bom : '') + merged.content;
  return { content: bytes ? fromByteString(content) : content, conflicts: merged.conflicts };
}

export interface FileVersions {
  readonly path: string;
  /** What the generator wrote last time; undefined if it did not generate this path. */
  readonly base: Content | undefined;
  /** Whether the record says the generator wrote this path (even if its content is unavailable). */
  readonly inBase: boolean;
  /** The user's file now; undefined if it does not exist. */
  readonly ours: Content | undefined;
  /** The new render; undefined if the new render does not have this path. */
  readonly theirs: Content | undefined;
  /** git's mode of the user's file, for the diff. */
  readonly mode?: '100644' | '100755';
  /**
   * Whether ours equals the base, when the base content itself is unavailable
   * (compared by content hash): lets unchanged files update without it.
   */
  readonly oursIsBase?: boolean;
  readonly theirsIsBase?: boolean;
}

type Decision = Omit<FilePlan, 'bytes'>;

/** A decision with the size of what it writes. */
export const sized = (decision: Decision): FilePlan => ({ ...decision, bytes: Buffer.byteLength(decision.content ?? '') });

/** Decide one file's fate: the outcome table above. */
export function planFile(v: FileVersions, labels: MergeLabels): FilePlan | undefined {
  const decision = decide(v, labels);
  return decision && sized(decision);
}

function decide(v: FileVersions, labels: MergeLabels): Decision | undefined {
  const { path, ours, theirs } = v;
  const before = ours;
  const mode = v.mode && v.mode !== '100644' ? { mode: v.mode } : {};
  /** Both sides changed: merge, or, for a binary file, the new version beside it. */
  const merge = (base: Content | undefined, reason: 'add-add-conflict' | 'base-missing' | 'conflict'): Decision => {
    const merged = mergeContent(base, ours!, theirs!, labels);
    if (merged === 'binary') return { path, action: 'conflict', reason: 'binary', content: theirs!, writeTo: besidePath(path) };
    if (merged.conflicts > 0 || reason !== 'conflict') {
      return { path, action: 'conflict', reason, content: merged.content, conflicts: merged.conflicts, before, ...mode };
    }
    if (sameContent(merged.content, ours)) return { path, action: 'keep', reason: 'same-as-new' };
    return { path, action: 'merge', reason: 'merged', content: merged.content, before, ...mode };
  };
  if (!v.inBase) {
    if (theirs === undefined) return undefined;
    if (ours === undefined) return { path, action: 'create', reason: 'new', content: theirs };
    if (sameContent(ours, theirs)) return { path, action: 'keep', reason: 'adopted' };
    return merge(undefined, 'add-add-conflict');
  }
  const oursIsBase = v.base !== undefined ? sameContent(ours, v.base) : ours !== undefined && v.oursIsBase === true;
  const theirsIsBase = v.base !== undefined ? sameContent(theirs, v.base) : theirs !== undefined && v.theirsIsBase === true;
  if (theirs === undefined) {
    if (ours === undefined) return undefined;
    return oursIsBase
      ? { path, action: 'delete', reason: 'dropped', before, ...mode }
      : { path, action: 'keep', reason: 'dropped-user-changed' };
  }
  if (ours === undefined) return { path, action: 'keep', reason: 'user-deleted' };
  if (oursIsBase) {
    return theirsIsBase || sameContent(ours, theirs)
      ? { path, action: 'keep', reason: 'unchanged' }
      : { path, action: 'update', reason: 'template-changed', content: theirs, before, ...mode };
  }
  if (theirsIsBase) return { path, action: 'keep', reason: 'user-changed' };
  if (sameContent(ours, theirs)) return { path, action: 'keep', reason: 'same-as-new' };
  // Both changed; without the base (the project no longer has it), both sides are shown.
  return v.base === undefined ? merge(undefined, 'base-missing') : merge(v.base, 'conflict');
}

const REASONS: Readonly<Record<FileReason, string>> = {
  new: 'new file',
  unchanged: 'unchanged',
  'template-changed': 'you had not changed it: replaced by the new version',
  'user-changed': 'only you changed it: kept as it is',
  'same-as-new': 'already the same as the new version',
  merged: 'your changes and the new version merged',
  conflict: 'your changes and the new version overlap: conflict markers written',
  'user-deleted': 'you deleted it: it stays deleted',
  adopted: 'you already have exactly this file',
  'add-add-conflict': 'a file of yours is where a new generated file goes: conflict markers written',
  dropped: 'no longer generated and you had not changed it: removed',
  'dropped-user-changed': 'no longer generated, but you changed it: kept, and no longer managed',
  'base-missing': 'both changed and the base is unavailable (see refs/pyservice): both versions written with conflict markers',
  binary: 'binary (it has a NUL byte), changed by you and by the new version: yours is kept untouched, the new version is written beside it with .pyservice-new added to the name; keep what you want and delete that file',
  registered: 'the new router registered at the "# pyservice:routers" anchor',
};

/** The same, for a dry run: what would happen, never "written" for what was not. */
const WOULD: Readonly<Partial<Record<FileReason, string>>> = {
  'template-changed': 'you had not changed it: would be replaced by the new version',
  'user-changed': 'only you changed it: would be kept as it is',
  merged: 'your changes and the new version would be merged',
  conflict: 'your changes and the new version overlap: conflict markers would be written',
  'user-deleted': 'you deleted it: it would stay deleted',
  'add-add-conflict': 'a file of yours is where a new generated file goes: conflict markers would be written',
  dropped: 'no longer generated and you had not changed it: would be removed',
  'dropped-user-changed': 'no longer generated, but you changed it: would be kept, and no longer managed',
  'base-missing': 'both changed and the base is unavailable (see refs/pyservice): both versions would be written with conflict markers',
  binary: 'binary (it has a NUL byte), changed by you and by the new version: yours would be kept untouched and the new version written beside it with .pyservice-new added to the name',
  registered: 'the new router would be registered at the "# pyservice:routers" anchor',
};

export const describe = (reason: FileReason, dryRun = false): string => (dryRun ? WOULD[reason] : undefined) ?? REASONS[reason];
