/**
 * The generators that change an existing project, entries of the generator
 * table beside `service`: `route` (add route NAME), `docker` (the image
 * choices) and `update` (this release's templates). Each plans by finding the
 * project from where it runs and merging three ways (living.ts, loaded only
 * when one of them runs); its one node-plop action applies the plan through
 * the writer, all or nothing, and then moves the base forward.
 */
import { compatViolations } from './compat.js';
import type { Generator, RunContext } from './generator-types.js';
import type { LivingPlan } from './living.js';
import { IMAGE_KEYS, OPTIONS } from './options.js';
import { findProject } from './record.js';
import { CliError, EXIT } from './ui.js';

type Apply = 'pyservice:apply';

/** The image choices `docker` changes, in the option table's order. */
export const DOCKER_KEYS = [...IMAGE_KEYS, 'port'] as const;
export type DockerKey = (typeof DOCKER_KEYS)[number];

/** node-plop keeps only the message of a failed action; the CLI needs the error itself (its exit code, details). */
const applyErrors = new WeakMap<LivingPlan, unknown>();

/** Why `plan`'s apply action failed, if it did. */
export const applyErrorOf = (plan: LivingPlan): unknown => applyErrors.get(plan);

const applyAction = {
  'pyservice:apply': async (plan: LivingPlan) => {
    const { applyPlan } = await import('./living.js');
    try {
      return (await applyPlan(plan)).warning ?? '';
    } catch (error) {
      applyErrors.set(plan, error);
      throw error;
    }
  },
};
const applySteps = () => [{ type: 'pyservice:apply' as const, abortOnFail: true }];

const projectOf = (context: RunContext) => findProject(context.cwd ?? process.cwd());

export const routeGenerator: Generator<never, LivingPlan, Apply> = {
  description: 'add a route to a project: APIRouter module, service, schemas and tests, registered in app/main.py',
  options: [],
  possiblePaths: () => [],
  async plan(_answers, context) {
    const name = context.words?.[0];
    if (name === undefined) throw new CliError(["add route: give the route's name, e.g. pyservice add route orders"], EXIT.usage);
    const [project, { planAddRoute }] = await Promise.all([projectOf(context), import('./living.js')]);
    return planAddRoute(project, name, context.version);
  },
  actionTypes: applyAction,
  actions: applySteps,
};

export const dockerGenerator: Generator<DockerKey, LivingPlan, Apply> = {
  description: "change a project's image choices; every file they touch is re-rendered and merged with your edits",
  options: DOCKER_KEYS,
  possiblePaths: () => [],
  async plan(answers, context) {
    const [project, { planRender }] = await Promise.all([projectOf(context), import('./living.js')]);
    const next = { ...project.record.answers, ...answers };
    const violations = compatViolations(next).map((v) => v.message);
    if (violations.length > 0) throw new CliError(violations, EXIT.usage);
    return planRender(project, 'docker', { answers: next, routes: project.record.routes }, context.version);
  },
  actionTypes: applyAction,
  actions: applySteps,
};

/**
 * `add db postgres`: the project re-rendered with a database (the items service and its tests on
 * it, app/db/, migrations/, compose and CI services), merged three ways like `docker`. Removing a
 * database is not offered: it would take away the user's models and migrations.
 */
export const dbGenerator: Generator<never, LivingPlan, Apply> = {
  description: 'add a PostgreSQL database to a project: SQLAlchemy 2 async, Alembic migrations, readiness, tests on it',
  options: [],
  possiblePaths: () => [],
  async plan(_answers, context) {
    const word = context.words?.[0];
    if (word === undefined) throw new CliError(['add db: say which database: pyservice add db postgres'], EXIT.usage);
    const parsed = OPTIONS.db.parse(word);
    if (!parsed.ok) throw new CliError([`add db: ${parsed.problem}; the one database to add is: pyservice add db postgres`], EXIT.usage);
    if (parsed.value === 'none') {
      throw new CliError(["add db none: removing a database is not offered (it would take app/db/, migrations/ and your models away); remove them by hand if you mean it"], EXIT.usage);
    }
    const [project, { planRender }] = await Promise.all([projectOf(context), import('./living.js')]);
    if (project.record.answers.db === parsed.value) {
      throw new CliError([`add db ${parsed.value}: this project has it already (${project.root}/.pyservice.json: "db": "${parsed.value}"); nothing to do`], EXIT.usage);
    }
    const next = { ...project.record.answers, db: parsed.value };
    return planRender(project, 'add db', { answers: next, routes: project.record.routes }, context.version);
  },
  actionTypes: applyAction,
  actions: applySteps,
};

export const updateGenerator: Generator<never, LivingPlan, Apply> = {
  description: "bring a project to this release's templates, merged three ways with your edits",
  options: [],
  possiblePaths: () => [],
  async plan(_answers, context) {
    const [project, { planRender }] = await Promise.all([projectOf(context), import('./living.js')]);
    return planRender(project, 'update', { answers: project.record.answers, routes: project.record.routes }, context.version);
  },
  actionTypes: applyAction,
  actions: applySteps,
};
