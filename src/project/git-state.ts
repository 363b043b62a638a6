/**
 * The state of the git repository around a project, before a command writes
 * into it: in the middle of a merge, rebase, cherry-pick, revert or bisect,
 * the working tree holds git's half-done work (conflict markers, a detached
 * HEAD, files git will rewrite on --continue), so writing the generator's
 * changes into it would mix two operations. Refused, with what to do.
 *
 * The marker files are found with `git rev-parse --git-path`, so a worktree's
 * own git directory and a submodule's (`.git` as a file) are the ones looked at.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { RecordError } from './record-paths.js';

const OPERATIONS: readonly { readonly path: string; readonly what: string; readonly todo: string }[] = [
  { path: 'MERGE_HEAD', what: 'a git merge', todo: 'git merge --continue or --abort first' },
  { path: 'rebase-merge', what: 'a git rebase', todo: 'git rebase --continue or --abort first' },
  { path: 'rebase-apply', what: 'a git rebase (or git am)', todo: 'git rebase --continue or --abort (git am --continue or --abort) first' },
  { path: 'CHERRY_PICK_HEAD', what: 'a git cherry-pick', todo: 'git cherry-pick --continue or --abort first' },
  { path: 'REVERT_HEAD', what: 'a git revert', todo: 'git revert --continue or --abort first' },
  { path: 'sequencer', what: 'a git cherry-pick or revert of several commits', todo: 'git cherry-pick (or revert) --continue or --abort first' },
  { path: 'BISECT_LOG', what: 'a git bisect', todo: 'git bisect reset first' },
];

/** The unfinished git operation in the repository around `root`, if any (none outside git, or without git). */
export function unfinishedGitOperation(root: string): { what: string; todo: string } | undefined {
  const result = spawnSync('git', ['rev-parse', ...OPERATIONS.flatMap((op) => ['--git-path', op.path])], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  if (result.error || result.status !== 0) return undefined;
  const paths = result.stdout.split('\n');
  return OPERATIONS.find((_, i) => paths[i] !== undefined && paths[i] !== '' && existsSync(resolve(root, paths[i]!)));
}

/** Refuse (exit 2, nothing written) to change a project while git is in the middle of something. */
export function refuseDuringGitOperation(root: string): void {
  const op = unfinishedGitOperation(root);
  if (op) {
    throw new RecordError(`${op.what} is in progress in the repository of ${root}; finish it before changing the project: ${op.todo}, then run this command again`);
  }
}
