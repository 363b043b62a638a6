/**
 * The project's memory, `.pyservice.json`: the answers, the generator version,
 * the routes added, and the base of the next three-way merge (what the
 * generator wrote, file by file).
 *
 * Where the base lives (why: a project of release N must be updatable by
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
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compatViolations } from './compat.js';
import { RECORDED_KEYS, TABLE, type Answers, type RecordedKey } from './options.js';
import type { ProjectAnswers } from './render.js';

export const RECORD_FILE = '.pyservice.json';
export const RECORD_FORMAT = 1;
export const GENERATOR = 'create-pyservice';

export interface Base {
  /** Every path the generator wrote last time → git blob id of what it wrote. */
  readonly files: Readonly<Record<string, string>>;
  /** The git ref holding the contents, when the project is in a git repository. */
  readonly ref?: string;
  /** The contents, when not in git: gzip + base64 of {path: content}. */
  readonly snapshot?: string;
}

export interface ProjectRecord {
  /** The release that rendered the base. */
  readonly version: string;
  readonly answers: ProjectAnswers;
  /** Routes added with `pyservice add route`, in the order they were added. */
  readonly routes: readonly string[];
  readonly base: Base;
}

/** A record problem the user must fix: exit 2, nothing written. */
export class RecordError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** git's object id of a blob with this content. */
export function blobId(content: string | Buffer): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export const blobIds = (files: ReadonlyMap<string, string>): Record<string, string> =>
  Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, content]) => [path, blobId(content)]));

export function encodeSnapshot(files: ReadonlyMap<string, string>): string {
  const sorted = Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
  return gzipSync(JSON.stringify(sorted), { level: 9 }).toString('base64');
}

function decodeSnapshot(snapshot: string): Record<string, string> {
  const parsed: unknown = JSON.parse(gunzipSync(Buffer.from(snapshot, 'base64')).toString('utf8'));
  if (!isPlainObject(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    throw new Error('the snapshot is not a map of files');
  }
  return parsed as Record<string, string>;
}

export function serializeRecord(record: ProjectRecord): string {
  // The option table's recorded answers, in its order; an empty one (no author) is left out.
  const answers = Object.fromEntries(RECORDED_KEYS.filter((key) => record.answers[key] !== null).map((key) => [key, record.answers[key]]));
  const base = {
    files: record.base.files,
    ...(record.base.ref ? { ref: record.base.ref } : {}),
    ...(record.base.snapshot ? { snapshot: record.base.snapshot } : {}),
  };
  const json = { generator: GENERATOR, format: RECORD_FORMAT, version: record.version, answers, routes: record.routes, base };
  return `${JSON.stringify(json, null, 2)}\n`;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A relative path inside the project, as the generator writes them. */
export const SAFE_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
const BLOB_ID = /^[0-9a-f]{40}$/;
const REF = /^refs\/pyservice\/base(?:-[0-9a-f]{12})?$/;
export const ROUTE_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * A recorded answer back through the option table's own parser, as if typed as
 * a flag: numbers as numbers, booleans as booleans, an object (the author) through the option's
 * formatter, and the result must be what the table itself would record.
 */
function parseAnswer<K extends RecordedKey>(key: K, value: unknown): { value?: Answers[K]; problem?: string } {
  const def = TABLE[key];
  let raw: string;
  if (def.kind === 'number') {
    if (typeof value !== 'number') return { problem: `must be a number, not ${JSON.stringify(value)}` };
    raw = String(value);
  } else if (def.kind === 'boolean') {
    if (typeof value !== 'boolean') return { problem: `must be true or false, not ${JSON.stringify(value)}` };
    raw = String(value);
  } else if (typeof value === 'string') raw = value;
  else if (isPlainObject(value) && def.format && Object.values(value).every((v) => typeof v === 'string')) {
    raw = def.format(value as Answers[K]);
  } else return { problem: `must be ${def.format ? 'an object or a string' : 'a string'}, not ${JSON.stringify(value)}` };
  const parsed = def.parse(raw);
  if (!parsed.ok) return { problem: parsed.problem };
  if (JSON.stringify(parsed.value) !== JSON.stringify(value)) {
    return { problem: `${JSON.stringify(value)} is not as this release records it (expected ${JSON.stringify(parsed.value)})` };
  }
  return { value: parsed.value };
}

/** A recorded answer that is absent: a later release's new option (its static default), or an empty one. */
function absentAnswer<K extends RecordedKey>(key: K): { value?: Answers[K]; problem?: string } {
  const spec = TABLE[key].default;
  const fallback = 'value' in spec ? spec.value : undefined;
  if (fallback !== undefined) return { value: fallback };
  const empty = TABLE[key].parse('');
  return empty.ok && empty.value === null ? { value: empty.value } : { problem: 'is missing' };
}

/**
 * Parse and validate a record's text: anything foreign, corrupt or
 * hand-edited into something invalid is refused with every problem named.
 */
export function parseRecord(text: string): ProjectRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RecordError(`${RECORD_FILE} is not valid JSON (${(error as Error).message}); restore it from version control`);
  }
  if (!isPlainObject(json) || json.generator !== GENERATOR) {
    throw new RecordError(`${RECORD_FILE} was not written by ${GENERATOR} (its "generator" is ${JSON.stringify(isPlainObject(json) ? json.generator : json)})`);
  }
  const problems: string[] = [];
  if (json.format !== RECORD_FORMAT) {
    const newer = typeof json.format === 'number' && json.format > RECORD_FORMAT;
    throw new RecordError(
      newer
        ? `${RECORD_FILE} has format ${json.format}, newer than this release of ${GENERATOR} understands; use the release that wrote it (${String(json.version)}) or newer`
        : json.format === undefined
          ? `${RECORD_FILE} has no "format": it was written before projects carried the base of a merge (create-pyservice ${String(json.version)}), so this project cannot be updated automatically`
          : `${RECORD_FILE} has an unknown format ${JSON.stringify(json.format)}`,
    );
  }
  if (typeof json.version !== 'string' || !/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(json.version)) {
    problems.push(`"version" must be a release version such as 0.1.0, not ${JSON.stringify(json.version)}`);
  }

  const answers: Record<string, unknown> = {};
  if (!isPlainObject(json.answers)) problems.push('"answers" must be an object');
  else {
    for (const key of Object.keys(json.answers)) {
      if (!(RECORDED_KEYS as readonly string[]).includes(key)) problems.push(`answers.${key} is not an answer this release knows`);
    }
    for (const key of RECORDED_KEYS) {
      const value = json.answers[key];
      const parsed = value === undefined ? absentAnswer(key) : parseAnswer(key, value);
      if (parsed.problem) problems.push(`answers.${key} (--${TABLE[key].flag}): ${parsed.problem}`);
      else answers[key] = parsed.value;
    }
  }

  const routes: string[] = [];
  if (!Array.isArray(json.routes)) problems.push('"routes" must be a list of route names');
  else {
    for (const route of json.routes) {
      if (typeof route !== 'string' || !ROUTE_NAME.test(route)) problems.push(`routes: ${JSON.stringify(route)} is not a route name`);
      else if (routes.includes(route)) problems.push(`routes: "${route}" is listed twice`);
      else routes.push(route);
    }
  }

  let base: Base | undefined;
  const rawBase = json.base;
  if (!isPlainObject(rawBase) || !isPlainObject(rawBase.files)) problems.push('"base.files" must be an object of path → blob id');
  else {
    const files: Record<string, string> = {};
    for (const [path, id] of Object.entries(rawBase.files)) {
      if (!SAFE_PATH.test(path) || path === RECORD_FILE) problems.push(`base.files: ${JSON.stringify(path)} is not a generated path`);
      else if (typeof id !== 'string' || !BLOB_ID.test(id)) problems.push(`base.files["${path}"] is not a blob id`);
      else files[path] = id;
    }
    if (rawBase.ref !== undefined && (typeof rawBase.ref !== 'string' || !REF.test(rawBase.ref))) {
      problems.push(`base.ref must be refs/pyservice/base[-<12 hex digits>], not ${JSON.stringify(rawBase.ref)}`);
    }
    if (rawBase.snapshot !== undefined) {
      if (typeof rawBase.snapshot !== 'string') problems.push('base.snapshot must be a string');
      else {
        try {
          const snapshot = decodeSnapshot(rawBase.snapshot);
          const ids = blobIds(new Map(Object.entries(snapshot)));
          const mismatched = Object.keys(files).filter((path) => snapshot[path] !== undefined && ids[path] !== files[path]);
          if (mismatched.length > 0) problems.push(`base.snapshot does not match base.files for ${mismatched.join(', ')}`);
        } catch {
          problems.push('base.snapshot is corrupt (not gzip-compressed JSON in base64)');
        }
      }
    }
    base = {
      files,
      ...(typeof rawBase.ref === 'string' ? { ref: rawBase.ref } : {}),
      ...(typeof rawBase.snapshot === 'string' ? { snapshot: rawBase.snapshot } : {}),
    };
  }

  if (problems.length === 0) {
    for (const violation of compatViolations(answers as Partial<Answers>)) problems.push(`answers: ${violation.message}`);
  }
  if (problems.length > 0) {
    throw new RecordError(`${RECORD_FILE} is not a valid record (edited by hand?); fix or restore it from version control:`, problems);
  }
  return { version: json.version as string, answers: answers as ProjectAnswers, routes, base: base! };
}

/**
 * The record of a project being created from `files` (the record itself
 * aside): with the base's contents as a snapshot, or, when the project will be
 * in a git repository, only their ids (the contents go to git once the
 * repository exists: `prepareBase(...).commit()`).
 */
export function initialRecord(answers: ProjectAnswers, version: string, files: ReadonlyMap<string, string>, inGit: boolean): string {
  const base: Base = inGit ? { files: blobIds(files) } : { files: blobIds(files), snapshot: encodeSnapshot(files) };
  return serializeRecord({ version, answers, routes: [], base });
}

export interface Project {
  /** The project's root directory (where the record is). */
  readonly root: string;
  readonly record: ProjectRecord;
  /** The record file's text as read (to detect a concurrent change). */
  readonly recordText: string;
}

/** Find the project containing `from` (it or a parent holds the record) and read its record. */
export async function findProject(from: string): Promise<Project> {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, RECORD_FILE);
    const info = await lstat(candidate).catch(() => undefined);
    if (info) {
      if (!info.isFile()) throw new RecordError(`${candidate} is not a regular file`);
      const recordText = await readFile(candidate, 'utf8');
      return { root: dir, record: parseRecord(recordText), recordText };
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new RecordError(
        `${resolve(from)} is not inside a project generated by ${GENERATOR} (no ${RECORD_FILE} here or in a parent directory); run this command in the project, or create one with: npm create pyservice@latest my-api`,
      );
    }
    dir = parent;
  }
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
  const snapshot = base.snapshot ? decodeSnapshot(base.snapshot) : {};
  const wanted = Object.entries(base.files).filter(([path]) => snapshot[path] === undefined);
  const blobs = readBlobs(root, [...new Set(wanted.map(([, id]) => id))]);
  const contents = new Map<string, string | undefined>();
  for (const [path, id] of Object.entries(base.files)) {
    const content = snapshot[path] ?? blobs.get(id);
    contents.set(path, content !== undefined && blobId(content) === id ? content : undefined);
  }
  return contents;
}

export interface PreparedBase {
  readonly base: Base;
  /** Moves the git ref to the new base: call only once the project's files are written. */
  readonly commit: () => string | undefined;
  /** Forgets a prepared base whose apply failed. */
  readonly discard: () => void;
}

const quotePath = (path: string) => {
  if (!SAFE_PATH.test(path)) throw new Error(`refusing to store an unusual path in git: ${path}`);
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
  const ids = Object.fromEntries(Object.entries({ ...unavailable, ...blobIds(files) }).sort(([a], [b]) => (a < b ? -1 : 1)));
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
  for (const [path, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    chunks.push(Buffer.from(`M 100644 inline ${quotePath(path)}\n`));
    data(content);
  }
  chunks.push(Buffer.from('get-mark :1\n'));
  const imported = git(root, ['fast-import', '--quiet', '--force', '--cat-blob-fd=1'], Buffer.concat(chunks));
  const sha = imported.stdout?.toString('utf8').trim();
  if (imported.error || imported.status !== 0 || !/^[0-9a-f]{40,64}$/.test(sha ?? '')) {
    // git is there but refuses: fall back to the snapshot rather than lose the base.
    return { base: { files: ids, snapshot: encodeSnapshot(files) }, ...none };
  }
  if (options.fresh) return { base: { files: ids, ref }, ...none };
  return {
    base: { files: ids, ref },
    commit: () => {
      const moved = git(root, ['update-ref', '--stdin'], `update ${ref} ${sha}\ndelete ${pending}\n`);
      return moved.status === 0 ? undefined : `could not move ${ref}: ${moved.stderr.toString('utf8').trim()}`;
    },
    discard: () => {
      git(root, ['update-ref', '-d', pending]);
    },
  };
}
