/**
 * git's user.name and user.email, for the author's default: what
 * `git config --get KEY` prints, without starting git where that is certain.
 *
 * Starting git costs more than the rest of a scaffold's own work, so the
 * configuration files are read here when the answer cannot differ from git's:
 * git is /usr/bin/git on Linux (whose system file is /etc/gitconfig), no
 * variable that changes git's files or repository is set (GIT_CONFIG*, GIT_DIR,
 * ...), the working directory is in no repository, and the files
 * (system, XDG, ~/.gitconfig) use nothing but sections, variables and values
 * (no include, no includeIf, nothing this parser does not know). Anything else
 * asks git itself, with one process for all keys. test/unit/git-config.test.ts
 * holds both to git's own answers.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/**
 * `git config --get KEY` in `cwd` for each of `keys` (lower case, as git prints
 * them): the keys that are set to something other than blanks, with their last
 * value (as --get gives it), trimmed.
 */
export function gitConfigValues(keys: readonly string[], cwd = process.cwd()): Map<string, string> {
  const system = gitSystemConfig(process.env);
  if (system === null) return new Map(); // no git: git config cannot answer either
  return (system !== undefined && readGitConfig(keys, { env: process.env, cwd, system })) || askGit(keys, cwd);
}

/** The same answer from git itself, one process for all keys. */
export function askGit(keys: readonly string[], cwd: string): Map<string, string> {
  const pattern = `^(${keys.map((key) => key.replace(/[.\\^$|?*+()[\]{}]/g, '\\$&')).join('|')})$`;
  const result = spawnSync('git', ['config', '--null', '--get-regexp', pattern], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000, cwd });
  const values = new Map<string, string>();
  if (result.status !== 0) return values; // 1: none is set; or git is missing
  // --null: each entry is "key\nvalue\0", in the order git reads them; a key set without "=" is "key\0"
  // (for which --get prints an empty line, as for a blank value).
  for (const entry of result.stdout.split('\0')) {
    if (entry.length === 0) continue;
    const newline = entry.indexOf('\n');
    const key = newline < 0 ? entry : entry.slice(0, newline);
    set(values, key, newline < 0 ? '' : entry.slice(newline + 1));
  }
  return values;
}

/** The last value wins; a blank one unsets (`--get` prints it, and a blank author is none). */
function set(values: Map<string, string>, key: string, value: string) {
  const trimmed = value.trim();
  if (trimmed.length > 0) values.set(key, trimmed);
  else values.delete(key);
}

/**
 * The system configuration file of the git on PATH: /etc/gitconfig for
 * /usr/bin/git on Linux (git built with prefix /usr, as distributions build
 * it); null when there is no git on PATH; undefined when only git knows.
 */
export function gitSystemConfig(env: NodeJS.ProcessEnv): string | null | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir.length === 0) continue;
    const file = join(dir, 'git');
    try {
      accessSync(file, constants.X_OK);
      if (!statSync(file).isFile()) continue;
      return process.platform === 'linux' && realpathSync(file) === '/usr/bin/git' ? '/etc/gitconfig' : undefined;
    } catch {
      continue;
    }
  }
  return null;
}

/**
 * The variables that tell git where a repository is (git's local_repo_env and
 * its discovery settings): with any of them, the repository's config may count.
 * (GIT_CONFIG* change which files count.) Others, such as GIT_SSL_CAINFO or
 * GIT_AUTHOR_NAME, do not change what `git config` prints.
 */
const GIT_REPOSITORY_ENV = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_IMPLICIT_WORK_TREE',
  'GIT_COMMON_DIR',
  'GIT_CEILING_DIRECTORIES',
  'GIT_DISCOVERY_ACROSS_FILESYSTEM',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_INDEX_FILE',
  'GIT_SHALLOW_FILE',
  'GIT_GRAFT_FILE',
  'GIT_REPLACE_REF_BASE',
  'GIT_NO_REPLACE_OBJECTS',
]);

/**
 * What `git config --get` says for `keys`, from the files; undefined when that
 * takes git (see above). `system` is git's system file.
 */
export function readGitConfig(
  keys: readonly string[],
  where: { readonly env: NodeJS.ProcessEnv; readonly cwd: string; readonly system: string },
): Map<string, string> | undefined {
  const { env, cwd, system } = where;
  if (Object.keys(env).some((name) => name.startsWith('GIT_CONFIG') || GIT_REPOSITORY_ENV.has(name))) return undefined;
  const home = env.HOME;
  if (!home) return undefined;
  if (mayBeInRepository(cwd)) return undefined;
  const xdg = env.XDG_CONFIG_HOME ? join(env.XDG_CONFIG_HOME, 'git', 'config') : join(home, '.config', 'git', 'config');
  const values = new Map<string, string>();
  for (const file of [system, xdg, join(home, '.gitconfig')]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return undefined;
    }
    const entries = parseConfig(text);
    if (!entries) return undefined;
    for (const [key, value] of entries) if (keys.includes(key)) set(values, key, value);
  }
  return values;
}

/** Could git find a repository from `cwd` (a `.git`, or a directory that may be a bare repository, here or above)? */
function mayBeInRepository(cwd: string): boolean {
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const name of ['.git', 'HEAD']) {
      try {
        lstatSync(join(dir, name));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return true;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

/**
 * The variables of a git configuration file, in order, as `section.key` (lower
 * case; a subsection makes it another key), following git's own parser
 * (config.c); undefined for anything it does not take as is: include and
 * includeIf, a malformed line (git refuses the file), a NUL.
 */
export function parseConfig(text: string): [string, string][] | undefined {
  const entries: [string, string][] = [];
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  if (source.includes('\0') || source.includes('\r')) return undefined;
  let section: string | undefined;
  let at = 0;
  const peek = () => (at < source.length ? source[at]! : '\n');
  const next = () => (at < source.length ? source[at++]! : (at++, '\n'));
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\v' || c === '\f';
  while (at < source.length) {
    const c = next();
    if (c === '\n' || isSpace(c)) continue;
    if (c === '#' || c === ';') {
      while (at < source.length && next() !== '\n');
      continue;
    }
    if (c === '[') {
      // [name] or [name "subsection"]; names: letters, digits, '-' and '.' (the old "[name.sub]" form).
      let name = '';
      while (/[A-Za-z0-9.-]/.test(peek())) name += next();
      if (name.length === 0) return undefined;
      let sub: string | undefined;
      if (isSpace(peek())) {
        while (isSpace(peek())) next();
        if (next() !== '"') return undefined;
        sub = '';
        for (;;) {
          let d = next();
          if (d === '\n') return undefined;
          if (d === '"') break;
          if (d === '\\') {
            d = next();
            if (d === '\n') return undefined;
          }
          sub += d;
        }
      }
      if (next() !== ']') return undefined;
      const lower = name.toLowerCase();
      if (lower === 'include' || lower === 'includeif') return undefined;
      section = sub === undefined ? lower : `${lower}.${sub}`;
      // git reads on after "]" as a new line would start (a variable may follow): take only blanks or a comment.
      while (isSpace(peek())) next();
      if (peek() !== '\n' && peek() !== '#' && peek() !== ';') return undefined;
      continue;
    }
    if (!/[A-Za-z]/.test(c) || section === undefined) return undefined;
    let key = c;
    while (/[A-Za-z0-9-]/.test(peek())) key += next();
    while (peek() === ' ' || peek() === '\t') next();
    const full = `${section}.${key.toLowerCase()}`;
    if (peek() === '\n') {
      next();
      entries.push([full, '']); // a variable without "=": true as a boolean, an empty line to --get
      continue;
    }
    if (next() !== '=') return undefined;
    // The value: as git's parse_value reads it.
    let value = '';
    let quoted = false;
    let comment = false;
    let spaces = 0;
    for (;;) {
      const d = next();
      if (d === '\n') {
        if (quoted) return undefined;
        break;
      }
      if (comment) continue;
      if (isSpace(d) && !quoted) {
        if (value.length > 0) spaces++;
        continue;
      }
      if (!quoted && (d === ';' || d === '#')) {
        comment = true;
        continue;
      }
      value += ' '.repeat(spaces);
      spaces = 0;
      if (d === '\\') {
        const e = next();
        if (e === '\n') continue;
        const escaped = ({ t: '\t', b: '\b', n: '\n', '\\': '\\', '"': '"' } as Record<string, string>)[e];
        if (escaped === undefined) return undefined;
        value += escaped;
        continue;
      }
      if (d === '"') {
        quoted = !quoted;
        continue;
      }
      value += d;
    }
    entries.push([full, value]);
  }
  return entries;
}
