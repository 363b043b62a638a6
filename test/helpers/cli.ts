import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULTS_ENV } from './faults.js';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CLI = join(REPO, 'dist', 'cli.js');
/** The same CLI behind the test-only entry that installs the writer's step hook (faults.ts); built beside dist/ by scripts/build.mjs. */
export const FAULT_CLI = join(REPO, 'build', 'fault-cli', 'cli.js');

/** Run the CLI with the writer stopped at a step (faults.ts): the environment of the fault entry, which alone reads it. */
export const faults = (spec: string): Record<string, string> => ({ [FAULTS_ENV]: spec });
/** The CLI to spawn: the fault entry when the environment asks for faults, else the published bundle. */
const cliFor = (env: Record<string, string | undefined> | undefined) => (env?.[FAULTS_ENV] ? FAULT_CLI : CLI);

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh directory to run the CLI in, with a HOME of its own (no git identity unless given). */
export function sandbox(): { cwd: string; home: string } {
  const base = mkdtempSync(join(tmpdir(), 'pyservice-cli-'));
  const cwd = join(base, 'work');
  const home = join(base, 'home');
  mkdirSync(cwd);
  mkdirSync(home);
  return { cwd, home };
}

/** Spawn the built CLI with closed stdin (as CI and scripts do). */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number; cli?: string },
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [options.cli ?? cliFor(options.env), ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`CLI did not finish within ${options.timeoutMs ?? 50_000} ms: ${args.join(' ')}\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 50_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Start the CLI without waiting for it (stdin closed): `result` settles when it ends, `stderr()`
 * is what it has written to stderr so far (for tests that race or pause it).
 */
export function startCli(args: readonly string[], cwd: string, extraEnv: Record<string, string>): { result: Promise<CliResult>; stderr: () => string } {
  const child = spawn(process.execPath, [cliFor(extraEnv), ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const result = new Promise<CliResult>((done) => child.on('close', (code, signal) => done({ code, signal, stdout, stderr })));
  return { result, stderr: () => stderr };
}

/** Every file below `dir` (relative paths, sorted), skipping .git internals. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((p) => !p.startsWith('.git/'))
    .sort();
}

export const read = (path: string) => readFileSync(path, 'utf8');
