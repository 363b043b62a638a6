/**
 * The only module that touches the disk for the generated project.
 *
 * Safety rules: nothing is written until every file is rendered; files go to a
 * staging directory beside the target and are then moved into place (one
 * atomic rename when the target does not exist yet); an existing non-empty
 * directory is refused unless `force`, and even then only generated paths are
 * replaced. Nothing the user owns is ever deleted.
 */
import { lstat, mkdir, mkdtemp, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import fse from 'fs-extra';
import type { RenderedFiles } from './render.js';

/** A refusal caused by the user's input (exit code 2), with the details to show. */
export class WriteRefused extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export interface WritePlan {
  readonly target: string;
  readonly targetExists: boolean;
  /** Generated paths that already exist and would be replaced (only with force). */
  readonly overwrites: string[];
  readonly creates: string[];
}

/** Entries that do not make a directory "non-empty" for our purposes. */
const IGNORABLE = new Set(['.git', '.DS_Store', 'Thumbs.db']);

const exists = async (path: string) => (await lstat(path).catch(() => undefined)) !== undefined;

/** Decide what writing `files` into `target` would do, or refuse with every reason. */
export async function planWrite(target: string, files: RenderedFiles, force: boolean): Promise<WritePlan> {
  const root = resolve(target);
  const info = await stat(root).catch(() => undefined);
  if (info && !info.isDirectory()) throw new WriteRefused(`${target} exists and is not a directory; choose another directory`);
  const paths = [...files.keys()].sort();
  if (!info) return { target: root, targetExists: false, overwrites: [], creates: paths };

  const entries = (await readdir(root)).filter((e) => !IGNORABLE.has(e));
  const overwrites: string[] = [];
  const blocked: string[] = [];
  for (const path of paths) {
    const parts = path.split('/');
    // Parents must be real directories: never write through a link or over a file.
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const st = await lstat(join(root, parent)).catch(() => undefined);
      if (st && !st.isDirectory()) {
        blocked.push(`${parent}/ is ${st.isSymbolicLink() ? 'a symbolic link' : 'a file'}, but the project needs a directory there`);
      }
    }
    const st = await lstat(join(root, path)).catch(() => undefined);
    if (st?.isDirectory()) blocked.push(`${path} is a directory, but the project needs a file there`);
    else if (st) overwrites.push(path);
  }
  const uniqueBlocked = [...new Set(blocked)];
  if (uniqueBlocked.length > 0) {
    throw new WriteRefused(`cannot write into ${target} without deleting something of yours`, uniqueBlocked);
  }
  if (entries.length > 0 && !force) {
    if (overwrites.length > 0) {
      throw new WriteRefused(
        `${target} is not empty and ${overwrites.length} generated file${overwrites.length > 1 ? 's' : ''} would overwrite yours; use another directory, or --force to replace exactly these files (nothing else is touched):`,
        overwrites,
      );
    }
    throw new WriteRefused(
      `${target} is not empty (${entries.length} entr${entries.length > 1 ? 'ies' : 'y'}); no generated file would overwrite one of them, but pass --force to write into it`,
      entries.sort().slice(0, 20),
    );
  }
  return { target: root, targetExists: true, overwrites, creates: paths.filter((p) => !overwrites.includes(p)) };
}

/**
 * Where to stage: beside a new target (one rename then moves it into place), or
 * inside an existing one, whose parent may not be writable (`create-pyservice .`).
 * Either way the renames stay on one filesystem.
 */
export function stagingParent(plan: Pick<WritePlan, 'target' | 'targetExists'>): string {
  return plan.targetExists ? plan.target : dirname(plan.target);
}

let activeStaging: string | undefined;
let completedTarget: string | undefined;

/**
 * Remove the staging directory of a write that is being interrupted (Ctrl-C).
 * Returns the target if the project had already been written completely.
 */
export function abortWrite(): string | undefined {
  if (activeStaging) rmSync(activeStaging, { recursive: true, force: true });
  activeStaging = undefined;
  return completedTarget;
}

async function mkdirTracked(path: string, created: string[]) {
  const first = await mkdir(path, { recursive: true });
  if (first) created.push(first);
}

/**
 * Write `files` as planned: stage beside the target, then move into place.
 * On failure everything this call created is removed again.
 */
export async function writeFiles(plan: WritePlan, files: RenderedFiles): Promise<void> {
  const { target } = plan;
  const createdDirs: string[] = [];
  const movedFiles: string[] = [];
  try {
    await mkdirTracked(dirname(target), createdDirs);
    const staging = await mkdtemp(join(stagingParent(plan), `.${basename(target)}.create-pyservice-`));
    activeStaging = staging;
    for (const [path, content] of files) await fse.outputFile(join(staging, path), content);

    if (!plan.targetExists && !(await exists(target))) {
      await rename(staging, target);
      activeStaging = undefined;
      completedTarget = target;
      return;
    }
    // The target exists (empty, or --force): move file by file, creating directories as needed.
    for (const path of [...files.keys()].sort()) {
      const destination = join(target, path);
      await mkdirTracked(dirname(destination), createdDirs);
      const replaced = plan.overwrites.includes(path);
      await rename(join(staging, path), destination);
      if (!replaced) movedFiles.push(destination);
    }
    await fse.remove(staging);
    activeStaging = undefined;
    completedTarget = target;
  } catch (error) {
    abortWrite();
    for (const file of movedFiles.reverse()) await unlink(file).catch(() => undefined);
    for (const dir of createdDirs.reverse()) await removeEmptyTree(dir);
    throw error;
  }
}

/** Remove `dir` and its subdirectories if they hold no files (only what we created). */
async function removeEmptyTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return;
  for (const entry of entries) if (entry.isDirectory()) await removeEmptyTree(join(dir, entry.name));
  await rmdir(dir).catch(() => undefined);
}
