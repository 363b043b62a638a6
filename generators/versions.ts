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
  poetryPluginExport: '1.10.1',
  /** Base images: the Debian release is pinned so a rebuild never switches OS under you. */
  pythonImage: (python: string) => `python:${python}-slim-trixie`,
  distrolessImage: 'gcr.io/distroless/python3-debian13:nonroot',
  /** The one Python version gcr.io/distroless/python3-debian13 contains. */
  distrolessPython: '3.13' as PythonVersion,
  ruff: { min: '0.17', latest: '0.17.5' },
} as const;

interface Bound {
  readonly min: string;
  readonly latest: string;
}

/** Runtime dependencies of the generated service. */
export const DEPENDENCIES = {
  fastapi: { min: '0.115', latest: '0.163.2' },
  'pydantic-settings': { min: '2.8', latest: '2.16.3' },
  'uvicorn[standard]': { min: '0.32', latest: '0.54.0' },
  gunicorn: { min: '23.0', latest: '27.0.1' },
  'uvicorn-worker': { min: '0.3', latest: '0.4.0' },
} as const satisfies Record<string, Bound>;

/** The `dev` dependency group. */
export const DEV_DEPENDENCIES = {
  pytest: { min: '8.3', latest: '9.0.2' },
  httpx: { min: '0.28', latest: '0.28.1' },
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
