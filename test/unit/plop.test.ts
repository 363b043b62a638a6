import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerGenerator, runGenerator } from '../../generators/plop.js';
import { STATIC_DEFAULTS, type Answers, type Machine } from '../../src/model/options.js';
import { serviceGenerator } from '../../generators/service.js';
import { listFiles } from '../helpers/cli.js';
import { readPreset } from '../helpers/golden.js';
import { TEST_VERSION } from '../helpers/presets.js';

const machine: Machine = { interactive: false, poetryAvailable: () => false, poetryProblem: () => undefined, gitConfig: () => undefined };
const answersFor = (directory: string, git = false): Answers => ({ ...STATIC_DEFAULTS, python: '3.14', directory, name: 'svc', author: null, git, install: false });
const context = { version: TEST_VERSION, force: false, showProgress: false, dryRun: false, machine };

describe('node-plop carries the generators', () => {
  it('registers the service generator: its prompts are the interview, its actions write the plan', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'pyservice-plop-')), 'svc');
    const answers = answersFor(directory);
    const plan = await serviceGenerator.plan(answers, context);
    const plop = await registerGenerator(serviceGenerator, { name: 'service', ask: async () => answers, plan });
    expect(plop.getGeneratorList()).toEqual([{ name: 'service', description: serviceGenerator.description }]);
    const generator = plop.getGenerator('service');
    expect(await generator.runPrompts()).toBe(answers);
    const { changes, failures } = await generator.runActions(answers);
    expect(failures).toEqual([]);
    expect(changes.map((c) => c.type)).toEqual(['pyservice:write']);
    expect(listFiles(directory)).toEqual(readPreset('default').paths); // the reviewed file list, not the plan's own
    expect(plan.files.map((f) => f.path).sort()).toEqual(readPreset('default').paths);
  });

  it('runs only the actions the answers ask for, in order, and reports their notes', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'pyservice-plop-')), 'svc');
    const plan = await serviceGenerator.plan(answersFor(directory, true), context);
    expect(serviceGenerator.actions(plan).map((a) => a.type)).toEqual(['pyservice:write', 'pyservice:git', 'pyservice:base']);
    const outcome = await runGenerator(serviceGenerator, { name: 'service', ask: async () => plan.answers, plan });
    expect(outcome.failures).toEqual([]);
    expect(outcome.notes).toHaveLength(1);
    expect(outcome.notes[0]).toMatch(/git/);
    expect(existsSync(join(directory, '.git'))).toBe(true);
  });
});
