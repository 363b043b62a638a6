/**
 * Distribution-name rules (PEP 508 syntax, PEP 503 normalisation) and the
 * names the generated project cannot take.
 */
import { DEPENDENCIES, DEV_DEPENDENCIES } from './versions.js';

const PEP508_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** PEP 503 normalisation: lower case, runs of `-_.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Names Poetry refuses because the project would depend on itself. */
const TAKEN = new Set(
  [...Object.keys(DEPENDENCIES), ...Object.keys(DEV_DEPENDENCIES), 'pydantic', 'starlette', 'poetry']
    .map((dep) => normalizeName(dep.replace(/\[.*\]$/, ''))),
);

export type NameCheck = { ok: true; name: string } | { ok: false; problem: string };

/** Validate and normalise a distribution name; `problem` completes "NAME is …". */
export function checkName(raw: string): NameCheck {
  if (raw.length === 0) return { ok: false, problem: 'empty' };
  if (raw.length > 100) return { ok: false, problem: 'longer than 100 characters' };
  if (!PEP508_NAME.test(raw)) {
    return {
      ok: false,
      problem:
        "not a valid Python distribution name: use ASCII letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    };
  }
  const name = normalizeName(raw);
  if (TAKEN.has(name)) {
    return { ok: false, problem: `the name of one of the project's own dependencies (${name}); Poetry would refuse it` };
  }
  return { ok: true, name };
}

/**
 * A name suggestion derived from a directory's basename, for the error shown
 * when the basename itself is not a valid name: `My Project!` → `my-project`.
 */
export function suggestName(raw: string): string | undefined {
  const cleaned = raw
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-_.]+|[-_.]+$/g, '');
  const check = checkName(cleaned);
  return check.ok ? check.name : undefined;
}
