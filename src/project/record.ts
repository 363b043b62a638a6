/**
 * The project's memory, `.pyservice.json`: the answers, the generator version,
 * the routes added, and the base of the next three-way merge (what the
 * generator wrote, file by file).
 *
 * Where the base lives, and how it is stored: base-store.ts. Which paths a
 * record may name: record-paths.ts. Projects of the first release (no
 * "format"): record-legacy.ts. Everything read from the record is untrusted
 * (it can be edited by hand): parsed into prototype-free objects, bounded in
 * size, every path a file the generator manages.
 */
import { lstat, open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { blobIds, dataObject, decodeSnapshot, encodeSnapshot, parseData, type Base } from './base-store.js';
import { compatViolations } from '../model/compat.js';
import { RECORDED_KEYS, TABLE, type Answers, type ProjectAnswers, type RecordedKey } from '../model/options.js';
import { legacyBase } from './record-legacy.js';
import { GENERATOR, MAX_FILES, MAX_RECORD_BYTES, pathProblem, RECORD_FILE, RecordError } from './record-paths.js';

export { blobId, blobIds, encodeSnapshot, gitBaseRef, gitWillHold, prepareBase, readBase, type Base, type PreparedBase } from './base-store.js';
export { assertManagedPath, GENERATOR, pathProblem, RECORD_FILE, RecordError, SAFE_PATH } from './record-paths.js';

export const RECORD_FORMAT = 1;

export interface ProjectRecord {
  /** The release that rendered the base. */
  readonly version: string;
  readonly answers: ProjectAnswers;
  /** Routes added with `pyservice add route`, in the order they were added. */
  readonly routes: readonly string[];
  readonly base: Base;
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

export interface ParseOptions {
  /**
   * For a record of the first release (no "format"): the base to use, from
   * the project's git history (record-legacy.ts), or a RecordError saying why not.
   */
  readonly legacyBase?: (json: unknown, version: string) => Base;
}

/**
 * Parse and validate a record's text: anything foreign, corrupt or
 * hand-edited into something invalid is refused with every problem named.
 * Objects come out prototype-free, so keys such as `constructor` are data.
 */
export function parseRecord(text: string, options: ParseOptions = {}): ProjectRecord {
  let json: unknown;
  try {
    json = parseData(text.replace(/^\uFEFF/, '')); // a byte-order mark (some editors add one) is not content
  } catch (error) {
    throw new RecordError(`${RECORD_FILE} is not valid JSON (${(error as Error).message}); restore it from version control`);
  }
  if (!isPlainObject(json) || json.generator !== GENERATOR) {
    throw new RecordError(`${RECORD_FILE} was not written by ${GENERATOR} (its "generator" is ${JSON.stringify(isPlainObject(json) ? json.generator : json)?.slice(0, 200)})`);
  }
  const problems: string[] = [];
  const legacy = json.format === undefined && options.legacyBase !== undefined;
  if (json.format !== RECORD_FORMAT && !legacy) {
    const newer = typeof json.format === 'number' && json.format > RECORD_FORMAT;
    throw new RecordError(
      newer
        ? `${RECORD_FILE} has format ${json.format}, newer than this release of ${GENERATOR} understands; use the release that wrote it (${String(json.version).slice(0, 40)}) or newer`
        : json.format === undefined
          ? `${RECORD_FILE} has no "format": it was written before projects carried the base of a merge (create-pyservice ${String(json.version).slice(0, 40)}), so this project cannot be updated automatically`
          : `${RECORD_FILE} has an unknown format ${JSON.stringify(json.format)?.slice(0, 40)}`,
    );
  }
  if (typeof json.version !== 'string' || !/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(json.version)) {
    problems.push(`"version" must be a release version such as 0.1.0, not ${JSON.stringify(json.version)?.slice(0, 80)}`);
  }

  const answers: Record<string, unknown> = {};
  if (!isPlainObject(json.answers)) problems.push('"answers" must be an object');
  else {
    for (const key of Object.keys(json.answers)) {
      if (!(RECORDED_KEYS as readonly string[]).includes(key)) problems.push(`answers.${key.slice(0, 80)} is not an answer this release knows`);
    }
    for (const key of RECORDED_KEYS) {
      const value = json.answers[key];
      // The first release wrote an empty answer (no author) as null.
      const parsed = value === undefined || (legacy && value === null) ? absentAnswer(key) : parseAnswer(key, value);
      if (parsed.problem) problems.push(`answers.${key} (--${TABLE[key].flag}): ${parsed.problem}`);
      else answers[key] = parsed.value;
    }
  }

  const routes: string[] = [];
  if (legacy && json.routes === undefined) {
    // The first release had no routes to record.
  } else if (!Array.isArray(json.routes)) problems.push('"routes" must be a list of route names');
  else if (json.routes.length > MAX_FILES) problems.push(`"routes" lists more than ${MAX_FILES} routes`);
  else {
    for (const route of json.routes) {
      if (typeof route !== 'string' || !ROUTE_NAME.test(route)) problems.push(`routes: ${JSON.stringify(route)?.slice(0, 80)} is not a route name`);
      else if (routes.includes(route)) problems.push(`routes: "${route}" is listed twice`);
      else routes.push(route);
    }
  }

  let base: Base | undefined;
  if (legacy) {
    if (json.base !== undefined) problems.push('"base" is there, but "format" is not: this is no record of the first release');
    if (problems.length === 0) base = options.legacyBase!(json, json.version as string);
  } else base = parseBase(json.base, problems);

  if (problems.length === 0) {
    for (const violation of compatViolations(answers as Partial<Answers>)) problems.push(`answers: ${violation.message}`);
  }
  if (problems.length > 0) {
    throw new RecordError(`${RECORD_FILE} is not a valid record (edited by hand?); fix or restore it from version control:`, problems.slice(0, 20));
  }
  return { version: json.version as string, answers: answers as ProjectAnswers, routes, base: base! };
}

/** The recorded base: every path a managed file (record-paths.ts), every id a blob id, the snapshot matching them. */
function parseBase(rawBase: unknown, problems: string[]): Base | undefined {
  if (!isPlainObject(rawBase) || !isPlainObject(rawBase.files)) {
    problems.push('"base.files" must be an object of path → blob id');
    return undefined;
  }
  const entries = Object.entries(rawBase.files);
  if (entries.length > MAX_FILES) {
    problems.push(`"base.files" lists more than ${MAX_FILES} files`);
    return undefined;
  }
  const files: [string, string][] = [];
  for (const [path, id] of entries) {
    const problem = pathProblem(path);
    if (problem) problems.push(`base.files: the path ${JSON.stringify(path.slice(0, 200))} ${problem}; it is not a file the generator manages`);
    else if (typeof id !== 'string' || !BLOB_ID.test(id)) problems.push(`base.files["${path}"] is not a blob id`);
    else files.push([path, id]);
  }
  const ids = dataObject(files);
  if (rawBase.ref !== undefined && (typeof rawBase.ref !== 'string' || !REF.test(rawBase.ref))) {
    problems.push(`base.ref must be refs/pyservice/base[-<12 hex digits>], not ${JSON.stringify(rawBase.ref)?.slice(0, 80)}`);
  }
  if (rawBase.snapshot !== undefined) {
    if (typeof rawBase.snapshot !== 'string') problems.push('base.snapshot must be a string');
    else {
      try {
        const snapshot = decodeSnapshot(rawBase.snapshot);
        const snapshotIds = blobIds(snapshot);
        const mismatched = files.filter(([path, id]) => snapshot.has(path) && snapshotIds[path] !== id).map(([path]) => path);
        if (mismatched.length > 0) problems.push(`base.snapshot does not match base.files for ${mismatched.join(', ')}`);
      } catch (error) {
        const why = (error as Error).message;
        problems.push(why.startsWith('the snapshot') ? `base.snapshot: ${why}` : 'base.snapshot is corrupt (not gzip-compressed JSON in base64)');
      }
    }
  }
  return {
    files: ids,
    ...(typeof rawBase.ref === 'string' ? { ref: rawBase.ref } : {}),
    ...(typeof rawBase.snapshot === 'string' ? { snapshot: rawBase.snapshot } : {}),
  };
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

/**
 * The record's text, refused in one line if it is no text we could have
 * written: larger than any record, or not UTF-8. (A byte-order mark and CRLF
 * line ends are fine: JSON reads through them, and the next write drops them.)
 */
async function readRecordText(path: string, size: number): Promise<string> {
  if (size > MAX_RECORD_BYTES) {
    throw new RecordError(`${path} is ${size} bytes, larger than any record (at most ${MAX_RECORD_BYTES}); it is not one create-pyservice wrote: restore it from version control`);
  }
  const file = await open(path, 'r');
  let bytes: Buffer;
  try {
    bytes = await file.readFile();
  } finally {
    await file.close();
  }
  if (bytes.length > MAX_RECORD_BYTES) throw new RecordError(`${path} grew beyond ${MAX_RECORD_BYTES} bytes while being read; run the command again`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new RecordError(`${path} is not UTF-8 text (a different encoding, or binary); save it as UTF-8 or restore it from version control`);
  }
}

/** Find the project containing `from` (it or a parent holds the record) and read its record. */
export async function findProject(from: string): Promise<Project> {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, RECORD_FILE);
    const info = await lstat(candidate).catch(() => undefined);
    if (info) {
      if (!info.isFile()) throw new RecordError(`${candidate} is not a regular file`);
      const recordText = await readRecordText(candidate, info.size);
      const root = dir;
      return { root, record: parseRecord(recordText, { legacyBase: (json, version) => legacyBase(root, json, version) }), recordText };
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
