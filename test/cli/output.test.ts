/**
 * Output that cannot be written never crashes the CLI (src/cli/output.ts): for every command
 * and output mode, the built CLI runs with stdout or stderr on a full device (/dev/full: ENOSPC),
 * on a pipe whose reader is already gone (EPIPE), or on a descriptor open only for reading
 * (EBADF). No stack trace, ever; a run that would have succeeded ends 1 when its stdout was lost
 * to a full device or a bad descriptor, and 0 when its reader left (EPIPE, as after `| head -1`)
 * or only stderr was lost; a run that failed keeps its own code; and the work is done anyway.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

type Sink = 'full' | 'closed-pipe' | 'read-only';
type Where = 'stdout' | 'stderr';

interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** What the stream that still works received. */
  readonly other: string;
}

const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };

/** Run the built CLI with `where` going to `sink`; the other stream is captured. */
function runBroken(args: readonly string[], cwd: string, where: Where, sink: Sink): Promise<Result> {
  return new Promise((done, fail) => {
    const fd = sink === 'full' ? openSync('/dev/full', 'w') : sink === 'read-only' ? openSync(CLI, 'r') : undefined;
    const broken = fd ?? 'pipe';
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, ...GIT_ID, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1', NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', where === 'stdout' ? broken : 'pipe', where === 'stderr' ? broken : 'pipe'],
    });
    if (fd !== undefined) closeSync(fd);
    // The reader goes away before the CLI has even started: every write of it meets EPIPE.
    if (sink === 'closed-pipe') (where === 'stdout' ? child.stdout : child.stderr)!.destroy();
    let other = '';
    (where === 'stdout' ? child.stderr : child.stdout)!.on('data', (c: Buffer) => (other += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`CLI did not finish within 50 s: ${args.join(' ')}`));
    }, 50_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, other });
    });
  });
}

let pristine = '';

beforeAll(() => {
  // One project with an empty git history for the commands to work on; each case gets a copy.
  pristine = join(mkdtempSync(join(tmpdir(), 'pyservice-output-')), 'api');
  const created = spawnSync(process.execPath, [CLI, pristine, '--yes', '--no-git', '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(created.status, created.stderr).toBe(0);
}, 120_000);

/** A directory to run in: a copy of the project for the commands, an empty one otherwise. */
function workDir(inProject: boolean): string {
  const base = mkdtempSync(join(tmpdir(), 'pyservice-output-run-'));
  if (!inProject) return base;
  cpSync(pristine, join(base, 'api'), { recursive: true });
  return join(base, 'api');
}

interface Case {
  readonly args: readonly string[];
  readonly inProject: boolean;
  /** The exit code when every output works. */
  readonly code: number;
  /** The work that must be done even when its report is lost. */
  readonly done?: (cwd: string) => boolean;
}

const CASES: Readonly<Record<string, Case>> = {
  '--version': { args: ['--version'], inProject: false, code: 0 },
  '--help': { args: ['--help'], inProject: false, code: 0 },
  'create (report)': { args: ['svc', '--yes', '--no-git'], inProject: false, code: 0, done: (cwd) => existsSync(join(cwd, 'svc', '.pyservice.json')) },
  'create --json': { args: ['svc', '--yes', '--no-git', '--json'], inProject: false, code: 0, done: (cwd) => existsSync(join(cwd, 'svc', '.pyservice.json')) },
  'create --dry-run': { args: ['svc', '--yes', '--no-git', '--dry-run'], inProject: false, code: 0 },
  'a usage error': { args: ['--bogus'], inProject: false, code: 2 },
  'a usage error with --json': { args: ['svc', '--python', '2.7', '--json'], inProject: false, code: 2 },
  'add route': { args: ['add', 'route', 'orders'], inProject: true, code: 0, done: (cwd) => readFileSync(join(cwd, '.pyservice.json'), 'utf8').includes('"orders"') },
  'add route --json': { args: ['add', 'route', 'orders', '--json'], inProject: true, code: 0, done: (cwd) => readFileSync(join(cwd, '.pyservice.json'), 'utf8').includes('"orders"') },
  'add route --help': { args: ['add', 'route', '--help'], inProject: true, code: 0 },
  'add route: refused': { args: ['add', 'route', 'class'], inProject: true, code: 2 },
  docker: { args: ['docker', '--runtime', 'distroless', '--yes'], inProject: true, code: 0, done: (cwd) => readFileSync(join(cwd, 'Dockerfile'), 'utf8').includes('distroless') },
  'docker --dry-run --diff': { args: ['docker', '--runtime', 'distroless', '--dry-run', '--diff'], inProject: true, code: 0 },
  update: { args: ['update', '--yes'], inProject: true, code: 0 },
  'update --json': { args: ['update', '--json'], inProject: true, code: 0 },
  'update outside a project': { args: ['update'], inProject: false, code: 2 },
};

const SINKS: readonly (readonly [Where, Sink])[] = [
  ['stdout', 'full'],
  ['stdout', 'closed-pipe'],
  ['stdout', 'read-only'],
  ['stderr', 'full'],
  ['stderr', 'closed-pipe'],
];

describe.concurrent.each(SINKS)('%s on %s', (where, sink) => {
  it.each(Object.entries(CASES))('%s: no stack trace, a defined exit code, the work done', async (_name, { args, inProject, code, done }) => {
    const cwd = workDir(inProject);
    const result = await runBroken(args, cwd, where, sink);
    expect(result.signal).toBeNull();
    // No stack trace in what still reaches the user (stderr, when stdout is the broken one).
    expect(result.other).not.toMatch(/^\s+at .+[(:]\d+|node:internal|Error: (write|EPIPE|ENOSPC|EBADF)|Unhandled 'error' event/m);
    // A lost stdout turns a success into 1, a reader that left does not; a failure keeps its code;
    // a lost stderr changes nothing.
    expect(result.code, result.other).toBe(where === 'stdout' && sink !== 'closed-pipe' && code === 0 ? 1 : code);
    if (done) expect(done(cwd)).toBe(true);
    if (where === 'stdout' && sink === 'closed-pipe') expect(result.other).not.toMatch(/could not write/);
    if (where === 'stdout' && sink !== 'closed-pipe' && code === 0) {
      // Not a reader that left: one line says that the output was lost, and why.
      expect(result.other).toMatch(/^error: could not write the output to stdout \((no space left on the device, ENOSPC|it is not open for writing, EBADF)\)/m);
    }
  }, 90_000);
});
