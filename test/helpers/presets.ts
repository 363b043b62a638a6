import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectAnswers } from '../../src/render/render.js';
import { REPO } from './cli.js';
import type { Combination } from './matrix.js';

/**
 * What `--yes` answers, written out by hand from README's flag table (not
 * taken from the option table, which test/unit/options.test.ts checks against
 * this). The directory, git and install are run-time switches, not answers.
 */
export const DEFAULTS = {
  description: 'A FastAPI service',
  python: '3.14',
  runtime: 'slim',
  deps: 'venv',
  server: 'uvicorn',
  port: 8000,
  poetryVersion: '2.5.1',
  ci: 'github',
  compose: true,
  db: 'none',
} as const satisfies Omit<ProjectAnswers, 'name' | 'author'>;

/** The answers `--yes` gives for a directory named `my-api` (author omitted, as with --author ""). */
export function defaultAnswers(overrides: Partial<ProjectAnswers> = {}): ProjectAnswers {
  return { ...DEFAULTS, name: 'my-api', author: null, ...overrides };
}

export const ADA = { name: 'Ada Lovelace', email: 'ada@example.org' } as const;

const combo = (answers: ProjectAnswers): Combination => {
  const { python, runtime, deps, server } = answers as ProjectAnswers & Combination;
  return { python, runtime, deps, server };
};

const preset = (answers: ProjectAnswers) => ({ answers, combo: combo(answers) });

/**
 * The reviewed golden presets (test/golden/<name>/). `default` is what
 * `create-pyservice my-api --yes` writes for a user whose git identity is Ada;
 * the others have no author.
 */
export const GOLDEN_PRESETS = {
  default: preset(defaultAnswers({ author: ADA })),
  distroless: preset(defaultAnswers({ runtime: 'distroless', python: '3.13' })),
  'wheels-gunicorn': preset(defaultAnswers({ deps: 'wheels', server: 'gunicorn' })),
  'python-3.11': preset(defaultAnswers({ python: '3.11' })),
  postgres: preset(defaultAnswers({ db: 'postgres' })),
} as const;

export type GoldenPreset = keyof typeof GOLDEN_PRESETS;

/** The package version, which the bundle (and, through vitest's define, the sources) reports. */
export const TEST_VERSION: string = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
