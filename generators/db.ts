/**
 * `pyservice add db postgres`: the project re-rendered with a database (the items service and its
 * tests on it, app/db/, migrations/, compose and CI services), merged three ways like `docker`.
 * Removing a database is not offered: it would take away the user's models and migrations.
 */
import { compatViolations } from '../src/model/compat.js';
import type { Generator } from './generator-types.js';
import type { LivingPlan } from '../src/project/living.js';
import { Refused } from '../src/model/errors.js';
import { OPTIONS } from '../src/model/options.js';
import { applyAction, applySteps, projectOf, type Apply } from './living-steps.js';

export const dbGenerator: Generator<never, LivingPlan, Apply> = {
  description: 'add a PostgreSQL database to a project: SQLAlchemy, Alembic, tests',
  options: [],
  possiblePaths: () => [],
  async plan(_answers, context) {
    const word = context.words?.[0];
    if (word === undefined) throw new Refused(['add db: say which database: pyservice add db postgres']);
    const parsed = OPTIONS.db.parse(word);
    if (!parsed.ok) throw new Refused([`add db: ${parsed.problem}; the one database to add is: pyservice add db postgres`]);
    if (parsed.value === 'none') {
      throw new Refused(['add db none: removing a database is not offered (it would take app/db/, migrations/ and your models away); remove them by hand if you mean it']);
    }
    const [project, { planRender }] = await Promise.all([projectOf(context), import('../src/project/living.js')]);
    if (project.record.answers.db === parsed.value) {
      throw new Refused([`add db ${parsed.value}: this project has it already (${project.root}/.pyservice.json: "db": "${parsed.value}"); nothing to do`]);
    }
    const next = { ...project.record.answers, db: parsed.value };
    const violations = compatViolations(next).map((v) => v.message);
    if (violations.length > 0) throw new Refused(violations);
    return planRender(project, 'add db', { answers: next, routes: project.record.routes }, context.version);
  },
  actionTypes: applyAction,
  actions: applySteps,
};
