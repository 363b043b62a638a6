/**
 * node-plop carries the generators: each entry of GENERATORS becomes a
 * node-plop generator whose prompts are the option-table interview and whose
 * actions are the generator's action types, run over its plan. Loaded lazily
 * (this module and node-plop are a chunk of their own): only a run that
 * writes pays for it.
 */
import nodePlop, { type NodePlopAPI } from 'node-plop';
import type { Answers, OptionKey } from '../src/model/options.js';
import type { BasePlan, Generator } from './generator.js';

/** One run of a generator: how to get its answers (the interview) and the plan made from them. */
export interface GeneratorRun<K extends OptionKey, P extends BasePlan> {
  readonly name: string;
  /** The option-table interview (or the defaults, without a terminal). */
  readonly ask: () => Promise<Pick<Answers, K>>;
  /** The plan the actions carry out (made by the CLI before writing: --dry-run stops there). */
  readonly plan: P;
}

/** A node-plop instance with `generator` registered under `run.name` (its prompts and actions). */
export async function registerGenerator<K extends OptionKey, P extends BasePlan, T extends string>(
  generator: Generator<K, P, T>,
  run: GeneratorRun<K, P>,
): Promise<NodePlopAPI> {
  const plop = await nodePlop();
  const steps = generator.actions(run.plan);
  for (const { type } of steps) {
    const action = generator.actionTypes[type];
    plop.setActionType(type, () => action(run.plan));
  }
  plop.setGenerator(run.name, {
    description: generator.description,
    prompts: () => run.ask(),
    actions: () => steps.map(({ type, abortOnFail }) => ({ type, abortOnFail })),
  });
  return plop;
}

export interface ActionsOutcome {
  /** Lines for the end screen, in action order. */
  readonly notes: string[];
  readonly failures: { readonly type: string; readonly error: string }[];
}

/**
 * Register `generator` with a fresh node-plop instance and run its actions
 * through `plop.getGenerator(name)`. Action types close over the typed plan,
 * so no data crosses node-plop untyped.
 */
export async function runGenerator<K extends OptionKey, P extends BasePlan, T extends string>(
  generator: Generator<K, P, T>,
  run: GeneratorRun<K, P>,
): Promise<ActionsOutcome> {
  const plop = await registerGenerator(generator, run);
  const { changes, failures } = await plop.getGenerator(run.name).runActions({ target: run.plan.target });
  return {
    notes: changes.map((change) => change.path).filter((note) => note.length > 0),
    failures: failures.map((failure) => ({ type: failure.type, error: failure.error })),
  };
}
