/**
 * `npm run verify`: every preset the compatibility table allows, proven for real
 * with the offline harness (../shared/harness): BuildKit's own build checks on the
 * Dockerfile of every valid combination, the generated project's own tests on real
 * Python, `poetry check`, the real ruff, our Dockerfile rules, and for every built
 * preset, with each engine users build with (BuildKit as in `docker build`, and
 * podman/buildah): an image build + run + /health + HEALTHCHECK, an image filesystem
 * inspection, a cached rebuild after a code change, and size/start budgets. Writes
 * reports/images.md, reports/verify-times.md and the table in README.md. Bad cases
 * prove each check can fail.
 *
 * The checks are units (scripts/lib/verify/plan.ts) with ids: `npm run verify -- PATTERN`
 * runs the matching ones, `--list` prints them. One verify at a time: the harness lock
 * (scripts/lib/verify/lock.mjs), taken before it builds dist/ (npm run verify runs this file
 * bundled by scripts/lib/verify/launch.mjs).
 * Outside CI, a unit whose inputs are unchanged since it passed on this machine is
 * reused (scripts/lib/verify/cache.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { livingFlow } from './lib/living-flow.js';
import { stopIfStarted } from './lib/verify/db.js';
import { parseArgs, unmatched, USAGE, UsageError } from './lib/verify/args.js';
import { cacheDir, hashFiles, harnessFingerprint, readTree, sha256, UnitCache } from './lib/verify/cache.js';
import { checks, CLI, HARNESS, HARNESS_HOME, LOG_DIR, presetId, record, REPO, REPORT_DIR, run, tail, type Choices } from './lib/verify/context.js';
import { acquireLock } from './lib/verify/lock.mjs';
import { presets, runUnits, select, units, type RunContext } from './lib/verify/plan.js';
import { PROJECT_DIR, scaffold } from './lib/verify/project.js';
import { writeReports } from './lib/verify/report.js';
import { addTime, timed, timeTable } from './lib/verify/times.js';

function preconditions(): string | undefined {
  if (!existsSync(join(HARNESS, 'build-and-run.sh'))) {
    return (
      `npm run verify needs the offline verification harness (podman, stand-in base images, a local PyPI) at ${HARNESS}.\n` +
      'In CI it is ../shared/harness beside the clone; elsewhere set PYSERVICE_HARNESS=/path/to/harness. Nothing was checked.'
    );
  }
  if (process.getuid?.() !== 0) return 'npm run verify must run as root: the harness builds with podman and serves its index on 127.0.0.1:443. Nothing was checked.';
  return undefined;
}

async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const all = units();
  const missing = unmatched(all.map((u) => u.id), args.patterns);
  if (missing.length > 0) {
    process.stderr.write(`npm run verify: no check id matches ${missing.map((p) => `"${p}"`).join(', ')}; npm run verify -- --list prints every id. Nothing was checked.\n`);
    return 2;
  }
  if (args.list) {
    // `| head` closing the pipe early is not an error.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));
    process.stdout.write(select(all, args.patterns).map((unit) => `${unit.id.padEnd(45)} ${unit.what}\n`).join(''));
    return 0;
  }
  const refused = preconditions();
  if (refused) {
    process.stderr.write(`${refused}\n`);
    return 1;
  }
  const started = Date.now();
  const waitStart = performance.now();
  // One verify at a time, queued with manual harness use (`flock /tmp/pyservice-harness.lock ...`);
  // held until this process ends, however it ends. Then build: dist/ is never rebuilt under a running verify.
  let lock;
  try {
    lock = await acquireLock({ what: 'npm run verify' });
  } catch (error) {
    process.stderr.write(`npm run verify: ${error instanceof Error ? error.message : String(error)}. Nothing was checked.\n`);
    return 1;
  }
  addTime('lock wait', (performance.now() - waitStart) / 1000);
  const built = await timed('build dist/', () => spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, stdio: 'inherit' }));
  if (built.status !== 0 || !existsSync(CLI)) {
    process.stderr.write(`npm run verify: node scripts/build.mjs failed (${built.signal ?? `exit ${built.status}`}); nothing was checked.\n`);
    return 1;
  }
  mkdirSync(LOG_DIR, { recursive: true });
  // BuildKit is set up once with `setup.sh --buildkit`; a plain setup.sh then keeps it up to date.
  const status = spawnSync(join(HARNESS, 'buildkit.sh'), ['status'], { encoding: 'utf8' });
  if (status.status !== 0 && !/^stopped/.test(status.stdout)) {
    process.stderr.write(
      `npm run verify needs the harness's BuildKit engine (Docker Engine with buildx, what \`docker build\` uses), and it is not set up here` +
        `${status.stdout.trim() ? ` (buildkit.sh status: ${status.stdout.trim()})` : ''}.\n` +
        `Run once, as root: ${join(HARNESS, 'setup.sh')} --buildkit   (about 1.5 min on a set-up harness, 6.5 min from nothing; .ci/run does it). Nothing was checked.\n`,
    );
    return 1;
  }
  const engineWasRunning = status.status === 0;
  const setup = await timed('harness setup', () => run(join(HARNESS, 'setup.sh'), [], join(LOG_DIR, 'setup.log'), 30 * 60_000));
  if (setup.code !== 0) {
    process.stderr.write(`harness setup.sh failed (exit ${setup.code}); log: ${join(LOG_DIR, 'setup.log')}\n${tail(setup.output, 20)}\n`);
    return 1;
  }
  const cache = new UnitCache(cacheDir(REPO));
  // Every key holds the checking code (this bundle: scripts/ and the generators/ it imports), the harness and Node.
  const common = sha256(readFileSync(fileURLToPath(import.meta.url)), harnessFingerprint(HARNESS, HARNESS_HOME), process.version);
  const work = mkdtempSync(join(tmpdir(), 'pyservice-verify-'));
  const projects = new Map<string, { dir: string; files: Map<string, string> } | undefined>();
  const ctx: RunContext = {
    work,
    project(choices: Choices) {
      const id = presetId(choices);
      if (!projects.has(id)) {
        const dir = join(work, id, PROJECT_DIR);
        const start = performance.now();
        const files = scaffold(dir, choices, id);
        addTime('scaffold work copies', (performance.now() - start) / 1000);
        projects.set(id, files ? { dir, files } : undefined);
      }
      return projects.get(id);
    },
    livingInputs: () => sha256(hashFiles(readTree(join(REPO, 'dist'))), hashFiles(readTree(join(REPO, 'templates')))),
    // create, add route ×2, docker --runtime distroless, edit, update to the next release (scripts/lib/living-flow.ts).
    living: () => livingFlow({ repo: REPO, cli: CLI, harness: HARNESS, work, logDir: LOG_DIR, record, run }),
    scaffoldInGit(dir: string) {
      const git = { GIT_AUTHOR_NAME: 'verify', GIT_AUTHOR_EMAIL: 'verify@example.org', GIT_COMMITTER_NAME: 'verify', GIT_COMMITTER_EMAIL: 'verify@example.org' };
      mkdirSync(dirname(dir), { recursive: true });
      const result = spawnSync(process.execPath, [CLI, dir, '--yes', '--author', ''], { env: { ...process.env, ...git, NO_COLOR: '1' }, encoding: 'utf8' });
      return result.status === 0;
    },
  };
  const selected = select(all, args.patterns);
  let summary;
  try {
    summary = await runUnits(selected, ctx, cache, common);
    if (args.patterns.length === 0) {
      await timed('reports', async () => {
        const linted = checks.filter((c) => c.ok && c.name.startsWith("BuildKit's build checks on the Dockerfile")).length;
        writeReports(presets(), linted);
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    // The database presets started the harness's PostgreSQL if it was not running: stop it again.
    stopIfStarted();
    // Leave the engine as it was found (lint.sh and build-and-run.sh start it on demand).
    if (!engineWasRunning) spawnSync(join(HARNESS, 'buildkit.sh'), ['stop'], { encoding: 'utf8' });
    lock.release();
  }
  const seconds = (Date.now() - started) / 1000;
  const table = timeTable(seconds);
  const failedChecks = checks.filter((c) => !c.ok);
  process.stdout.write(`\nverify took ${Math.round(seconds)} s${args.patterns.length === 0 ? '; report: reports/images.md' : ''}\n\n${table}\n\n`);
  if (args.patterns.length === 0) writeTimes(table, summary);
  for (const c of failedChecks) process.stdout.write(`failed: ${c.preset}: ${c.name}: ${c.detail}\n`);
  process.stdout.write(
    `verify: reused ${summary.reused} check units (${summary.reusedChecks} checks) that passed with the same inputs before on this machine` +
      `${cache.persistent ? '' : ' (none: CI runs everything)'}; ran ${summary.ran} (${summary.ranChecks} checks)\n`,
  );
  process.stdout.write(`verify: ${checks.length - failedChecks.length} passed, ${failedChecks.length} failed\n`);
  return failedChecks.length === 0 ? 0 : 1;
}

function writeTimes(table: string, summary: { ran: number; reused: number }): void {
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const cores = (spawnSync('nproc', { encoding: 'utf8' }).stdout || '?').trim();
  const mode = summary.reused === 0 ? 'every check unit ran (nothing reused)' : `${summary.ran} check units ran, ${summary.reused} were reused from earlier runs`;
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(
    join(REPORT_DIR, 'verify-times.md'),
    `<!-- generated by npm run verify; do not edit by hand -->\n# Where npm run verify spends its time\n\n` +
      `Measured on ${date} UTC (${process.platform}/${process.arch}, ${cores} cores); ${mode}. Slowest phase first.\n\n${table}\n`,
  );
}

process.exitCode = await main(process.argv.slice(2));
