/**
 * Creation's command line → partial answers, driven by the option table: the
 * words are scanned by the one flag scanner (flags.ts, as every command's are),
 * then each value is parsed by its option's parser, and npm's kept switches
 * and stray words (npm create without `--`) are explained.
 */
import { CONTROL_FLAGS, OPTION_KEYS, OPTIONS, TABLE, type Answers, type ControlKey, type Controls, type OptionKey } from '../model/options.js';
import { correctedCommand, npmKept, ranByNpm, type NpmKept } from './npm-env.js';
import { setAnswer } from '../model/resolve.js';
import { scanFlags, unknownOption, type FlagSpec } from './flags.js';

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

/** Creation's flags: every option of the table and the control switches (flags.ts scans them). */
const SPEC_BASE: Omit<FlagSpec<OptionKey, ControlKey>, 'unknown'> = {
  options: optionByFlag,
  isBoolean: (key) => OPTIONS[key].kind === 'boolean',
  valueName: (key) => OPTIONS[key].valueName ?? 'VALUE',
  controls: new Map((Object.keys(CONTROL_FLAGS) as ControlKey[]).map((k) => [CONTROL_FLAGS[k].flag, k])),
  shorts: new Map(
    (Object.keys(CONTROL_FLAGS) as ControlKey[])
      .filter((k) => 'short' in CONTROL_FLAGS[k])
      .map((k) => [(CONTROL_FLAGS[k] as { short: string }).short, k]),
  ),
  seeHelp: 'see --help',
};
const SPEC: FlagSpec<OptionKey, ControlKey> = { ...SPEC_BASE, unknown: (name) => unknownOption(SPEC_BASE, name) };

export function parseArgv(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedArgv {
  const given: Partial<Answers> = {};
  const scanned = scanFlags(argv, SPEC);
  const { raw, positionals, typed, errors } = scanned;
  const controls = Object.fromEntries(Object.keys(CONTROL_FLAGS).map((k) => [k, scanned.controls.has(k as ControlKey)])) as Controls;

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
