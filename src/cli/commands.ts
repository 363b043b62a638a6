/**
 * The commands that work on an existing project: `add route NAME`, `docker`
 * and `update` (as `pyservice <command>` or `create-pyservice <command>`).
 * Each: parse → lock the project and undo an interrupted run (session.ts) →
 * read the record → (ask, in a terminal) → plan (read-only; --dry-run stops
 * here, and takes no lock) → confirm (a file the plan read changed while the
 * prompt waited: plan again, show it, ask again) → re-verify → apply
 * through node-plop and the one writer → release → report. Exit codes as for
 * creation: 0 ok, 1 failure or conflicts left to resolve, 2 usage/refusal
 * (nothing written), 130 Ctrl-C.
 */
import { realMachine } from '../io/machine.js';
import { closest, scanFlags, unknownOption, type FlagSpec } from './flags.js';
import { CONTROLS, USAGE, type ControlKey } from './command-table.js';
import { commandHelp } from './help.js';
import { compatViolations } from '../model/compat.js';
import { describeError, reportFailure } from './failure.js';
import { GENERATORS, type RunContext } from '../../generators/generator.js';
import { changedSincePlan, type Command, type LivingPlan } from '../project/living.js';
import { IMAGE_KEYS, OPTIONS, type Answers } from '../model/options.js';
import { defaultOf, setAnswer } from '../model/resolve.js';
import { toolStatus } from '../io/tool-check.js';
import { TOOLS } from '../model/tools.js';
import { DOCKER_KEYS, type DockerKey } from '../../generators/docker.js';
import { applyErrorOf } from '../../generators/living-steps.js';
import { findProject, type Project } from '../project/record.js';
import { CliError, dim, EXIT, spinner, yellow } from './ui.js';
import { reportCommand } from './report.js';
import { writeErr, writeOut } from './output.js';
import { guardProcess } from './signals.js';
import { openSession, refuseInterrupted, type Session } from '../project/session.js';
import { refuseDuringGitOperation } from '../project/git-state.js';
import { keptOptions, npmHonoured, ranByNpm, shellWord } from './npm-env.js';
import { quoted, visible } from '../model/text.js';
import { checkWorkingDirectory } from '../io/write.js';


export interface CommandArgs {
  readonly command: Command;
  readonly name?: string;
  readonly given: Partial<Pick<Answers, DockerKey>>;
  readonly controls: Record<ControlKey, boolean>;
  readonly errors: string[];
}

/** Parse the words after the command word (all problems at once, like creation's flags). */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CommandArgs {
  const errors: string[] = [];
  const controls = Object.fromEntries(Object.keys(CONTROLS).map((k) => [k, false])) as Record<ControlKey, boolean>;
  const given: Partial<Record<DockerKey, unknown>> = {};
  const [first, ...rest] = argv;
  let command: Command;
  let tokens = rest;
  if (first === 'add') {
    const kind = rest[0];
    command = kind === 'db' ? 'add db' : 'add route';
    if (kind === 'route' || kind === 'db') tokens = rest.slice(1);
    else {
      const guess = kind === undefined ? undefined : closest(kind, ['route', 'db'], 2);
      errors.push(
        kind === undefined || kind.startsWith('-')
          ? 'add: say what to add: pyservice add route NAME, or pyservice add db postgres'
          : `add: ${quoted(kind)} is not something to add${guess ? ` (did you mean ${guess}?)` : ''}; the kinds are: pyservice add route NAME, pyservice add db postgres`,
      );
      if (kind !== undefined && !kind.startsWith('-')) tokens = rest.slice(1);
    }
  } else command = first === 'docker' ? 'docker' : 'update';
  const flags = new Map<string, DockerKey>(command === 'docker' ? DOCKER_KEYS.map((k) => [OPTIONS[k].flag as string, k] as const) : []);
  const base: Omit<FlagSpec<DockerKey, ControlKey>, 'unknown'> = {
    options: flags,
    isBoolean: () => false,
    valueName: (key) => OPTIONS[key].valueName ?? 'VALUE',
    controls: new Map((Object.keys(CONTROLS) as ControlKey[]).map((k) => [CONTROLS[k].flag, k])),
    shorts: new Map((Object.keys(CONTROLS) as ControlKey[]).flatMap((k) => ('short' in CONTROLS[k] ? [[(CONTROLS[k] as { short: string }).short, k] as const] : []))),
    seeHelp: `see pyservice ${command} --help`,
  };
  const scanned = scanFlags(tokens, {
    ...base,
    unknown: (name) => {
      // A creation flag here: say which command takes it; anything else: the same "did you mean" as creation's flags.
      const creation = Object.values(OPTIONS).find((def) => 'flag' in def && def.flag === name);
      if (!creation) return unknownOption(base, name);
      return {
        problem: `--${name}: not an option of "${command}"${command === 'docker' ? '; it changes --python, --runtime, --deps, --server and --port' : ''}; see pyservice ${command} --help`,
        takesValue: creation.kind !== 'boolean',
      };
    },
  });
  errors.push(...scanned.errors);
  for (const control of scanned.controls) controls[control] = true;
  const words = scanned.positionals;
  const seen = scanned.raw;
  for (const [key, value] of seen) {
    const parsed = OPTIONS[key].parse(value);
    if (parsed.ok) given[key] = parsed.value;
    else errors.push(`--${OPTIONS[key].flag}: ${parsed.problem}`);
  }
  if (command === 'docker' && ranByNpm(env)) {
    // `npm create pyservice docker --runtime distroless` (no --): npm kept the option, and left its value as a word.
    const typed = new Set([...seen.keys()].map((k) => OPTIONS[k].flag as string));
    const kept = keptOptions(env, DOCKER_KEYS, typed, words).options;
    if (kept.length > 0) {
      const typedAgain = kept.flatMap((o) => [o.flag, ...(o.value !== undefined ? [shellWord(o.value)] : [])]).join(' ');
      const instead = env.npm_command === 'init' ? `npm create pyservice@latest docker -- ${typedAgain}` : `npx create-pyservice docker ${typedAgain}`;
      errors.push(`${kept.map((o) => o.flag).join(', ')}: npm kept ${kept.length > 1 ? 'these options' : 'this option'} for itself (options before -- are npm's), so docker never saw ${kept.length > 1 ? 'them' : 'it'}; run: ${instead}`);
    }
  }
  const allowed = command === 'add route' || command === 'add db' ? 1 : 0;
  if (words.length > allowed) {
    const extra = words.slice(allowed);
    errors.push(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map(quoted).join(' ')}: usage: ${USAGE[command]}`);
  }
  const name = command === 'add route' || command === 'add db' ? words[0] : undefined;
  return { command, ...(name !== undefined ? { name } : {}), given: given as CommandArgs['given'], controls, errors };
}


const interactiveSession = (controls: CommandArgs['controls']) =>
  process.stdin.isTTY === true && process.stdout.isTTY === true && !controls.yes && !controls.json;

/** The image choices `docker` targets: the given ones, the asked ones (in a terminal), the rest as they are. */
async function dockerAnswers(project: Project, args: CommandArgs, interactive: boolean): Promise<Pick<Answers, DockerKey>> {
  let given = args.given;
  const current = project.record.answers;
  if (interactive) {
    const { askImageChoices } = await import('./command-prompts.js');
    given = await askImageChoices(current, given);
  } else if (Object.keys(given).length === 0) {
    throw new CliError(
      [`docker: nothing to change; give at least one of ${DOCKER_KEYS.map((k) => `--${OPTIONS[k].flag}`).join(', ')} (current: ${DOCKER_KEYS.map((k) => `${OPTIONS[k].flag} ${current[k]}`).join(', ')})`],
      EXIT.usage,
    );
  }
  const answers: Pick<Answers, DockerKey> = { ...pick(current, DOCKER_KEYS), ...given };
  // A choice not given that the new ones rule out takes its default for them, as creation
  // would: `docker --runtime distroless` moves a Python 3.14 project to 3.13, distroless's only Python.
  const machine = realMachine(false, () => false);
  for (const key of IMAGE_KEYS) {
    if (given[key] !== undefined) continue;
    const fallback = defaultOf(key, answers, machine);
    if (!fallback.ok || fallback.value === answers[key]) continue;
    const before = compatViolations(answers).length;
    if (compatViolations({ ...answers, [key]: fallback.value }).length < before) setAnswer(answers, key, fallback.value);
  }
  const violations = compatViolations(answers).map((v) => v.message);
  if (violations.length > 0) throw new CliError(violations, EXIT.usage);
  return answers;
}

/** The generator-table entry of each command. */
const GENERATOR_OF = { 'add route': 'route', 'add db': 'db', docker: 'docker', update: 'update' } as const satisfies Record<Command, keyof typeof GENERATORS>;

/** Answers (flags, then questions in a terminal) → the generator's plan (read-only). */
export async function makePlan(args: CommandArgs, context: RunContext, interactive: boolean): Promise<LivingPlan> {
  switch (args.command) {
    case 'add route': {
      let name = args.name;
      if (name === undefined && interactive) {
        const project = await findProject(context.cwd ?? process.cwd());
        const { askRouteName } = await import('./command-prompts.js');
        name = await askRouteName(project.record.routes);
      }
      return GENERATORS.route.plan({}, { ...context, words: name === undefined ? [] : [name] });
    }
    case 'add db':
      return GENERATORS.db.plan({}, { ...context, words: args.name === undefined ? [] : [args.name] });
    case 'docker': {
      const project = await findProject(context.cwd ?? process.cwd());
      return GENERATORS.docker.plan(await dockerAnswers(project, args, interactive), context);
    }
    case 'update':
      return GENERATORS.update.plan({}, context);
  }
}

/** The same command with the same answers, planned again on what the project holds now (after a confirmation found it changed). */
async function replan(plan: LivingPlan, context: RunContext): Promise<LivingPlan> {
  switch (plan.command) {
    case 'add route':
      return GENERATORS.route.plan({}, { ...context, words: [plan.next.routes.at(-1)!] });
    case 'add db':
      return GENERATORS.db.plan({}, { ...context, words: [plan.next.answers.db] });
    case 'docker':
      return GENERATORS.docker.plan(pick(plan.next.answers, DOCKER_KEYS), context);
    case 'update':
      return GENERATORS.update.plan({}, context);
  }
}

/** Does applying the plan change anything (a file, or the record's answers, routes or version)? */
function changesAnything(plan: LivingPlan): boolean {
  if (plan.files.some((f) => f.action !== 'keep')) return true;
  const { from, next } = plan;
  return (
    from.version !== plan.version ||
    JSON.stringify(from.answers) !== JSON.stringify(next.answers) ||
    JSON.stringify(from.routes) !== JSON.stringify(next.routes)
  );
}

/** Run `argv` (starting with the command word); returns the exit code. */
export async function runCommand(argv: readonly string[], version: string): Promise<number> {
  const json = argv.includes('--json') || npmHonoured(process.env, { json: false }).json === true;
  // Ctrl-C, SIGTERM, SIGHUP: the writer is synchronous, so the project is untouched or changed completely, and we say which.
  const unguard = guardProcess();
  let session: Session | undefined;
  try {
    checkWorkingDirectory(); // a deleted working directory: the same one line as creation
    const args = parseCommand(argv);
    Object.assign(args.controls, npmHonoured(process.env, args.controls)); // `npm exec pyservice update --dry-run` (no --): npm kept it
    if (args.controls.help) {
      writeOut(`${commandHelp(args.command)}\n`);
      return EXIT.ok;
    }
    if (args.errors.length > 0) throw new CliError(args.errors, EXIT.usage);
    const interactive = interactiveSession(args.controls);
    // The lock first, then recovery: nothing of the project is read before both (a dry run writes nothing, so takes neither).
    if (!args.controls.dryRun) session = await openSession(process.cwd(), (line) => writeErr(`${line}\n`));
    else refuseInterrupted(process.cwd());
    // Mid-merge, rebase, cherry-pick, revert or bisect: refused before anything is asked (a dry run may look).
    if (session) refuseDuringGitOperation(session.root);
    const context: RunContext = {
      version,
      force: false,
      dryRun: args.controls.dryRun,
      ...(args.controls.json ? {} : { progress: spinner }),
      machine: realMachine(interactive, () => toolStatus(TOOLS.poetry).usable),
      cwd: process.cwd(),
    };
    const held = (made: LivingPlan): LivingPlan => (session ? { ...made, held: session.transaction } : made);
    let plan = held(await makePlan(args, context, interactive));
    let nothing = !changesAnything(plan);
    if (args.controls.dryRun || nothing) {
      writeOut(reportCommand(plan, args.controls, { applied: false, nothing }));
      return EXIT.ok;
    }
    if (interactive && plan.command !== 'add route') {
      const { confirmApply } = await import('./command-prompts.js');
      for (;;) {
        writeOut(reportCommand(plan, { ...args.controls, dryRun: false }, { applied: false, nothing }));
        if (!(await confirmApply())) {
          writeOut('Nothing was changed.\n');
          return EXIT.ok;
        }
        // A file the plan read was saved while the prompt waited: plan again on what is there now, and ask again.
        const changed = changedSincePlan(plan);
        if (changed.length === 0) break;
        writeOut(`${yellow('!')} ${changed.map(visible).join(', ')} changed while you were deciding; the plan for what is there now:\n`);
        plan = held(await replan(plan, context));
        nothing = !changesAnything(plan);
        if (nothing) {
          writeOut(reportCommand(plan, args.controls, { applied: false, nothing }));
          return EXIT.ok;
        }
      }
    }
    const result = await applyThroughPlop(plan);
    writeOut(reportCommand(plan, args.controls, { applied: true, nothing, ...(result.warning ? { warning: result.warning } : {}) }));
    return plan.files.some((f) => f.action === 'conflict') ? EXIT.failure : EXIT.ok;
  } catch (error) {
    const failure = describeError(error);
    reportFailure(failure, json, 'Cancelled: nothing was changed.');
    const { lines, code } = failure;
    if (code === EXIT.usage && !json && lines.some((l) => l.includes('--') || l.startsWith('unexpected'))) {
      writeErr(`${dim('Usage:', process.stderr)} ${USAGE[parseCommand(argv).command]}\n`);
    }
    return code;
  } finally {
    session?.release();
    unguard();
  }
}

/** node-plop runs the command's generator (registered as `service` is): its action applies the plan. */
async function applyThroughPlop(plan: LivingPlan): Promise<{ warning?: string }> {
  const { runGenerator } = await import('../../generators/plop.js');
  const name = GENERATOR_OF[plan.command];
  const { notes, failures } =
    name === 'docker'
      ? await runGenerator(GENERATORS.docker, { name, ask: async () => pick(plan.next.answers, DOCKER_KEYS), plan })
      : await runGenerator(GENERATORS[name], { name, ask: async () => ({}), plan });
  if (failures.length > 0) {
    const error = applyErrorOf(plan);
    if (error instanceof Error && !(error instanceof CliError) && describeError(error).code !== EXIT.failure) throw error;
    throw new CliError([`could not change the project: ${failures.map((f) => f.error).join('; ')}`], EXIT.failure);
  }
  return notes.length > 0 ? { warning: notes.join('; ') } : {};
}

function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) out[key] = from[key];
  return out;
}
