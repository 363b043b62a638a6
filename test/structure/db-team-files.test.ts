/**
 * The team files of a project with a database (--db postgres): compose.yaml and the CI workflow
 * gain a PostgreSQL service. Checked as their tools read them: the Compose Specification schema and
 * dclint, actionlint; and the shape that makes `make up` (docker compose up --wait) and the CI job
 * work: the one-shot migrate service is adopted by the app with service_completed_successfully
 * (what makes `up --wait` wait for its exit instead of failing on it: docker/compose#9572).
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderService } from '../../src/render/render.js';
import { POSTGRES_IMAGE } from '../../src/model/versions.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';
import { lintCompose, lintWorkflow } from '../helpers/validators.js';

interface Service {
  image?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  read_only?: boolean;
  cap_drop?: string[];
}

const COMBOS = [
  { python: '3.13', runtime: 'distroless', deps: 'venv', server: 'gunicorn' },
  { python: '3.14', runtime: 'slim', deps: 'venv', server: 'uvicorn' },
  { python: '3.14', runtime: 'slim', deps: 'wheels', server: 'gunicorn' },
] as const;

describe.each(COMBOS.map((c) => [`${c.python} ${c.runtime} ${c.deps} ${c.server}`, c] as const))('--db postgres, %s', (_label, combo) => {
  const files = renderService(defaultAnswers({ ...combo, db: 'postgres', name: 'shop-api', port: 8123 }), TEST_VERSION);
  const compose = files.get('compose.yaml')!;
  const workflow = files.get('.github/workflows/ci.yml')!;
  const services = (parseYaml(compose) as { services: Record<string, Service>; volumes: Record<string, unknown> }).services;

  it('compose.yaml passes the Compose Specification schema and dclint; the CI workflow passes actionlint', async () => {
    expect(lintCompose(compose)).toEqual([]);
    expect(await lintWorkflow(workflow)).toEqual([]);
  });

  it('the app waits for a healthy postgres and a completed migrate; migrate runs the image\'s Python on the same URL', () => {
    expect(services.app!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, migrate: { condition: 'service_completed_successfully' } });
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.migrate!.entrypoint?.[0]).toMatch(/^\/(app\/\.venv|opt\/venv)\/bin\/python$/);
    expect([...(services.migrate!.entrypoint ?? []).slice(1), ...(services.migrate!.command ?? [])]).toEqual(['-m', 'alembic', 'upgrade', 'head']);
    expect(services.migrate!.environment!.DATABASE_URL).toBe(services.app!.environment!.DATABASE_URL);
    expect(services.app!.environment!.DATABASE_URL).toMatch(/^postgresql\+asyncpg:\/\/postgres:.*@postgres:5432\/app$/);
    expect(services.migrate).toMatchObject({ read_only: true, cap_drop: ['ALL'] });
  });

  it('postgres is the pinned image with a pg_isready healthcheck and its data in a named volume', () => {
    expect(services.postgres!.image).toBe(POSTGRES_IMAGE);
    expect(services.postgres!.healthcheck!.test).toEqual(expect.arrayContaining(['pg_isready']));
    expect(services.postgres!.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(Object.keys((parseYaml(compose) as { volumes: Record<string, unknown> }).volumes)).toEqual(['postgres-data']);
  });

  it('the CI job runs the tests against a postgres service container on the image compose uses', () => {
    const jobs = (parseYaml(workflow) as { jobs: Record<string, { services?: Record<string, { image: string }>; steps: { run?: string; env?: Record<string, string> }[] }> }).jobs;
    const withDb = Object.values(jobs).filter((job) => job.services?.postgres !== undefined);
    expect(withDb).toHaveLength(1);
    expect(withDb[0]!.services!.postgres!.image).toBe(POSTGRES_IMAGE);
    const test = withDb[0]!.steps.find((step) => step.env?.DATABASE_URL !== undefined);
    expect(test?.env?.DATABASE_URL).toMatch(/^postgresql\+asyncpg:\/\/postgres:postgres@127\.0\.0\.1:5432\/app$/);
  });
});
