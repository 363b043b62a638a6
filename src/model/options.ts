/**
 * THE option table. Every value the scaffolder takes exists once, here, with
 * everything about it: its type (from its parser), flag and help text, its
 * default (static, or derived from other answers and the machine) and how the
 * default reads in --help, whether and when a terminal session asks for it,
 * and whether it is recorded in the project. argv.ts, resolve.ts, prompts.ts,
 * help.ts and render.ts's recorded answers all walk this table; none of them
 * names an option.
 *
 * The entries' shape is option-types.ts, the parsers they name are
 * option-parsers.ts; this module re-exports what importers need from both.
 */
import {
  authorFromGit,
  choiceOption,
  DEFAULT_DIRECTORY,
  formatAuthor,
  nameFromDirectory,
  parseAuthor,
  parseBoolean,
  parseDescription,
  parseDirectory,
  parseName,
  parsePoetryVersion,
  parsePort,
  yesNo,
} from './option-parsers.js';
import { ok, option, type Choice, type Known, type OptionDef, type Parsed } from './option-types.js';
import { PYTHON_VERSIONS, VERSIONS } from './versions.js';

export { GIT_KEYS, type Author, type Choice, type DefaultSpec, type GitKey, type Known, type Machine, type OptionDef, type OptionKind, type Parsed, type Stage } from './option-types.js';


const slimImage = (known: Known) => VERSIONS.pythonImage(typeof known.python === 'string' ? known.python : 'X');

const RUNTIME_CHOICES = [
  {
    value: 'slim',
    label: slimImage,
    hint: (known: Known) =>
      `Debian slim with the official Python${typeof known.python === 'string' ? ` ${known.python}` : ''}; has a shell for debugging`,
  },
  {
    value: 'distroless',
    label: `${VERSIONS.distrolessImage} (Python ${VERSIONS.distrolessPython})`,
    hint: `no shell or package manager, the smallest attack surface; runs Debian's Python ${VERSIONS.distrolessPython}`,
  },
] as const satisfies readonly Choice[];

const PYTHON_CHOICES: readonly Choice<(typeof PYTHON_VERSIONS)[number]>[] = PYTHON_VERSIONS.map((v) => ({
  value: v,
  label: (known: Known) => (known.runtime === 'distroless' ? `Python ${v}` : VERSIONS.pythonImage(v)),
  hint:
    v === VERSIONS.distrolessPython
      ? 'the one version every runtime offers (distroless included)'
      : v === VERSIONS.defaultPython
        ? 'the current CPython release; slim runtime only (distroless ships 3.13)'
        : 'slim runtime only',
}));

const DEPS_CHOICES = [
  { value: 'venv', label: 'Poetry venv', hint: 'Poetry builds an in-project venv that is copied into the runtime' },
  { value: 'wheels', label: 'wheels', hint: 'poetry export → pip wheel in the builder; pip installs the wheels in the runtime' },
] as const satisfies readonly Choice[];

const SERVER_CHOICES = [
  { value: 'uvicorn', label: 'uvicorn', hint: 'one process per container, as FastAPI recommends under an orchestrator' },
  { value: 'gunicorn', label: 'gunicorn + uvicorn workers', hint: 'a process manager with several workers, for a VM or a single host' },
] as const satisfies readonly Choice[];

export const CI_CHOICES = [
  {
    value: 'github',
    label: 'GitHub Actions',
    hint: '.github/workflows/ci.yml: ruff, mypy and pytest on the chosen Python, and a cached BuildKit image build',
  },
  { value: 'none', label: 'none', hint: 'no CI workflow (Dependabot still watches the dependencies and base images)' },
] as const satisfies readonly Choice[];

export const DB_CHOICES = [
  { value: 'none', label: 'none', hint: 'the example items live in process memory' },
  {
    value: 'postgres',
    label: 'PostgreSQL',
    hint: 'SQLAlchemy 2 (async, asyncpg) and Alembic migrations; /health/ready checks the database',
  },
] as const satisfies readonly Choice[];

/**
 * The table. Key order is the order of --help, of the questions within a
 * stage (core questions first), of the recorded answers, and of default
 * resolution (a derived default sees the answers before it).
 */
export const OPTIONS = {
  directory: option({
    title: 'Directory',
    kind: 'positional',
    valueName: 'directory',
    help: 'where to create the project ("." for the current directory)',
    stage: 'core',
    message: 'Project directory',
    parse: parseDirectory,
    default: { derive: (known) => ok(typeof known.name === 'string' ? known.name : DEFAULT_DIRECTORY), help: `asked; without a terminal the --name, else "${DEFAULT_DIRECTORY}"` },
    recorded: false,
  }),
  name: option({
    title: 'Name',
    kind: 'string',
    flag: 'name',
    valueName: 'NAME',
    help: 'distribution name (PEP 508), normalised: My_API → my-api',
    stage: 'customise',
    message: 'Distribution name',
    parse: parseName,
    default: { derive: nameFromDirectory, help: "the directory's name" },
    recorded: true,
  }),
  description: option({
    title: 'Description',
    kind: 'string',
    flag: 'description',
    valueName: 'TEXT',
    help: 'one-line description',
    stage: 'customise',
    message: 'Description',
    parse: parseDescription,
    default: { value: 'A FastAPI service' },
    recorded: true,
  }),
  author: option({
    title: 'Author',
    kind: 'string',
    flag: 'author',
    valueName: '"NAME <EMAIL>"',
    help: 'project author ("" for none)',
    stage: 'customise',
    message: 'Author (Name <email>, empty for none)',
    parse: parseAuthor,
    default: { derive: authorFromGit, help: 'git config user.name/user.email, if set' },
    recorded: true,
    format: formatAuthor,
  }),
  runtime: choiceOption(RUNTIME_CHOICES, {
    title: 'Base image',
    flag: 'runtime',
    valueName: 'IMAGE',
    help: `runtime base image: slim (${VERSIONS.pythonImage('X')}) or distroless (${VERSIONS.distrolessImage})`,
    stage: 'core',
    message: 'Base image',
    with: 'python',
    default: { value: 'slim' },
    recorded: true,
  }),
  python: choiceOption(PYTHON_CHOICES, {
    title: 'Python',
    flag: 'python',
    valueName: 'VERSION',
    help: `Python version of the project and its images; ${VERSIONS.defaultPython} is the current release, ${VERSIONS.distrolessPython} the one distroless ships (3.10 reached end of life in October 2026)`,
    stage: 'core',
    message: 'Python version',
    default: {
      derive: (known) => ok(known.runtime === 'distroless' ? VERSIONS.distrolessPython : VERSIONS.defaultPython),
      help: `${VERSIONS.defaultPython}; ${VERSIONS.distrolessPython} with --runtime distroless (its only Python)`,
    },
    recorded: true,
  }),
  deps: choiceOption(DEPS_CHOICES, {
    title: 'Dependencies',
    flag: 'deps',
    valueName: 'STRATEGY',
    help: 'how dependencies reach the runtime image',
    stage: 'core',
    message: 'Dependency strategy',
    default: { value: 'venv' },
    recorded: true,
  }),
  server: choiceOption(SERVER_CHOICES, {
    title: 'Server',
    flag: 'server',
    valueName: 'SERVER',
    help: 'production server',
    stage: 'core',
    message: 'Server',
    default: { value: 'uvicorn' },
    recorded: true,
  }),
  port: option({
    title: 'Port',
    kind: 'number',
    flag: 'port',
    valueName: 'N',
    help: 'port the service listens on (1–65535)',
    stage: 'customise',
    message: 'Port',
    parse: parsePort,
    default: { value: 8000 },
    recorded: true,
  }),
  poetryVersion: option({
    title: 'Poetry in the image',
    kind: 'string',
    flag: 'poetry-version',
    valueName: 'X.Y.Z',
    help: `Poetry pinned in the image build (${VERSIONS.poetryMin} or newer)`,
    stage: 'customise',
    message: 'Poetry version for the image build',
    parse: parsePoetryVersion,
    default: { value: VERSIONS.poetry },
    recorded: true,
  }),
  ci: choiceOption(CI_CHOICES, {
    title: 'CI',
    flag: 'ci',
    valueName: 'SERVICE',
    help: 'continuous integration for the generated project: github (.github/workflows/ci.yml) or none',
    stage: 'customise',
    message: 'CI workflow',
    default: { value: 'github' },
    recorded: true,
  }),
  compose: option({
    title: 'compose.yaml',
    kind: 'boolean',
    flag: 'compose',
    help: 'compose.yaml for local runs with Docker Compose (make up / make down)',
    stage: 'customise',
    message: 'Add a compose.yaml for local runs (make up / make down)?',
    parse: parseBoolean,
    default: { value: true },
    recorded: true,
    format: yesNo,
  }),
  db: choiceOption(DB_CHOICES, {
    title: 'Database',
    flag: 'db',
    valueName: 'DB',
    help: 'database of the service: postgres (SQLAlchemy 2 async + asyncpg, Alembic migrations) or none',
    stage: 'customise',
    message: 'Database',
    default: { value: 'none' },
    recorded: true,
  }),
  git: option({
    title: 'Git repository',
    kind: 'boolean',
    flag: 'git',
    help: 'git init and a first commit (skipped inside an existing repository)',
    stage: 'customise',
    message: 'Initialise a git repository with a first commit?',
    parse: parseBoolean,
    default: { value: true },
    recorded: false,
    format: yesNo,
  }),
  install: option({
    title: 'poetry install now',
    kind: 'boolean',
    flag: 'install',
    help: 'run poetry lock and poetry install when poetry is on PATH',
    stage: 'customise',
    message: 'Run poetry lock and poetry install now?',
    parse: parseBoolean,
    default: {
      derive: (_known, machine) => ok(machine.interactive && machine.poetryAvailable()),
      help: 'yes in a terminal when Poetry 2 is on PATH, otherwise no',
    },
    recorded: false,
    format: yesNo,
    check: (install, machine) =>
      install && !machine.poetryAvailable()
        ? `${machine.poetryProblem() ?? 'poetry is not usable'}; Poetry 2 is needed: install it (pipx install poetry, or https://python-poetry.org/docs/) or pass --no-install`
        : undefined,
  }),
} as const;

export type OptionKey = keyof typeof OPTIONS;
type ValueOf<K extends OptionKey> = (typeof OPTIONS)[K]['parse'] extends (raw: string) => Parsed<infer T> ? T : never;

/** Every answer, fully resolved: what the renderer receives. */
export type Answers = { -readonly [K in OptionKey]: ValueOf<K> };

/**
 * The table seen through its answer types: `TABLE[key]` for a generic key is
 * `OptionDef<Answers[K]>`, so code walking the table stays typed without casts.
 */
export type OptionTable = { readonly [K in OptionKey]: OptionDef<Answers[K]> };
export const TABLE: OptionTable = OPTIONS;

export type Python = Answers['python'];
export type Runtime = Answers['runtime'];
export type Server = Answers['server'];

export const OPTION_KEYS = Object.keys(OPTIONS) as OptionKey[];

/** Options that are choices, in table order (compatibility is judged over these). */
export type ChoiceKey = { [K in OptionKey]: (typeof OPTIONS)[K]['kind'] extends 'choice' ? K : never }[OptionKey];
export const CHOICE_KEYS = OPTION_KEYS.filter((k): k is ChoiceKey => OPTIONS[k].kind === 'choice');

/**
 * The choices that shape the service and its image (the core questions): the
 * compatibility rules and the valid combinations range over these, not over
 * choices such as --ci that only add a file.
 */
export const IMAGE_KEYS = ['runtime', 'python', 'deps', 'server'] as const satisfies readonly ChoiceKey[];
export type ImageKey = (typeof IMAGE_KEYS)[number];

/** Recorded in the project's answers file. */
export type RecordedKey = { [K in OptionKey]: (typeof OPTIONS)[K]['recorded'] extends true ? K : never }[OptionKey];
/** The answers a project is generated from: the recorded ones (run-time switches such as --git are not). */
export type ProjectAnswers = Pick<Answers, RecordedKey>;
export const RECORDED_KEYS = OPTION_KEYS.filter((k): k is RecordedKey => OPTIONS[k].recorded);

/** The static default of `key`, if it has one. */
function staticDefault<K extends OptionKey>(key: K): Answers[K] | undefined {
  const def = TABLE[key].default;
  return 'value' in def ? def.value : undefined;
}

/** How the default reads in --help: the static value itself, or the derivation's description. */
export function defaultHelp<K extends OptionKey>(key: K): string {
  const def = TABLE[key].default;
  return 'help' in def ? def.help : formatValue(key, def.value);
}

/** A value as it reads in the summary, --help and prompt defaults. */
export function formatValue<K extends OptionKey>(key: K, value: Answers[K]): string {
  const { format } = TABLE[key];
  return format ? format(value) : String(value);
}

/** `--flag` for messages (the positional reads as "directory"). */
export function flagOf(key: OptionKey): string {
  const { flag } = TABLE[key];
  return flag ? `--${flag}` : key;
}

/** A choice's label or hint, given the answers known so far. */
export const textOf = (text: string | ((known: Known) => string), known: Known) => (typeof text === 'function' ? text(known) : text);

/** Flags that steer the run rather than answer a question. */
export const CONTROL_FLAGS = {
  yes: { flag: 'yes', short: 'y', help: 'accept defaults for everything not given; never prompt' },
  force: { flag: 'force', help: 'write into a non-empty directory, replacing only generated files' },
  dryRun: { flag: 'dry-run', help: 'print the files that would be written; write nothing' },
  json: { flag: 'json', help: 'print a machine-readable summary instead of prose' },
  help: { flag: 'help', short: 'h', help: 'show this help' },
  version: { flag: 'version', short: 'v', help: 'print the version' },
} as const;

export type ControlKey = keyof typeof CONTROL_FLAGS;
export type Controls = Record<ControlKey, boolean>;

/** Options whose default is a static value. */
export type StaticKey = { [K in OptionKey]: (typeof OPTIONS)[K]['default'] extends { readonly value: unknown } ? K : never }[OptionKey];
const isStaticKey = (key: OptionKey): key is StaticKey => 'value' in TABLE[key].default;

/** The static defaults, read off the table (for tests, verify and presets: never spelled out again). */
export const STATIC_DEFAULTS: Pick<Answers, StaticKey> = (() => {
  const out: Partial<Answers> = {};
  const copy = <K extends StaticKey>(key: K) => {
    const value = staticDefault(key);
    if (value !== undefined) out[key] = value;
  };
  OPTION_KEYS.filter(isStaticKey).forEach(copy);
  const missing = OPTION_KEYS.filter(isStaticKey).filter((key) => out[key] === undefined);
  if (!hasAll(out) || missing.length > 0) throw new Error(`static defaults missing: ${missing.join(', ')}`);
  return out;
})();

function hasAll(out: Partial<Answers>): out is Partial<Answers> & Pick<Answers, StaticKey> {
  return OPTION_KEYS.filter(isStaticKey).every((key) => out[key] !== undefined);
}
