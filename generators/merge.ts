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
 * The line merge itself is node-diff3's diff3 (Khanna, Kunal & Pierce), not
 * ours; we only lay out the result as git does (`<<<<<<<`, `=======`,
 * `>>>>>>>`), with each conflict trimmed to the lines that really differ
 * (git's "zealous" merge level does the same).
 */
import { diff3Merge } from 'node-diff3';

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
  | 'registered';

export interface FilePlan {
  readonly path: string;
  readonly action: FileAction;
  /** Size of what is written (0 when nothing is). */
  readonly bytes: number;
  readonly reason: FileReason;
  /** The content to write (create/update/merge/conflict); undefined otherwise. */
  readonly content?: string;
  /** Number of conflict blocks written (conflict only). */
  readonly conflicts?: number;
  /** The user's file before the change (what a diff starts from). */
  readonly before?: string;
}

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

/** Split into lines, each keeping its line break, so the merge round-trips bytes exactly. */
function lines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const withBreak = (line: string) => (line.endsWith('\n') ? line : `${line}\n`);

/**
 * Three-way merge of one text: `ours` and `theirs` both derived from `base`.
 * Changes that do not overlap are combined; overlapping ones become a
 * git-style conflict block. `base` undefined means both sides added the file.
 */
export function mergeText(base: string | undefined, ours: string, theirs: string, labels: MergeLabels): MergeResult {
  const regions = diff3Merge(lines(ours), lines(base ?? ''), lines(theirs), { excludeFalseConflicts: true });
  const out: string[] = [];
  let conflicts = 0;
  for (const region of regions) {
    if (region.ok) {
      out.push(...region.ok);
      continue;
    }
    const { a, b } = region.conflict!;
    // Trim the lines both sides agree on at either end: only the real difference is marked.
    let head = 0;
    while (head < a.length && head < b.length && a[head] === b[head]) head++;
    let tail = 0;
    while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
    out.push(...a.slice(0, head));
    const midA = a.slice(head, a.length - tail);
    const midB = b.slice(head, b.length - tail);
    if (midA.length > 0 || midB.length > 0) {
      conflicts++;
      out.push(`<<<<<<< ${labels.ours}\n`, ...midA.map(withBreak), '=======\n', ...midB.map(withBreak), `>>>>>>> ${labels.theirs}\n`);
    }
    out.push(...a.slice(a.length - tail));
  }
  return { content: out.join(''), conflicts };
}

export interface FileVersions {
  readonly path: string;
  /** What the generator wrote last time; undefined if it did not generate this path. */
  readonly base: string | undefined;
  /** Whether the record says the generator wrote this path (even if its content is unavailable). */
  readonly inBase: boolean;
  /** The user's file now; undefined if it does not exist. */
  readonly ours: string | undefined;
  /** The new render; undefined if the new render does not have this path. */
  readonly theirs: string | undefined;
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
  if (!v.inBase) {
    if (theirs === undefined) return undefined;
    if (ours === undefined) return { path, action: 'create', reason: 'new', content: theirs };
    if (ours === theirs) return { path, action: 'keep', reason: 'adopted' };
    const merged = mergeText(undefined, ours, theirs, labels);
    return { path, action: 'conflict', reason: 'add-add-conflict', content: merged.content, conflicts: merged.conflicts, before };
  }
  const oursIsBase = v.base !== undefined ? ours === v.base : ours !== undefined && v.oursIsBase === true;
  const theirsIsBase = v.base !== undefined ? theirs === v.base : theirs !== undefined && v.theirsIsBase === true;
  if (theirs === undefined) {
    if (ours === undefined) return undefined;
    return oursIsBase
      ? { path, action: 'delete', reason: 'dropped', before }
      : { path, action: 'keep', reason: 'dropped-user-changed' };
  }
  if (ours === undefined) return { path, action: 'keep', reason: 'user-deleted' };
  if (oursIsBase) {
    return theirsIsBase || ours === theirs
      ? { path, action: 'keep', reason: 'unchanged' }
      : { path, action: 'update', reason: 'template-changed', content: theirs, before };
  }
  if (theirsIsBase) return { path, action: 'keep', reason: 'user-changed' };
  if (ours === theirs) return { path, action: 'keep', reason: 'same-as-new' };
  if (v.base === undefined) {
    // Both changed, and the project no longer has the base to merge from: show both sides.
    const merged = mergeText(undefined, ours, theirs, labels);
    return { path, action: 'conflict', reason: 'base-missing', content: merged.content, conflicts: merged.conflicts, before };
  }
  const merged = mergeText(v.base, ours, theirs, labels);
  if (merged.conflicts > 0) {
    return { path, action: 'conflict', reason: 'conflict', content: merged.content, conflicts: merged.conflicts, before };
  }
  return { path, action: 'merge', reason: 'merged', content: merged.content, before };
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
  registered: 'the new router registered at the "# pyservice:routers" anchor',
};

export const describe = (reason: FileReason): string => REASONS[reason];
