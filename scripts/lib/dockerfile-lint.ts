/**
 * A Dockerfile linter for the files our scaffolder generates. It runs three families of rules:
 *
 * - BuildKit's build checks (`docker build --check`), same ids and meaning;
 * - a subset of hadolint's rules, with hadolint's ids (DL...);
 * - project rules (PS...), which encode what our multi-stage Poetry images need.
 *
 * Instructions come from the `dockerfile-ast` parser. RUN scripts are split into simple
 * commands by a small shell tokenizer (quotes, operators, redirections, here-documents,
 * command substitution), which is all the rules need to know about shell syntax.
 *
 * Every finding names the line where its instruction starts (1-based), as BuildKit and
 * hadolint do; findings about something missing from the final stage name its FROM line.
 */
import { Add, Arg, Copy, DockerfileParser, Env, From, Healthcheck, Run, type Dockerfile, type Instruction } from 'dockerfile-ast';

export interface LintFinding {
  rule: string;
  line: number;
  message: string;
}

/** Lints one Dockerfile; findings are sorted by line, then rule id. */
export function lintDockerfile(text: string): LintFinding[] {
  return new Linter(DockerfileParser.parse(text)).run();
}

// ---------------------------------------------------------------------------------------------
// Variables

/** What a name means at some point of the Dockerfile: declared or not, and its value if known. */
interface Binding {
  defined: boolean;
  /** null when declared without a value we can know (an ARG without default, a base image ENV). */
  value: string | null;
}

type Lookup = (name: string) => Binding;

/** BuildKit's predefined build args: treated as declared everywhere, FROM lines included. */
const PREDEFINED_BUILD_ARGS = [
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
  ...['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((name) => [name, name.toLowerCase()]),
];

/** Variables every base image we use sets (or the runtime provides); we cannot read image configs. */
const BASE_IMAGE_ENV = ['PATH', 'HOME', 'HOSTNAME'];

const IN_STAGE_WELL_KNOWN = new Set([...PREDEFINED_BUILD_ARGS, ...BASE_IMAGE_ENV]);
const IN_FROM_WELL_KNOWN = new Set(PREDEFINED_BUILD_ARGS);

interface Expansion {
  /** The text after substitution and quote removal; null if some variable's value is unknown. */
  value: string | null;
  /** Every variable name the text refers to, in order, including those in `${A:-$B}` defaults. */
  refs: string[];
}

function isNameStart(ch: string): boolean {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch === '_';
}

function isNameChar(ch: string): boolean {
  return isNameStart(ch) || (ch >= '0' && ch <= '9');
}

/** Index of the `}` closing the `${` whose `{` is at `open`, or text.length if there is none. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return text.length;
}

/**
 * Expands `$VAR` and `${VAR...}` the way BuildKit does for instructions it expands itself
 * (FROM, ENV, ARG, COPY, WORKDIR, USER, ...): nothing inside single quotes, escapes honoured,
 * quotes removed. Supports the `-`, `:-`, `+`, `:+` and `?` modifiers; the pattern modifiers
 * (`#`, `%`, `/`) are recorded as references but make the value unknown.
 */
function expandText(text: string, escapeChar: string, lookup: Lookup): Expansion {
  const refs: string[] = [];
  let out = '';
  let known = true;
  let inDouble = false;
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === escapeChar) {
      const next = text.charAt(i + 1);
      if (inDouble && next !== '"' && next !== '$' && next !== escapeChar) {
        out += ch;
        i++;
      } else {
        out += next;
        i += 2;
      }
    } else if (ch === "'" && !inDouble) {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end;
      out += text.slice(i + 1, stop);
      i = stop + 1;
    } else if (ch === '"') {
      inDouble = !inDouble;
      i++;
    } else if (ch === '$' && text.charAt(i + 1) === '{') {
      const close = closingBrace(text, i + 1);
      const body = text.slice(i + 2, close);
      let n = 0;
      while (n < body.length && isNameChar(body.charAt(n))) n++;
      const name = body.slice(0, n);
      const rest = body.slice(n);
      refs.push(name);
      const binding = lookup(name);
      const colon = rest.startsWith(':');
      const modifier = rest.charAt(colon ? 1 : 0);
      const word = expandText(rest.slice(colon ? 2 : 1), escapeChar, lookup);
      refs.push(...word.refs);
      const empty = binding.value === '' && colon;
      let value: string | null;
      if (rest === '') value = binding.defined ? binding.value : null;
      else if (modifier === '-') value = !binding.defined || empty ? word.value : binding.value;
      else if (modifier === '+') value = !binding.defined || empty ? '' : binding.value === null ? null : word.value;
      else if (modifier === '?') value = binding.defined ? binding.value : null;
      else value = null;
      if (value === null) known = false;
      else out += value;
      i = close + 1;
    } else if (ch === '$' && isNameStart(text.charAt(i + 1))) {
      let end = i + 1;
      while (end < text.length && isNameChar(text.charAt(end))) end++;
      const name = text.slice(i + 1, end);
      refs.push(name);
      const binding = lookup(name);
      if (binding.defined && binding.value !== null) out += binding.value;
      else known = false;
      i = end;
    } else {
      out += ch;
      i++;
    }
  }
  return { value: known ? out : null, refs };
}

/** Splits instruction arguments into words: whitespace outside quotes separates, quotes go. */
function splitWords(text: string, escapeChar: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === escapeChar && quote === '"' && i + 1 < text.length) word += text.charAt(++i);
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === escapeChar && i + 1 < text.length) {
      word += text.charAt(++i);
      inWord = true;
    } else if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The array of an exec-form (JSON) instruction, or null for the shell form, as Docker decides. */
function parseJsonArray(text: string | null): string[] | null {
  const trimmed = text?.trim() ?? '';
  if (!trimmed.startsWith('[')) return null;
  try {
    const value: unknown = JSON.parse(trimmed);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Shell scripts (RUN)

/** One simple command: leading assignments and wrappers (sudo, env, ...) are stripped off. */
interface ShellCommand {
  /** Base name of the program: `/opt/venv/bin/pip` gives `pip`. */
  name: string;
  args: string[];
  assignments: Map<string, string>;
}

interface ShellScript {
  commands: ShellCommand[];
  /** A `|` or `|&` pipeline appears (`||` does not count). */
  hasPipe: boolean;
}

const SHELL_NAMES = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);
const RESERVED_WORDS = new Set(['!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'while', 'until', 'do', 'done', 'time']);
const COMMAND_WRAPPERS = new Set(['sudo', 'env', 'exec', 'command', 'nohup']);
const WORD_BREAKS = ' \t\r\n;|&<>()';

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function isIdentifier(text: string): boolean {
  return text.length > 0 && isNameStart(text.charAt(0)) && [...text].every(isNameChar);
}

function toCommand(words: string[]): ShellCommand | null {
  const assignments = new Map<string, string>();
  let i = 0;
  while (i < words.length) {
    const word = words[i] ?? '';
    const eq = word.indexOf('=');
    if (RESERVED_WORDS.has(word)) {
      i++;
    } else if (eq > 0 && isIdentifier(word.slice(0, eq))) {
      assignments.set(word.slice(0, eq), word.slice(eq + 1));
      i++;
    } else if (COMMAND_WRAPPERS.has(basename(word))) {
      const wrapper = basename(word);
      i++;
      while ((words[i] ?? '').startsWith('-')) {
        // sudo -u USER / -g GROUP take a value; the other wrappers' options do not matter here.
        const option = words[i++];
        if (wrapper === 'sudo' && (option === '-u' || option === '-g')) i++;
      }
    } else {
      break;
    }
  }
  const name = words[i];
  return name === undefined ? null : { name: basename(name), args: words.slice(i + 1), assignments };
}

/**
 * Tokenizes a POSIX shell script into simple commands. It does not evaluate anything:
 * quotes are removed, `$VAR` stays as written, command substitutions and here-documents
 * that are scripts (`RUN <<EOF`, `bash <<EOF`) are parsed recursively.
 */
class ShellTokenizer {
  private pos = 0;
  private words: string[] = [];
  private word = '';
  private inWord = false;
  private redirectTarget = false;
  private hasPipe = false;
  private heredocs: { delimiter: string; stripTabs: boolean; isScript: boolean }[] = [];
  private readonly wordLists: string[][] = [];
  private readonly nested: ShellScript[] = [];

  constructor(private readonly src: string) {}

  parse(): ShellScript {
    const src = this.src;
    while (this.pos < src.length) {
      const ch = src.charAt(this.pos);
      const next = src.charAt(this.pos + 1);
      if (ch === '\\') {
        if (next !== '\n') this.append(next);
        this.pos += 2;
      } else if (ch === "'") {
        const end = src.indexOf("'", this.pos + 1);
        const stop = end < 0 ? src.length : end;
        this.append(src.slice(this.pos + 1, stop));
        this.pos = stop + 1;
      } else if (ch === '"') {
        this.readDoubleQuoted();
      } else if (this.readExpansion()) {
        // $(...), ${...}, `...` were appended to the current word.
      } else if (ch === '#' && !this.inWord) {
        const end = src.indexOf('\n', this.pos);
        this.pos = end < 0 ? src.length : end;
      } else if (ch === ' ' || ch === '\t' || ch === '\r') {
        this.endWord();
        this.pos++;
      } else if (ch === '\n') {
        this.endCommand();
        this.pos++;
        this.readHeredocBodies();
      } else if (ch === '|') {
        this.endCommand();
        if (next === '|') {
          this.pos += 2;
        } else {
          this.hasPipe = true;
          this.pos += next === '&' ? 2 : 1;
        }
      } else if (ch === '&' && next === '>') {
        this.endWord();
        this.pos += src.charAt(this.pos + 2) === '>' ? 3 : 2;
        this.redirectTarget = true;
      } else if (ch === '&' || ch === ';') {
        this.endCommand();
        this.pos += next === ch ? 2 : 1;
      } else if (ch === '(' || ch === ')') {
        this.endCommand();
        this.pos++;
      } else if (ch === '<' || ch === '>') {
        this.readRedirection();
      } else {
        this.append(ch);
        this.pos++;
      }
    }
    this.endCommand();
    const commands = this.wordLists.map(toCommand).filter((cmd): cmd is ShellCommand => cmd !== null);
    return {
      commands: [...commands, ...this.nested.flatMap((script) => script.commands)],
      hasPipe: this.hasPipe || this.nested.some((script) => script.hasPipe),
    };
  }

  private append(text: string): void {
    this.word += text;
    this.inWord = true;
  }

  private endWord(): void {
    if (!this.inWord) return;
    if (this.redirectTarget) this.redirectTarget = false;
    else this.words.push(this.word);
    this.word = '';
    this.inWord = false;
  }

  private endCommand(): void {
    this.endWord();
    if (this.words.length > 0) this.wordLists.push(this.words);
    this.words = [];
  }

  /** Index of the `)` matching the `(` at `open`, skipping quoted text; src.length if none. */
  private closingParen(open: number): number {
    const src = this.src;
    let depth = 0;
    for (let i = open; i < src.length; i++) {
      const ch = src.charAt(i);
      if (ch === '\\') i++;
      else if (ch === "'" || ch === '"') {
        const end = src.indexOf(ch, i + 1);
        i = end < 0 ? src.length : end;
      } else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) return i;
    }
    return src.length;
  }

  /** Consumes `$(...)`, `$((...))`, `${...}` or a backquoted command into the current word. */
  private readExpansion(): boolean {
    const src = this.src;
    const start = this.pos;
    const ch = src.charAt(start);
    const next = src.charAt(start + 1);
    let end: number;
    if (ch === '$' && next === '(') {
      end = this.closingParen(start + 1);
      // $((...)) is arithmetic, not a command.
      if (src.charAt(start + 2) !== '(') this.nested.push(parseShell(src.slice(start + 2, end)));
    } else if (ch === '$' && next === '{') {
      end = closingBrace(src, start + 1);
    } else if (ch === '`') {
      end = start + 1;
      while (end < src.length && src.charAt(end) !== '`') end += src.charAt(end) === '\\' ? 2 : 1;
      this.nested.push(parseShell(src.slice(start + 1, end)));
    } else {
      return false;
    }
    this.append(src.slice(start, end + 1));
    this.pos = end + 1;
    return true;
  }

  private readDoubleQuoted(): void {
    const src = this.src;
    this.inWord = true;
    this.pos++;
    while (this.pos < src.length && src.charAt(this.pos) !== '"') {
      const ch = src.charAt(this.pos);
      const next = src.charAt(this.pos + 1);
      if (ch === '\\' && '"$`\\\n'.includes(next) && next !== '') {
        if (next !== '\n') this.append(next);
        this.pos += 2;
      } else if (!this.readExpansion()) {
        this.append(ch);
        this.pos++;
      }
    }
    this.pos++;
  }

  private readRedirection(): void {
    const src = this.src;
    // A word made of digits right before the operator is a file descriptor (2>&1), not an argument.
    if (this.inWord && this.word !== '' && [...this.word].every((c) => c >= '0' && c <= '9')) {
      this.word = '';
      this.inWord = false;
    } else {
      this.endWord();
    }
    if (src.startsWith('<<<', this.pos)) {
      this.pos += 3;
      this.redirectTarget = true;
    } else if (src.startsWith('<<', this.pos)) {
      this.pos += 2;
      const stripTabs = src.charAt(this.pos) === '-';
      if (stripTabs) this.pos++;
      while (src.charAt(this.pos) === ' ' || src.charAt(this.pos) === '\t') this.pos++;
      let delimiter = '';
      while (this.pos < src.length && !WORD_BREAKS.includes(src.charAt(this.pos))) {
        const ch = src.charAt(this.pos++);
        if (ch !== '"' && ch !== "'" && ch !== '\\') delimiter += ch;
      }
      // The body is a script when it feeds a shell, or is the whole RUN (`RUN <<EOF`).
      const isScript = this.words.length === 0 || SHELL_NAMES.has(basename(this.words[0] ?? ''));
      this.heredocs.push({ delimiter, stripTabs, isScript });
    } else {
      this.pos++;
      if ('>&|'.includes(src.charAt(this.pos)) && src.charAt(this.pos) !== '') this.pos++;
      this.redirectTarget = true;
    }
  }

  private readHeredocBodies(): void {
    const src = this.src;
    for (const heredoc of this.heredocs) {
      const lines: string[] = [];
      while (this.pos < src.length) {
        const newline = src.indexOf('\n', this.pos);
        const end = newline < 0 ? src.length : newline;
        let line = src.slice(this.pos, end);
        this.pos = end + 1;
        if (heredoc.stripTabs) line = line.replace(/^\t+/, '');
        if (line === heredoc.delimiter) break;
        lines.push(line);
      }
      if (heredoc.isScript) this.nested.push(parseShell(lines.join('\n')));
    }
    this.heredocs = [];
  }
}

function parseShell(src: string): ShellScript {
  return new ShellTokenizer(src).parse();
}

/** The commands of a RUN, in shell form or exec form (`["sh", "-c", "..."]` is a script too). */
function runScript(run: Run): ShellScript {
  const exec = parseJsonArray(run.getArgumentsContent());
  if (exec === null) return parseShell(run.getArgumentsContent() ?? '');
  const dashC = exec.indexOf('-c');
  if (SHELL_NAMES.has(basename(exec[0] ?? '')) && dashC > 0) return parseShell(exec[dashC + 1] ?? '');
  const command = toCommand(exec);
  return { commands: command ? [command] : [], hasPipe: false };
}

interface ParsedArgs {
  positionals: string[];
  options: { name: string; value: string | null }[];
}

/**
 * getopt-style parsing: `--name=value`, `--name value` (for names in `valueLong`),
 * `-abc` clusters where a letter in `valueShort` takes the rest or the next word.
 */
function parseArgs(args: string[], valueLong: ReadonlySet<string>, valueShort: ReadonlySet<string>): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], options: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      parsed.positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      let value = eq < 0 ? null : arg.slice(eq + 1);
      if (value === null && valueLong.has(name)) value = args[++i] ?? null;
      parsed.options.push({ name: `--${name}`, value });
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg.charAt(j);
        if (valueShort.has(letter)) {
          const value = j + 1 < arg.length ? arg.slice(j + 1) : (args[++i] ?? null);
          parsed.options.push({ name: `-${letter}`, value });
          break;
        }
        parsed.options.push({ name: `-${letter}`, value: null });
      }
    } else {
      parsed.positionals.push(arg);
    }
  }
  return parsed;
}

function hasOption(parsed: ParsedArgs, ...names: string[]): boolean {
  return parsed.options.some((option) => names.includes(option.name));
}

const APT_VALUE_LONG = new Set(['option', 'target-release', 'default-release', 'config-file', 'host-architecture']);
const APT_VALUE_SHORT = new Set(['o', 't', 'c', 'a']);

/** `apt-get <subcommand> ...`: the subcommand and its package arguments. */
function aptGet(cmd: ShellCommand): { subcommand: string; packages: string[]; parsed: ParsedArgs } | null {
  if (cmd.name !== 'apt-get') return null;
  const parsed = parseArgs(cmd.args, APT_VALUE_LONG, APT_VALUE_SHORT);
  const [subcommand = '', ...packages] = parsed.positionals;
  return { subcommand, packages, parsed };
}

const PIP_VALUE_LONG = new Set([
  'requirement', 'constraint', 'editable', 'find-links', 'index-url', 'extra-index-url', 'target', 'prefix',
  'root', 'src', 'platform', 'python-version', 'implementation', 'abi', 'no-binary', 'only-binary',
  'progress-bar', 'proxy', 'trusted-host', 'upgrade-strategy', 'cache-dir', 'log', 'log-file', 'retries',
  'timeout', 'exists-action', 'cert', 'client-cert', 'report', 'config-settings', 'global-option', 'python',
  'keyring-provider', 'use-feature', 'use-deprecated', 'group', 'root-user-action', 'resume-retries',
]);
const PIP_VALUE_SHORT = new Set(['r', 'c', 'e', 'f', 'i', 't', 'C']);

/** `pip install ...` / `python -m pip install ...`: the install's arguments, or null. */
function pipInstall(cmd: ShellCommand): ParsedArgs | null {
  let args: string[];
  if (/^pip[0-9.]*$/.test(cmd.name)) {
    args = cmd.args;
  } else if (/^python[0-9.]*$/.test(cmd.name)) {
    const m = cmd.args.findIndex((arg, i) => (arg === '-m' && cmd.args[i + 1] === 'pip') || arg === '-mpip');
    if (m < 0) return null;
    args = cmd.args.slice(m + (cmd.args[m] === '-m' ? 2 : 1));
  } else {
    return null;
  }
  const parsed = parseArgs(args, PIP_VALUE_LONG, PIP_VALUE_SHORT);
  if (parsed.positionals[0] !== 'install') return null;
  return { ...parsed, positionals: parsed.positionals.slice(1) };
}

const PIP_VERSION_OPERATORS = ['==', '>=', '<=', '~=', '!=', '>', '<'];
const VCS_PREFIXES = ['git+', 'hg+', 'svn+', 'bzr+'];

/**
 * A `pip install` argument that names a package from an index without a version. Local paths,
 * `.`, archives and URLs are not such names; a VCS URL is pinned when it names a revision
 * (`@ref` after the last `/`). Arguments whose name comes from a variable are not judged.
 */
function isUnpinnedPipPackage(arg: string): boolean {
  if (PIP_VERSION_OPERATORS.some((op) => arg.includes(op))) return false;
  if (VCS_PREFIXES.some((prefix) => arg.startsWith(prefix))) return !arg.slice(arg.lastIndexOf('/')).includes('@');
  if (arg.includes('$') || arg.includes('/') || arg === '.' || arg === '..' || arg.startsWith('~')) return false;
  return !['.whl', '.tar.gz', '.zip', '.tar.bz2'].some((ext) => arg.endsWith(ext));
}

const POETRY_VALUE_LONG = new Set(['directory', 'project', 'only', 'with', 'without', 'extras']);
const POETRY_VALUE_SHORT = new Set(['C', 'P', 'E']);

/** `poetry install` / `poetry sync`, unless it installs only the project itself (`--only-root`). */
function isPoetryDependencyInstall(cmd: ShellCommand): boolean {
  if (cmd.name !== 'poetry') return false;
  const parsed = parseArgs(cmd.args, POETRY_VALUE_LONG, POETRY_VALUE_SHORT);
  const subcommand = parsed.positionals[0];
  return (subcommand === 'install' || subcommand === 'sync') && !hasOption(parsed, '--only-root');
}

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);

/** SHELL ["/bin/bash", "-o", "pipefail", "-c"] or a non-POSIX shell: pipes cannot hide failures. */
function shellHandlesPipes(shell: string[]): boolean {
  const program = basename(shell[0] ?? '').toLowerCase();
  if (['pwsh', 'pwsh.exe', 'powershell', 'powershell.exe', 'cmd', 'cmd.exe'].includes(program)) return true;
  if (!['bash', 'zsh', 'ash', 'ksh', 'mksh'].includes(program)) return false;
  return shell.some((arg, i) => {
    const previous = shell[i - 1] ?? '';
    return arg === 'pipefail' && previous.startsWith('-') && !previous.startsWith('--') && previous.endsWith('o');
  });
}

// ---------------------------------------------------------------------------------------------
// Images and stages

interface ImageRef {
  /** Repository, registry included: `gcr.io/distroless/python3-debian13`. */
  name: string;
  tag: string | null;
  digest: string | null;
}

function parseImageRef(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const digest = at < 0 ? null : ref.slice(at + 1);
  const rest = at < 0 ? ref : ref.slice(0, at);
  // A colon before the last slash belongs to a registry port (localhost:5000/app).
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, tag: null, digest };
}

function formatImage(image: ImageRef): string {
  return `${image.name}${image.tag === null ? '' : `:${image.tag}`}`;
}

/** major.minor of an official `python:` image tag (3.13.2-slim → 3.13), or null. */
function pythonImageVersion(image: ImageRef | null): string | null {
  if (!image || image.tag === null) return null;
  const name = image.name.replace(/^(docker\.io\/|index\.docker\.io\/)/, '').replace(/^library\//, '');
  if (name !== 'python') return null;
  const match = /^(\d+)(\.\d+)?/.exec(image.tag);
  return match ? `${match[1] ?? ''}${match[2] ?? ''}` : null;
}

/** Python version shipped by a distroless python3 image: Debian's python3 of that release. */
const DISTROLESS_PYTHON: Record<string, string> = {
  'gcr.io/distroless/python3-debian11': '3.9',
  'gcr.io/distroless/python3-debian12': '3.11',
  'gcr.io/distroless/python3-debian13': '3.13',
};

function distrolessPythonVersion(image: ImageRef | null): string | null {
  return image ? (DISTROLESS_PYTHON[image.name] ?? null) : null;
}

/** What a stage hands to a stage built FROM it: the image config, as Docker inherits it. */
interface ImageState {
  env: Map<string, string | null>;
  shell: { custom: boolean; handlesPipes: boolean };
  user: { value: string | null; line: number } | null;
  healthcheck: { disabled: boolean; line: number } | null;
  exposed: boolean;
  workdirSet: boolean;
}

function cloneState(state: ImageState): ImageState {
  return { ...state, env: new Map(state.env), shell: { ...state.shell } };
}

interface Stage {
  line: number;
  /** Lower-cased, as BuildKit compares stage names. */
  name: string | null;
  /** The base image after substituting global ARG defaults; null for a stage base or unknown values. */
  image: ImageRef | null;
  parent: Stage | null;
  state: ImageState;
}

function rootStage(stage: Stage): Stage {
  let current = stage;
  while (current.parent) current = current.parent;
  return current;
}

// ---------------------------------------------------------------------------------------------
// Rules

/** BuildKit's SecretsUsedInArgOrEnv patterns (tokens delimited by _ ; we also accept -). */
const SECRET_TOKENS = /(?:^|[_-])(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:[_-]|$)/i;
const NOT_SECRET_TOKENS = /(?:^|[_-])(?:public|file|version)(?:[_-]|$)/i;

const ARCHIVE_EXTENSIONS = [
  '.tar', '.tar.gz', '.tgz', '.tar.bz2', '.tbz2', '.tbz', '.tar.xz', '.txz', '.tar.zst', '.tzst',
  '.tar.lz', '.tar.lzma', '.tlz', '.tar.Z',
];

function lineOf(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}

function isRootUser(user: string): boolean {
  const name = user.split(':')[0];
  return name === 'root' || name === '0';
}

/** Collects findings; shared by the file-level and the stage-level passes. */
class Reporter {
  readonly findings: LintFinding[] = [];

  report(rule: string, line: number, message: string): void {
    this.findings.push({ rule, line, message });
  }

  undefinedVars(instruction: Instruction, refs: string[], lookup: Lookup): void {
    for (const name of new Set(refs)) {
      if (name !== '' && !lookup(name).defined) {
        this.report('UndefinedVar', lineOf(instruction), `Usage of undefined variable '$${name}'`);
      }
    }
  }

  secretName(instruction: Instruction, name: string): void {
    if (SECRET_TOKENS.test(name) && !NOT_SECRET_TOKENS.test(name)) {
      this.report('SecretsUsedInArgOrEnv', lineOf(instruction), `Do not use ARG or ENV instructions for sensitive data (${instruction.getKeyword()} "${name}"): they stay in the image; use a secret mount`);
    }
  }
}

class Linter {
  private readonly reporter = new Reporter();
  private readonly escapeChar: string;
  /** ARGs declared before the first FROM, with their default values. */
  private readonly globals = new Map<string, string | null>();
  private readonly stages: Stage[] = [];

  constructor(private readonly dockerfile: Dockerfile) {
    this.escapeChar = dockerfile.getEscapeCharacter();
  }

  /** In FROM lines only global ARGs (and BuildKit's predefined ones) are in scope. */
  private readonly globalLookup: Lookup = (name) => {
    if (this.globals.has(name)) return { defined: true, value: this.globals.get(name) ?? null };
    return { defined: IN_FROM_WELL_KNOWN.has(name), value: null };
  };

  run(): LintFinding[] {
    this.checkSyntaxDirective();
    let from: From | null = null;
    let body: Instruction[] = [];
    for (const instruction of this.dockerfile.getInstructions()) {
      if (instruction instanceof From) {
        if (from) this.stage(from, body);
        from = instruction;
        body = [];
      } else if (from) {
        body.push(instruction);
      } else if (instruction instanceof Arg) {
        this.globalArg(instruction);
      }
    }
    if (from) this.stage(from, body);

    const final = this.stages.at(-1);
    if (final) {
      this.checkFinalStage(final);
      this.checkPythonVersions(final);
    }
    return this.reporter.findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
  }

  private checkSyntaxDirective(): void {
    const directive = this.dockerfile.getDirectives().find((d) => d.getName().toLowerCase() === 'syntax');
    const value = directive?.getValue().replace(/^docker\.io\//, '') ?? '';
    const frontend = 'docker/dockerfile:1';
    const pinned = value.startsWith(frontend) && ['', '.', '-', '@'].includes(value.charAt(frontend.length));
    if (directive?.getRange().start.line !== 0 || !pinned) {
      this.reporter.report('PS002', 1, `The first line should be the parser directive "# syntax=${frontend}", so the build uses the current stable Dockerfile frontend (cache mounts, heredocs, checks)`);
    }
  }

  private globalArg(arg: Arg): void {
    for (const property of arg.getProperties()) {
      this.reporter.secretName(arg, property.getName());
      const raw = property.getUnescapedValue();
      const expansion = raw === null ? null : expandText(raw, this.escapeChar, this.globalLookup);
      if (expansion) this.reporter.undefinedVars(arg, expansion.refs, this.globalLookup);
      this.globals.set(property.getName(), expansion ? expansion.value : null);
    }
  }

  private stage(from: From, instructions: Instruction[]): void {
    const line = lineOf(from);
    const rawName = from.getBuildStage();
    const name = rawName?.toLowerCase() ?? null;
    const args = from.getArguments().map((arg) => arg.getValue());
    if (rawName !== null && args.length >= 3) {
      const keyword = from.getInstruction();
      const as = args[1] ?? '';
      const mismatch = (keyword === keyword.toLowerCase() && as !== as.toLowerCase())
        || (keyword === keyword.toUpperCase() && as !== as.toUpperCase());
      if (mismatch) this.reporter.report('FromAsCasing', line, `'${as}' and '${keyword}' keywords' casing do not match`);
      if (rawName !== name) this.reporter.report('StageNameCasing', line, `Stage name '${rawName}' should be lowercase`);
      if (this.stages.some((stage) => stage.name === name)) {
        this.reporter.report('DuplicateStageName', line, `Duplicate stage name '${name}', stage names should be unique`);
      }
    }

    const texts = [from.getArgumentsContent() ?? '', ...from.getFlags().map((flag) => flag.getValue() ?? '')];
    const refs = texts.flatMap((text) => expandText(text, this.escapeChar, this.globalLookup).refs);
    this.reporter.undefinedVars(from, refs, this.globalLookup);

    const resolved = expandText(from.getImage() ?? '', this.escapeChar, this.globalLookup).value;
    const parent = resolved === null ? null : (this.stages.find((stage) => stage.name === resolved.toLowerCase()) ?? null);
    const image = resolved === null || parent ? null : parseImageRef(resolved);
    if (image && image.name !== '' && image.name !== 'scratch') {
      if (image.tag === null && image.digest === null) {
        this.reporter.report('DL3006', line, `Always tag the version of an image explicitly (${image.name})`);
      } else if (image.tag === 'latest' && image.digest === null) {
        this.reporter.report('DL3007', line, `Using latest is prone to errors if the image will ever update; pin a version of ${image.name}`);
      }
    }

    const state: ImageState = parent
      ? cloneState(parent.state)
      : { env: new Map(), shell: { custom: false, handlesPipes: false }, user: null, healthcheck: null, exposed: false, workdirSet: false };
    new StageLinter(this.reporter, state, this.globals, this.escapeChar).lint(instructions);
    this.stages.push({ line, name, image, parent, state });
  }

  private checkFinalStage(final: Stage): void {
    const { user, healthcheck, exposed } = final.state;
    const root = rootStage(final).image;
    if (user === null) {
      // distroless :nonroot images already run as uid 65532.
      const nonrootBase = root !== null && root.name.startsWith('gcr.io/distroless/') && (root.tag ?? '').includes('nonroot');
      if (!nonrootBase) this.reporter.report('DL3002', final.line, 'The final stage sets no USER, so the container runs as root');
    } else if (user.value !== null && isRootUser(user.value)) {
      this.reporter.report('DL3002', user.line, 'Last USER should not be root');
    }
    if (healthcheck === null) {
      this.reporter.report('PS003', final.line, 'The final stage has no HEALTHCHECK, so Docker cannot tell a hung service from a healthy one');
    } else if (healthcheck.disabled) {
      this.reporter.report('PS003', healthcheck.line, 'The final stage disables its HEALTHCHECK (HEALTHCHECK NONE)');
    }
    if (!exposed) this.reporter.report('PS004', final.line, 'The final stage has no EXPOSE documenting the port the service listens on');
  }

  /**
   * PS001: a venv made in one stage and copied into another only runs on the interpreter
   * version that created it. Every python: stage must match the runtime's version: a
   * distroless python3 final stage's Debian python3, else the final stage's own python:
   * image, else the last python: stage.
   */
  private checkPythonVersions(final: Stage): void {
    const python = this.stages.flatMap((stage) => {
      const version = pythonImageVersion(stage.image);
      return stage.image && version !== null ? [{ stage, image: stage.image, version }] : [];
    });
    const finalRoot = rootStage(final);
    const distroless = distrolessPythonVersion(finalRoot.image);
    let reference: { version: string; label: string };
    if (distroless !== null && finalRoot.image) {
      reference = { version: distroless, label: `the final stage's ${finalRoot.image.name} (Python ${distroless})` };
    } else {
      const anchor = python.find((entry) => entry.stage === finalRoot) ?? python.at(-1);
      if (!anchor) return;
      const where = anchor.stage.name === null ? 'the final stage' : `stage '${anchor.stage.name}'`;
      reference = { version: anchor.version, label: `${formatImage(anchor.image)} in ${where}` };
    }
    for (const { stage, image, version } of python) {
      if (version === reference.version) continue;
      this.reporter.report('PS001', stage.line, `${formatImage(image)} (Python ${version}) does not match ${reference.label}: a venv only runs on the same interpreter version it was created with`);
    }
  }
}

type SingleUseKeyword = 'CMD' | 'ENTRYPOINT' | 'HEALTHCHECK';

/** Walks the instructions of one stage, tracking what is declared and what the image config says. */
class StageLinter {
  private readonly args = new Map<string, string | null>();
  private readonly singleUse: Record<SingleUseKeyword, Instruction[]> = { CMD: [], ENTRYPOINT: [], HEALTHCHECK: [] };
  /** COPY . . instructions not yet followed by a dependency install. */
  private wholeContextCopies: Instruction[] = [];

  constructor(
    private readonly reporter: Reporter,
    private readonly state: ImageState,
    private readonly globals: ReadonlyMap<string, string | null>,
    private readonly escapeChar: string,
  ) {}

  /** ENV wins over an ARG of the same name, as in Docker. */
  private readonly lookup: Lookup = (name) => {
    if (this.state.env.has(name)) return { defined: true, value: this.state.env.get(name) ?? null };
    if (this.args.has(name)) return { defined: true, value: this.args.get(name) ?? null };
    return { defined: IN_STAGE_WELL_KNOWN.has(name), value: null };
  };

  private expand(text: string): Expansion {
    return expandText(text, this.escapeChar, this.lookup);
  }

  /** UndefinedVar for the instructions BuildKit expands itself (RUN, CMD, ... go to a shell). */
  private checkVariables(instruction: Instruction, texts: string[]): void {
    this.reporter.undefinedVars(instruction, texts.flatMap((text) => this.expand(text).refs), this.lookup);
  }

  lint(instructions: Instruction[]): void {
    for (const instruction of instructions) this.instruction(instruction);
    for (const [keyword, list] of Object.entries(this.singleUse)) {
      // Like BuildKit, report the earlier ones: they are the ones that get ignored.
      for (const overridden of list.slice(0, -1)) {
        this.reporter.report('MultipleInstructionsDisallowed', lineOf(overridden), `Multiple ${keyword} instructions should not be used in the same stage because only the last one will be used`);
      }
    }
  }

  private instruction(instruction: Instruction): void {
    if (instruction instanceof Arg) return this.arg(instruction);
    if (instruction instanceof Env) return this.env(instruction);
    if (instruction instanceof Run) return this.run(instruction);
    if (instruction instanceof Copy || instruction instanceof Add) return this.copy(instruction);
    if (instruction instanceof Healthcheck) return this.healthcheck(instruction);

    const keyword = instruction.getKeyword();
    const content = instruction.getArgumentsContent() ?? '';
    const line = lineOf(instruction);
    switch (keyword) {
      case 'CMD':
      case 'ENTRYPOINT':
        this.singleUse[keyword].push(instruction);
        if (parseJsonArray(content) === null && !this.state.shell.custom) {
          this.reporter.report('JSONArgsRecommended', line, `JSON arguments recommended for ${keyword} to prevent unintended behavior related to OS signals`);
        }
        break;
      case 'SHELL': {
        const shell = parseJsonArray(content);
        if (shell) this.state.shell = { custom: true, handlesPipes: shellHandlesPipes(shell) };
        break;
      }
      case 'WORKDIR': {
        const path = this.expand(content.trim());
        this.checkVariables(instruction, [content]);
        // As in BuildKit, only a stage's first WORKDIR counts: later relative ones build on it.
        if (!this.state.workdirSet && path.value !== null && !path.value.startsWith('/')) {
          this.reporter.report('WorkdirRelativePath', line, `Relative workdir '${path.value}' can have unexpected results if the base image changes; use an absolute path`);
        }
        this.state.workdirSet = true;
        break;
      }
      case 'USER':
        this.checkVariables(instruction, [content]);
        this.state.user = { value: this.expand(content.trim()).value, line };
        break;
      case 'EXPOSE':
        this.checkVariables(instruction, [content]);
        this.state.exposed = true;
        break;
      case 'LABEL':
      case 'VOLUME':
      case 'STOPSIGNAL':
        this.checkVariables(instruction, [content]);
        break;
      case 'MAINTAINER':
        this.reporter.report('MaintainerDeprecated', line, 'The MAINTAINER instruction is deprecated, use a label instead to define an image author');
        break;
      default:
        break;
    }
  }

  private arg(arg: Arg): void {
    for (const property of arg.getProperties()) {
      const name = property.getName();
      this.reporter.secretName(arg, name);
      const raw = property.getUnescapedValue();
      if (raw === null) {
        // `ARG NAME` inside a stage brings a global ARG (and its default) into the stage.
        this.args.set(name, this.globals.get(name) ?? null);
      } else {
        const value = this.expand(raw);
        this.reporter.undefinedVars(arg, value.refs, this.lookup);
        this.args.set(name, value.value);
      }
    }
  }

  private env(env: Env): void {
    // All values of one ENV are expanded before any key is set: in `ENV A=1 B=$A`, $A is the old A.
    const assignments = env.getProperties().map((property) => {
      const expansion = this.expand(property.getUnescapedValue() ?? '');
      this.reporter.undefinedVars(env, expansion.refs, this.lookup);
      return { name: property.getName(), value: expansion.value };
    });
    for (const { name, value } of assignments) {
      this.reporter.secretName(env, name);
      this.state.env.set(name, value);
    }
  }

  private healthcheck(healthcheck: Healthcheck): void {
    this.singleUse.HEALTHCHECK.push(healthcheck);
    const line = lineOf(healthcheck);
    const subcommand = healthcheck.getSubcommand()?.getValue().toUpperCase();
    this.state.healthcheck = { disabled: subcommand === 'NONE', line };
    const command = (healthcheck.getArgumentsContent() ?? '').trimStart().slice('CMD'.length);
    if (subcommand === 'CMD' && parseJsonArray(command) === null) {
      this.reporter.report('JSONArgsRecommended', line, 'JSON arguments recommended for HEALTHCHECK CMD to prevent unintended behavior related to OS signals');
    }
  }

  private copy(instruction: Copy | Add): void {
    const line = lineOf(instruction);
    // Continuation lines are already joined, so a newline means a here-document follows; its
    // body is file content, not arguments.
    const argsText = (instruction.getArgumentsContent() ?? '').split('\n')[0] ?? '';
    this.checkVariables(instruction, [argsText, ...instruction.getFlags().map((flag) => flag.getValue() ?? '')]);
    const words = parseJsonArray(argsText) ?? splitWords(argsText, this.escapeChar);
    if (words.some((word) => word.startsWith('<<'))) return;

    const sources = words.slice(0, -1);
    if (instruction instanceof Add) {
      // ADD is for what COPY cannot do: fetch URLs and unpack local tar archives.
      const plain = sources.filter((src) => !/^(https?:\/\/|git@)/.test(src) && !ARCHIVE_EXTENSIONS.some((ext) => src.endsWith(ext)));
      if (plain.length > 0) this.reporter.report('DL3020', line, `Use COPY instead of ADD for files and folders (${plain.join(', ')})`);
    }
    const fromContext = !instruction.getFlags().some((flag) => flag.getName() === 'from');
    if (fromContext && sources.some((src) => src === '.' || src === './')) this.wholeContextCopies.push(instruction);
  }

  private run(run: Run): void {
    const line = lineOf(run);
    const script = runScript(run);
    const cacheTargets = run
      .getFlags()
      .filter((flag) => flag.getName() === 'mount' && flag.getOption('type')?.getValue() === 'cache')
      .map((flag) => (flag.getOption('target') ?? flag.getOption('dst') ?? flag.getOption('destination'))?.getValue() ?? '');

    const unpinnedApt: string[] = [];
    const unpinnedPip: string[] = [];
    let usesAptGet = false;
    let cleansAptLists = false;
    let installsRecommends = false;
    let usesApt = false;
    let keepsPipCache = false;
    let installsDependencies = false;

    for (const cmd of script.commands) {
      const apt = aptGet(cmd);
      if (apt?.subcommand === 'install' || apt?.subcommand === 'update') usesAptGet = true;
      if (apt?.subcommand === 'install') {
        // `pkg=version` pins; `pkg/release` and local .deb files are hadolint's other accepted forms.
        const unpinned = apt.packages.filter((pkg) => !pkg.includes('=') && !pkg.includes('/') && !pkg.endsWith('.deb') && !pkg.includes('$'));
        unpinnedApt.push(...unpinned);
        const noRecommends = hasOption(apt.parsed, '--no-install-recommends')
          || apt.parsed.options.some((option) => /^APT::Install-Recommends=(false|0)$/i.test(option.value ?? ''));
        if (!noRecommends) installsRecommends = true;
      }
      if (cmd.name === 'apt') usesApt = true;
      if (cmd.name === 'rm' && cmd.args.some((arg) => arg.startsWith('/var/lib/apt/lists'))) cleansAptLists = true;

      const pip = pipInstall(cmd);
      if (pip) {
        // A constraints file pins whatever the command line names, as hadolint accepts.
        if (!hasOption(pip, '-c', '--constraint')) unpinnedPip.push(...pip.positionals.filter(isUnpinnedPipPackage));
        const noCacheDir = cmd.assignments.get('PIP_NO_CACHE_DIR') ?? this.state.env.get('PIP_NO_CACHE_DIR') ?? '';
        const noCache = hasOption(pip, '--no-cache-dir')
          || TRUTHY.has(noCacheDir.toLowerCase())
          || cacheTargets.some((target) => target.includes('.cache/pip'));
        if (!noCache) keepsPipCache = true;
        if (!hasOption(pip, '--no-deps')) installsDependencies = true;
      }
      if (isPoetryDependencyInstall(cmd)) installsDependencies = true;
    }

    if (unpinnedApt.length > 0) {
      this.reporter.report('DL3008', line, `Pin versions in apt-get install: use <package>=<version> (${unpinnedApt.join(', ')})`);
    }
    if (installsRecommends) {
      this.reporter.report('DL3015', line, 'Avoid additional packages by specifying --no-install-recommends with apt-get install');
    }
    if (usesAptGet && !cleansAptLists && !cacheTargets.some((target) => target.startsWith('/var/lib/apt'))) {
      this.reporter.report('DL3009', line, 'Delete the apt-get lists after installing something (rm -rf /var/lib/apt/lists/*), or use a cache mount for /var/lib/apt');
    }
    if (usesApt) this.reporter.report('DL3027', line, 'Do not use apt, it is meant for interactive use: use apt-get or apt-cache');
    if (unpinnedPip.length > 0) {
      this.reporter.report('DL3013', line, `Pin versions in pip: use <package>==<version> or a requirements file (${unpinnedPip.join(', ')})`);
    }
    if (keepsPipCache) {
      this.reporter.report('DL3042', line, 'Avoid keeping the pip cache in the layer: use pip install --no-cache-dir, or a --mount=type=cache for ~/.cache/pip');
    }
    if (script.hasPipe && !this.state.shell.handlesPipes) {
      this.reporter.report('DL4006', line, 'Set SHELL ["/bin/bash", "-o", "pipefail", "-c"] before a RUN with a pipe, so that a failure on the left of the pipe fails the build');
    }
    if (installsDependencies) {
      for (const copy of this.wholeContextCopies) {
        this.reporter.report('PS005', lineOf(copy), `The whole build context is copied before dependencies are installed (RUN on line ${line}): every source change invalidates the dependency layer; copy pyproject.toml and poetry.lock, install, then copy the code`);
      }
      this.wholeContextCopies = [];
    }
  }
}
