/**
 * THE option table. Every question the scaffolder can ask exists once, here:
 * the answer types, `--help`, flag parsing, validation, the interactive prompts
 * and the recorded answers file are all derived from it.
 */
import { checkName } from './names.js';
import { PYTHON_VERSIONS, VERSIONS } from './versions.js';

export interface Choice<V extends string = string> {
  readonly value: V;
  /** Short label shown in prompts and help. */
  readonly label: string;
  /** Why one would pick it. */
  readonly hint: string;
}

/** What parsing a raw flag value produced: the value, or what is wrong with it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface Author {
  readonly name: string;
  readonly email?: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

/** Why a value that is not offered is not offered, where there is more to say than the list. */
const NOT_OFFERED: Readonly<Record<string, string>> = {
  '3.10': 'Python 3.10 reached end of life in October 2026',
  '3.9': 'Python 3.9 reached end of life in October 2025',
};

function parseChoice<V extends string>(choices: readonly Choice<V>[]) {
  return (raw: string): Parsed<V> => {
    const found = choices.find((c) => c.value === raw);
    if (found) return ok(found.value);
    const why = NOT_OFFERED[raw] ? ` (${NOT_OFFERED[raw]})` : '';
    return bad(`"${raw}" is not one of: ${choices.map((c) => c.value).join(', ')}${why}`);
  };
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function parseDescription(raw: string): Parsed<string> {
  const text = raw.trim();
  if (text.length === 0) return bad('is empty: describe the service in one line');
  if (CONTROL.test(text)) return bad('must be one line of text (no line breaks or control characters)');
  if (text.length > 300) return bad(`is ${text.length} characters long; keep it to one line of at most 300`);
  return ok(text);
}

/** `Name <email>`, `Name`, or an empty string for no author. */
function parseAuthor(raw: string): Parsed<Author | null> {
  const text = raw.trim();
  if (text.length === 0) return ok(null);
  if (CONTROL.test(text)) return bad('must be one line of text');
  const match = /^([^<>]*?)\s*(?:<([^<>]*)>)?$/.exec(text);
  const name = match?.[1]?.trim() ?? '';
  const email = match?.[2]?.trim();
  if (!match || name.length === 0) return bad(`"${text}" is not of the form "Name <email>" (or just "Name")`);
  if (email !== undefined && !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(email)) {
    return bad(`"${email}" is not an email address`);
  }
  return ok(email === undefined ? { name } : { name, email });
}

function parsePort(raw: string): Parsed<number> {
  if (!/^\d{1,5}$/.test(raw.trim())) return bad(`"${raw}" is not a whole number from 1 to 65535`);
  const port = Number(raw.trim());
  return port >= 1 && port <= 65535 ? ok(port) : bad(`${port} is outside 1–65535`);
}

function parsePoetryVersion(raw: string): Parsed<string> {
  const text = raw.trim();
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return bad(`"${raw}" is not a release version such as ${VERSIONS.poetry}`);
  if (Number(match[1]) < 2) {
    return bad(`Poetry ${text} is too old: the project needs Poetry ${VERSIONS.poetryMin} or newer (poetry sync, PEP 621 [project])`);
  }
  return ok(text);
}

function parseName(raw: string): Parsed<string> {
  const check = checkName(raw.trim());
  return check.ok ? ok(check.name) : bad(`"${raw}" is ${check.problem}`);
}

function parseDirectory(raw: string): Parsed<string> {
  if (raw.trim().length === 0) return bad('is empty');
  if (raw.includes('\0')) return bad('contains a NUL character');
  return ok(raw);
}

const boolean = (raw: string): Parsed<boolean> => ok(raw === 'true');

export const PYTHON_CHOICES = PYTHON_VERSIONS.map((v) => ({
  value: v,
  label: `Python ${v}`,
  hint: v === VERSIONS.distrolessPython ? 'the one version every runtime offers (distroless included)' : 'slim runtime only',
})) as readonly Choice<(typeof PYTHON_VERSIONS)[number]>[];

export const RUNTIME_CHOICES = [
  { value: 'slim', label: 'python:X-slim', hint: 'Debian slim with the official Python; has a shell for debugging' },
  {
    value: 'distroless',
    label: 'distroless',
    hint: 'gcr.io/distroless/python3-debian13: no shell or package manager, smallest attack surface',
  },
] as const satisfies readonly Choice[];

export const DEPS_CHOICES = [
  { value: 'venv', label: 'Poetry venv', hint: 'Poetry builds an in-project venv that is copied into the runtime' },
  {
    value: 'wheels',
    label: 'wheels',
    hint: 'poetry export → pip wheel in the builder; pip installs the wheels in the runtime',
  },
] as const satisfies readonly Choice[];

export const SERVER_CHOICES = [
  { value: 'uvicorn', label: 'uvicorn', hint: 'one process per container, as FastAPI recommends under an orchestrator' },
  {
    value: 'gunicorn',
    label: 'gunicorn + uvicorn workers',
    hint: 'a process manager with several workers, for a VM or a single host',
  },
] as const satisfies readonly Choice[];

type OptionKind = 'positional' | 'string' | 'choice' | 'number' | 'boolean';

interface OptionDef<T> {
  readonly kind: OptionKind;
  /** Long flag without dashes (absent for the positional directory). */
  readonly flag?: string;
  /** Placeholder shown in --help. */
  readonly valueName?: string;
  readonly help: string;
  /** Prompt text; options without one are never asked. */
  readonly message?: string;
  readonly choices?: readonly Choice[];
  readonly parse: (raw: string) => Parsed<T>;
  /** Shown in --help; the value used when nothing is given (see defaults.ts for computed ones). */
  readonly defaultHelp: string;
}

const option = <T>(def: OptionDef<T>) => def;

/** A choice option: its values, parser and prompt choices come from one list. */
function choiceOption<V extends string>(
  choices: readonly Choice<V>[],
  def: Omit<OptionDef<V>, 'kind' | 'choices' | 'parse'>,
) {
  return { ...def, kind: 'choice' as const, choices, parse: parseChoice(choices) };
}

export const OPTIONS = {
  directory: option({
    kind: 'positional',
    valueName: 'directory',
    help: 'where to create the project ("." for the current directory)',
    message: 'Project directory',
    parse: parseDirectory,
    defaultHelp: 'asked; without a terminal the --name, else "my-service"',
  }),
  name: option({
    kind: 'string',
    flag: 'name',
    valueName: 'NAME',
    help: 'distribution name (PEP 508), normalised: My_API → my-api',
    message: 'Distribution name',
    parse: parseName,
    defaultHelp: "the directory's name",
  }),
  description: option({
    kind: 'string',
    flag: 'description',
    valueName: 'TEXT',
    help: 'one-line description',
    message: 'Description',
    parse: parseDescription,
    defaultHelp: '"A FastAPI service"',
  }),
  author: option({
    kind: 'string',
    flag: 'author',
    valueName: '"NAME <EMAIL>"',
    help: 'project author ("" for none)',
    message: 'Author (Name <email>, empty for none)',
    parse: parseAuthor,
    defaultHelp: 'git config user.name/user.email, if set',
  }),
  python: choiceOption(PYTHON_CHOICES, {
    flag: 'python',
    valueName: 'VERSION',
    help: 'Python version of the project and its images; 3.13 is the one every runtime offers (3.10 reached end of life in October 2026)',
    message: 'Python version',
    defaultHelp: '3.13',
  }),
  runtime: choiceOption(RUNTIME_CHOICES, {
    flag: 'runtime',
    valueName: 'IMAGE',
    help: 'runtime base image',
    message: 'Runtime image',
    defaultHelp: 'slim',
  }),
  deps: choiceOption(DEPS_CHOICES, {
    flag: 'deps',
    valueName: 'STRATEGY',
    help: 'how dependencies reach the runtime image',
    message: 'Dependency strategy',
    defaultHelp: 'venv',
  }),
  server: choiceOption(SERVER_CHOICES, {
    flag: 'server',
    valueName: 'SERVER',
    help: 'production server',
    message: 'Server',
    defaultHelp: 'uvicorn',
  }),
  port: option({
    kind: 'number',
    flag: 'port',
    valueName: 'N',
    help: 'port the service listens on (1–65535)',
    message: 'Port',
    parse: parsePort,
    defaultHelp: '8000',
  }),
  poetryVersion: option({
    kind: 'string',
    flag: 'poetry-version',
    valueName: 'X.Y.Z',
    help: 'Poetry pinned in the image build (2.0 or newer)',
    parse: parsePoetryVersion,
    defaultHelp: VERSIONS.poetry,
  }),
  git: option({
    kind: 'boolean',
    flag: 'git',
    help: 'git init and a first commit (skipped inside an existing repository)',
    message: 'Initialise a git repository?',
    parse: boolean,
    defaultHelp: 'yes',
  }),
  install: option({
    kind: 'boolean',
    flag: 'install',
    help: 'run poetry lock and poetry install when poetry is on PATH',
    message: 'Run poetry lock and poetry install now?',
    parse: boolean,
    defaultHelp: 'asked in a terminal, otherwise no',
  }),
} as const;

export type OptionKey = keyof typeof OPTIONS;
type ValueOf<K extends OptionKey> = (typeof OPTIONS)[K]['parse'] extends (raw: string) => Parsed<infer T> ? T : never;

/** Every answer, fully resolved: what the renderer receives and what is recorded. */
export type Answers = { -readonly [K in OptionKey]: ValueOf<K> };

export type Python = Answers['python'];
export type Runtime = Answers['runtime'];
export type Deps = Answers['deps'];
export type Server = Answers['server'];

/** Flags that steer the run rather than answer a question. */
export const CONTROL_FLAGS = {
  yes: { flag: 'yes', short: 'y', help: 'accept defaults for everything not given; never prompt' },
  force: { flag: 'force', help: 'write into a non-empty directory, overwriting only generated files' },
  dryRun: { flag: 'dry-run', help: 'print the files that would be written; write nothing' },
  json: { flag: 'json', help: 'print a machine-readable summary instead of prose' },
  help: { flag: 'help', short: 'h', help: 'show this help' },
  version: { flag: 'version', short: 'v', help: 'print the version' },
} as const;

export type ControlKey = keyof typeof CONTROL_FLAGS;
export type Controls = Record<ControlKey, boolean>;

/** Options that are choices, in the order compatibility is resolved and asked. */
export const CHOICE_KEYS = ['python', 'runtime', 'deps', 'server'] as const satisfies readonly OptionKey[];
export type ChoiceKey = (typeof CHOICE_KEYS)[number];

/** Order of the interactive questions. */
export const PROMPT_ORDER = [
  'directory',
  'name',
  'description',
  'author',
  'python',
  'runtime',
  'deps',
  'server',
  'port',
  'git',
  'install',
] as const satisfies readonly OptionKey[];

/** Static defaults (directory, name, author and install are computed: see defaults.ts). */
export const STATIC_DEFAULTS = {
  description: 'A FastAPI service',
  python: '3.13',
  runtime: 'slim',
  deps: 'venv',
  server: 'uvicorn',
  port: 8000,
  poetryVersion: VERSIONS.poetry,
  git: true,
} as const satisfies Partial<Answers>;

export const DEFAULT_DIRECTORY = 'my-service';
