import type { ProjectAnswers } from '../../generators/render.js';
import { STATIC_DEFAULTS } from '../../generators/options.js';

/** The answers `--yes` gives for a directory named `name` (author omitted, as with --author ""). */
export function defaultAnswers(overrides: Partial<ProjectAnswers> = {}): ProjectAnswers {
  const { git: _git, ...defaults } = STATIC_DEFAULTS;
  return { ...defaults, name: 'my-api', author: null, ...overrides };
}

/** The reviewed golden presets: name → answers. */
export const GOLDEN_PRESETS: Record<string, ProjectAnswers> = {
  default: defaultAnswers(),
  distroless: defaultAnswers({ runtime: 'distroless' }),
  'wheels-gunicorn': defaultAnswers({ deps: 'wheels', server: 'gunicorn' }),
  'python-3.11': defaultAnswers({ python: '3.11' }),
};

/** Test runs use the package version, like the bundle does. */
export const TEST_VERSION = '0.1.0';
