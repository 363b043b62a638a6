/**
 * The shape of the option table (options.ts): what an entry says about its
 * option (kind, flag, help, parser, default, stage, whether it is recorded),
 * what parsing a raw value gives, and what a derived default may look at.
 * Types and two tiny constructors only; no option is named here.
 */
/** What parsing a raw value produced: the value, or what is wrong with it (and a value to suggest). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string; suggestion?: string };

export interface Author {
  readonly name: string;
  readonly email?: string;
}

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const bad = (problem: string, suggestion?: string): Parsed<never> =>
  suggestion === undefined ? { ok: false, problem } : { ok: false, problem, suggestion };

/** What a derived default may look at besides the other answers. Each is computed only when asked for. */
export interface Machine {
  /** A terminal session (prompts are possible). */
  readonly interactive: boolean;
  readonly poetryAvailable: () => boolean;
  /** Why Poetry is not usable here (missing, or Poetry 1), when it is not. */
  readonly poetryProblem: () => string | undefined;
  readonly gitConfig: (key: GitKey) => string | undefined;
}

/** The git settings the defaults read (the author's). */
export const GIT_KEYS = ['user.name', 'user.email'] as const;
export type GitKey = (typeof GIT_KEYS)[number];

export interface Choice<V extends string = string> {
  readonly value: V;
  /** What the choice generates, shown in the question; may depend on answers known so far. */
  readonly label: string | ((known: Known) => string);
  /** Why one would pick it: shown under the highlighted choice. */
  readonly hint: string | ((known: Known) => string);
}

/** How the option's value is typed in: flag parsing and the prompt kind follow from it. */
export type OptionKind = 'positional' | 'string' | 'choice' | 'number' | 'boolean';

/**
 * When a terminal session asks for the option:
 * - `core`: asked in every session (the questions that shape the service), unless given or decided;
 * - `customise`: takes its default, shown in the summary with its flag; asked if the user chooses to
 *   customise, or when no default can be derived;
 * - `never`: a flag only.
 */
export type Stage = 'core' | 'customise' | 'never';

/** Answers known so far, by option key (values are checked by their own parsers). */
export type Known = { readonly [key: string]: unknown };

export interface OptionDef<T> {
  readonly kind: OptionKind;
  /** Long flag without dashes (absent for the positional directory). */
  readonly flag?: string;
  /** Placeholder shown in --help. */
  readonly valueName?: string;
  readonly help: string;
  /** A short name, for the summary of defaults. */
  readonly title: string;
  readonly stage: Stage;
  /** Prompt text (options of stage `never` have none). */
  readonly message?: string;
  readonly choices?: readonly Choice[];
  /**
   * A choice option whose question also picks `with`: one question over every
   * compatible pair (the runtime image and its Python).
   */
  readonly with?: string;
  readonly parse: (raw: string) => Parsed<T>;
  /** The value used when none is given: static, or derived from the answers before it in the table. */
  readonly default: DefaultSpec<T>;
  /** Written to the project's answers record. */
  readonly recorded: boolean;
  /** How a value reads in the summary and as a prompt default (String(value) if absent). */
  readonly format?: (value: T) => string;
  /** A check of the final value against the machine (e.g. --install needs poetry); the problem, if any. */
  readonly check?: (value: T, machine: Machine) => string | undefined;
}

export type DefaultSpec<T> =
  | { readonly value: T }
  | { readonly derive: (known: Known, machine: Machine) => Parsed<T>; readonly help: string };

/** An entry of the table; keeps `kind`, `recorded` and the default's shape literal for the key-set types below. */
export const option = <T, const Kind extends OptionKind, const R extends boolean, D extends DefaultSpec<T>>(
  def: OptionDef<T> & { readonly kind: Kind; readonly recorded: R; readonly default: D },
) => def;
