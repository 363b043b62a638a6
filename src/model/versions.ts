/**
 * THE version map: every version the generator pins or bounds lives here.
 *
 * `min` is the lowest version the generated ranges accept; it is chosen so the
 * offline verification harness (../shared/harness, Debian trixie's packages)
 * can satisfy it. `latest` is the newest release known when this map was last
 * updated; the upper bound of each range is the next major after it.
 */

export const PYTHON_VERSIONS = ['3.11', '3.12', '3.13', '3.14', '3.15'] as const;
export type PythonVersion = (typeof PYTHON_VERSIONS)[number];

export const VERSIONS = {
  /** Poetry installed in the image's builder stage (a build ARG, overridable). */
  poetry: '2.5.1',
  /** Lowest Poetry the generated project supports (`poetry sync`, PEP 621 `[project]`). */
  poetryMin: '2.0',
  /** Newest poetry-plugin-export; see POETRY_PLUGIN_EXPORT for the one a given Poetry gets. */
  poetryPluginExport: '1.10.1',
  /**
   * Base images: the Debian release is pinned so a rebuild never switches OS under you.
   * Every FROM names its image literally (no ARG), so Dependabot can update it.
   */
  pythonImage: (python: string) => `python:${python}-slim-trixie`,
  distrolessImage: 'gcr.io/distroless/python3-debian13:nonroot',
  /** The one Python version gcr.io/distroless/python3-debian13 contains, and where. */
  distrolessPython: '3.13' as PythonVersion,
  distrolessInterpreter: '/usr/bin/python3.13',
  /** Debian's prefix of that interpreter (pyvenv.cfg `home` is its bin/). */
  distrolessPrefix: '/usr',
  /** Users the runtime images run as: a fixed UID above the system range (as `docker init` does) on slim; distroless's `nonroot`. */
  slimUser: { uid: 10001, gid: 10001, name: 'app' },
  distrolessUser: { uid: 65532, gid: 65532, name: 'nonroot' },
  /**
   * The default Python on the slim runtime: the current CPython release (python:3 and
   * python:latest point at it). Distroless stays on distrolessPython: it publishes
   * Debian's interpreter only, and has no 3.14 image planned.
   */
  defaultPython: '3.14' as PythonVersion,
  ruff: { min: '0.17', latest: '0.17.5' },
} as const;

interface Bound {
  readonly min: string;
  readonly latest: string;
}

/** Runtime dependencies of the generated service: every package app/ and gunicorn_config.py import. */
export const DEPENDENCIES = {
  fastapi: { min: '0.115', latest: '0.163.2' },
  /** app/ imports pydantic itself (schemas, settings validation): declared, not left to fastapi's. */
  pydantic: { min: '2.10', latest: '2.14.1' },
  'pydantic-settings': { min: '2.8', latest: '2.16.3' },
  'uvicorn[standard]': { min: '0.32', latest: '0.54.0' },
  gunicorn: { min: '23.0', latest: '27.0.1' },
  'uvicorn-worker': { min: '0.3', latest: '0.4.0' },
} as const satisfies Record<string, Bound>;

/**
 * Runtime dependencies of a project made with `--db postgres` (app/db/, migrations/). The lower
 * bounds are Debian trixie's (the harness's 3.13 view: SQLAlchemy 2.0.40, asyncpg 0.30.0, Alembic
 * 1.13.2); Debian sid's (3.14/3.15: 2.0.52, 0.31, 1.18.4) are inside the same ranges.
 */
export const DB_DEPENDENCIES = {
  /** The `asyncio` extra brings greenlet, which the async engine runs the ORM on. */
  'sqlalchemy[asyncio]': { min: '2.0.40', latest: '2.0.52' },
  asyncpg: { min: '0.30', latest: '0.31.0' },
  alembic: { min: '1.13.2', latest: '1.18.4' },
} as const satisfies Record<string, Bound>;

/**
 * The PostgreSQL image of compose.yaml's `postgres` service and of the CI service container.
 * PostgreSQL 17 on Debian trixie (the release the slim runtime is on), by major version so
 * security releases arrive on pull: docker-library/postgres 17/trixie/Dockerfile (commit
 * fd482cfacff9eaef8e0833084d4f2407f8078c58, PG_VERSION 17.8-1.pgdg13+1) is published by
 * docker-library/official-images library/postgres as `17.8-trixie, 17-trixie`.
 */
export const POSTGRES_IMAGE = 'postgres:17-trixie';

/**
 * uvicorn and uvicorn-worker for gunicorn projects, as a pair that boots: uvicorn-worker
 * 0.3.x calls `Config.setup_event_loop`, which uvicorn 0.36 removed, and 0.4.0 needs
 * uvicorn >= 0.36, so ranges that allowed 0.3.x with a newer uvicorn could lock a
 * combination whose workers cannot start. The pair follows the project's Python (the
 * lead's decision; the harness views: Debian trixie serves 3.13 uvicorn 0.32.0 +
 * uvicorn-worker 0.3.0, sid serves 3.14/3.15 uvicorn 0.53.0 + 0.4.0): up to 3.13 the
 * old pair, from 3.14 the new one. Uvicorn-only projects keep DEPENDENCIES' range.
 */
export const GUNICORN_UVICORN_PAIRS = {
  upTo313: { 'uvicorn[standard]': '>=0.32,<0.36', 'uvicorn-worker': '>=0.3,<0.4' },
  from314: { 'uvicorn[standard]': '>=0.36,<1.0', 'uvicorn-worker': '>=0.4,<1.0' },
} as const;

/** The runtime requirements of a project: `fastapi (>=0.115,<1.0)`, ... */
export function runtimeRequirements(python: string, server: 'uvicorn' | 'gunicorn', db: 'none' | 'postgres' = 'none'): string[] {
  const database = db === 'postgres' ? Object.entries(DB_DEPENDENCIES).map(([name, bound]) => `${name} (${versionRange(bound)})`) : [];
  const common = [requirement('fastapi'), requirement('pydantic'), requirement('pydantic-settings'), ...database];
  if (server === 'uvicorn') return [...common, requirement('uvicorn[standard]')];
  const pair = compareVersions(python, '3.14') >= 0 ? GUNICORN_UVICORN_PAIRS.from314 : GUNICORN_UVICORN_PAIRS.upTo313;
  return [
    ...common,
    `uvicorn[standard] (${pair['uvicorn[standard]']})`,
    requirement('gunicorn'),
    `uvicorn-worker (${pair['uvicorn-worker']})`,
  ];
}

/** The `dev` dependency group. */
export const DEV_DEPENDENCIES = {
  pytest: { min: '8.3', latest: '9.0.2' },
  /** The tests' HTTP client (httpx.AsyncClient over httpx.ASGITransport; see tests/conftest.py). */
  httpx: { min: '0.28', latest: '0.28.1' },
  /** `make test`'s coverage report and floor; 5.0.0 (Debian trixie) and 7.1.0 (Debian sid) are both proven. */
  'pytest-cov': { min: '5.0', latest: '7.1.0' },
  /**
   * What pytest-cov runs, declared for itself: pyproject's [tool.coverage] configures it, and
   * pytest-cov 5.0.0 as Debian trixie packages it (the harness's 3.13 view) requires nothing.
   */
  coverage: { min: '7.6', latest: '7.16.1' },
  /** Strict type checking; 1.15.0 (Debian trixie) and 2.4.0 (Debian sid) are both proven. */
  mypy: { min: '1.15', latest: '2.4.0' },
  ruff: VERSIONS.ruff,
} as const satisfies Record<string, Bound>;

/** `>=min,<next major of latest` (for 0.x releases the next major is 1.0). */
export function versionRange({ min, latest }: Bound): string {
  const major = Number(latest.split('.')[0]);
  return `>=${min},<${major + 1}.0`;
}

/** PEP 508 requirement with a Poetry 2 style parenthesised range: `fastapi (>=0.115,<1.0)`. */
export function requirement(name: keyof typeof DEPENDENCIES): string {
  return `${name} (${versionRange(DEPENDENCIES[name])})`;
}

/**
 * poetry-plugin-export releases and the Poetry versions each accepts, newest first
 * (its `Requires-Dist: poetry`). 1.10.1 needs Poetry >= 2.1 (issue #9, and 1.10.0's
 * metadata in the harness index says `poetry (>=2.1.0,<3.0.0)`); 1.9.0 needs
 * `poetry (>=2.0.0,<3.0.0)` (its metadata in the harness index, ../shared/harness/VERSIONS.md).
 */
export const POETRY_PLUGIN_EXPORT = [
  { version: VERSIONS.poetryPluginExport, poetry: { min: '2.1', below: '3.0' } },
  { version: '1.9.0', poetry: { min: '2.0', below: '3.0' } },
] as const;

/** Compare dotted release versions numerically (missing parts count as 0). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** The newest poetry-plugin-export that installs with `poetry`, or undefined if none is known to. */
export function pluginExportFor(poetry: string): string | undefined {
  return POETRY_PLUGIN_EXPORT.find(
    (p) => compareVersions(poetry, p.poetry.min) >= 0 && compareVersions(poetry, p.poetry.below) < 0,
  )?.version;
}

/**
 * The GitHub Actions of the generated CI workflow, each pinned to the commit of a
 * released tag. Looked up on 2026-11-26 in each action's own repository (the
 * newest release tag and the commit it points to); `inputs` are the inputs the
 * workflow passes, each declared in the action's action.yml at that tag.
 */
export const GITHUB_ACTIONS = {
  checkout: {
    repo: 'actions/checkout',
    tag: 'v7.0.1',
    sha: '3d3c42e5aac5ba805825da76410c181273ba90b1',
    inputs: ['persist-credentials'],
  },
  setupPython: {
    repo: 'actions/setup-python',
    tag: 'v7.0.0',
    sha: '5fda3b95a4ea91299a34e894583c3862153e4b97',
    inputs: ['python-version-file', 'cache', 'cache-dependency-path'],
  },
  setupBuildx: {
    repo: 'docker/setup-buildx-action',
    tag: 'v4.3.0',
    sha: '37fe631027851001ddb9b187196cc803df7f5f0e',
    inputs: [],
  },
  buildPush: {
    repo: 'docker/build-push-action',
    tag: 'v7.3.0',
    sha: '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a',
    inputs: ['context', 'load', 'push', 'tags', 'cache-from', 'cache-to'],
  },
} as const satisfies Record<string, { repo: string; tag: string; sha: string; inputs: readonly string[] }>;

export type GithubAction = keyof typeof GITHUB_ACTIONS;

/** `owner/repo@sha # tag`: the value of a workflow step's `uses:`, pinned, with the release it is. */
export function actionRef(key: GithubAction): string {
  const action = GITHUB_ACTIONS[key];
  return `${action.repo}@${action.sha} # ${action.tag}`;
}
