/**
 * The database presets (`--db postgres`, issue #23), proven on a real PostgreSQL (the harness's
 * postgres.sh: Debian's server in a throwaway cluster on 127.0.0.1):
 *
 * - the project unit (project.ts) runs the generated tests against a database of their own, and
 *   the Alembic cycle (upgrade head, downgrade base, upgrade head, check) against another;
 * - the image unit builds the image (harness build-and-run.sh, on the host network with
 *   DATABASE_URL), runs the migrations with the one-liner the Dockerfile documents, then serves it
 *   hardened (read-only root, no capabilities): /health/ready 200, an item created through the API
 *   is still there after a container restart; with the database stopped /health/ready is 503 while
 *   /health stays 200, and readiness comes back when the database does;
 * - `add-db` adds the database to a default project (`pyservice add db postgres`) and runs its tests.
 *
 * Every unit gets a database of its own (dropped and created again), so none sees another's rows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addRow, CLI, defaults, ENGINE_LABEL, HARNESS, LOG_DIR, record, run, tail, type Choices, type Engine, type Preset } from './context.js';
import { engineCli, freePort, imageTag, markBuilt } from './container.js';
import { buildAndRun, type HarnessJson } from './image.js';
import { HARDENED } from './runtime.js';
import { timed } from './times.js';
import { VERSIONS } from '../../../src/model/versions.js';

/**
 * Every dimension of the image with a database, in three presets: slim and distroless, uvicorn and
 * gunicorn, venv and wheels, Python 3.13 (trixie's SQLAlchemy 2.0.40, asyncpg 0.30, Alembic 1.13) and
 * the default Python (sid's 2.0.52, 0.31, 1.18).
 */
export function dbPresets(): Choices[] {
  const newest = defaults.python;
  return [
    { python: VERSIONS.distrolessPython, runtime: 'distroless', deps: 'venv', server: 'gunicorn', db: 'postgres' },
    { python: newest, runtime: 'slim', deps: 'venv', server: 'uvicorn', db: 'postgres' },
    { python: newest, runtime: 'slim', deps: 'wheels', server: 'gunicorn', db: 'postgres' },
  ];
}

/**
 * The engine a database preset's image is proven on: BuildKit (what `docker build` and compose run). The
 * Dockerfile differs from the preset without a database only by the migrations it copies, which both
 * engines build in the presets without one.
 */
export const dbEngines = (_choices: Choices): readonly Engine[] => ['buildkit'];

function postgres(action: 'start' | 'stop' | 'status' | 'url'): { code: number; out: string } {
  const result = spawnSync(join(HARNESS, 'postgres.sh'), [action], { encoding: 'utf8', timeout: 10 * 60_000 });
  return { code: result.status ?? 1, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

let startedHere = false;

/** The server's URL (postgresql://postgres@127.0.0.1:PORT/postgres), starting it when it is not running. */
export function serverUrl(): string {
  if (postgres('status').code !== 0) {
    const started = postgres('start');
    if (started.code !== 0) throw new Error(`harness postgres.sh start failed: ${tail(started.out, 4)}`);
    startedHere = true;
  }
  return postgres('url').out.split('\n').pop()!.trim();
}

/** Stop the server if this run started it (verify leaves the machine as it found it). */
export function stopIfStarted(): void {
  if (startedHere) postgres('stop');
  startedHere = false;
}

/** A database of its own for `name` (dropped if it exists), as the URL the generated service takes. */
export function freshDatabase(name: string): string {
  const server = serverUrl();
  const db = `verify_${name.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`.slice(0, 60);
  for (const sql of [`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`, `CREATE DATABASE ${db}`]) {
    const result = spawnSync('psql', [server, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`psql ${sql}: ${(result.stderr ?? '').trim()}`);
  }
  return server.replace(/^postgresql:\/\//, 'postgresql+asyncpg://').replace(/\/[^/?]*(\?|$)/, `/${db}$1`);
}

/** The migration command the Dockerfile documents: `docker run … --entrypoint X IMAGE ARGS…` → [X, ARGS]. */
export function migrationCommand(dockerfile: string): { entrypoint: string; args: string[] } | undefined {
  const line = /^#\s*docker run .*--entrypoint (\S+) (\S+) (.*alembic upgrade head)\s*$/m.exec(dockerfile);
  return line ? { entrypoint: line[1]!, args: line[3]!.trim().split(/\s+/) } : undefined;
}

function engine(engineName: Engine, args: readonly string[], timeout = 120_000) {
  const [cli, prefix] = engineCli(engineName);
  const result = spawnSync(cli, [...prefix, ...args], { encoding: 'utf8', timeout, maxBuffer: 16 * 1024 * 1024 });
  return { code: result.status ?? 124, out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/** One HTTP request with curl on the host network: status and body. */
function http(port: number, method: string, path: string, body?: unknown): { status: number; body: string } {
  const data = body === undefined ? [] : ['-H', 'Content-Type: application/json', '--data', JSON.stringify(body)];
  const result = spawnSync('curl', ['-sS', '-m', '8', '-X', method, '-o', '-', '-w', '\n%{http_code}', ...data, `http://127.0.0.1:${port}${path}`], { encoding: 'utf8', timeout: 20_000 });
  const out = result.stdout ?? '';
  const cut = out.lastIndexOf('\n');
  return { status: Number(out.slice(cut + 1)) || 0, body: out.slice(0, Math.max(cut, 0)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(seconds: number, probe: () => boolean): Promise<boolean> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (probe()) return true;
    await sleep(300);
  }
  return false;
}

/** The database preset's image on one engine: build, migrate with the documented one-liner, serve, persist, readiness. */
export async function dbImageChecks(preset: Preset, dir: string, files: ReadonlyMap<string, string>, engineName: Engine, work: string): Promise<void> {
  const { id } = preset;
  const on = `[${ENGINE_LABEL[engineName]}]`;
  const url = freshDatabase(`${id}_${engineName}`);
  const tag = imageTag(id, engineName);
  const jsonPath = join(work, `${id}.${engineName}.db-build.json`);
  const build = await buildAndRun(engineName, dir, ['--json', jsonPath, '--tag', tag, '--timeout', '30', '--touch', 'app/main.py', '--network-host', '--env', `DATABASE_URL=${url}`], join(LOG_DIR, `${id}.${engineName}.build.log`));
  const result = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as HarnessJson) : undefined;
  const built = result?.endpoint_ok === true;
  if (!record(id, `${on} image builds, runs on the host network with DATABASE_URL and answers /health`, built, built ? '' : (result?.reason ?? tail(build.output)))) return;
  markBuilt(tag);
  record(id, `${on} HEALTHCHECK reports healthy (it needs no database)`, result!.health_ok === true, (result!.healthcheck ?? []).join(' '));
  // The image table's row (README and reports/images.md), as the presets without a database have.
  addRow({
    preset: id,
    engine: engineName,
    base: result!.base_image ?? 'unknown',
    sizeBytes: result!.size_bytes,
    addedBytes: result!.added_bytes,
    buildS: result!.build_s,
    rebuildS: result!.rebuild_s ?? NaN,
    user: result!.user ?? '',
    health: result!.health_ok ? 'healthy' : 'unhealthy',
    upS: Number(/up after ([\d.]+)s/.exec(build.output)?.[1] ?? NaN),
  });

  const command = migrationCommand(files.get('Dockerfile') ?? '');
  if (!record(id, `${on} the Dockerfile documents the migration one-liner (docker run … --entrypoint … alembic upgrade head)`, command !== undefined, '')) return;
  const migrate = await timed('database: migrate + serve', async () =>
    engine(engineName, ['run', '--rm', '--network', 'host', ...HARDENED, '--env', `DATABASE_URL=${url}`, '--entrypoint', command!.entrypoint, tag, ...command!.args], 180_000),
  );
  if (!record(id, `${on} the image runs its migrations (${command!.entrypoint} ${command!.args.join(' ')}), read-only root, no capabilities`, migrate.code === 0, migrate.code ? tail(migrate.out, 4) : '')) return;

  const port = await freePort();
  const name = `pyservice-verify-db-${id}-${engineName}`;
  engine(engineName, ['rm', '-f', name]);
  const started = engine(engineName, ['run', '-d', '--name', name, '--network', 'host', ...HARDENED, '--env', `DATABASE_URL=${url}`, '--env', `PORT=${port}`, tag]);
  try {
    const up = started.code === 0 && (await until(30, () => http(port, 'GET', '/health').status === 200));
    if (!record(id, `${on} serves /health hardened, with the database`, up, up ? '' : tail(`${started.out}\n${engine(engineName, ['logs', name]).out}`, 6))) return;
    record(id, `${on} /health/ready is 200 with the database up`, http(port, 'GET', '/health/ready').status === 200, '');
    const created = http(port, 'POST', '/items', { name: 'persisted', price: 2.5 });
    const itemId = (() => {
      try {
        return (JSON.parse(created.body) as { id?: number }).id;
      } catch {
        return undefined;
      }
    })();
    record(id, `${on} POST /items creates an item (201)`, created.status === 201 && itemId !== undefined, `${created.status} ${created.body.slice(0, 120)}`);
    const restarted = engine(engineName, ['restart', '-t', '10', name]);
    const back = restarted.code === 0 && (await until(30, () => http(port, 'GET', '/health').status === 200));
    const again = http(port, 'GET', `/items/${itemId}`);
    record(id, `${on} the item is still there after a container restart (GET /items/${itemId} → 200)`, back && again.status === 200 && again.body.includes('persisted'), `${again.status} ${again.body.slice(0, 120)}`);

    const stopped = postgres('stop');
    try {
      const ready = http(port, 'GET', '/health/ready');
      const live = http(port, 'GET', '/health');
      record(id, `${on} with the database stopped: /health/ready 503 (${ready.body.slice(0, 80)}), /health 200`, stopped.code === 0 && ready.status === 503 && live.status === 200, `ready ${ready.status}, health ${live.status}`);
    } finally {
      // postgres.sh start makes a new throwaway cluster: the service's database is created again (empty).
      postgres('start');
      freshDatabase(`${id}_${engineName}`);
    }
    const recovered = await until(30, () => http(port, 'GET', '/health/ready').status === 200);
    record(id, `${on} /health/ready is 200 again once the database is back, without restarting the container`, recovered, recovered ? '' : http(port, 'GET', '/health/ready').body.slice(0, 160));
  } finally {
    engine(engineName, ['rm', '-f', name]);
  }
}

/** `pyservice add db postgres` on a default project (in git), then its tests on a real PostgreSQL. */
export async function addDatabase(work: string, scaffoldDefault: (dir: string) => boolean): Promise<void> {
  const id = 'add-db';
  const dir = join(work, 'add-db', 'svc');
  if (!record(id, 'default project scaffolded (with git)', scaffoldDefault(dir), '')) return;
  const added = spawnSync(process.execPath, [CLI, 'add', 'db', 'postgres', '--yes'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  if (!record(id, 'pyservice add db postgres --yes changes the project (exit 0)', added.status === 0, tail(`${added.stdout}\n${added.stderr}`, 4))) return;
  const url = freshDatabase('add_db');
  const tests = await timed('database: tests + migrations (run.sh)', () =>
    run(join(HARNESS, 'run.sh'), [dir, '--', 'sh', '-c', `export DATABASE_URL='${url}'; pytest -W error -p no:cacheprovider -q && alembic check`], join(LOG_DIR, 'add-db.log')),
  );
  const summary = /^(\d+ passed.*?)(?: =+)?$/m.exec(tests.output)?.[1] ?? tail(tests.output, 3);
  record(id, 'the changed project\'s tests pass on a real PostgreSQL (-W error) and alembic check finds no drift', tests.code === 0, summary);
}
