/**
 * How a raw value (a flag's text, a typed answer) becomes an option's value,
 * or one line saying what is wrong: the parsers, formatters and derived
 * defaults the option table (options.ts) names.
 */
import { basename, resolve } from 'node:path';
import { checkName, suggestName } from './names.js';
import { bad, ok, type Author, type Choice, type DefaultSpec, type Known, type Machine, type OptionDef, type Parsed } from './option-types.js';
import { directoryProblem, quoted, textProblem } from './text.js';
import { VERSIONS } from './versions.js';

/** The directory (and name) when none is given and nothing else says one. */
export const DEFAULT_DIRECTORY = 'my-service';

/** A choice option: its values, parser and question choices come from one list. */
export function choiceOption<V extends string, const R extends boolean, D extends DefaultSpec<V>>(
  choices: readonly Choice<V>[],
  def: Omit<OptionDef<V>, 'kind' | 'choices' | 'parse'> & { readonly recorded: R; readonly default: D },
) {
  return { ...def, kind: 'choice' as const, choices, parse: parseChoice(choices) };
}

/** Why a value that is not offered is not offered, where there is more to say than the list. */
export const NOT_OFFERED: Readonly<Record<string, string>> = {
  '3.10': 'Python 3.10 reached end of life in October 2026',
  '3.9': 'Python 3.9 reached end of life in October 2025',
};

export function parseChoice<V extends string>(choices: readonly Choice<V>[]) {
  return (raw: string): Parsed<V> => {
    const found = choices.find((c) => c.value === raw);
    if (found) return ok(found.value);
    const why = NOT_OFFERED[raw] ? ` (${NOT_OFFERED[raw]})` : '';
    return bad(`${quoted(raw)} is not one of: ${choices.map((c) => c.value).join(', ')}${why}`);
  };
}

export function parseDescription(raw: string): Parsed<string> {
  const text = raw.trim();
  if (text.length === 0) return bad('is empty: describe the service in one line');
  const problem = textProblem(text);
  if (problem) return bad(problem);
  if (text.length > 300) return bad(`is ${text.length} characters long; keep it to one line of at most 300`);
  return ok(text);
}

/** `Name <email>`, `Name`, or an empty string for no author. */
export function parseAuthor(raw: string): Parsed<Author | null> {
  const text = raw.trim();
  if (text.length === 0) return ok(null);
  const problem = textProblem(text);
  if (problem) return bad(problem);
  const match = /^([^<>]*?)\s*(?:<([^<>]*)>)?$/.exec(text);
  const name = match?.[1]?.trim() ?? '';
  const email = match?.[2]?.trim();
  if (!match || name.length === 0) return bad(`${quoted(text)} is not of the form "Name <email>" (or just "Name")`);
  if (email !== undefined && !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(email)) {
    return bad(`${quoted(email)} is not an email address`);
  }
  return ok(email === undefined ? { name } : { name, email });
}

export const formatAuthor = (author: Author | null) => (author ? (author.email ? `${author.name} <${author.email}>` : author.name) : '');

/** `git config user.name/user.email`, when set and valid; else no author. */
export function authorFromGit(_known: Known, machine: Machine): Parsed<Author | null> {
  const name = machine.gitConfig('user.name');
  if (!name) return ok(null);
  const email = machine.gitConfig('user.email');
  const full = parseAuthor(email ? `${name} <${email}>` : name);
  if (full.ok) return full;
  const nameOnly = parseAuthor(name);
  return nameOnly.ok ? nameOnly : ok(null);
}

export function parsePort(raw: string): Parsed<number> {
  if (!/^\d{1,5}$/.test(raw.trim())) return bad(`${quoted(raw)} is not a whole number from 1 to 65535`);
  const port = Number(raw.trim());
  return port >= 1 && port <= 65535 ? ok(port) : bad(`${port} is outside 1–65535`);
}

export function parsePoetryVersion(raw: string): Parsed<string> {
  const text = raw.trim();
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return bad(`${quoted(raw)} is not a release version such as ${VERSIONS.poetry}`);
  if (Number(match[1]) < 2) {
    return bad(`Poetry ${text} is too old: the project needs Poetry ${VERSIONS.poetryMin} or newer (poetry sync, PEP 621 [project])`);
  }
  return ok(text);
}

export function parseName(raw: string): Parsed<string> {
  const check = checkName(raw.trim());
  return check.ok ? ok(check.name) : bad(`${quoted(raw)} is ${check.problem}`);
}

/** The distribution name implied by the directory: its basename, normalised. */
export function nameFromDirectory(known: Known): Parsed<string> {
  const base = basename(resolve(String(known.directory ?? DEFAULT_DIRECTORY)));
  const check = checkName(base);
  if (check.ok) return ok(check.name);
  return bad(`the directory's name ${quoted(base)} is ${check.problem}`, suggestName(base));
}

export function parseDirectory(raw: string): Parsed<string> {
  const problem = directoryProblem(raw);
  return problem ? bad(problem) : ok(raw);
}

export const parseBoolean = (raw: string): Parsed<boolean> => ok(raw === 'true');
export const yesNo = (value: boolean) => (value ? 'yes' : 'no');
