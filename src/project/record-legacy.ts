/**
 * Projects made by the first release: their record (no "format") holds only
 * the generator, its version and the answers, no base. That release ran
 * `git init` and made a first commit of exactly the files it had just
 * written ("Initial commit from create-pyservice X"), so that commit's tree
 * is the pristine render, and it serves as the base. It is used only if it is
 * provably that commit: the one that first added the record (in the project's
 * directory), with that message, no parent (history not rewritten), and the
 * very record the project has now; every file in it must be a path the
 * generator manages. Otherwise the refusal says which of these is not so.
 */
import { spawnSync } from 'node:child_process';
import { dataObject, parseData, type Base } from './base-store.js';
import { GENERATOR, MAX_FILES, pathProblem, RECORD_FILE, RecordError } from './record-paths.js';

const git = (cwd: string, args: string[]) =>
  spawnSync('git', args, { cwd, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

/** Same JSON, whatever the key order. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : typeof value === 'object' && value !== null
      ? `{${Object.keys(value)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
          .join(',')}}`
      : JSON.stringify(value);

/**
 * The base of a first-release project at `root` whose record is `record`
 * (parsed), from its first git commit; or a RecordError saying precisely why
 * that commit cannot serve.
 */
export function legacyBase(root: string, record: unknown, version: string): Base {
  const cannot = (why: string) =>
    new RecordError(
      `${RECORD_FILE} has no "format": it was written by ${GENERATOR} ${version}, which kept no base for merges; its first git commit would serve, but ${why}, so this project cannot be updated automatically`,
    );
  const inside = git(root, ['rev-parse', '--show-prefix']);
  if (inside.error || inside.status !== 0) throw cannot(`${root} is not in a git repository (or git is not installed)`);
  const log = git(root, ['log', '--diff-filter=A', '--format=%H%x00%P%x00%s', '--', RECORD_FILE]);
  const commits = log.status === 0 ? log.stdout.toString('utf8').split('\n').filter(Boolean) : [];
  if (commits.length === 0) throw cannot(`${RECORD_FILE} was never committed`);
  const [sha = '', parents = '', subject = ''] = commits.at(-1)!.split('\0');
  const short = sha.slice(0, 12);
  const expected = `Initial commit from ${GENERATOR} ${version}`;
  if (subject !== expected) {
    throw cannot(`the commit that first added it (${short}, "${subject.slice(0, 80)}") is not the one ${GENERATOR} made ("${expected}"): it may hold your own changes`);
  }
  if (parents.trim() !== '') throw cannot(`the commit that first added it (${short}) has a parent: the history was rewritten`);
  const then = git(root, ['show', `${sha}:./${RECORD_FILE}`]);
  let same = false;
  try {
    same = then.status === 0 && canonical(parseData(then.stdout.toString('utf8').replace(/^\uFEFF/, ''))) === canonical(record);
  } catch {
    same = false;
  }
  if (!same) throw cannot(`${RECORD_FILE} is not what that commit (${short}) holds: it was changed since`);

  const tree = git(root, ['ls-tree', '-r', '-z', sha, '--', '.']);
  if (tree.status !== 0) throw cannot(`git cannot list that commit (${short}): ${tree.stderr.toString('utf8').trim().split('\n')[0]}`);
  const files: [string, string][] = [];
  for (const entry of tree.stdout.toString('utf8').split('\0')) {
    if (entry === '') continue;
    const tab = entry.indexOf('\t');
    const [mode, type, id] = entry.slice(0, tab).split(' ');
    const path = entry.slice(tab + 1);
    if (path === RECORD_FILE) continue;
    const problem = pathProblem(path);
    if (problem || type !== 'blob' || (mode !== '100644' && mode !== '100755') || !/^[0-9a-f]{40}$/.test(id ?? '')) {
      throw cannot(`that commit (${short}) holds ${JSON.stringify(path.slice(0, 200))}, which ${GENERATOR} never generates${problem ? ` (the path ${problem})` : ''}`);
    }
    files.push([path, id!]);
    if (files.length > MAX_FILES) throw cannot(`that commit (${short}) holds more than ${MAX_FILES} files`);
  }
  if (files.length === 0) throw cannot(`that commit (${short}) holds none of the generated files`);
  return { files: dataObject(files.sort(([a], [b]) => (a < b ? -1 : 1))) };
}
