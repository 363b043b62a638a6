/**
 * main(): parse → validate → prompt (terminal only) → render → plan → write → next steps.
 * Exit codes: 0 ok, 1 failure, 2 usage/validation error, 130 cancelled (Ctrl-C).
 */
import { relative } from 'node:path';
import { parseArgv } from './argv.js';
import { COMPAT_RULES, compatViolations, validCombinations } from './compat.js';
import { authorFromGit, nameFromDirectory } from './defaults.js';
import { CONTROL_FLAGS, DEFAULT_DIRECTORY, OPTIONS, STATIC_DEFAULTS, type Answers, type ChoiceKey, type OptionKey } from './options.js';
import { hasCommand } from './post.js';
import { renderService, type ProjectAnswers, type RenderedFiles } from './render.js';
import type { ServiceRun } from './service.js';
import { CliError, EXIT, bold, cyan, dim, green, printErrors, yellow } from './ui.js';
import { abortWrite, planWrite, WriteRefused, type WritePlan } from './write.js';

declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export function helpText(): string {
  const lines = [
    `${bold('create-pyservice')} ${VERSION} — scaffold a FastAPI + Poetry service with a multi-stage Dockerfile`,
    '',
    'Usage:',
    '  npm create pyservice@latest [directory] -- [options]',
    '  create-pyservice [directory] [options]',
    '  pyservice new [directory] [options]',
    '',
    'Arguments:',
    `  ${'directory'.padEnd(28)}${OPTIONS.directory.help} [default: ${OPTIONS.directory.defaultHelp}]`,
    '',
    'Options:',
  ];
  for (const key of Object.keys(OPTIONS) as OptionKey[]) {
    const def = OPTIONS[key];
    if (def.kind === 'positional') continue;
    const flag = def.kind === 'boolean' ? `--${def.flag}, --no-${def.flag}` : `--${def.flag} ${def.valueName}`;
    const choices = 'choices' in def && def.choices ? ` (${def.choices.map((c) => c.value).join(' | ')})` : '';
    lines.push(`  ${flag.padEnd(28)}${def.help}${choices} [default: ${def.defaultHelp}]`);
  }
  for (const def of Object.values(CONTROL_FLAGS)) {
    const flag = 'short' in def ? `-${def.short}, --${def.flag}` : `--${def.flag}`;
    lines.push(`  ${flag.padEnd(28)}${def.help}`);
  }
  lines.push(
    '',
    'Compatibility:',
    ...COMPAT_RULES.map((rule) => {
      const when = Object.entries(rule.when).map(([k, v]) => `--${OPTIONS[k as ChoiceKey].flag} ${(v as string[]).join('|')}`);
      return `  ${when.join(' ')} needs --${OPTIONS[rule.require.key].flag} ${rule.require.allowed.join('|')}: ${rule.reason}`;
    }),
    `  ${validCombinations().length} valid combinations of --python, --runtime, --deps and --server.`,
    '',
    'Examples:',
    '  npm create pyservice@latest my-api',
    '  npx create-pyservice my-api --yes --runtime distroless --server gunicorn',
    '  npx create-pyservice . --name billing --python 3.12 --deps wheels --no-git --yes',
    '',
    'Exit codes: 0 ok, 1 failure, 2 invalid usage, 130 cancelled.',
  );
  return lines.join('\n');
}

interface Outcome {
  readonly answers: Answers;
  readonly plan: WritePlan;
  readonly files: RenderedFiles;
  readonly dryRun: boolean;
  readonly notes: string[];
  readonly failure?: string;
}

/** Fill in every answer not given, without prompting; errors name the flag to pass. */
function resolveDefaults(partial: Partial<Answers>, poetryAvailable: boolean): { answers?: Answers; errors: string[] } {
  const errors: string[] = [];
  const directory = partial.directory ?? partial.name ?? DEFAULT_DIRECTORY;
  let name = partial.name;
  if (name === undefined) {
    const fromDir = nameFromDirectory(directory);
    if (fromDir.name) name = fromDir.name;
    else {
      errors.push(
        `--name: the directory's name ${fromDir.problem}; pass --name${fromDir.suggestion ? ` ${fromDir.suggestion}` : ' NAME'}`,
      );
    }
  }
  const answers = {
    ...STATIC_DEFAULTS,
    ...partial,
    directory,
    name: name ?? '',
    author: partial.author !== undefined ? partial.author : authorFromGit(),
    install: partial.install ?? false,
  } as Answers;
  if (answers.install && !poetryAvailable) {
    errors.push('--install: poetry is not on PATH; install Poetry (https://python-poetry.org/docs/#installation) or pass --no-install');
  }
  errors.push(...compatViolations(answers).map((v) => v.message));
  return errors.length > 0 ? { errors } : { answers, errors };
}

const projectAnswers = ({ directory: _d, git: _g, install: _i, ...rest }: Answers): ProjectAnswers => rest;

/** Every path any valid combination generates: what an early conflict check must consider. */
function allGeneratedPaths(name: string): RenderedFiles {
  const paths: RenderedFiles = new Map();
  for (const combo of validCombinations().filter((c) => c.python === STATIC_DEFAULTS.python)) {
    const files = renderService({ ...STATIC_DEFAULTS, name, author: null, ...combo }, VERSION);
    for (const path of files.keys()) paths.set(path, '');
  }
  return paths;
}

async function run(argv: readonly string[]): Promise<{ outcome?: Outcome; json: boolean; help?: string }> {
  const parsed = parseArgv(argv);
  const { controls } = parsed;
  if (controls.help) return { help: helpText(), json: false };
  if (controls.version) return { help: VERSION, json: false };
  const errors = [...parsed.errors, ...compatViolations(parsed.given).map((v) => v.message)];
  if (errors.length > 0) throw new CliError(errors, EXIT.usage);

  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true && !controls.yes && !controls.json;
  // Probing poetry costs a process start: only when it will be asked about or was asked for.
  const poetryAvailable = parsed.given.install === true || (interactive && parsed.given.install === undefined) ? hasCommand('poetry') : false;
  let given = parsed.given;
  if (interactive) {
    const { askMissing } = await import('./prompts.js');
    given = await askMissing(given, {
      poetryAvailable,
      afterDirectory: async (directory) => {
        // Refuse a target we cannot write into before asking anything else.
        await planWrite(directory, allGeneratedPaths(parsed.given.name ?? 'probe'), controls.force);
      },
    });
  }
  const resolved = resolveDefaults(given, poetryAvailable);
  if (!resolved.answers) throw new CliError(resolved.errors, EXIT.usage);
  const answers = resolved.answers;

  const files = renderService(projectAnswers(answers), VERSION);
  const plan = await planWrite(answers.directory, files, controls.force);
  if (controls.dryRun) return { outcome: { answers, plan, files, dryRun: true, notes: [] }, json: controls.json };

  const data: ServiceRun = {
    files,
    plan,
    git: answers.git,
    install: answers.install,
    version: VERSION,
    showProgress: !controls.json,
    notes: [],
  };
  const [{ default: nodePlop }, { default: plopfile }] = await Promise.all([import('node-plop'), import('../plopfile.js')]);
  const plop = await nodePlop(undefined, { destBasePath: plan.target, force: controls.force });
  plopfile(plop);
  const { failures } = await plop.getGenerator('service').runActions(data as never);
  const writeFailure = failures.find((f) => f.type === 'pyservice:write');
  if (writeFailure) throw new CliError([`could not write the project: ${writeFailure.error}`], EXIT.failure);
  const failure = failures.map((f) => f.error).join('\n') || undefined;
  return { outcome: { answers, plan, files, dryRun: false, notes: data.notes, failure }, json: controls.json };
}

function nextSteps(answers: Answers, plan: WritePlan): string[] {
  const rel = relative(process.cwd(), plan.target);
  const steps = rel === '' ? [] : [`cd ${/\s|['"$`\\]/.test(rel) ? JSON.stringify(rel) : rel}`];
  if (!answers.install) steps.push('make install');
  steps.push('make run', 'make test', 'make docker-build docker-run');
  return steps;
}

function fileTree(outcome: Outcome): string[] {
  const { files, plan } = outcome;
  return [...files.keys()].sort().map((path) => {
    const bytes = Buffer.byteLength(files.get(path)!);
    const tag = plan.overwrites.includes(path) ? yellow(' (overwrite)') : '';
    return `  ${path.padEnd(32)} ${dim(`${bytes} B`.padStart(8))}${tag}`;
  });
}

function report(outcome: Outcome, json: boolean): void {
  const { answers, plan, files, dryRun, notes, failure } = outcome;
  if (json) {
    const summary = {
      ok: !failure,
      dryRun,
      directory: plan.target,
      answers,
      files: [...files.keys()].sort().map((path) => ({
        path,
        bytes: Buffer.byteLength(files.get(path)!),
        action: plan.overwrites.includes(path) ? 'overwrite' : 'create',
      })),
      notes,
      ...(failure ? { error: failure } : {}),
      nextSteps: nextSteps(answers, plan),
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const where = relative(process.cwd(), plan.target) || '.';
  if (dryRun) {
    process.stdout.write(`${bold('Dry run')}: would write ${files.size} files to ${cyan(where)} (nothing written)\n`);
    process.stdout.write(`${fileTree(outcome).join('\n')}\n`);
    return;
  }
  const overwritten = plan.overwrites.length > 0 ? ` (${plan.overwrites.length} overwritten)` : '';
  process.stdout.write(`\n${green('✔')} Created ${bold(answers.name)} in ${cyan(where)}: ${files.size} files${overwritten}\n`);
  for (const note of notes) process.stdout.write(`  ${dim('•')} ${note}\n`);
  if (failure) return;
  process.stdout.write(`\nNext steps:\n${nextSteps(answers, plan).map((s) => `  ${cyan(s)}`).join('\n')}\n\n`);
}

/** Run the CLI; returns the exit code (never throws, never prints a stack trace). */
export async function main(argv: readonly string[]): Promise<number> {
  let json = argv.includes('--json');
  const onSigint = () => {
    const written = abortWrite();
    process.stderr.write(written ? `\nCancelled after the project was written to ${written}.\n` : '\nCancelled: nothing was written.\n');
    process.exit(EXIT.cancelled);
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await run(argv);
    json = result.json;
    if (result.help !== undefined) {
      process.stdout.write(`${result.help}\n`);
      return EXIT.ok;
    }
    report(result.outcome!, json);
    if (result.outcome!.failure) {
      if (!json) printErrors([`the project was written, but a follow-up step failed:`], result.outcome!.failure.split('\n'));
      return EXIT.failure;
    }
    return EXIT.ok;
  } catch (error) {
    const { lines, details, code } = describeError(error);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, errors: lines, details, exitCode: code }, null, 2)}\n`);
    if (code === EXIT.cancelled) process.stderr.write('Cancelled: nothing was written.\n');
    else printErrors(lines, details);
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function describeError(error: unknown): { lines: string[]; details: string[]; code: number } {
  if (error instanceof CliError) return { lines: error.lines, details: error.details, code: error.exitCode };
  if (error instanceof WriteRefused) return { lines: [error.message], details: error.details, code: EXIT.usage };
  if (error instanceof Error && error.name === 'ExitPromptError') return { lines: ['cancelled'], details: [], code: EXIT.cancelled };
  const message = error instanceof Error ? error.message : String(error);
  return { lines: [`unexpected failure: ${message}`], details: [], code: EXIT.failure };
}
