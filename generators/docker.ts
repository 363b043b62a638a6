/** `pyservice docker`: change a project's image choices (runtime, Python, dependencies, server, port). */
import { compatViolations } from '../src/model/compat.js';
import type { Generator } from './generator-types.js';
import type { LivingPlan } from '../src/project/living.js';
import { Refused } from '../src/model/errors.js';
import { IMAGE_KEYS } from '../src/model/options.js';
import { applyAction, applySteps, projectOf, type Apply } from './living-steps.js';

/** The image choices `docker` changes, in the option table's order. */
export const DOCKER_KEYS = [...IMAGE_KEYS, 'port'] as const;
export type DockerKey = (typeof DOCKER_KEYS)[number];

export const dockerGenerator: Generator<DockerKey, LivingPlan, Apply> = {
  description: "change a project's image choices, merged with your edits",
  options: DOCKER_KEYS,
  possiblePaths: () => [],
  async plan(answers, context) {
    const [project, { planRender }] = await Promise.all([projectOf(context), import('../src/project/living.js')]);
    const next = { ...project.record.answers, ...answers };
    const violations = compatViolations(next).map((v) => v.message);
    if (violations.length > 0) throw new Refused(violations);
    return planRender(project, 'docker', { answers: next, routes: project.record.routes }, context.version);
  },
  actionTypes: applyAction,
  actions: applySteps,
};
