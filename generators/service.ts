/**
 * The `service` generator's actions (node-plop custom action types). They
 * receive the resolved answers plus the rendered files and the write plan;
 * all deciding has been done before they run.
 */
import type { CustomActionFunction, PlopGeneratorConfig } from 'node-plop';
import type { RenderedFiles } from './render.js';
import { writeFiles, type WritePlan } from './write.js';
import { initGit, installDependencies } from './post.js';

/** What the CLI hands to `runActions`. */
export interface ServiceRun {
  readonly files: RenderedFiles;
  readonly plan: WritePlan;
  readonly git: boolean;
  readonly install: boolean;
  readonly version: string;
  readonly showProgress: boolean;
  /** Filled by the actions: notes for the summary. */
  readonly notes: string[];
}

const run = (answers: unknown) => answers as ServiceRun;

export const writeAction: CustomActionFunction = async (answers) => {
  const { plan, files } = run(answers);
  await writeFiles(plan, files);
  return `${files.size} files written to ${plan.target}`;
};

export const gitAction: CustomActionFunction = (answers) => {
  const data = run(answers);
  const result = initGit(data.plan.target, data.version);
  data.notes.push(result.message);
  return result.message;
};

export const installAction: CustomActionFunction = async (answers) => {
  const data = run(answers);
  const result = await installDependencies(data.plan.target, data.showProgress);
  if (!result.done) throw new Error(result.message);
  data.notes.push(result.message);
  return result.message;
};

export const serviceGenerator: PlopGeneratorConfig = {
  description: 'A FastAPI + Poetry service with a multi-stage Dockerfile',
  prompts: [],
  actions: (data) => {
    const { git, install } = run(data);
    return [
      { type: 'pyservice:write', abortOnFail: true },
      ...(git ? [{ type: 'pyservice:git', abortOnFail: false }] : []),
      ...(install ? [{ type: 'pyservice:install', abortOnFail: false }] : []),
    ];
  },
};
