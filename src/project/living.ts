/**
 * Changing a project that already exists (`add route`, `docker`, `update`):
 * render what this release would generate for the target answers and routes,
 * plan every file three ways against the recorded base and the user's file
 * (merge.ts), then apply the whole plan through the one writer, and only then
 * move the base forward. Planning is read-only: `--dry-run` stops there.
 * Every read of a user file is noted (`reads`): the apply re-verifies them
 * under the lock before the first move and refuses a plan made from a file
 * that has changed since (recheck.ts).
 */
import { byteString, fromByteString, readUserFile, type Content, type UserFile } from '../io/bytes.js';
import { describe as describeReason, planFile, sized, type FileAction, type FilePlan } from './merge.js';
import { refuseDuringGitOperation } from './git-state.js';
import { assertManagedPath, blobId, prepareBase, readBase, RECORD_FILE, RecordError, serializeRecord, type Project, type ProjectRecord } from './record.js';
import { renderService, type ProjectAnswers, type RenderedFiles } from '../render/render.js';
import { MAIN_PY, renderRoute, RouteError, routeNames } from '../render/route.js';
import { registerRouter } from '../render/route-register.js';
import { applyChanges } from '../io/apply.js';
import { changedSince, fingerprint, type Reads } from './recheck.js';
import { WriteFailed, WriteRefused, type Transaction } from '../io/write.js';

/** What a project should be: the answers and routes it is rendered from. */
export interface Target {
  readonly answers: ProjectAnswers;
  readonly routes: readonly string[];
}

export type Command = 'add route' | 'add db' | 'docker' | 'update';

/** Everything this release generates for `target` (the record aside): service, routes, registrations. */
export function renderProject(target: Target, version: string): RenderedFiles {
  const files = renderService(target.answers, version);
  files.delete(RECORD_FILE);
  for (const route of target.routes) {
    for (const [path, content] of renderRoute(routeNames(route))) files.set(path, content);
    files.set(MAIN_PY, registerRouter(files.get(MAIN_PY)!, route));
  }
  return files;
}

export interface LivingPlan {
  readonly command: Command;
  /** The project's root directory. */
  readonly target: string;
  readonly from: ProjectRecord;
  /** The record's text when planned: the apply refuses if it changed meanwhile. */
  readonly recordText: string;
  readonly version: string;
  /** What the project becomes: answers and routes. */
  readonly next: Target;
  /** Every file considered, sorted by path (keeps included: --json lists them). */
  readonly files: readonly FilePlan[];
  /** The next base: contents where known, else the recorded id (kept as it was). */
  readonly nextBase: ReadonlyMap<string, string | { readonly id: string }>;
  /** Every project file planning read (present or absent), as fingerprints: re-verified before applying. */
  readonly reads: ReadonlyMap<string, string>;
  /** The project's lock and staging, held since before planning (session.ts); without it the apply takes its own. */
  readonly held?: Transaction;
}

/** Compare release versions (x.y.z; a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split(/[-+]/, 2);
    return { parts: core.split('.').map(Number), pre: v.includes('-') ? (pre ?? '') : undefined };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/**
 * The user's file as its bytes (bytes.ts: a string only if that is exact), undefined if absent,
 * null when not a regular file. A path from the record, or a directory on the way that is a link: refused.
 */
async function readOurs(root: string, path: string): Promise<UserFile | undefined | null> {
  await assertManagedPath(root, path);
  return readUserFile(root, path);
}

/** `readOurs`, noting what was read in `reads` (the record of what the plan was made from). */
async function readNoted(reads: Reads, root: string, path: string): ReturnType<typeof readOurs> {
  const value = await readOurs(root, path);
  reads.set(path, fingerprint(value));
  return value;
}

const labelsFor = (version: string) => ({ ours: 'yours', theirs: `create-pyservice ${version}` });

function refuseNewerProject(record: ProjectRecord, version: string): void {
  if (compareVersions(record.version, version) > 0) {
    throw new RecordError(
      `this project was last rendered by create-pyservice ${record.version}, newer than this ${version}; use that release or newer (npx create-pyservice@latest)`,
    );
  }
}

/**
 * Plan re-rendering the project for `target` with this release's templates,
 * merged three ways with the user's files (`docker` and `update`).
 */
export async function planRender(project: Project, command: Command, target: Target, version: string): Promise<LivingPlan> {
  const { root, record } = project;
  refuseNewerProject(record, version);
  const theirs = renderProject(target, version);
  const base = readBase(root, record.base);
  const ids = record.base.files;
  const paths = [...new Set([...Object.keys(ids), ...theirs.keys()])].sort();
  const files: FilePlan[] = [];
  const notRegular: string[] = [];
  const reads: Reads = new Map();
  for (const path of paths) {
    const file = await readNoted(reads, root, path);
    if (file === null) {
      notRegular.push(path);
      continue;
    }
    const ours = file?.content;
    const plan = planFile(
      {
        path,
        base: base.get(path),
        inBase: ids[path] !== undefined,
        ours,
        theirs: theirs.get(path),
        oursIsBase: ours !== undefined && blobId(ours) === ids[path],
        theirsIsBase: theirs.has(path) && blobId(theirs.get(path)!) === ids[path],
        ...(file ? { mode: file.mode } : {}),
      },
      labelsFor(version),
    );
    if (plan?.writeTo !== undefined && (await readOurs(root, plan.writeTo)) !== undefined) {
      throw new WriteRefused(
        `cannot update ${path}: it is binary and changed on both sides, and ${plan.writeTo} (where its new version goes) is in the way; compare it with ${path}, remove it, and run again`,
      );
    }
    if (plan) files.push(plan);
  }
  for (const path of notRegular) {
    // Not a file any more (a link, a directory): left alone, and refused only if we had to change it.
    const theirsIsBase = theirs.has(path) && blobId(theirs.get(path)!) === ids[path];
    if (!theirsIsBase) {
      throw new WriteRefused(`cannot update ${path}: it is no longer a regular file (a link or a directory?); make it a file again or move it away`);
    }
    files.push(sized({ path, action: 'keep', reason: 'user-changed' }));
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { command, target: root, from: record, recordText: project.recordText, version, next: target, files, nextBase: theirs, reads };
}

/**
 * Plan `add route NAME`: the route's own files are created (refused if any
 * exists), and app/main.py gets the registration at its anchors, applied to
 * the user's file as it is now. Nothing else changes.
 */
export async function planAddRoute(project: Project, rawName: string, version: string): Promise<LivingPlan> {
  const { root, record } = project;
  refuseNewerProject(record, version);
  const names = routeNames(rawName);
  const { name } = names;
  if (record.routes.includes(name) || name === 'health' || name === 'items') {
    throw new RouteError(`route "${name}" already exists in this project; choose another name`);
  }
  const routeFiles = renderRoute(names);
  const existing: string[] = [];
  const reads: Reads = new Map();
  for (const path of routeFiles.keys()) if ((await readNoted(reads, root, path)) !== undefined) existing.push(path);
  if ((await readNoted(reads, root, `app/routes/${name}`)) !== undefined) existing.push(`app/routes/${name}/`);
  if (existing.length > 0) {
    throw new RouteError(`route "${name}" already exists: these files are in the way (remove them or choose another name):`, existing);
  }
  const mainFile = await readNoted(reads, root, MAIN_PY);
  if (!mainFile) {
    throw new RouteError(`${MAIN_PY} is ${mainFile === null ? 'not a regular file' : 'missing'}; new routers are registered there`);
  }
  const main = mainFile.content;
  // Not UTF-8 text: registered on its bytes (one character per byte), so no other byte changes.
  const registered: Content = typeof main === 'string' ? registerRouter(main, name) : fromByteString(registerRouter(byteString(main), name));

  const base = readBase(root, record.base);
  const nextBase = new Map<string, string | { id: string }>();
  for (const [path, id] of Object.entries(record.base.files)) nextBase.set(path, base.get(path) ?? { id });
  for (const [path, content] of routeFiles) nextBase.set(path, content);
  const baseMain = base.get(MAIN_PY);
  if (baseMain !== undefined) {
    // The base gets the same registration, so that the next update sees it as the generator's, not yours.
    try {
      nextBase.set(MAIN_PY, registerRouter(baseMain, name));
    } catch {
      // A base without the anchors (an older release): the registration stays yours to keep.
    }
  }
  const files: FilePlan[] = [
    ...[...routeFiles].map(([path, content]) => sized({ path, action: 'create', reason: 'new', content })),
    sized({ path: MAIN_PY, action: 'update', reason: 'registered', content: registered, before: main, ...(mainFile.mode !== '100644' ? { mode: mainFile.mode } : {}) }),
  ];
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return {
    command: 'add route',
    target: root,
    from: record,
    recordText: project.recordText,
    version: record.version,
    next: { answers: record.answers, routes: [...record.routes, name] },
    files,
    nextBase,
    reads,
  };
}

export interface ApplyResult {
  /** A problem after the files were written (e.g. the git ref could not move): reported, not fatal. */
  readonly warning?: string;
}

const WRITES: ReadonlySet<FileAction> = new Set(['create', 'update', 'merge', 'conflict']);

/**
 * Apply a plan, all or nothing, through the writer; the record (answers,
 * routes, version, base) is written in the same transaction, and the git base
 * ref moves only after it succeeded.
 */
/** The files `plan` was made from (the record included) that hold something else now, sorted. */
export function changedSincePlan(plan: LivingPlan): string[] {
  return changedSince(plan.target, new Map([...plan.reads, [RECORD_FILE, fingerprint(plan.recordText)]]));
}

export async function applyPlan(plan: LivingPlan): Promise<ApplyResult> {
  refuseDuringGitOperation(plan.target); // also checked when the command starts (commands.ts); here for every caller of applyPlan
  // What the plan was made from must still be there: checked now (a prompt may have waited), and again under the lock just before the first move.
  const verify = () => {
    const changed = changedSincePlan(plan);
    if (changed.length > 0) {
      throw new WriteFailed(
        `${changed.join(', ')} changed while this command ran (after it was read for the plan); nothing was changed: run the command again to plan on what is there now`,
      );
    }
  };
  verify();
  const contents = new Map<string, string>();
  const knownIds: Record<string, string> = {};
  for (const [path, value] of plan.nextBase) {
    if (typeof value === 'string') contents.set(path, value);
    else knownIds[path] = value.id;
  }
  const prepared = prepareBase(plan.target, contents, `create-pyservice ${plan.version}: ${plan.command}`, knownIds);
  const record = serializeRecord({ version: plan.version, answers: plan.next.answers, routes: plan.next.routes, base: prepared.base });
  const writes = new Map<string, Content>();
  for (const file of plan.files) if (WRITES.has(file.action)) writes.set(file.writeTo ?? file.path, file.content!);
  writes.set(RECORD_FILE, record);
  const deletes = plan.files.filter((f) => f.action === 'delete').map((f) => f.path);
  try {
    applyChanges({ root: plan.target, writes, deletes }, { verify, ...(plan.held ? { held: plan.held } : {}) });
  } catch (error) {
    prepared.discard();
    throw error;
  }
  const warning = prepared.commit();
  return warning ? { warning } : {};
}

/** The files worth showing (unchanged ones left out), with their reasons in words. */
export function visibleFiles(plan: LivingPlan, dryRun = false): { path: string; action: FileAction; reason: string; conflicts?: number }[] {
  return plan.files
    .filter((f) => !(f.action === 'keep' && f.reason === 'unchanged'))
    .map((f) => ({ path: f.path, action: f.action, reason: describeReason(f.reason, dryRun), ...(f.conflicts ? { conflicts: f.conflicts } : {}) }));
}
