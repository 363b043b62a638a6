/** `pyservice add route NAME`: an APIRouter module, its service, schemas and tests, registered in app/main.py. */
import type { Generator } from './generator-types.js';
import type { LivingPlan } from '../src/project/living.js';
import { Refused } from '../src/model/errors.js';
import { applyAction, applySteps, projectOf, type Apply } from './living-steps.js';

export const routeGenerator: Generator<never, LivingPlan, Apply> = {
  description: 'add a route to a project: router, service, schemas and tests',
  options: [],
  possiblePaths: () => [],
  async plan(_answers, context) {
    const name = context.words?.[0];
    if (name === undefined) throw new Refused(["add route: give the route's name, e.g. pyservice add route orders"]);
    const [project, { planAddRoute }] = await Promise.all([projectOf(context), import('../src/project/living.js')]);
    return planAddRoute(project, name, context.version);
  },
  actionTypes: applyAction,
  actions: applySteps,
};
