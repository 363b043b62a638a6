/**
 * What a generator is (generator.ts holds the table of them): the options it
 * takes, how it plans (read-only: in memory and a look at the disk; `--dry-run`
 * stops there), and the node-plop action types that carry the plan out
 * (generators/plop.ts runs them). The generators (service.ts, route.ts, docker.ts, update.ts)
 * import these types from here, not from the table that imports them.
 */
import type { Progress } from '../src/io/post.js';
import type { Answers, Machine, OptionKey } from '../src/model/options.js';

/** What a plan knows about the run it is for. */
export interface RunContext {
  readonly version: string;
  /** --force, or the user chose to write into a non-empty directory. */
  readonly force: boolean;
  /** --dry-run: the plan must not write (not even to undo what a killed earlier run left). */
  readonly dryRun: boolean;
  /** How long steps show progress (the CLI's spinner; none for --json). */
  readonly progress?: Progress;
  readonly machine: Machine;
  /** Where the command was run (a generator that works on an existing project looks for it from here). */
  readonly cwd?: string;
  /** Words of the command line that are not options (e.g. the name in `add route NAME`). */
  readonly words?: readonly string[];
}

/** One file of a plan, as the reports show it. */
export interface PlannedFile {
  readonly path: string;
  readonly bytes: number;
  /** overwrite: creation replacing a file (--force); the rest: a command on an existing project (merge.ts). */
  readonly action: 'create' | 'overwrite' | 'update' | 'merge' | 'conflict' | 'keep' | 'delete';
}

/** What every plan exposes to the reports (generators add their own data). */
export interface BasePlan {
  /** Absolute directory the generator works in. */
  readonly target: string;
  readonly files: readonly PlannedFile[];
}

/** A node-plop action of ours: its type name and whether a failure stops the actions after it. */
export interface ActionStep<T extends string> {
  readonly type: T;
  readonly abortOnFail: boolean;
}

/** A path a generator may write, and the answer it depends on (for the early conflict check). */
export interface PossiblePath {
  readonly path: string;
  /** Written only for some answers: says which (e.g. "with --server gunicorn"). */
  readonly only?: string;
}

export interface Generator<K extends OptionKey, P extends BasePlan, T extends string> {
  /** One line, for --help and node-plop's generator list. */
  readonly description: string;
  /** The options it takes; asked and resolved in option-table order. */
  readonly options: readonly K[];
  /** Paths it may write given what is known so far, without rendering (the early conflict check). */
  possiblePaths(known: Partial<Answers>): PossiblePath[];
  /** Answers → what it will do. Read-only; refusals throw (WriteRefused, exit 2). */
  plan(answers: Pick<Answers, K>, context: RunContext): Promise<P>;
  /** node-plop action types: what each does with the plan; returns a line for the end screen ('' for none). */
  readonly actionTypes: { readonly [A in T]: (plan: P) => Promise<string> | string };
  /** The actions to run for this plan, in order. */
  actions(plan: P): readonly ActionStep<T>[];
}
