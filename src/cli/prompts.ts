/**
 * The interview: the questions a terminal session asks, generated from the
 * option table. Core options are asked in table order (a choice option may
 * also pick another: the base image picks its Python); a question with one
 * possible answer is shown as decided, with the reason; everything else takes
 * its default and is listed in one summary with the flag that changes it,
 * with an offer to customise. A non-empty target is a question too.
 * Loaded lazily: only a terminal session pays for the prompt library.
 */
import { lstatSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import confirm from '@inquirer/confirm';
import input from './line-input.js';
import select from './list-prompt.js';
import { enclosingProject, isBareWord } from './command-words.js';
import { compatViolations } from '../model/compat.js';
import {
  flagOf,
  formatValue,
  OPTIONS,
  TABLE,
  textOf,
  type Answers,
  type ChoiceKey,
  type Known,
  type Machine,
  type OptionKey,
  type OptionKind,
} from '../model/options.js';
import { writeOut } from './output.js';
import { cut, terminalWidth, visibleLength } from './width.js';
import { defaultOf, fillDefaults, setAnswer } from '../model/resolve.js';
import { bold, cyan, dim, green, yellow } from './ui.js';

/** What the target directory holds, as the early conflict check sees it. */
export type TargetCheck =
  | { readonly kind: 'ok' }
  /** Not empty; writing into it would replace `replaces` (paths, with the answer they depend on). */
  | { readonly kind: 'not-empty'; readonly entries: number; readonly replaces: readonly string[] }
  /** Cannot be written into at all (a file there, a link, a directory where a file goes). */
  | { readonly kind: 'refused'; readonly message: string; readonly details: readonly string[] };

export interface InterviewHooks {
  readonly machine: Machine;
  /** Look at a target directory before anything else is asked (force: the user already allowed replacing). */
  readonly checkTarget: (directory: string, known: Partial<Answers>, force: boolean) => Promise<TargetCheck>;
  readonly force: boolean;
}

export interface Interview {
  readonly answers: Partial<Answers>;
  /** The user chose to write into a non-empty directory (the --force rules). */
  readonly force: boolean;
}

const out = (line: string) => writeOut(`${line}\n`);
/** A question with one possible answer, shown answered (creation's and docker's). */
export const decided = (message: string, value: string, why: string) => out(`${green('✔')} ${bold(message)} ${cyan(value)} ${dim(`(decided: ${why})`)}`);

/** The label of a choice value, given what is known. */
function choiceText<K extends ChoiceKey>(key: K, value: string, known: Known, field: 'label' | 'hint'): string {
  const choice = TABLE[key].choices?.find((c) => c.value === value);
  return choice ? textOf(choice[field], known) : value;
}

/** Why the values of `key` other than those allowed are ruled out (compatibility reasons, deduplicated). */
export function whyOnly(known: Partial<Answers>, key: ChoiceKey): string {
  const reasons = new Set<string>();
  for (const value of TABLE[key].choices?.map((c) => c.value) ?? []) {
    for (const violation of compatViolations({ ...known, [key]: value })) reasons.add(violation.rule.reason);
  }
  return reasons.size === 0 ? 'the only choice' : [...reasons].join('; ');
}

/** Ask one option (not a combined question), by its kind. */
type Asker = (key: OptionKey, answers: Partial<Answers>, hooks: InterviewHooks) => Promise<void>;

async function askText<K extends OptionKey>(key: K, answers: Partial<Answers>, hooks: InterviewHooks, offer?: string): Promise<void> {
  const def = TABLE[key];
  const fallback = defaultOf(key, answers, hooks.machine);
  let shown = offer ?? (fallback.ok ? formatValue(key, fallback.value) : (fallback.suggestion ?? ''));
  // Inside a generated project a new project's directory is a path (as on the command line: command-words.ts).
  const inProject = key === 'directory' && enclosingProject(process.cwd()) !== undefined;
  if (inProject && isBareWord(shown)) shown = `./${shown}`;
  const raw = await input({
    message: def.message ?? key,
    default: shown,
    validate: (text) => {
      if (inProject && isBareWord(text.trim())) return `inside a project, write a new project's directory as a path: ./${text.trim()}`;
      const parsed = def.parse(text);
      return parsed.ok ? true : parsed.problem;
    },
  });
  const parsed = def.parse(raw);
  if (!parsed.ok) throw new Error(parsed.problem); // validated above
  setAnswer(answers, key, parsed.value);
}

async function askBoolean<K extends OptionKey>(key: K, answers: Partial<Answers>, hooks: InterviewHooks): Promise<void> {
  const def = TABLE[key];
  const parsedTrue = def.parse('true');
  const parsedFalse = def.parse('false');
  if (!parsedTrue.ok || !parsedFalse.ok) throw new Error(`${key} is not a yes/no option`);
  const problem = def.check?.(parsedTrue.value, hooks.machine);
  if (problem) {
    decided(def.message ?? key, 'no', problem.split(';')[0] ?? problem);
    setAnswer(answers, key, parsedFalse.value);
    return;
  }
  const fallback = defaultOf(key, answers, hooks.machine);
  const yes = await confirm({ message: def.message ?? key, default: fallback.ok ? fallback.value === parsedTrue.value : true });
  setAnswer(answers, key, yes ? parsedTrue.value : parsedFalse.value);
}

/** A choice question over the pairs of `key` (and `with`, if any) compatible with what is known. */
async function askChoice(key: ChoiceKey, answers: Partial<Answers>, hooks: InterviewHooks): Promise<void> {
  const def = TABLE[key];
  const other = def.with !== undefined && isChoiceKey(def.with) && answers[def.with] === undefined ? def.with : undefined;
  const values = (k: ChoiceKey) => TABLE[k].choices?.map((c) => c.value) ?? [];
  // Pairs that contradict themselves (distroless with Python 3.12) are not choices at all.
  const candidates: Partial<Answers>[] = values(key)
    .flatMap((value) => (other ? values(other).map((second) => ({ [key]: value, [other]: second })) : [{ [key]: value }]))
    .filter((candidate) => !other || compatViolations(candidate).length === 0);
  const describe = (candidate: Partial<Answers>) => {
    const known: Known = { ...answers, ...candidate };
    return {
      label: choiceText(key, String(candidate[key]), known, 'label'),
      hint: choiceText(key, String(candidate[key]), known, 'hint'),
    };
  };
  const compatible = candidates.filter((candidate) => compatViolations({ ...answers, ...candidate }).length === 0);
  const message = def.message ?? key;
  const only = compatible[0];
  if (compatible.length === 1 && only) {
    Object.assign(answers, only);
    decided(message, describe(only).label, whyOnly(answers, key));
    return;
  }
  const preferred = { ...fillDefaults({}, hooks.machine, other ? [key, other] : [key]).answers };
  const isPreferred = (c: Partial<Answers>) => c[key] === preferred[key] && (!other || c[other] === preferred[other]);
  const choices = candidates.map((candidate, index) => {
    const violation = compatViolations({ ...answers, ...candidate })[0];
    const { label, hint } = describe(candidate);
    return { value: index, name: label, short: label, description: hint, disabled: violation ? `(${violation.rule.reason})` : false };
  });
  const enabled = choices.filter((c) => c.disabled === false);
  const fallback = choices.find((c) => c.disabled === false && isPreferred(candidates[c.value] ?? {})) ?? enabled[0];
  const picked = await select({ message, choices, default: fallback?.value });
  Object.assign(answers, candidates[picked]);
}

const isChoiceKey = (key: string): key is ChoiceKey => Object.hasOwn(OPTIONS, key) && TABLE[key as OptionKey].kind === 'choice';

/** One asker per kind of option: a new kind without one is a type error. */
const ASK: Record<OptionKind, Asker> = {
  positional: askText,
  string: askText,
  number: askText,
  boolean: askBoolean,
  choice: (key, answers, hooks) => (isChoiceKey(key) ? askChoice(key, answers, hooks) : Promise.reject(new Error(`${key} has no choices`))),
};

/** Ask `key` by its kind. */
const ask = (key: OptionKey, answers: Partial<Answers>, hooks: InterviewHooks) => ASK[TABLE[key].kind](key, answers, hooks);

/** The non-empty directory question; returns whether to write into it, or re-asks the directory. */
async function settleTarget(answers: Partial<Answers>, hooks: InterviewHooks): Promise<boolean> {
  let force = hooks.force;
  for (;;) {
    const directory = answers.directory;
    if (directory === undefined) return force;
    const check = await hooks.checkTarget(directory, answers, force);
    if (check.kind === 'ok') return force;
    const lines =
      check.kind === 'refused'
        ? [`${yellow('!')} ${check.message}:`, ...check.details.map((d) => `    ${d}`)]
        : [
            `${yellow('!')} ${directory} is not empty (${check.entries} entr${check.entries === 1 ? 'y' : 'ies'}).`,
            check.replaces.length === 0
              ? '  Writing into it adds the project beside your files; none of them is replaced.'
              : `  Writing into it replaces exactly ${check.replaces.length === 1 ? 'this file' : `these ${check.replaces.length} files`} of yours and keeps everything else:`,
            ...check.replaces.map((path) => `    ${path}`),
          ];
    for (const line of lines) out(line);
    const choices = [
      { value: 'other', name: 'Choose another directory' },
      ...(check.kind === 'not-empty'
        ? [{ value: 'write', name: check.replaces.length === 0 ? 'Write into it' : `Write into it, replacing ${check.replaces.length === 1 ? 'that file' : `the ${check.replaces.length} listed`}` }]
        : []),
      { value: 'cancel', name: 'Cancel' },
    ];
    const what = await select({ message: `What now with ${directory}?`, choices });
    if (what === 'write') return true;
    if (what === 'cancel') throw new InterviewCancelled();
    delete answers.directory;
    // Not the same name again (Enter would loop): the first free one beside it.
    const fallback = defaultOf('directory', answers, hooks.machine);
    await askText('directory', answers, hooks, freeDirectory(directory, fallback.ok ? String(fallback.value) : 'my-service'));
  }
}

/**
 * The first name that does not exist, to offer instead of a taken directory: my-service → my-service-2
 * (my-service-2 → my-service-3), in the same parent; `.` and `..` → `fallback` (the directory's default,
 * my-service or the --name), then fallback-2...
 */
export function freeDirectory(taken: string, fallback: string, cwd: string = process.cwd()): string {
  const trimmed = taken.replace(/[\\/]+$/, '');
  const isDots = ['', '.', '..'].includes(basename(trimmed)) || trimmed === '';
  const base = isDots ? fallback : trimmed;
  const match = /^(.*)-(\d+)$/.exec(base);
  const stem = match && !isDots ? match[1]! : base;
  const exists = (path: string) => {
    try {
      lstatSync(resolve(cwd, path));
      return true;
    } catch {
      return false;
    }
  };
  if (isDots && !exists(base)) return base;
  for (let n = match && !isDots ? Number(match[2]) + 1 : 2; ; n++) if (!exists(`${stem}-${n}`)) return `${stem}-${n}`;
}

/** The user chose Cancel. */
export class InterviewCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'InterviewCancelled';
  }
}

/**
 * Ask for `keys` not given: core questions, then the summary of the rest with
 * an offer to customise. Returns every answer (defaults included).
 */
export async function interview(keys: readonly OptionKey[], given: Partial<Answers>, hooks: InterviewHooks): Promise<Interview> {
  const answers: Partial<Answers> = { ...given };
  let force = hooks.force;
  const core = keys.filter((key) => TABLE[key].stage === 'core');
  const rest = keys.filter((key) => TABLE[key].stage === 'customise');
  for (const key of core) {
    if (answers[key] === undefined) await ask(key, answers, hooks);
    if (key === 'directory') force = await settleTarget(answers, { ...hooks, force });
  }
  // The rest: defaults (asked only when none can be derived), listed with their flags.
  const defaulted: OptionKey[] = [];
  for (const key of rest) {
    if (answers[key] !== undefined) continue;
    const fallback = defaultOf(key, answers, hooks.machine);
    if (fallback.ok) {
      setAnswer(answers, key, fallback.value);
      defaulted.push(key);
    } else {
      out(`${yellow('!')} ${fallback.problem}`);
      await ask(key, answers, hooks);
    }
  }
  if (defaulted.length > 0) {
    out(summary(defaulted, answers, hooks.machine));
    const change = await confirm({ message: 'Change any of these?', default: false });
    if (change) for (const key of defaulted) await ask(key, answers, hooks);
  }
  return { answers, force };
}

/** The defaults taken without asking, each with the flag that changes it. */
function summary(keys: readonly OptionKey[], answers: Partial<Answers>, machine: Machine): string {
  const rows = keys.map((key) => {
    const def = TABLE[key];
    const value = answers[key];
    let shown = value === undefined || value === null ? 'none' : formatValueOf(key, answers);
    const problem = def.kind === 'boolean' && value === false ? checkOfTrue(key, machine) : undefined;
    if (problem) shown = `no (${problem.split(';')[0]})`;
    return [def.title, shown, flagHint(key, value)] as const;
  });
  const width = Math.max(...rows.map(([label]) => label.length));
  const columns = terminalWidth();
  const valueWidth = Math.min(40, Math.max(...rows.map(([, shown]) => visibleLength(shown))));
  const flagWidth = Math.max(...rows.map(([, , flag]) => visibleLength(flag)));
  // Three columns when they fit; else the flag goes under its row and a long value is cut.
  const side = 2 + width + 2 + valueWidth + 2 + flagWidth <= columns;
  const shownMax = side ? valueWidth : columns - (2 + width + 2);
  return [
    `${dim('Defaults for the rest (each is a flag):')}`,
    ...rows.flatMap(([label, shown, flag]) => {
      const value = cut(shown, Math.max(shownMax, 8));
      return side ? [`  ${label.padEnd(width)}  ${cyan(value.padEnd(valueWidth))}  ${dim(flag)}`] : [`  ${label.padEnd(width)}  ${cyan(value)}`, `      ${dim(cut(flag, columns - 6))}`];
    }),
  ].join('\n');
}

function formatValueOf<K extends OptionKey>(key: K, answers: Partial<Answers>): string {
  const value = answers[key];
  return value === undefined ? '' : formatValue(key, value);
}

function checkOfTrue<K extends OptionKey>(key: K, machine: Machine): string | undefined {
  const parsed = TABLE[key].parse('true');
  return parsed.ok ? TABLE[key].check?.(parsed.value, machine) : undefined;
}

/** The flag that changes a defaulted value (`--no-git` for a yes). */
function flagHint(key: OptionKey, value: unknown): string {
  const def = TABLE[key];
  if (def.kind === 'boolean') return value === true ? `--no-${def.flag}` : `--${def.flag}`;
  return `${flagOf(key)} ${def.valueName ?? ''}`.trim();
}
