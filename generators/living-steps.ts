/**
 * What the generators that change an existing project share (route.ts,
 * docker.ts, update.ts): each plans by finding the project from where it runs
 * and merging three ways (src/project/living.ts, loaded only when one of them
 * runs); its one node-plop action applies the plan through the writer, all or
 * nothing, and then moves the base forward.
 */
import type { RunContext } from './generator-types.js';
import type { LivingPlan } from '../src/project/living.js';
import { findProject } from '../src/project/record.js';

export type Apply = 'pyservice:apply';

/** node-plop keeps only the message of a failed action; the CLI needs the error itself (its exit code, details). */
const applyErrors = new WeakMap<LivingPlan, unknown>();

/** Why `plan`'s apply action failed, if it did. */
export const applyErrorOf = (plan: LivingPlan): unknown => applyErrors.get(plan);

export const applyAction = {
  'pyservice:apply': async (plan: LivingPlan) => {
    const { applyPlan } = await import('../src/project/living.js');
    try {
      return (await applyPlan(plan)).warning ?? '';
    } catch (error) {
      applyErrors.set(plan, error);
      throw error;
    }
  },
};
export const applySteps = () => [{ type: 'pyservice:apply' as const, abortOnFail: true }];

export const projectOf = (context: RunContext) => findProject(context.cwd ?? process.cwd());
