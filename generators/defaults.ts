/** Defaults that depend on other answers or on the machine (the rest are static in options.ts). */
import { basename, resolve } from 'node:path';
import { checkName, suggestName } from './names.js';
import { OPTIONS, type Author } from './options.js';
import { gitConfig } from './post.js';

/** The distribution name implied by a directory: its basename, normalised. */
export function nameFromDirectory(directory: string): { name?: string; problem?: string; suggestion?: string } {
  const base = basename(resolve(directory));
  const check = checkName(base);
  if (check.ok) return { name: check.name };
  return { problem: `"${base}" is ${check.problem}`, suggestion: suggestName(base) };
}

/** `git config user.name/user.email`, when set and valid. */
export function authorFromGit(): Author | null {
  const name = gitConfig('user.name');
  if (!name) return null;
  const email = gitConfig('user.email');
  const parsed = OPTIONS.author.parse(email ? `${name} <${email}>` : name);
  if (parsed.ok) return parsed.value;
  const nameOnly = OPTIONS.author.parse(name);
  return nameOnly.ok ? nameOnly.value : null;
}
