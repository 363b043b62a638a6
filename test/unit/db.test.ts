/**
 * `--db postgres|none` (issue #23): the option, its record, the files it adds or replaces,
 * and the version ranges of its dependencies. What the generated project does on a real
 * PostgreSQL is proven with the harness (the report of issue #23 and npm run verify).
 */
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../src/model/options.js';
import { blobId, encodeSnapshot, parseRecord, serializeRecord, type ProjectRecord } from '../../src/project/record.js';
import { possibleServicePaths, renderService } from '../../src/render/render.js';
import { DB_DEPENDENCIES, POSTGRES_IMAGE } from '../../src/model/versions.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

/** Files only a project with a database has. */
const DB_ONLY = [
  'alembic.ini',
  'app/db/__init__.py',
  'app/db/models.py',
  'app/db/session.py',
  'app/routes/ready.py',
  'migrations/env.py',
  'migrations/script.py.mako',
  'migrations/versions/0001_create_items.py',
  'tests/test_db_config.py',
  'tests/test_migrations.py',
  'tests/test_ready.py',
];

describe('the --db option', () => {
  it('takes postgres or none, default none, and refuses anything else naming the choices', () => {
    expect(OPTIONS.db.parse('postgres')).toEqual({ ok: true, value: 'postgres' });
    expect(OPTIONS.db.parse('none')).toEqual({ ok: true, value: 'none' });
    expect(OPTIONS.db.parse('mysql')).toEqual({ ok: false, problem: '"mysql" is not one of: none, postgres' });
    expect(OPTIONS.db.default).toEqual({ value: 'none' });
    expect(OPTIONS.db.stage).toBe('customise');
    expect(OPTIONS.db.recorded).toBe(true);
  });
});

describe('the record', () => {
  const files = new Map([['app/main.py', 'print("hi")\n']]);
  const record: ProjectRecord = {
    version: '0.1.0',
    answers: defaultAnswers({ db: 'postgres' }),
    routes: [],
    base: { files: Object.fromEntries([...files].map(([p, c]) => [p, blobId(c)])), snapshot: encodeSnapshot(files) },
  };
  const edit = (change: (json: any) => void) => {
    const json = JSON.parse(serializeRecord(record));
    change(json);
    return JSON.stringify(json);
  };

  it('keeps db: postgres', () => {
    expect(JSON.parse(serializeRecord(record)).answers.db).toBe('postgres');
    expect(parseRecord(serializeRecord(record)).answers.db).toBe('postgres');
  });

  it('reads a record written before --db existed (no db answer) as db: none', () => {
    expect(parseRecord(edit((json) => delete json.answers.db)).answers.db).toBe('none');
  });

  it('refuses an unknown database, naming the answer and its flag', () => {
    const problems = (() => {
      try {
        parseRecord(edit((json) => (json.answers.db = 'mysql')));
      } catch (error) {
        return String((error as { details?: unknown }).details ?? error);
      }
      return 'no error';
    })();
    expect(problems).toMatch(/answers\.db \(--db\): "mysql" is not one of: none, postgres/);
  });
});

describe('rendering', () => {
  const none = renderService(defaultAnswers(), TEST_VERSION);
  const postgres = renderService(defaultAnswers({ db: 'postgres' }), TEST_VERSION);

  it('adds the database files only with --db postgres', () => {
    for (const path of DB_ONLY) {
      expect(postgres.has(path), path).toBe(true);
      expect(none.has(path), path).toBe(false);
    }
    expect([...postgres.keys()].filter((path) => !none.has(path)).sort()).toEqual(DB_ONLY);
  });

  it('puts the items service, its routes and the tests on the database session', () => {
    expect(postgres.get('app/services/items.py')).toContain('async def create(self, data: ItemCreate) -> Item:');
    expect(postgres.get('app/routes/items.py')).toContain('return await service.list_all()');
    expect(postgres.get('tests/conftest.py')).toContain('join_transaction_mode="create_savepoint"');
    expect(postgres.get('app/main.py')).toContain('await engine.dispose()');
    expect(none.get('app/services/items.py')).toContain('In-memory item store');
    for (const [path, content] of none) expect(content, path).not.toMatch(/sqlalchemy|alembic|asyncpg|DATABASE_URL/i);
  });

  it('declares sqlalchemy[asyncio], asyncpg and alembic with ranges both harness views satisfy', () => {
    const deps: string[] = (parseToml(postgres.get('pyproject.toml')!) as any).project.dependencies;
    expect(deps).toEqual(expect.arrayContaining(['sqlalchemy[asyncio] (>=2.0.40,<3.0)', 'asyncpg (>=0.30,<1.0)', 'alembic (>=1.13.2,<2.0)']));
    expect(Object.keys(DB_DEPENDENCIES)).toEqual(['sqlalchemy[asyncio]', 'asyncpg', 'alembic']);
  });

  it('gives compose.yaml a postgres service, a one-shot migration and an app that waits for both', () => {
    const compose = postgres.get('compose.yaml')!;
    expect(compose).toContain(`image: "${POSTGRES_IMAGE}"`);
    expect(compose).toContain('condition: service_completed_successfully');
    expect(compose).toContain('test: ["CMD", "pg_isready", "--username=postgres", "--dbname=app"]');
    expect(compose).toContain('- postgres-data:/var/lib/postgresql/data');
    expect(compose).toContain('entrypoint: ["/app/.venv/bin/python", "-m", "alembic"]');
    expect(none.get('compose.yaml')).not.toContain('postgres');
  });

  it('ships the migrations in the image, runnable with its own Python on both runtimes', () => {
    for (const runtime of ['slim', 'distroless'] as const) {
      const python = runtime === 'distroless' ? '3.13' : '3.14';
      const dockerfile = renderService(defaultAnswers({ db: 'postgres', runtime, python }), TEST_VERSION).get('Dockerfile')!;
      expect(dockerfile).toContain('COPY alembic.ini ./\nCOPY migrations ./migrations\n');
      expect(dockerfile).toContain('--entrypoint /app/.venv/bin/python my-api -m alembic upgrade head');
    }
    expect(none.get('Dockerfile')).not.toContain('alembic');
  });

  it('lists the database files as possible paths "with --db postgres" until the answer is known', () => {
    const unknown = possibleServicePaths({});
    expect(unknown.find((p) => p.path === 'alembic.ini')).toEqual({ path: 'alembic.ini', only: 'with --db postgres' });
    expect(unknown.find((p) => p.path === 'app/services/items.py')).toEqual({ path: 'app/services/items.py' });
    expect(possibleServicePaths({ db: 'none' }).some((p) => p.path === 'alembic.ini')).toBe(false);
    expect(possibleServicePaths({ db: 'postgres' }).find((p) => p.path === 'migrations/env.py')).toEqual({ path: 'migrations/env.py' });
    const paths = unknown.map((p) => p.path);
    expect(paths).toEqual([...paths].sort());
  });
});
