/**
 * THE flag scanner of every command (creation's argv.ts and the commands on a
 * project, commands.ts): words → raw option values, control switches and
 * positional words, with one line per problem and every problem at once
 * (unlike node:util parseArgs, it keeps going after a mistake). What the
 * values mean is the option table's business (each caller parses them with
 * the entry's parser); which flags exist, what an unknown one says and where
 * help is, the caller's spec.
 *
 * Syntax, the same everywhere: `--flag VALUE`, `--flag=VALUE` (also for a value
 * starting with "-"), `--flag` / `--no-flag` for a boolean option, bundled
 * short switches (`-yh`), and `--` ending the options.
 */
import { quoted, visible } from '../model/text.js';

export interface FlagSpec<K extends string, C extends string> {
  /** Option flags (without dashes) → their key. */
  readonly options: ReadonlyMap<string, K>;
  /** A boolean option is `--flag` / `--no-flag` and takes no value. */
  readonly isBoolean: (key: K) => boolean;
  /** What a value looks like, for "needs a value (N)". */
  readonly valueName: (key: K) => string;
  /** Control switches (`--yes`, `--json`, …) by flag, and by short letter. */
  readonly controls: ReadonlyMap<string, C>;
  readonly shorts: ReadonlyMap<string, C>;
  /** Where help is, ending a line about an unknown option: "see --help". */
  readonly seeHelp: string;
  /** What an unknown `--name` says, and whether the word after it is its value (not a stray argument). */
  unknown(name: string): { readonly problem: string; readonly takesValue: boolean };
}

export interface ScannedFlags<K extends string, C extends string> {
  /** Each option's raw text as given (a boolean: "true" / "false"). */
  readonly raw: Map<K, string>;
  readonly controls: Set<C>;
  readonly positionals: string[];
  /** Every flag name that reached us (without dashes or "no-"), for npm's kept switches (npm-env.ts). */
  readonly typed: Set<string>;
  readonly errors: string[];
}

/** A word that looks like a flag rather than a value. */
export const looksLikeFlag = (token: string | undefined): boolean => token !== undefined && (token.startsWith('--') || /^-[a-zA-Z]+$/.test(token));

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The known spelling closest to a mistyped one, if any is within `limit` edits: the one "did you mean" of the CLI. */
export function closest(word: string, known: readonly string[], limit = 3): string | undefined {
  const [best] = known.map((candidate) => ({ known: candidate, d: distance(word, candidate) })).sort((x, y) => x.d - y.d);
  return best && best.d <= limit ? best.known : undefined;
}

/** Every long spelling of a spec (`--flag`, `--no-flag` for booleans, the controls), for "did you mean". */
export function spellings<K extends string, C extends string>(spec: Pick<FlagSpec<K, C>, 'options' | 'isBoolean' | 'controls'>): string[] {
  const out: string[] = [];
  for (const [flag, key] of spec.options) out.push(`--${flag}`, ...(spec.isBoolean(key) ? [`--no-${flag}`] : []));
  for (const flag of spec.controls.keys()) out.push(`--${flag}`);
  return out;
}

/** The usual unknown-option line: "--naem: unknown option (did you mean --name?); see --help". */
export function unknownOption<K extends string, C extends string>(spec: Omit<FlagSpec<K, C>, 'unknown'>, name: string): { problem: string; takesValue: boolean } {
  const guess = closest(`--${name}`, spellings(spec));
  const guessKey = guess === undefined ? undefined : spec.options.get(guess.slice(2));
  return {
    problem: `--${visible(name)}: unknown option${guess ? ` (did you mean ${guess}?)` : ''}; ${spec.seeHelp}`,
    // A typo of a flag that takes a value: its value is not a stray argument.
    takesValue: guessKey !== undefined && !spec.isBoolean(guessKey),
  };
}

export function scanFlags<K extends string, C extends string>(words: readonly string[], spec: FlagSpec<K, C>): ScannedFlags<K, C> {
  const out: ScannedFlags<K, C> = { raw: new Map(), controls: new Set(), positionals: [], typed: new Set(), errors: [] };
  const set = (key: K, value: string, shown: string) => {
    const previous = out.raw.get(key);
    if (previous !== undefined && previous !== value) out.errors.push(`${shown}: given twice (${quoted(previous)} and ${quoted(value)}); give it once`);
    else out.raw.set(key, value);
  };
  for (let i = 0; i < words.length; i++) {
    const token = words[i]!;
    if (token === '--') {
      out.positionals.push(...words.slice(i + 1));
      break;
    }
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = token.slice(2, eq === -1 ? undefined : eq);
      const inline = eq === -1 ? undefined : token.slice(eq + 1);
      out.typed.add(name.startsWith('no-') ? name.slice(3) : name);
      const control = spec.controls.get(name);
      if (control !== undefined) {
        if (inline !== undefined) out.errors.push(`--${visible(name)}: takes no value (got ${quoted(inline)})`);
        else out.controls.add(control);
        continue;
      }
      const negated = name.startsWith('no-') ? spec.options.get(name.slice(3)) : undefined;
      if (negated !== undefined && spec.isBoolean(negated)) {
        if (inline !== undefined) out.errors.push(`--${visible(name)}: takes no value (got ${quoted(inline)})`);
        else set(negated, 'false', `--${name.slice(3)}`);
        continue;
      }
      const key = spec.options.get(name);
      if (key === undefined) {
        const { problem, takesValue } = spec.unknown(name);
        out.errors.push(problem);
        if (inline === undefined && takesValue && words[i + 1] !== undefined && !looksLikeFlag(words[i + 1])) i++;
        continue;
      }
      if (spec.isBoolean(key)) {
        if (inline !== undefined) out.errors.push(`--${name}: takes no value; use --${name} or --no-${name}`);
        else set(key, 'true', `--${name}`);
        continue;
      }
      let value = inline;
      if (value === undefined) {
        const next = words[i + 1];
        if (next === undefined || looksLikeFlag(next)) {
          out.errors.push(`--${name}: needs a value (${spec.valueName(key)}); use --${name}=VALUE for a value starting with "-"`);
          continue;
        }
        value = next;
        i++;
      }
      set(key, value, `--${name}`);
      continue;
    }
    if (/^-[a-zA-Z]+$/.test(token)) {
      for (const letter of token.slice(1)) {
        const control = spec.shorts.get(letter);
        if (control === undefined) {
          out.errors.push(`-${visible(letter)}: unknown option; ${spec.seeHelp}`);
          continue;
        }
        out.typed.add([...spec.controls].find(([, c]) => c === control)?.[0] ?? letter);
        out.controls.add(control);
      }
      continue;
    }
    out.positionals.push(token);
  }
  return out;
}
