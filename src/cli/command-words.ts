/**
 * The first words that name a command on an existing project (kept apart so the entry chunk stays
 * small), and the guard that keeps a mistyped command from becoming a new project's directory:
 * `pyservice updte` inside a project would otherwise write ./updte. A bare word (no `/`, not `.`
 * or `..`) is refused as a directory when it is close to a command word, is a command word not in
 * first place, or is used inside a generated project (a directory holding, or below one holding,
 * .pyservice.json). Written as a path (./updte, sub/dir), it is a directory as always.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { parseArgv } from './argv.js';
import { RECORD_FILE } from '../project/record-paths.js';
import { quoted } from '../model/text.js';

export const COMMAND_WORDS = ['add', 'docker', 'update'] as const;
export const isCommandWord = (word: string | undefined): boolean => (COMMAND_WORDS as readonly (string | undefined)[]).includes(word);

/** The nearest enclosing generated project of `cwd` (the directory holding .pyservice.json), if any. */
export function enclosingProject(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, RECORD_FILE))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** A word with no path separator that is not `.` or `..`: it could be a command as well as a directory. */
export const isBareWord = (word: string) => word !== '.' && word !== '..' && !word.includes('/') && !(sep === '\\' && word.includes('\\'));

/**
 * Is `word` one slip away from `command`: one letter left out, one added, or two neighbours swapped
 * (updte, updates, udpate, doker, dokcer, ad), or, for commands of 5 letters or more, one letter
 * replaced (docekr is a swap; dicker a replacement)? Two independent slips are a different word:
 * `locked` and `rocket` are two replacements away from `docker`, and are names people give projects.
 */
export function oneSlipFrom(word: string, command: string): boolean {
  if (word === command) return false;
  const [a, b] = [word, command];
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff = [...a].map((ch, i) => (ch === b[i] ? -1 : i)).filter((i) => i >= 0);
    if (diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!]) return true;
    return diff.length === 1 && command.length >= 5;
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  for (let i = 0; i < long.length; i++) if (long.slice(0, i) + long.slice(i + 1) === short) return true;
  return false;
}

/**
 * Creation's directory argument, if it must not be taken as one: the one line to print (exit 2,
 * nothing written). "Close" is one slip (`oneSlipFrom`). A deleted or unreadable working directory
 * is left to the writer, which says so in its own line.
 */
export function directoryWordRefusal(argv: readonly string[], cwd: () => string): string | undefined {
  const parsed = parseArgv(argv, {});
  if (parsed.controls.help || parsed.controls.version) return undefined;
  const word = parsed.given.directory;
  if (word === undefined || !isBareWord(word)) return undefined;
  const asPath = `for a new project's directory, write it as a path: ./${word}`;
  if (isCommandWord(word)) return `${quoted(word)}: a command goes first (pyservice ${word} ...); ${asPath}`;
  const guess = COMMAND_WORDS.find((command) => oneSlipFrom(word.toLowerCase(), command));
  if (guess !== undefined) return `${quoted(word)}: not a command (did you mean ${guess}?); ${asPath}`;
  let here: string;
  try {
    here = cwd();
  } catch {
    return undefined;
  }
  const project = enclosingProject(here);
  if (project !== undefined) {
    return `${quoted(word)}: inside a project, write a new project's directory as a path: ./${word} (you are in the project ${quoted(project)}; its commands: add route, add db, docker, update)`;
  }
  return undefined;
}
