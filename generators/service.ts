/**
 * The `service` generator: a new FastAPI + Poetry project. Its plan renders
 * every file in memory and checks the target; its node-plop actions write the
 * files (staged, then moved into place), initialise git and run poetry.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initGit, installDependencies } from '../src/io/post.js';
import { encodeSnapshot, gitWillHold, parseRecord, prepareBase, RECORD_FILE, serializeRecord } from '../src/project/record.js';
import { possibleServicePaths, renderService, type RenderedFiles } from '../src/render/render.js';
import { OPTION_KEYS, type Answers, type OptionKey } from '../src/model/options.js';
import { applyChanges } from '../src/io/apply.js';
import { planWrite, writeFiles, type WritePlan } from '../src/io/write.js';
import type { BasePlan, Generator, RunContext } from './generator-types.js';

export interface ServicePlan extends BasePlan {
  readonly answers: Answers;
  readonly rendered: RenderedFiles;
  readonly write: WritePlan;
  readonly context: RunContext;
  /** The project will be in a git repository: the base of later updates goes there (record.ts). */
  readonly inGit: boolean;
}

type ServiceAction = 'pyservice:write' | 'pyservice:git' | 'pyservice:base' | 'pyservice:install';

/** node-plop keeps only the message of a failed action; the CLI needs the error itself (exit code, details). */
const writeErrors = new WeakMap<ServicePlan, unknown>();

/** Why `plan`'s write action failed, if it did. */
export const writeErrorOf = (plan: ServicePlan): unknown => writeErrors.get(plan);

/** Every option of the table shapes a new service. */
const SERVICE_OPTIONS: readonly OptionKey[] = OPTION_KEYS;

export const serviceGenerator: Generator<OptionKey, ServicePlan, ServiceAction> = {
  description: 'a new FastAPI + Poetry service with a multi-stage Dockerfile',
  options: SERVICE_OPTIONS,
  possiblePaths: (known) => possibleServicePaths(known),
  async plan(answers, context) {
    // The base of later updates goes to git when the project will be in a repository (see record.ts).
    const inGit = gitWillHold(answers.directory, answers.git);
    const rendered = renderService(answers, context.version, { inGit });
    const write = planWrite(answers.directory, rendered, context.force, { dryRun: context.dryRun });
    const files = [...rendered.keys()].sort().map((path) => ({
      path,
      bytes: Buffer.byteLength(rendered.get(path) ?? ''),
      action: write.overwrites.includes(path) ? ('overwrite' as const) : ('create' as const),
    }));
    return { target: write.target, files, answers, rendered, write, context, inGit };
  },
  actionTypes: {
    'pyservice:write': async (plan) => {
      try {
        writeFiles(plan.write, plan.rendered);
      } catch (error) {
        writeErrors.set(plan, error);
        throw error;
      }
      // A signal that arrived during the (synchronous) write is handled here, before git or install:
      // two turns of setImmediate put one poll phase of the event loop (where signals are read) in between.
      for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
      return '';
    },
    'pyservice:git': (plan) => {
      // With --install, Poetry has written poetry.lock by now: it belongs in the first commit.
      const lock = plan.answers.install && existsSync(join(plan.target, 'poetry.lock')) ? ['poetry.lock'] : [];
      return initGit(plan.target, plan.context.version, [...plan.rendered.keys(), ...lock]).message;
    },
    'pyservice:base': (plan) => storeBase(plan),
    'pyservice:install': async (plan) => {
      const result = await installDependencies(plan.target, plan.context.progress);
      if (!result.done) throw new Error(result.message);
      return result.message;
    },
  },
  actions: (plan) => [
    { type: 'pyservice:write', abortOnFail: true },
    // Install (poetry lock) before git, so the first commit holds poetry.lock.
    ...(plan.answers.install ? [{ type: 'pyservice:install' as const, abortOnFail: false }] : []),
    ...(plan.answers.git ? [{ type: 'pyservice:git' as const, abortOnFail: false }] : []),
    // Without git the record already carries the base (a snapshot): nothing more to store.
    ...(plan.inGit ? [{ type: 'pyservice:base' as const, abortOnFail: false }] : []),
  ],
};

/**
 * The base of later updates (`pyservice update`, `docker`, `add route`): into
 * git when the project is in a repository now (objects + refs/pyservice/base);
 * otherwise (git missing, or git init failed) the record gets the snapshot it
 * was written without. Returns a line for the end screen only when it matters.
 */
async function storeBase(plan: ServicePlan): Promise<string> {
  const pristine = new Map(plan.rendered);
  const record = parseRecord(pristine.get(RECORD_FILE)!);
  pristine.delete(RECORD_FILE);
  if (record.base.snapshot) return '';
  // A repository of its own (git init just ran here): the ref is known without asking git.
  const ownRepository = existsSync(join(plan.target, '.git'));
  const prepared = prepareBase(plan.target, pristine, `create-pyservice ${plan.context.version}: new project`, {}, { fresh: true, ...(ownRepository ? { ref: 'refs/pyservice/base' } : {}) });
  if (prepared.base.ref) {
    const problem = prepared.commit();
    if (problem) throw new Error(problem);
    return '';
  }
  const withSnapshot = serializeRecord({ ...record, base: { files: record.base.files, snapshot: encodeSnapshot(pristine) } });
  applyChanges({ root: plan.target, writes: new Map([[RECORD_FILE, withSnapshot]]), deletes: [] });
  return prepared.problem ?? 'no git repository: the base of later updates is kept in .pyservice.json';
}
