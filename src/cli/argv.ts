/**
 * Command-line flags → partial answers, driven by the option table. Unlike
 * node:util parseArgs, it keeps going after a mistake so that every problem
 * is reported at once.
 */
import { CONTROL_FLAGS, OPTION_KEYS, OPTIONS, TABLE, type Answers, type ControlKey, type Controls, type OptionKey } from '../model/options.js';
import { correctedCommand, npmKept, ranByNpm, type NpmKept } from './npm-env.js';
import { setAnswer } from '../model/resolve.js';

export interface ParsedArgv {
  readonly given: Partial<Answers>;
  readonly controls: Controls;
  /** One line per problem, each naming the flag, what was wrong and what is allowed. */
  readonly errors: string[];
  /** The switches npm kept for itself (npm create without `--`); see npm-env.ts. */
  readonly npm: NpmKept & { readonly command: string };
}

const optionByFlag = new Map<string, OptionKey>(
  OPTION_KEYS
    .filter((k) => OPTIONS[k].kind !== 'positional')
    .map((k) => [TABLE[k].flag ?? k, k]),
);
const controlByFlag = new Map<string, ControlKey>(
  (Object.keys(CONTROL_FLAGS) as ControlKey[]).map((k) => [CONTROL_FLAGS[k].flag, k]),
);
const controlByShort = new Map<string, ControlKey>(
  (Object.keys(CONTROL_FLAGS) as ControlKey[])
    .filter((k) => 'short' in CONTROL_FLAGS[k])
    .map((k) => [(CONTROL_FLAGS[k] as { short: string }).short, k]),
);

/** Every spelling a user may type, for "did you mean". */
function knownFlags(): string[] {
  const flags: string[] = [];
  for (const [flag, key] of optionByFlag) {
    flags.push(`--${flag}`);
    if (OPTIONS[key].kind === 'boolean') flags.push(`--no-${flag}`);
  }
  for (const flag of controlByFlag.keys()) flags.push(`--${flag}`);
  return flags;
}

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

/**
 * The known spelling closest to a mistyped one, if any is within `limit` edits: the one
 * "did you mean" of the CLI (creation's flags by default; commands pass their own words).
 */
export function closest(flag: string, known: readonly string[] = knownFlags(), limit = 3): string | undefined {
  const [best] = known
    .map((candidate) => ({ known: candidate, d: distance(flag, candidate) }))
    .sort((x, y) => x.d - y.d);
  return best && best.d <= limit ? best.known : undefined;
}

/** A token that looks like a flag rather than a value. */
const looksLikeFlag = (token: string | undefined) =>
  token !== undefined && (token.startsWith('--') || /^-[a-zA-Z]+$/.test(token));

export function parseArgv(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedArgv {
  const given: Partial<Answers> = {};
  const raw = new Map<OptionKey, string>();
  const controls = Object.fromEntries(Object.keys(CONTROL_FLAGS).map((k) => [k, false])) as Controls;
  const errors: string[] = [];
  const positionals: string[] = [];
  /** The flags that reached us, by name without dashes or "no-". */
  const typed = new Set<string>();

  const setRaw = (key: OptionKey, value: string, shown: string) => {
    const previous = raw.get(key);
    if (previous !== undefined && previous !== value) {
      errors.push(`${shown}: given twice ("${previous}" and "${value}"); give it once`);
      return;
    }
    raw.set(key, value);
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = token.slice(2, eq === -1 ? undefined : eq);
      const inline = eq === -1 ? undefined : token.slice(eq + 1);
      const control = controlByFlag.get(name);
      typed.add(name.startsWith('no-') ? name.slice(3) : name);
      if (control) {
        if (inline !== undefined) errors.push(`--${name}: takes no value (got "${inline}")`);
        else controls[control] = true;
        continue;
      }
      const negated = name.startsWith('no-') ? optionByFlag.get(name.slice(3)) : undefined;
      if (negated && OPTIONS[negated].kind === 'boolean') {
        if (inline !== undefined) errors.push(`--${name}: takes no value (got "${inline}")`);
        else setRaw(negated, 'false', `--${name.slice(3)}`);
        continue;
      }
      const key = optionByFlag.get(name);
      if (!key) {
        const guess = closest(`--${name}`);
        errors.push(`--${name}: unknown option${guess ? ` (did you mean ${guess}?)` : ''}; see --help`);
        // A typo of a flag that takes a value: its value is not a stray directory argument.
        const guessKey = guess ? optionByFlag.get(guess.slice(2)) : undefined;
        if (inline === undefined && guessKey && OPTIONS[guessKey].kind !== 'boolean' && !looksLikeFlag(argv[i + 1])) i++;
        continue;
      }
      if (OPTIONS[key].kind === 'boolean') {
        if (inline !== undefined) errors.push(`--${name}: takes no value; use --${name} or --no-${name}`);
        else setRaw(key, 'true', `--${name}`);
        continue;
      }
      let value = inline;
      if (value === undefined) {
        const next = argv[i + 1];
        if (next === undefined || looksLikeFlag(next)) {
          errors.push(`--${name}: needs a value (${OPTIONS[key].valueName}); use --${name}=VALUE for a value starting with "-"`);
          continue;
        }
        value = next;
        i++;
      }
      setRaw(key, value, `--${name}`);
      continue;
    }
    if (/^-[a-zA-Z]+$/.test(token)) {
      for (const letter of token.slice(1)) {
        const control = controlByShort.get(letter);
        if (control) typed.add(CONTROL_FLAGS[control].flag);
        if (control) controls[control] = true;
        else errors.push(`-${letter}: unknown option; see --help`);
      }
      continue;
    }
    positionals.push(token);
  }

  if (positionals.length > 0) raw.set('directory', positionals[0]!);
  const kept = npmKept(env, typed, positionals.slice(1));
  Object.assign(controls, kept.honoured);
  if (kept.git !== undefined) raw.set('git', String(kept.git));
  const command = correctedCommand(positionals[0], kept.words);
  if (positionals.length > 1) errors.push(strayArguments(positionals, env, kept, command));
  else if (kept.options.length > 0) {
    errors.push(`${kept.options.map((o) => o.flag).join(' ')}: npm kept ${kept.options.length > 1 ? 'these options' : 'this option'} for itself and never passed ${kept.options.length > 1 ? 'them' : 'it'} on; put -- before the options: ${command}`);
  }

  const take = <K extends OptionKey>(key: K, value: string) => {
    const result = TABLE[key].parse(value);
    if (result.ok) setAnswer(given, key, result.value);
    else errors.push(`${TABLE[key].kind === 'positional' ? 'directory' : `--${TABLE[key].flag}`}: ${result.problem}`);
  };
  for (const [key, value] of raw) take(key, value);
  return { given, controls, errors, npm: { ...kept, command } };
}

/**
 * Extra positional arguments. The usual cause: `npm create pyservice my-api --runtime distroless`
 * without `--`, where npm keeps the options and passes their values on as words. When a stray
 * word is a value of one of our options, or npm's environment shows it ran us, say so and give
 * the corrected command.
 */
function strayArguments(positionals: readonly string[], env: NodeJS.ProcessEnv, kept: NpmKept, command: string): string {
  const strays = positionals.slice(1);
  const words = `unexpected argument${strays.length > 1 ? 's' : ''} ${strays.map((p) => `"${p}"`).join(' ')}`;
  const plain = `${words}: give one directory (quote a path with spaces)`;
  const valueOf = (word: string) => OPTION_KEYS.find((key) => TABLE[key].choices?.some((c) => c.value === word));
  if (!ranByNpm(env) && !strays.some((word) => valueOf(word))) return plain;
  const explained = kept.options.filter((o) => o.fromStray).length === strays.length;
  // Without npm's environment (or beyond it), a stray word that is a value of one of ours names its flag.
  const paired = strays.map((word) => valueOf(word)).map((key, i) => (key ? [`--${TABLE[key].flag}`, strays[i]!] : undefined));
  if ((!explained || kept.words.length === 0) && paired.every((p) => p !== undefined)) {
    return `${words}: npm kept the options for itself; put -- before them: ${correctedCommand(positionals[0], [...paired.flat(), ...kept.words.filter((w) => !paired.flat().includes(w))])}`;
  }
  if (!explained || kept.words.length === 0) {
    return `${plain}; with npm create, put -- before the options: ${correctedCommand(positionals[0], ['--OPTION', 'VALUE'])}`;
  }
  return `${words}: npm kept the options for itself; put -- before them: ${command}`;
}
