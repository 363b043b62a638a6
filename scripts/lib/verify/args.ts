/**
 * The command line of `npm run verify`: `[PATTERN...] [--list] [--help]`. A PATTERN selects the
 * check units whose id contains it (`py314-slim`, `:podman`, `living`), or, with `*`, whose whole
 * id matches it as a glob (`image:py313-*:buildkit`); several patterns select the union.
 */
export interface VerifyArgs {
  readonly patterns: readonly string[];
  readonly list: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run verify [-- [PATTERN...] [--list]]
  PATTERN  run only the checks whose id contains PATTERN (with *, whose whole id matches the glob)
  --list   print every check id with what it proves, and exit (runs nothing, needs no harness)
Outside CI, a check whose inputs are unchanged since it last passed on this machine is reused; CI=true runs everything.`;

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): VerifyArgs {
  const patterns: string[] = [];
  let list = false;
  let help = false;
  for (const arg of argv) {
    if (arg === '--list') list = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg.startsWith('-')) throw new UsageError(`npm run verify: unknown option ${arg}; it takes PATTERN... and --list (npm run verify -- --help)`);
    else if (arg.trim() === '') throw new UsageError('npm run verify: an empty PATTERN would select every check; leave it out to run them all');
    else patterns.push(arg);
  }
  return { patterns, list, help };
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** Does `id` match one of `patterns` (no patterns: every id does)? */
export function matches(id: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => (p.includes('*') ? globToRegExp(p).test(id) : id.includes(p)));
}

/** The patterns that select none of `ids` (a typo must not make a green run of nothing). */
export function unmatched(ids: readonly string[], patterns: readonly string[]): string[] {
  return patterns.filter((p) => !ids.some((id) => matches(id, [p])));
}
