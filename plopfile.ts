/**
 * plop's own CLI runs our generators: `npm run plop` (or `npx plop`, see
 * README "Development") lists service, route, db, docker and update; `npm run plop
 * -- service my-api -- --python 3.12 --no-git` runs one. Nothing is planned or
 * written here: each generator is the entry of GENERATORS (generators/generator.ts),
 * its answers come from the same parsers the CLI uses (parseArgv for service,
 * parseCommand for the others), its plan from generator.plan and its actions
 * are the generator's action types over that plan, through our one writer.
 *
 * How plop's bypass maps onto the option table: one plop prompt per option,
 * named by its flag (`directory` for the positional), so plop's positional
 * bypass (`plop service my-api`) and named bypass (`plop service -- --name x`)
 * both work. Those prompts are never asked by plop's inquirer (`when: false`):
 * the raw values are turned back into command-line words and parsed by our
 * parser, then the last, hidden prompt resolves everything in one go: the
 * option-table interview in a terminal, the defaults otherwise (as `--yes`),
 * then the plan. A refusal prints our one-line error and exits 2 before
 * anything is written.
 */
import { realMachine } from './src/io/machine.js';
import { readFileSync } from 'node:fs';
import type { NodePlopAPI } from 'node-plop';
import { parseArgv } from './src/cli/argv.js';
import { collectAnswers } from './src/cli/cli.js';
import { makePlan, parseCommand } from './src/cli/commands.js';
import { compatViolations } from './src/model/compat.js';
import { describeError } from './src/cli/failure.js';
import { GENERATORS, type BasePlan, type Generator, type RunContext } from './generators/generator.js';
import type { LivingPlan } from './src/project/living.js';
import { OPTION_KEYS, OPTIONS, type OptionKey } from './src/model/options.js';
import { onPath } from './src/io/post.js';
import { DOCKER_KEYS } from './generators/docker.js';
import { refuseDuringGitOperation } from './src/project/git-state.js';
import { writeErr } from './src/cli/output.js';
import { openSession } from './src/project/session.js';
import { CliError, EXIT, spinner } from './src/cli/ui.js';

/** The version the bundle stamps (scripts/build.mjs defines __VERSION__ from package.json): same record, same files. */
const VERSION = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version;

// `npm run plop` runs in the package's directory; the user meant the one they typed it in.
if (process.env.npm_lifecycle_event === 'plop' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const HIDDEN = '__pyservice';

/** The plan of this run (one plop process runs one generator), made by the hidden last prompt. */
let planned: unknown;
const interactive = () => process.stdin.isTTY === true && process.stdout.isTTY === true;

/** A prompt plop can bypass (by position or by name) and never asks itself. */
const bypassable = (name: string, message: string) => ({ type: 'input', name, message, when: false });

/** One bypassable prompt: the option it sets and the name plop knows it by (its flag; `no-FLAG` for a boolean's "no"). */
interface PromptOf {
  /** The option it sets, or a command's word (`route`: add route NAME; `database`: add db postgres). */
  readonly key: OptionKey | 'route' | 'database';
  readonly flag: string;
  readonly message: string;
  readonly negated?: boolean;
}

/** The option table as plop prompts, in table order (so positional bypass follows it), then each boolean's `no-` spelling. */
const promptsOf = (keys: readonly OptionKey[]): PromptOf[] => [
  ...keys.map((key) => ({ key, flag: OPTIONS[key].kind === 'positional' ? key : (OPTIONS[key].flag ?? key), message: OPTIONS[key].title })),
  ...keys
    .filter((key) => OPTIONS[key].kind === 'boolean')
    .map((key) => ({ key, flag: `no-${OPTIONS[key].flag ?? key}`, message: `no ${OPTIONS[key].title}`, negated: true })),
];

/** Bypass values (strings, or `true` for a bare flag) → the words our parsers take, so every value goes through the option table. */
function wordsOf(raw: Record<string, unknown>, prompts: readonly PromptOf[]): string[] {
  const words: string[] = [];
  for (const { key, flag, negated } of prompts) {
    const value = raw[flag];
    if (value === undefined || value === '_') continue;
    const text = String(value);
    if (key === 'route' || key === 'database' || OPTIONS[key].kind === 'positional') words.push(text);
    else if (negated) words.push(text === 'true' ? `--${flag}` : `--${flag}=${text}`);
    else if (OPTIONS[key].kind === 'boolean' && (text === 'true' || text === 'false')) words.push(text === 'true' ? `--${flag}` : `--no-${flag}`);
    else words.push(`--${flag}=${text}`);
  }
  return words;
}

/**
 * Our error, as plop shows a failed run: one line each (`[ERROR] ...`), no stack, and our exit
 * code (2 for a refusal: nothing was written). Not process.exit here: inquirer holds the terminal
 * and turns an exit under it into SIGINT (130); plop exits 1 after printing, and the exit
 * listener puts our code in its place.
 */
function refusal(error: unknown): Error {
  const described = describeError(error);
  process.once('exit', () => {
    process.exitCode = described.code;
  });
  return new Error([...described.lines, ...described.details.map((detail) => `  ${detail}`)].join('\n'));
}

const context = (machine: RunContext['machine']): RunContext => ({
  version: VERSION,
  force: false,
  dryRun: false,
  progress: spinner,
  machine,
  cwd: process.cwd(),
});

/** Register `name`: its bypassable prompts, the hidden one that plans, and its action types over that plan. */
function register<P extends BasePlan, T extends string>(
  plop: NodePlopAPI,
  name: keyof typeof GENERATORS,
  generator: Generator<never, P, T> | Generator<OptionKey, P, T>,
  prompts: readonly PromptOf[],
  plan: (raw: Record<string, unknown>) => Promise<P>,
): void {
  for (const type of Object.keys(generator.actionTypes) as T[]) {
    const action = (generator.actionTypes as Record<T, (plan: P) => Promise<string> | string>)[type];
    // route, docker and update share `pyservice:apply`: the one registered last serves them all, so it
    // must not close over its own generator's plan: the plan of this run is the module's `planned`.
    plop.setActionType(type, () => action(planned as P));
  }
  plop.setGenerator(name, {
    description: generator.description,
    prompts: [
      ...prompts.map(({ flag, message }) => bypassable(flag, message)),
      {
        type: 'input',
        name: HIDDEN,
        message: '(not an option: plans the run from the values above)',
        when: async (raw: Record<string, unknown>) => {
          try {
            planned = await plan(raw);
          } catch (error) {
            throw refusal(error);
          }
          return false;
        },
      },
    ],
    actions: () => generator.actions(planned as P).map(({ type, abortOnFail }) => ({ type, abortOnFail })),
  });
}

export default function plopfile(plop: NodePlopAPI): void {
  const servicePrompts = promptsOf(OPTION_KEYS);
  register(plop, 'service', GENERATORS.service, servicePrompts, async (raw) => {
    const parsed = parseArgv(wordsOf(raw, servicePrompts));
    const errors = [...parsed.errors, ...compatViolations(parsed.given).map((v) => v.message)];
    if (errors.length > 0) throw new CliError(errors, EXIT.usage);
    const machine = realMachine(interactive(), () => onPath('poetry'));
    const { answers, force } = await collectAnswers(GENERATORS.service, parsed, machine);
    return GENERATORS.service.plan(answers, { ...context(machine), force });
  });

  /** route, docker, update: the words go through parseCommand and makePlan, as `pyservice <command>`. */
  const living = async (command: string[], raw: Record<string, unknown>, prompts: readonly PromptOf[]): Promise<LivingPlan> => {
    const args = parseCommand([...command, ...wordsOf(raw, prompts)]);
    if (args.errors.length > 0) throw new CliError(args.errors, EXIT.usage);
    // The same protocol as `pyservice <command>`: lock, undo an interrupted run, refuse mid-merge, then read
    // and plan; the apply re-verifies what was read under that lock. Released when the process ends.
    const session = await openSession(process.cwd(), (line) => writeErr(`${line}\n`));
    refuseDuringGitOperation(session.root);
    const machine = realMachine(interactive(), () => onPath('poetry'));
    return { ...(await makePlan(args, context(machine), interactive())), held: session.transaction };
  };
  const routePrompts: PromptOf[] = [{ key: 'route', flag: 'name', message: 'Route name' }];
  register(plop, 'route', GENERATORS.route, routePrompts, (raw) => living(['add', 'route'], raw, routePrompts));
  const dbPrompts: PromptOf[] = [{ key: 'database', flag: 'database', message: 'Database' }];
  register(plop, 'db', GENERATORS.db, dbPrompts, (raw) => living(['add', 'db'], raw, dbPrompts));
  const dockerPrompts = promptsOf(DOCKER_KEYS);
  register(plop, 'docker', GENERATORS.docker, dockerPrompts, (raw) => living(['docker'], raw, dockerPrompts));
  register(plop, 'update', GENERATORS.update, [], (raw) => living(['update'], raw, []));
}
