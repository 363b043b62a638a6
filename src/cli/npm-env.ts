/**
 * The switches npm kept for itself. Without `--`, `npm create pyservice d1 --dry-run` never
 * reaches our argv: npm 11 takes every option it sees and tells the child only through
 * `npm_config_<name>` (checked against the real npm 11 CLI; see README "Usage"):
 *   --dry-run / --json / --force / --yes, -y   → "true"      (npm's own switches)
 *   --no-git (npm's git setting, --git=false)  → "false";  --git → ""
 *   --install, --compose, --runtime ... (unknown to npm) → "true", the value left as a stray word;
 *   --no-install → "";  --name=x, --runtime=distroless → the value, no stray word;
 *   --ci is abbreviated by npm to its --cidr (a string): --ci github → npm_config_cidr=github.
 * An .npmrc setting (force=true) looks exactly the same, so only the switches that are safe to
 * act on are honoured (--dry-run, --json, --no-git, --yes under `npm create`); --force is never
 * taken from npm (a refusal to write into a non-empty directory then names the corrected command);
 * every option of ours npm kept stops the run (exit 2) with the corrected command.
 */
import { CONTROL_FLAGS, OPTION_KEYS, TABLE, type ControlKey, type Controls, type OptionKey } from '../model/options.js';

/** Did npm (npm create/init, npm exec, npx) start us? */
export const ranByNpm = (env: NodeJS.ProcessEnv) =>
  env.npm_command === 'init' || env.npm_command === 'exec' || env.npm_lifecycle_event === 'npx';

/** npm's value for one of our flags, if npm kept it (`ci` reaches us as npm's abbreviation `cidr`). */
export function npmConfig(env: NodeJS.ProcessEnv, flag: string): string | undefined {
  const name = flag === 'ci' ? 'cidr' : flag.replace(/-/g, '_');
  return env[`npm_config_${name}`];
}

/**
 * The output switches npm kept that are safe to honour for any command (they only change what is
 * shown, or make the run write nothing): --dry-run, --json, --diff; --yes only under npm create/init.
 * `controls` holds what reached our argv (a switch there needs nothing from npm).
 */
export function npmHonoured(env: NodeJS.ProcessEnv, controls: Readonly<Record<string, boolean>>): Record<string, boolean> {
  if (!ranByNpm(env)) return {};
  const honoured: Record<string, boolean> = {};
  for (const [key, flag] of [['dryRun', 'dry-run'], ['json', 'json'], ['diff', 'diff'], ['yes', 'yes']] as const) {
    if (!(key in controls) || controls[key] || npmConfig(env, flag) !== 'true') continue;
    // npx's own -y only skips its install question: under npm exec it is not ours.
    if (key !== 'yes' || env.npm_command === 'init') honoured[key] = true;
  }
  return honoured;
}

export interface NpmKept {
  /** The switches honoured: they were typed (or set in an .npmrc) and acting on them is safe. */
  readonly honoured: Partial<Controls>;
  readonly git?: boolean;
  /** npm took --force: not acted on. */
  readonly force: boolean;
  /** Our options npm kept (the run must stop): the words to put after `--`, value words marked by `fromStray`. */
  readonly options: { flag: string; value?: string; fromStray?: boolean }[];
  /** Every switch npm kept, as typed after `--` (for the corrected command). */
  readonly words: string[];
}

/**
 * What npm kept of ours. `typed` holds the flags that did reach our argv (they win: the user
 * put them after `--`). Values of kept value options are looked for among `strays`.
 */
export function npmKept(env: NodeJS.ProcessEnv, typed: ReadonlySet<string>, strays: readonly string[]): NpmKept {
  const none: NpmKept = { honoured: {}, force: false, options: [], words: [] };
  if (!ranByNpm(env)) return none;
  const keys = Object.keys(CONTROL_FLAGS) as ControlKey[];
  const honoured: Partial<Controls> = npmHonoured(env, Object.fromEntries(keys.map((k) => [k, typed.has(CONTROL_FLAGS[k].flag)])));
  const words = keys
    .map((k) => CONTROL_FLAGS[k].flag)
    .filter((flag) => flag !== 'help' && flag !== 'version' && !typed.has(flag) && npmConfig(env, flag) === 'true')
    .map((flag) => `--${flag}`);
  const force = words.includes('--force');
  const { options, git, gitWords } = keptOptions(env, OPTION_KEYS, typed, [...strays]);
  const optionWords = options.flatMap((o) => [o.flag, ...(o.value !== undefined ? [shellWord(o.value)] : [])]);
  words.unshift(...optionWords, ...gitWords);
  return { honoured, ...(git === undefined ? {} : { git }), force, options, words };
}

/**
 * Our options among `keys` that npm kept for itself (not in `typed`, the flags that reached our
 * argv), each with its value: npm's own when it kept one (`--runtime=distroless`), else the
 * stray word it left behind (`--runtime distroless` → "true" and the word `distroless`), taken
 * out of `strays` so it is not reported again. `git` only for creation (npm has a git setting).
 */
export function keptOptions(env: NodeJS.ProcessEnv, keys: readonly OptionKey[], typed: ReadonlySet<string>, strays: string[]): { options: NpmKept['options']; git?: boolean; gitWords: string[] } {
  let git: boolean | undefined;
  const gitWords: string[] = [];
  const options: NpmKept['options'] = [];
  const unused = strays;
  for (const key of keys) {
    const def = TABLE[key];
    if (!def.flag || typed.has(def.flag)) continue;
    const seen = npmConfig(env, def.flag);
    if (seen === undefined) continue;
    if (def.flag === 'git') {
      // npm's own setting (the git executable): "false" is --no-git, "" is --git; a path is npm's.
      if (seen === 'false' || seen === '') {
        git = seen === '';
        gitWords.push(seen === '' ? '--git' : '--no-git');
      }
      continue;
    }
    if (def.kind === 'boolean') {
      if (seen === 'true' || seen === '') options.push({ flag: seen === 'true' ? `--${def.flag}` : `--no-${def.flag}` });
      continue;
    }
    if (seen !== 'true') {
      // A value npm kept (--name=x): only ours when it parses (npm_config_python=/usr/bin/python3 is node-gyp's).
      if (def.parse(seen).ok) options.push({ flag: `--${def.flag}`, value: seen });
      continue;
    }
    const value = unused.find((word) => def.choices?.some((c) => c.value === word)) ?? (def.choices ? undefined : unused[0]);
    if (value === undefined) {
      options.push({ flag: `--${def.flag}` }); // its value is not among the words npm passed on
      continue;
    }
    unused.splice(unused.indexOf(value), 1);
    options.push({ flag: `--${def.flag}`, value, fromStray: true });
  }
  return { options, ...(git === undefined ? {} : { git }), gitWords };
}

export const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** The command to run instead. */
export const correctedCommand = (directory: string | undefined, words: readonly string[]) =>
  `npm create pyservice@latest ${shellWord(directory ?? 'my-api')} -- ${words.join(' ')}`;

