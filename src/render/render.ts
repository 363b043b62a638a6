/**
 * Pure rendering: answers → generated files in memory (relative path → content).
 * Writes nothing. `templates/service/` mirrors the generated tree; only files
 * whose content varies end in `.ejs` (template-source.ts: read from the
 * sources, compiled into the bundle).
 */
import {
  dockerfileComment,
  dockerfileString,
  jsonArray,
  makeWord,
  markdownText,
  pyString,
  shellWord,
  tomlArray,
  tomlString,
  yamlString,
} from './escape.js';
import { OPTIONS, textOf, type Answers, type ChoiceKey, type Known, type OptionKey, type ProjectAnswers } from '../model/options.js';
import { initialRecord, RECORD_FILE } from '../project/record.js';
import { imageFacts, renderDockerfile } from './variants.js';
import { DEV_DEPENDENCIES, POSTGRES_IMAGE, VERSIONS, actionRef, runtimeRequirements, versionRange } from '../model/versions.js';
import { missingToolAdvice, TOOLS } from '../model/tools.js';
import { templateFiles } from './template-source.js';

/** Our own text as a make function argument: no commas, line breaks or comments; `$` doubled. */
function makeArgument(text: string): string {
  if (/[,#\r\n]/.test(text)) throw new Error(`not usable as a make function argument: ${text}`);
  return text.replace(/\$/g, '$$$$');
}

export type RenderedFiles = Map<string, string>;

/** The answers a project is generated from: the recorded ones (run-time switches such as --git are not); defined in options.ts. */
export type { ProjectAnswers } from '../model/options.js';

export { RECORD_FILE };

/** npm drops dotfiles from published packages, so they are shipped under another name. */
const RENAMES: Readonly<Record<string, string>> = {
  _gitignore: '.gitignore',
  _dockerignore: '.dockerignore',
  '_env.example': '.env.example',
  '_python-version': '.python-version',
  '_pre-commit-config.yaml': '.pre-commit-config.yaml',
  _gitattributes: '.gitattributes',
  _editorconfig: '.editorconfig',
  _github: '.github',
};

/** Files generated only for some answers: the option and its value. */
const ONLY_WHEN: Readonly<Record<string, { readonly [K in OptionKey]?: Answers[K] }>> = {
  'gunicorn_config.py': { server: 'gunicorn' },
  'app/__main__.py': { server: 'uvicorn' },
  'tests/test_gunicorn_config.py': { server: 'gunicorn' },
  'app/core/cpus.py': { server: 'gunicorn' },
  'tests/test_cpus.py': { server: 'gunicorn' },
  'tests/test_main.py': { server: 'uvicorn' },
  '.github/workflows/ci.yml': { ci: 'github' },
  'compose.yaml': { compose: true },
};

/**
 * Template kinds laid over templates/service/ for some answers: each of their files is added,
 * or replaces the service file of the same output path (with --db postgres the items service,
 * its routes and tests work on the database; alembic.ini and migrations/ are added).
 */
const OVERLAYS: readonly { readonly kind: string; readonly when: { readonly [K in OptionKey]?: Answers[K] } }[] = [
  { kind: 'db-postgres', when: { db: 'postgres' } },
];

/** The flag that gives `key` the value `value`: `--server gunicorn`, `--compose`, `--no-compose`. */
function flagFor(key: OptionKey, value: unknown): string {
  const { flag } = OPTIONS[key];
  if (typeof value === 'boolean') return value ? `--${flag}` : `--no-${flag}`;
  return `--${flag} ${String(value)}`;
}

/** Does `path` belong to a project with these answers? Unknown answers count as "maybe" (undefined). */
function generatedFor(path: string, known: Partial<Answers>, only = ONLY_WHEN[path]): boolean | undefined {
  if (!only) return true;
  let maybe = false;
  for (const [key, value] of Object.entries(only)) {
    const answer = known[key as OptionKey];
    if (answer === undefined) maybe = true;
    else if (answer !== value) return false;
  }
  return maybe ? undefined : true;
}

/**
 * `make test`'s floor (pyproject's [tool.coverage.report] fail_under, percent of app/'s
 * statements). Measured with the harness (make test's pytest --cov=app, -W error): 3.13 uvicorn
 * 99.6 %, 3.13 gunicorn 98.1 %, 3.14 uvicorn 97.6 %, 3.14 gunicorn 97.3 % (pytest-cov 5 on 3.13 also
 * counts the tests' server subprocesses; pytest-cov 7 on 3.14 does not).
 */
export const COVERAGE_FLOOR = 90;

/** The ruff rules the generated project is held to (and our tests check it with). */
export const RUFF_SELECT = ['E', 'W', 'F', 'I', 'B', 'UP', 'SIM', 'S', 'ASYNC', 'PT', 'RUF'] as const;

function outputPath(templatePath: string): string {
  const withoutEjs = templatePath.replace(/\.ejs$/, '');
  return withoutEjs
    .split('/')
    .map((part) => RENAMES[part] ?? part)
    .join('/');
}

/** The hint of the chosen value of a choice option, as the question showed it. */
function hintOf<K extends ChoiceKey>(key: K, answers: ProjectAnswers): string {
  const choices: readonly { value: string; hint: string | ((known: Known) => string) }[] = OPTIONS[key].choices;
  const choice = choices.find((c) => c.value === answers[key]);
  if (!choice) throw new Error(`no ${key} choice ${answers[key]}`);
  return textOf(choice.hint, answers);
}

/** Everything the templates may use: the answers, derived values and the escaping functions. */
export function templateContext(answers: ProjectAnswers, generatorVersion: string) {
  const { python, runtime, deps, server, port } = answers;
  const facts = imageFacts(answers);
  const dependencies = runtimeRequirements(python, server, answers.db);
  return {
    ...answers,
    generatorVersion,
    versions: VERSIONS,
    dependencies,
    devDependencies: Object.entries(DEV_DEPENDENCIES).map(([dep, bound]) => [dep, versionRange(bound)] as const),
    mypyFiles: ['app', 'tests', ...(answers.db === 'postgres' ? ['migrations'] : []), ...(server === 'gunicorn' ? ['gunicorn_config.py'] : [])],
    postgresImage: POSTGRES_IMAGE,
    coverageFloor: COVERAGE_FLOOR,
    ruffTarget: `py${python.replace('.', '')}`,
    ruffSelect: RUFF_SELECT,
    imageName: answers.name,
    builderImage: facts.builderImage,
    runtimeImage: facts.image,
    venvPath: facts.venvPath,
    pythonBin: facts.pythonBin,
    pluginExport: facts.pluginExport(answers.poetryVersion) ?? '',
    // `make server` runs the image's production command outside it.
    serverShell: facts.server.localCommand.map(shellWord).join(' '),
    summary: `Python ${python}, ${runtime} runtime (${facts.image}), ${deps} dependencies, ${server} server, port ${port}`,
    choices: [
      ['Python', python, facts.runtime.interpreterNote(python)],
      ['Runtime image', `${runtime} (${facts.image})`, hintOf('runtime', answers)],
      ['Dependencies', deps, hintOf('deps', answers)],
      ['Server', server, hintOf('server', answers)],
      ['Port', String(port), 'EXPOSEd by the image; override at run time with PORT'],
      ['Poetry', answers.poetryVersion, 'pinned in the image build as ARG POETRY_VERSION (docker build --build-arg POETRY_VERSION=...)'],
    ] as const,
    toml: tomlString,
    tomlArray,
    py: pyString,
    md: markdownText,
    make: makeWord,
    docker: dockerfileString,
    dockerComment: dockerfileComment,
    jsonArray,
    yaml: yamlString,
    action: actionRef,
    tools: TOOLS,
    missingTool: { poetry: makeArgument(missingToolAdvice(TOOLS.poetry)), docker: makeArgument(missingToolAdvice(TOOLS.docker)) },
  };
}

function assertNoUndefined(context: Record<string, unknown>) {
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) throw new Error(`template variable "${key}" is undefined`);
  }
}

/**
 * Render the service for `answers`. Throws if a template uses an unknown variable.
 * The record (`.pyservice.json`) carries the base of later updates: its ids only
 * when the project will be in a git repository (`inGit`, the contents then go to
 * git), else a snapshot of the contents too (see record.ts).
 */
export function renderService(answers: ProjectAnswers, generatorVersion: string, options: { inGit?: boolean } = {}): RenderedFiles {
  const context = templateContext(answers, generatorVersion);
  assertNoUndefined(context);
  const files: RenderedFiles = new Map();
  for (const template of templateFiles('service')) {
    const target = outputPath(template.path);
    if (generatedFor(target, answers)) files.set(target, template.render(context));
  }
  for (const overlay of OVERLAYS) {
    if (!generatedFor('', answers, overlay.when)) continue;
    for (const template of templateFiles(overlay.kind)) files.set(outputPath(template.path), template.render(context));
  }
  files.set('Dockerfile', renderDockerfile(answers, context.summary, context.imageName));
  files.set(RECORD_FILE, initialRecord(answers, generatorVersion, files, options.inGit ?? true));
  return files;
}

/**
 * Every path the service may generate given the answers known so far, without
 * rendering: what an early conflict check considers. A path that depends on an
 * unknown answer says which.
 */
export function possibleServicePaths(known: Partial<Answers>): { path: string; only?: string }[] {
  const paths = templateFiles('service').map((template) => outputPath(template.path));
  const out: { path: string; only?: string }[] = [];
  for (const path of [...paths, 'Dockerfile', RECORD_FILE].sort()) {
    const generated = generatedFor(path, known);
    if (generated === false) continue;
    if (generated === true) out.push({ path });
    else {
      const only = Object.entries(ONLY_WHEN[path] ?? {}).map(([key, value]) => flagFor(key as OptionKey, value));
      out.push({ path, only: `with ${only.join(' ')}` });
    }
  }
  // Files an overlay adds (the ones it replaces are listed above already).
  const listed = new Set(out.map((entry) => entry.path));
  for (const overlay of OVERLAYS) {
    const generated = generatedFor('', known, overlay.when);
    if (generated === false) continue;
    const only = Object.entries(overlay.when).map(([key, value]) => flagFor(key as OptionKey, value));
    for (const template of templateFiles(overlay.kind)) {
      const path = outputPath(template.path);
      if (!listed.has(path)) out.push(generated === true ? { path } : { path, only: `with ${only.join(' ')}` });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
