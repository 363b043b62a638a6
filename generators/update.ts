/** `pyservice update`: bring a project to this release's templates, merged three ways with the user's edits. */
import type { Generator } from './generator-types.js';
import type { LivingPlan } from '../src/project/living.js';
import { applyAction, applySteps, projectOf, type Apply } from './living-steps.js';

export const updateGenerator: Generator<never, LivingPlan, Apply> = {
  description: "bring a project to this release's templates, keeping your edits",
  options: [],
  possiblePaths: () => [],
  async plan(_answers, context) {
    const [project, { planRender }] = await Promise.all([projectOf(context), import('../src/project/living.js')]);
    return planRender(project, 'update', { answers: project.record.answers, routes: project.record.routes }, context.version);
  },
  actionTypes: applyAction,
  actions: applySteps,
};
