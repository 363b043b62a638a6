/**
 * THE image-variant table: which stage templates (templates/docker/) make the
 * Dockerfile for given answers, and every image, interpreter path and user they
 * use. The tables are exhaustive `Record`s over the choice types, so a new
 * runtime, dependency strategy or server is a type error here until it has its
 * own entry (and template); it cannot fall into another's branch. Every image
 * name, tag, path and UID comes from the version map (versions.ts).
 */
import { posix } from 'node:path';
import { dockerfileComment, dockerfileString, jsonArray, shellWord } from './escape.js';
import type { Answers, Runtime, Server } from '../model/options.js';

type Deps = Answers['deps'];
import { templateFiles } from './template-source.js';
import { pluginExportFor, VERSIONS } from '../model/versions.js';

type VariantAnswers = Pick<Answers, 'name' | 'description' | 'python' | 'runtime' | 'deps' | 'server' | 'port' | 'poetryVersion'> & Partial<Pick<Answers, 'db'>>;

export interface ImageUser {
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
}

export interface RuntimeVariant {
  /** templates/docker/<template>.ejs: the runtime stage up to the dependencies (and any stage it needs first). */
  readonly template: `runtime-${Runtime}`;
  /** The final stage's image, named literally (every FROM is: Dependabot cannot update an ARG in FROM). */
  readonly image: (python: string) => string;
  readonly user: ImageUser;
  /** How exec-form instructions start Python: slim finds the venv's `python` on PATH; distroless has no PATH of ours. */
  readonly pythonBin: (venvPath: string) => string;
  /** CMD on slim; ENTRYPOINT on distroless, replacing its bare-interpreter ENTRYPOINT. */
  readonly launch: 'CMD' | 'ENTRYPOINT';
  /** The stage the venv is copied from (distroless re-points it in a stage of its own). */
  readonly venvStage: string;
  /** For the generated README: which interpreter runs the app, and why it matches the builder's. */
  readonly interpreterNote: (python: string) => string;
}

export interface DepsVariant {
  /** templates/docker/<builder>.ejs: the stage that resolves and builds the dependencies. */
  readonly builder: `builder-${Deps}`;
  /** templates/docker/<deliver>.ejs: how they reach the runtime stage. */
  readonly deliver: `deliver-${Deps}`;
  /** The runtime's virtualenv. */
  readonly venvPath: string;
  /** The builder runs `poetry export` (poetry-plugin-export). */
  readonly exportPlugin: boolean;
}

export interface ServerVariant {
  /** templates/docker/<template>.ejs: the command that starts the server. */
  readonly template: `server-${Server}`;
  /** Files beside app/ that the image needs. */
  readonly files: readonly string[];
  /** The production command outside the image (`make server`). */
  readonly localCommand: readonly string[];
}

const builderImage = (python: string) => VERSIONS.pythonImage(python);

export const RUNTIME_VARIANTS: Readonly<Record<Runtime, RuntimeVariant>> = {
  slim: {
    template: 'runtime-slim',
    image: (python) => VERSIONS.pythonImage(python),
    user: VERSIONS.slimUser,
    pythonBin: () => 'python',
    launch: 'CMD',
    venvStage: 'builder',
    interpreterNote: (python) =>
      `requires-python >=${python}; the builder and the runtime use the same ${VERSIONS.pythonImage(python)} interpreter`,
  },
  distroless: {
    template: 'runtime-distroless',
    image: () => VERSIONS.distrolessImage,
    user: VERSIONS.distrolessUser,
    pythonBin: (venvPath) => `${venvPath}/bin/python`,
    launch: 'ENTRYPOINT',
    venvStage: 'venv-distroless',
    interpreterNote: (python) =>
      `requires-python >=${python}; built on ${VERSIONS.pythonImage(python)} and run by the same Python ${python} that distroless ships at ${VERSIONS.distrolessInterpreter} (distroless publishes Debian's interpreter only: no ${VERSIONS.defaultPython} image is planned)`,
  },
};

export const DEPS_VARIANTS: Readonly<Record<Deps, DepsVariant>> = {
  venv: { builder: 'builder-venv', deliver: 'deliver-venv', venvPath: '/app/.venv', exportPlugin: false },
  wheels: { builder: 'builder-wheels', deliver: 'deliver-wheels', venvPath: '/opt/venv', exportPlugin: true },
};

export const SERVER_VARIANTS: Readonly<Record<Server, ServerVariant>> = {
  uvicorn: { template: 'server-uvicorn', files: [], localCommand: ['python', '-m', 'app'] },
  gunicorn: {
    template: 'server-gunicorn',
    files: ['gunicorn_config.py'],
    localCommand: ['gunicorn', '--config', 'gunicorn_config.py', 'app.main:app'],
  },
};

/** The one line a build without poetry.lock prints (a shell word: it is echoed by the builder). */
export const NO_LOCK_WARNING =
  'WARNING: no poetry.lock in the build context, so the dependencies were resolved without a lock and this image is not reproducible; run "make lock" and commit poetry.lock';

/** Everything about the image that the rest of the project (README, Makefile) also needs. */
export function imageFacts(answers: Pick<Answers, 'python' | 'runtime' | 'deps' | 'server'>) {
  const runtime = RUNTIME_VARIANTS[answers.runtime];
  const deps = DEPS_VARIANTS[answers.deps];
  const server = SERVER_VARIANTS[answers.server];
  return {
    runtime,
    deps,
    server,
    image: runtime.image(answers.python),
    /** The poetry and builder stages' image: the same Python as the runtime's. */
    builderImage: builderImage(answers.python),
    venvPath: deps.venvPath,
    pythonBin: runtime.pythonBin(deps.venvPath),
    /** The poetry-plugin-export the builder installs; undefined when none fits the chosen Poetry. */
    pluginExport: (poetryVersion: string) => pluginExportFor(poetryVersion),
  };
}

/** The stage templates for `answers`, in Dockerfile order: stages are separated by a blank line. */
export function dockerfileTemplates(answers: Pick<Answers, 'runtime' | 'deps' | 'server'>): string[][] {
  const runtime = RUNTIME_VARIANTS[answers.runtime];
  const deps = DEPS_VARIANTS[answers.deps];
  const server = SERVER_VARIANTS[answers.server];
  return [['header'], ['poetry'], [deps.builder], [runtime.template, deps.deliver, 'app', server.template]];
}

/** Snippets several stage templates share, rendered first and passed to them by name. */
export const DOCKER_PARTIALS = { lockCheck: 'lock-check', labels: 'labels' } as const;

/** Render templates/docker/<name>.ejs. */
function renderDockerTemplate(name: string, context: Readonly<Record<string, unknown>>): string {
  const template = templateFiles('docker').find((t) => t.path === `${name}.ejs`);
  if (!template) throw new Error(`no templates/docker/${name}.ejs`);
  return template.render(context);
}

/** Render the Dockerfile for `answers` from the stage templates. */
export function renderDockerfile(answers: VariantAnswers, summary: string, imageName: string): string {
  const facts = imageFacts(answers);
  const pluginExport = facts.pluginExport(answers.poetryVersion);
  if (facts.deps.exportPlugin && pluginExport === undefined) {
    throw new Error(`no poetry-plugin-export is known to work with Poetry ${answers.poetryVersion} (the compatibility check should have refused it)`);
  }
  const interpreter = VERSIONS.distrolessInterpreter;
  const base = {
    name: answers.name,
    description: answers.description,
    python: answers.python,
    port: answers.port,
    poetryVersion: answers.poetryVersion,
    summary,
    imageName,
    // Literal image names in every FROM (no ARG): Dependabot can only update those.
    builderImage: facts.builderImage,
    runtimeImage: facts.image,
    exportPlugin: facts.deps.exportPlugin,
    pluginExport: pluginExport ?? '',
    venvPath: facts.venvPath,
    venvStage: facts.runtime.venvStage,
    pythonBin: facts.pythonBin,
    user: facts.runtime.user,
    launch: facts.runtime.launch,
    serverFiles: facts.server.files,
    // With a database the image carries its migrations (run with python -m alembic upgrade head).
    migrations: answers.db === 'postgres',
    interpreter,
    interpreterName: posix.basename(interpreter),
    interpreterPrefix: VERSIONS.distrolessPrefix,
    lockWarning: shellWord(NO_LOCK_WARNING),
    docker: dockerfileString,
    dockerComment: dockerfileComment,
    jsonArray,
  };
  const partials = Object.fromEntries(Object.entries(DOCKER_PARTIALS).map(([key, name]) => [key, renderDockerTemplate(name, base)]));
  const context = { ...base, ...partials };
  return dockerfileTemplates(answers)
    .map((stage) => stage.map((name) => renderDockerTemplate(name, context)).join(''))
    .join('\n');
}
