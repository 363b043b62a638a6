/**
 * main(), as steps: parse → validate → answers (the interview in a terminal,
 * defaults otherwise) → plan (render in memory, check the target) → act
 * (node-plop runs the generator's actions) → report.
 * Exit codes: 0 ok, 1 failure, 2 usage/validation error, 130 cancelled (Ctrl-C).
 */
import { realMachine } from '../io/machine.js';
import { readdirSync } from 'node:fs';
import { parseArgv, type ParsedArgv } from './argv.js';
import { compatViolations } from '../model/compat.js';
import { describeError, reportFailure } from './failure.js';
import { GENERATORS, type BasePlan, type Generator, type RunContext } from '../../generators/generator.js';
import { helpText } from './help.js';
import { runGenerator } from '../../generators/plop.js';
import { type Answers, type Machine, type OptionKey } from '../model/options.js';
import { toolStatus } from '../io/tool-check.js';
import { TOOLS } from '../model/tools.js';
import type { TargetCheck } from './prompts.js';
import { replacedFiles, reportJson, reportText, type Outcome } from './report.js';
import { answerProblems, fillDefaults, isComplete } from '../model/resolve.js';
import { writeErrorOf } from '../../generators/service.js';
import { guardProcess, noteReplaced } from './signals.js';
import { writeOut } from './output.js';
import { CliError, EXIT, printErrors, spinner } from './ui.js';
import { checkWorkingDirectory, planWrite, WriteRefused } from '../io/write.js';

declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

/** Step 3: every answer of `generator`, asked in a terminal, else from flags and defaults. */
export async function collectAnswers<K extends OptionKey, P extends BasePlan, T extends string>(
  generator: Generator<K, P, T>,
  parsed: ParsedArgv,
  machine: Machine,
): Promise<{ answers: Pick<Answers, K>; force: boolean }> {
  let answers: Partial<Answers>;
  let force = parsed.controls.force;
  const errors: string[] = [];
  if (machine.interactive) {
    const { interview } = await import('./prompts.js');
    const result = await interview(generator.options, parsed.given, {
      machine,
      force,
      checkTarget: (directory, known, allowed) => checkTarget(directory, generator.possiblePaths(known), allowed, parsed.controls.dryRun),
    });
    ({ answers, force } = result);
  } else {
    const filled = fillDefaults(parsed.given, machine, generator.options);
    answers = filled.answers;
    errors.push(...filled.errors);
  }
  errors.push(...answerProblems(answers, machine));
  if (errors.length > 0) throw new CliError(errors, EXIT.usage);
  if (!isComplete(answers, generator.options)) throw new CliError(['internal: an answer was neither given, asked nor defaulted'], EXIT.failure);
  return { answers, force };
}

/** The early conflict check of the interview: only paths, nothing rendered. */
async function checkTarget(directory: string, paths: readonly { path: string; only?: string }[], force: boolean, dryRun: boolean): Promise<TargetCheck> {
  const files = new Map(paths.map(({ path }) => [path, '']));
  try {
    planWrite(directory, files, force, { dryRun });
    return { kind: 'ok' };
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    if (force) return { kind: 'refused', message: error.message, details: error.details };
  }
  try {
    const plan = planWrite(directory, files, true, { dryRun });
    const entries = readdirSync(plan.target).filter((entry) => entry !== '.git').length;
    const replaces = paths.filter(({ path }) => plan.overwrites.includes(path)).map(({ path, only }) => (only ? `${path} (${only})` : path));
    return { kind: 'not-empty', entries, replaces };
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    return { kind: 'refused', message: error.message, details: error.details };
  }
}

async function run(argv: readonly string[]): Promise<{ outcome?: Outcome; json: boolean; help?: string }> {
  // 1. Parse; help and version need nothing else.
  const parsed = parseArgv(argv);
  const { controls } = parsed;
  if (controls.help) return { help: helpText(VERSION), json: false };
  if (controls.version) return { help: VERSION, json: false };

  // 2. Validate the flags on their own (every problem at once).
  const errors = [...parsed.errors, ...compatViolations(parsed.given).map((v) => v.message)];
  if (errors.length > 0) throw new CliError(errors, EXIT.usage);

  // 3. Answers. (The generators that work on an existing project run from commands.ts.)
  const name = 'service';
  const generator = GENERATORS[name];
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true && !controls.yes && !controls.json;
  const machine = realMachine(interactive, () => toolStatus(TOOLS.poetry).usable);
  const { answers, force } = await collectAnswers(generator, parsed, machine);

  // 4. Plan: render in memory and check the target; --dry-run stops here.
  const context: RunContext = { version: VERSION, force, dryRun: controls.dryRun, ...(controls.json ? {} : { progress: spinner }), machine };
  const plan = await generator.plan(answers, context).catch((error: unknown) => {
    // npm kept --force for itself (or an .npmrc sets force=true): never acted on; say how to give it to us.
    if (error instanceof WriteRefused && parsed.npm.force) throw new WriteRefused(error.message, [...error.details, `npm kept --force for itself; to replace the generated files, put it after --: ${parsed.npm.command}`]);
    throw error;
  });
  if (controls.dryRun) return { outcome: { plan, dryRun: true, notes: [], failures: [] }, json: controls.json };

  // 5. Act: node-plop runs the generator's actions (write, git, install).
  noteReplaced(replacedFiles(plan));
  const { notes, failures } = await runGenerator(generator, { name, ask: async () => answers, plan });
  const writeFailure = failures.find((f) => f.type === 'pyservice:write');
  if (writeFailure) throw writeErrorOf(plan) ?? new CliError([`could not write the project: ${writeFailure.error}`], EXIT.failure);
  return { outcome: { plan, dryRun: false, notes, failures }, json: controls.json };
}

/** Run the CLI; returns the exit code (never throws, never prints a stack trace). */
export async function main(argv: readonly string[]): Promise<number> {
  let json = argv.includes('--json') || parseArgv(argv).controls.json;
  const release = guardProcess();
  try {
    checkWorkingDirectory();
    const result = await run(argv);
    json = result.json;
    if (result.help !== undefined) {
      writeOut(`${result.help}\n`);
      return EXIT.ok;
    }
    const outcome = result.outcome!;
    writeOut(json ? reportJson(outcome) : reportText(outcome));
    if (outcome.failures.length > 0) {
      if (!json) printErrors([`the project was written, but a follow-up step failed:`], outcome.failures.flatMap((f) => f.error.split('\n')));
      return EXIT.failure;
    }
    return EXIT.ok;
  } catch (error) {
    const failure = describeError(error);
    reportFailure(failure, json);
    return failure.code;
  } finally {
    release();
  }
}
