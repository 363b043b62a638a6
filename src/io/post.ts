/** After writing: optional git init/commit and poetry lock/install, run as real tools. */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { trackChild } from './children.js';

import type { SpawnSyncOptionsWithStringEncoding } from 'node:child_process';

const quiet: SpawnSyncOptionsWithStringEncoding = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 };

export interface StepResult {
  readonly done: boolean;
  readonly message: string;
}

/**
 * git init + a first commit holding exactly `paths` (what we generated: never a
 * file of the user's that was already in the directory), unless git is missing
 * or the directory is already inside a repository.
 */
export function initGit(dir: string, version: string, paths: readonly string[]): StepResult {
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { ...quiet, cwd: dir });
  // No process just to ask whether git is there: the first one says so.
  if ((inside.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return { done: false, message: 'git is not installed: skipped git init' };
  if (inside.status === 0 && inside.stdout.trim() === 'true') {
    return { done: false, message: 'the directory is inside a git repository: skipped git init' };
  }
  const run = (args: string[]) => spawnSync('git', args, { ...quiet, cwd: dir, timeout: 60_000 });
  const init = run(['init', '--quiet']);
  if (init.status !== 0) return { done: false, message: `git init failed: ${init.stderr.trim()}` };
  const add = spawnSync('git', ['--literal-pathspecs', 'add', '--force', '--', ...paths], { ...quiet, cwd: dir, timeout: 60_000 });
  if (add.status !== 0) return { done: true, message: `initialised a git repository; git add failed: ${add.stderr.trim().split('\n')[0]}` };
  const commit = run(['commit', '--quiet', '--message', `Initial commit from create-pyservice ${version}`]);
  if (commit.status !== 0) {
    const why = /user\.(name|email)|identity/i.test(commit.stderr) ? 'git has no user.name/user.email' : commit.stderr.trim().split('\n')[0];
    return { done: true, message: `initialised a git repository; no first commit (${why}): commit when ready` };
  }
  return { done: true, message: 'initialised a git repository with a first commit' };
}

function runLogged(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POETRY_VIRTUALENVS_IN_PROJECT: 'true' } });
    trackChild(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => done({ code: 127, output: error.message }));
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/** How a long step shows it is running (the CLI's spinner), and how it ended. */
export type Progress = (text: string) => { succeed(message?: string): void; fail(message?: string): void };

/** poetry lock, then poetry install, each shown by `progress`; failure keeps the project and says what to run. */
export async function installDependencies(dir: string, progress?: Progress): Promise<StepResult> {
  for (const [args, text] of [
    [['lock', '--no-interaction'], 'Resolving dependencies (poetry lock)'],
    [['install', '--no-interaction'], 'Installing dependencies into .venv (poetry install)'],
  ] as const) {
    const spin = progress?.(text);
    const result = await runLogged('poetry', [...args], dir);
    if (result.code !== 0) {
      spin?.fail();
      const tail = result.output.trim().split('\n').slice(-15).join('\n');
      return { done: false, message: `poetry ${args[0]} failed (exit ${result.code}):\n${tail}` };
    }
    spin?.succeed();
  }
  return { done: true, message: 'dependencies locked (poetry.lock) and installed in .venv' };
}

/** Is `command` an executable file on PATH? (A lookup only: nothing is run, so it costs no process start.) */
export function onPath(command: string, path = process.env.PATH ?? ''): boolean {
  return path
    .split(delimiter)
    .filter((dir) => dir.length > 0)
    .some((dir) => {
      try {
        const file = join(dir, command);
        accessSync(file, constants.X_OK);
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}
