/**
 * What a generator is, and the table of generators. A generator takes some
 * options from the option table, plans what it will do (read-only: in memory
 * and a look at the disk; `--dry-run` stops there), and carries the plan out
 * as node-plop actions (generators/plop.ts runs them). One file each:
 * service.ts (a new project), route.ts, db.ts, docker.ts, update.ts (an existing one,
 * sharing living-steps.ts). Adding one is a new file, an entry in GENERATORS
 * and its templates. The types are generator-types.ts.
 */
import { dbGenerator } from './db.js';
import { dockerGenerator } from './docker.js';
import { routeGenerator } from './route.js';
import { updateGenerator } from './update.js';
import { serviceGenerator } from './service.js';

export type { ActionStep, BasePlan, Generator, PlannedFile, PossiblePath, RunContext } from './generator-types.js';

/** THE generator table: the CLI runs `GENERATORS[name]` through node-plop's `getGenerator(name)`. */
export const GENERATORS = {
  service: serviceGenerator,
  route: routeGenerator,
  db: dbGenerator,
  docker: dockerGenerator,
  update: updateGenerator,
} as const;

export type GeneratorName = keyof typeof GENERATORS;
