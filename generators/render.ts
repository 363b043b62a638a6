/**
 * Pure rendering: answers → generated files in memory (relative path → content).
 * Reads the templates; writes nothing. `templates/service/` mirrors the
 * generated tree; only files whose content varies end in `.ejs`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
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
} from './escape.js';
import { DEPS_CHOICES, RUNTIME_CHOICES, SERVER_CHOICES, type Answers } from './options.js';
import { DEV_DEPENDENCIES, VERSIONS, requirement, versionRange } from './versions.js';

export type RenderedFiles = Map<string, string>;

/** The answers a project is generated from (run-time switches such as --git are not). */
export type ProjectAnswers = Omit<Answers, 'directory' | 'git' | 'install'>;

export const RECORD_FILE = '.pyservice.json';

/** Resolved from the bundle (dist/) or the sources (generators/): both sit beside templates/. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../templates/service/', import.meta.url));

/** npm drops dotfiles from published packages, so they are shipped under another name. */
const RENAMES: Readonly<Record<string, string>> = {
  _gitignore: '.gitignore',
  _dockerignore: '.dockerignore',
  '_env.example': '.env.example',
  '_python-version': '.python-version',
};

/** Files generated only for some answers. */
const ONLY_WHEN: Readonly<Record<string, (a: ProjectAnswers) => boolean>> = {
  'gunicorn_config.py': (a) => a.server === 'gunicorn',
  'app/__main__.py': (a) => a.server === 'uvicorn',
  'tests/test_gunicorn_config.py': (a) => a.server === 'gunicorn',
  'tests/test_main.py': (a) => a.server === 'uvicorn',
};

/** The ruff rules the generated project is held to (and our tests check it with). */
export const RUFF_SELECT = ['E', 'W', 'F', 'I', 'B', 'UP', 'SIM', 'S', 'ASYNC', 'PT', 'RUF'] as const;

function listTemplates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(TEMPLATE_DIR, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

function outputPath(templatePath: string): string {
  const withoutEjs = templatePath.replace(/\.ejs$/, '');
  const parts = withoutEjs.split('/');
  const base = parts.pop()!;
  return [...parts, RENAMES[base] ?? base].join('/');
}

const choiceOf = (choices: readonly { value: string; label: string; hint: string }[], value: string) =>
  choices.find((c) => c.value === value)!;

/** Everything the templates may use: the answers, derived values and the escaping functions. */
export function templateContext(answers: ProjectAnswers, generatorVersion: string) {
  const { python, runtime, deps, server, port } = answers;
  const venvPath = deps === 'wheels' ? '/opt/venv' : '/app/.venv';
  const pythonBin = runtime === 'distroless' ? `${venvPath}/bin/python` : 'python';
  // The production command: `make server` runs localCommand, the image runs serverCommand
  // (the same, with the venv's python by absolute path on distroless, which has no PATH lookup of ours).
  const localCommand =
    server === 'gunicorn' ? ['gunicorn', '--config', 'gunicorn_config.py', 'app.main:app'] : ['python', '-m', 'app'];
  const serverCommand =
    runtime === 'distroless' ? [pythonBin, '-m', ...(server === 'gunicorn' ? localCommand : ['app'])] : localCommand;
  const dependencies = [
    requirement('fastapi'),
    requirement('pydantic-settings'),
    requirement('uvicorn[standard]'),
    ...(server === 'gunicorn' ? [requirement('gunicorn'), requirement('uvicorn-worker')] : []),
  ];
  const runtimeChoice = choiceOf(RUNTIME_CHOICES, runtime);
  const image = runtime === 'distroless' ? VERSIONS.distrolessImage : VERSIONS.pythonImage(python);
  return {
    ...answers,
    generatorVersion,
    versions: VERSIONS,
    dependencies,
    devDependencies: Object.entries(DEV_DEPENDENCIES).map(([dep, bound]) => [dep, versionRange(bound)] as const),
    ruffTarget: `py${python.replace('.', '')}`,
    ruffSelect: RUFF_SELECT,
    imageName: answers.name,
    venvPath,
    pythonBin,
    serverCommand,
    serverShell: localCommand.map(shellWord).join(' '),
    summary: `Python ${python}, ${runtime} runtime (${image}), ${deps} dependencies, ${server} server, port ${port}`,
    choices: [
      [
        'Python',
        python,
        runtime === 'distroless'
          ? `requires-python >=${python}; built on ${VERSIONS.pythonImage(python)} and run by the same Python ${python} that distroless ships at /usr/bin/python3.13`
          : `requires-python >=${python}; the builder and the runtime use the same ${VERSIONS.pythonImage(python)} interpreter`,
      ],
      ['Runtime image', `${runtime} (${image})`, runtimeChoice.hint],
      ['Dependencies', deps, choiceOf(DEPS_CHOICES, deps).hint],
      ['Server', server, choiceOf(SERVER_CHOICES, server).hint],
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
  };
}

const refuseHtmlEscape = () => {
  throw new Error('templates must not use <%= (HTML escaping); use <%- with an escaping function');
};

function assertNoUndefined(context: Record<string, unknown>) {
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) throw new Error(`template variable "${key}" is undefined`);
  }
}

/** Render the service for `answers`. Throws if a template uses an unknown variable. */
export function renderService(answers: ProjectAnswers, generatorVersion: string): RenderedFiles {
  const context = templateContext(answers, generatorVersion);
  assertNoUndefined(context);
  const files: RenderedFiles = new Map();
  for (const templatePath of listTemplates(TEMPLATE_DIR)) {
    const target = outputPath(templatePath);
    if (ONLY_WHEN[target] && !ONLY_WHEN[target](answers)) continue;
    const source = readFileSync(join(TEMPLATE_DIR, templatePath), 'utf8');
    const content = templatePath.endsWith('.ejs')
      ? ejs.render(source, context, { escape: refuseHtmlEscape, filename: templatePath })
      : source;
    files.set(target, content);
  }
  files.set(RECORD_FILE, recordFile(answers, generatorVersion));
  return files;
}

/** The answers and generator version, kept in the project for later sub-commands. */
export function recordFile(answers: ProjectAnswers, generatorVersion: string): string {
  const record = {
    generator: 'create-pyservice',
    version: generatorVersion,
    answers: {
      name: answers.name,
      description: answers.description,
      ...(answers.author ? { author: answers.author } : {}),
      python: answers.python,
      runtime: answers.runtime,
      deps: answers.deps,
      server: answers.server,
      port: answers.port,
      poetryVersion: answers.poetryVersion,
    },
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}
