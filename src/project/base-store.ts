/**
 * The base of the next three-way merge (what the generator wrote, file by
 * file), and where it lives.
 *
 * Where it lives (why: a project of release N must be updatable by
 * release N+1 offline, without release N's package, and the working tree
 * stays as it was generated, plus this one file):
 * - The record lists every generated path with the git blob id of its
 *   pristine content (sha1 of "blob <size>\0<bytes>", computed here without
 *   git). That alone tells whether a file was changed by the user or by the
 *   template, for any file, even with no content at hand.
 * - In a git repository the pristine contents are git objects, kept alive by
 *   a commit under `refs/pyservice/base` (or `refs/pyservice/base-<hash of
 *   the sub-directory>` when the project is not the repository's root): not
 *   a branch, so invisible in the working tree, in `git log` and in `git
 *   status`; the objects are shared with the user's own commits (an
 *   unchanged file costs nothing). Clones get it only if asked:
 *   `git push origin 'refs/pyservice/*'` and
 *   `git fetch origin 'refs/pyservice/*:refs/pyservice/*'`. Blobs are looked up
 *   by id, so a clone without the ref still finds every base file it ever
 *   committed unchanged (the first commit is the pristine render).
 * - Without git (`--no-git`, or git not installed), the record carries a
 *   compact snapshot instead: the pristine files, gzip-compressed and
 *   base64-encoded (about 12 kB for a fresh project), checked against the ids.
 *
 * A git step that fails (a full disk, a quota) may leave git's scratch files
 * behind (fast_import_crash_*, tmp_pack_*, tmp_obj_*, incoming-*): the ones
 * that step created are removed, and the failure is reported in one line.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GENERATOR, MAX_FILES, pathProblem, RECORD_FILE } from './record-paths.js';

export interface Base {
  /** Every path the generator wrote last time → git blob id of what it wrote. */
  readonly files: Readonly<Record<string, string>>;
  /** The git ref holding the contents, when the project is in a git repository. */
  readonly ref?: string;
  /** The contents, when not in git: gzip + base64 of {path: content}. */
  readonly snapshot?: string;
}

/** git's object id of a blob with this content. */
export function blobId(content: string | Buffer): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

const byPath = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : 1);

/**
 * An object without a prototype: a key such as `constructor` or `__proto__`
 * taken from a record is plain data in it, never a property of Object.prototype.
 */
export function dataObject<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** JSON.parse with every object prototype-free (see dataObject). */
export const parseData = (text: string): unknown =>
  JSON.parse(text, (_key, value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? dataObject(Object.entries(value)) : value,
  );

export const blobIds = (files: ReadonlyMap<string, string>): Record<string, string> =>
  dataObject([...files].sort(byPath).map(([path, content]) => [path, blobId(content)] as const));

export function encodeSnapshot(files: ReadonlyMap<string, string>): string {
  return gzipSync(JSON.stringify(dataObject([...files].sort(byPath))), { level: 9 }).toString('base64');
}

/** A snapshot's files (throws on anything else: corrupt, oversized, a path that is not a managed file). */
export function decodeSnapshot(snapshot: string): Map<string, string> {
  const text = gunzipSync(Buffer.from(snapshot, 'base64'), { maxOutputLength: 64 * 1024 * 1024 }).toString('utf8');
  const parsed = parseData(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the snapshot is not a map of files');
  const entries = Object.entries(parsed);
  if (entries.length > MAX_FILES) throw new Error(`the snapshot has more than ${MAX_FILES} files`);
  const files = new Map<string, string>();
  for (const [path, content] of entries) {
    const problem = pathProblem(path);
    if (problem) throw new Error(`the snapshot's path ${JSON.stringify(path.slice(0, 200))} ${problem}`);
    if (typeof content !== 'string') throw new Error('the snapshot is not a map of files');
    files.set(path, content);
  }
  return files;
}

// ---------------------------------------------------------------- git store

const git = (cwd: string, args: string[], input?: string | Buffer) =>
  spawnSync('git', args, { cwd, input, maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });

/** The ref that holds this project's base in its repository, or undefined outside git (or without git). */
export function gitBaseRef(root: string): string | undefined {
  const result = git(root, ['rev-parse', '--show-prefix']);
  if (result.error || result.status !== 0) return undefined;
  const prefix = result.stdout.toString('utf8').trim().replace(/\/$/, '');
  return prefix === '' ? 'refs/pyservice/base' : `refs/pyservice/base-${createHash('sha1').update(prefix).digest('hex').slice(0, 12)}`;
}

/**
 * Will a project created at `target` be in a git repository: inside an
 * existing one, or one that creation initialises (`initGit`, git installed)?
 */
export function gitWillHold(target: string, initGit: boolean): boolean {
  if (initGit) return true; // if git init then fails, the base action writes the snapshot instead
  // Inside a work tree: a `.git` (directory, or file for a worktree) here or above. No process spawned.
  for (let dir = resolve(target); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return true;
    if (dirname(dir) === dir) return false;
  }
}

/** Contents of the given blobs from the repository around `root` (missing ones are absent). */
function readBlobs(root: string, ids: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  if (ids.length === 0) return found;
  const result = git(root, ['cat-file', '--batch'], `${ids.join('\n')}\n`);
  if (result.error || result.status !== 0) return found;
  const out = result.stdout;
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(10, at);
    if (eol < 0) break;
    const header = out.subarray(at, eol).toString('utf8').split(' ');
    at = eol + 1;
    if (header[1] !== 'blob') continue; // "<id> missing" (or not a blob)
    const size = Number(header[2]);
    found.set(header[0]!, out.subarray(at, at + size).toString('utf8'));
    at += size + 1;
  }
  return found;
}

/**
 * The base's contents: path → content, or undefined where the content is not
 * available (a clone without refs/pyservice, a pruned object).
 */
export function readBase(root: string, base: Base): Map<string, string | undefined> {
  const snapshot = base.snapshot ? decodeSnapshot(base.snapshot) : new Map<string, string>();
  const wanted = Object.entries(base.files).filter(([path]) => !snapshot.has(path));
  const blobs = readBlobs(root, [...new Set(wanted.map(([, id]) => id))]);
  const contents = new Map<string, string | undefined>();
  for (const [path, id] of Object.entries(base.files)) {
    const content = snapshot.get(path) ?? blobs.get(id);
    contents.set(path, content !== undefined && blobId(content) === id ? content : undefined);
  }
  return contents;
}

// ------------------------------------------------------- failed git steps

/** git's scratch files: a failed step may leave them behind (empty, on a full disk). */
const SCRATCH = /^(?:fast_import_crash_|tmp_pack_|tmp_idx_|tmp_rev_|tmp_mtimes_|tmp_obj_|incoming-)/;

/** Where git writes while storing objects: its directory, objects/, objects/pack/, objects/xx/. */
function scratchDirs(root: string): string[] {
  const result = git(root, ['rev-parse', '--absolute-git-dir', '--git-path', 'objects']);
  if (result.error || result.status !== 0) return [];
  const [gitDir, objects] = result.stdout.toString('utf8').split('\n');
  if (!gitDir || !objects) return [];
  const objectDir = resolve(root, objects);
  const fanout = (() => {
    try {
      return readdirSync(objectDir).filter((name) => /^[0-9a-f]{2}$/.test(name));
    } catch {
      return [];
    }
  })();
  return [gitDir, objectDir, join(objectDir, 'pack'), ...fanout.map((name) => join(objectDir, name))];
}

function listing(dirs: readonly string[]): Set<string> {
  const seen = new Set<string>();
  for (const dir of dirs) {
    try {
      for (const name of readdirSync(dir)) seen.add(join(dir, name));
    } catch {
      /* absent */
    }
  }
  return seen;
}

/**
 * Run a git step that writes objects; if it fails, remove the scratch files it
 * created (compared with a listing taken before it ran: nothing that was
 * there, nothing of another name), including object directories it created.
 */
function gitStep(root: string, args: string[], input?: string | Buffer): ReturnType<typeof git> {
  const before = listing(scratchDirs(root));
  const result = git(root, args, input);
  if (!result.error && result.status === 0) return result;
  const dirs = scratchDirs(root);
  for (const path of listing(dirs)) {
    if (before.has(path)) continue;
    const name = path.slice(path.lastIndexOf('/') + 1);
    const emptyFanout = /\/objects\/[0-9a-f]{2}$/.test(path) && listing([path]).size === 0;
    if (SCRATCH.test(name) || emptyFanout) rmSync(path, { recursive: true, force: true });
  }
  // Loose-object scratch inside fan-out directories that existed before.
  for (const dir of dirs.slice(3)) {
    for (const path of listing([dir])) if (!before.has(path) && SCRATCH.test(path.slice(dir.length + 1))) rmSync(path, { force: true });
  }
  return result;
}

/** A failed git step in one line: its first line of complaint. */
const failure = (result: ReturnType<typeof git>) =>
  (result.error?.message ?? result.stderr?.toString('utf8').split('\n').find((line) => line.trim() !== '') ?? `exit ${result.status}`).trim();

export interface PreparedBase {
  readonly base: Base;
  /** Moves the git ref to the new base: call only once the project's files are written. Returns a problem to report, if any. */
  readonly commit: () => string | undefined;
  /** Forgets a prepared base whose apply failed. */
  readonly discard: () => void;
  /** git could not store the base (it went into the record's snapshot instead): one line to report. */
  readonly problem?: string;
}

const quotePath = (path: string) => {
  const problem = pathProblem(path);
  if (problem) throw new Error(`refusing to store ${JSON.stringify(path)} in git: it ${problem}`);
  return path;
};

/**
 * Prepare the next base for the files the generator now writes. In a git
 * repository the objects are written at once (invisible until the ref moves,
 * which `commit()` does after the apply succeeded); elsewhere the record
 * carries a snapshot. Either holds only the contents it has (see `unavailable`).
 */
export function prepareBase(
  root: string,
  files: ReadonlyMap<string, string>,
  message: string,
  /** Base files whose content is unavailable: their recorded ids are kept as they are. */
  unavailable: Readonly<Record<string, string>> = {},
  /** A project just created (its files written): the ref is set at once, with no history before it. */
  options: { fresh?: boolean; ref?: string } = {},
): PreparedBase {
  const ids = dataObject([...Object.entries(unavailable), ...Object.entries(blobIds(files))].sort(byPath));
  const ref = options.ref ?? gitBaseRef(root);
  const none = { commit: () => undefined, discard: () => undefined };
  if (!ref) return { base: { files: ids, snapshot: encodeSnapshot(files) }, ...none };

  const pending = options.fresh ? ref : `${ref}-pending`;
  const parent = options.fresh ? undefined : git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  const from = parent?.status === 0 ? parent.stdout.toString('utf8').trim() : undefined;
  const chunks: Buffer[] = [];
  const data = (text: string | Buffer) => {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    chunks.push(Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n'));
  };
  chunks.push(Buffer.from(`commit ${pending}\nmark :1\ncommitter ${GENERATOR} <${GENERATOR}@localhost> ${Math.floor(Date.now() / 1000)} +0000\n`));
  data(message);
  if (from) chunks.push(Buffer.from(`from ${from}\n`));
  chunks.push(Buffer.from('deleteall\n'));
  for (const [path, content] of [...files].sort(byPath)) {
    chunks.push(Buffer.from(`M 100644 inline ${quotePath(path)}\n`));
    data(content);
  }
  chunks.push(Buffer.from('get-mark :1\n'));
  const imported = gitStep(root, ['fast-import', '--quiet', '--force', '--cat-blob-fd=1'], Buffer.concat(chunks));
  const sha = imported.stdout?.toString('utf8').trim();
  if (imported.error || imported.status !== 0 || !/^[0-9a-f]{40,64}$/.test(sha ?? '')) {
    // git is there but refuses: fall back to the snapshot rather than lose the base, and say so.
    const problem = `git could not store the base of later updates (git fast-import: ${failure(imported)}); it is kept in ${RECORD_FILE} instead`;
    return { base: { files: ids, snapshot: encodeSnapshot(files) }, commit: () => problem, discard: () => undefined, problem };
  }
  if (options.fresh) return { base: { files: ids, ref }, ...none };
  return {
    base: { files: ids, ref },
    commit: () => {
      const moved = gitStep(root, ['update-ref', '--stdin'], `update ${ref} ${sha}\ndelete ${pending}\n`);
      return moved.status === 0 ? undefined : `could not move ${ref}: ${failure(moved)}`;
    },
    discard: () => {
      git(root, ['update-ref', '-d', pending]);
    },
  };
}
