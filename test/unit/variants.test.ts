/**
 * The image-variant table (src/render/variants.ts) and the stage templates it
 * assembles (templates/docker/): images, interpreter paths and users come from
 * the version map only, every template is used, and each variant's stages say
 * what the table says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Copy, DockerfileParser, Env, From, Healthcheck, Run, User } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { validCombinations } from '../../src/model/compat.js';
import { OPTIONS } from '../../src/model/options.js';
import { renderService } from '../../src/render/render.js';
import { templateFiles as templatesOf } from '../../src/render/template-source.js';
import {
  DEPS_VARIANTS,
  DOCKER_PARTIALS,
  dockerfileTemplates,
  imageFacts,
  RUNTIME_VARIANTS,
  SERVER_VARIANTS,
} from '../../src/render/variants.js';
import { VERSIONS } from '../../src/model/versions.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

/** What only the version map may spell: image names and tags, interpreter paths, UIDs. */
const VERSION_MAP_LITERALS: readonly [string, RegExp][] = [
  ['an interpreter such as python3.13', /python3\.\d+/],
  ['a Debian release such as debian13', /debian\d+/],
  ['an image tag such as slim-trixie', /slim-(trixie|bookworm|bullseye)/],
  ['a python:3.X image', /python:3\.\d+/],
  ['a registry image such as gcr.io/...', /gcr\.io\/|cgr\.dev\//],
  ['a UID such as 10001 or 65532', /\b(10001|65532)\b/],
];

function templateFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(TEMPLATES, join(entry.parentPath, entry.name)));
}

/** Scan text for version-map literals: "path:line: what" for each. */
export function versionMapLiterals(path: string, text: string): string[] {
  return text.split('\n').flatMap((line, index) =>
    VERSION_MAP_LITERALS.filter(([, pattern]) => pattern.test(line)).map(([what]) => `${path}:${index + 1}: ${what}`),
  );
}

describe('templates', () => {
  it('spell no image name, tag, interpreter path or UID: those come from the version map', () => {
    const found = templateFiles(TEMPLATES).flatMap((path) => versionMapLiterals(path, readFileSync(join(TEMPLATES, path), 'utf8')));
    expect(found).toEqual([]);
  });

  it('the scan finds each kind of literal it looks for', () => {
    const old = [
      'FROM python:${PYTHON_VERSION}-slim-trixie AS builder',
      'FROM gcr.io/distroless/python3-debian13:nonroot AS runtime',
      'RUN ln -sf /usr/bin/python3.13 /app/.venv/bin/python3.13',
      'USER 10001:10001',
      'FROM python:3.13-slim',
    ].join('\n');
    const kinds = new Set(versionMapLiterals('Dockerfile.ejs', old).map((f) => f.split(': ')[1]));
    expect([...kinds].sort()).toEqual(VERSION_MAP_LITERALS.map(([what]) => what).sort());
  });

  it('every stage template is used by some combination, and every one the table names exists', () => {
    const used = new Set(validCombinations().flatMap((combo) => dockerfileTemplates(combo).flat()));
    const files = templatesOf('docker').map((t) => t.path.replace(/\.ejs$/, ''));
    // Partials are rendered first and passed to the stage templates by name.
    const partials: string[] = Object.values(DOCKER_PARTIALS);
    expect(files.filter((f) => !used.has(f) && !partials.includes(f))).toEqual([]);
    expect(partials.filter((p) => !files.includes(p))).toEqual([]);
    expect([...used].filter((t) => !files.includes(t))).toEqual([]);
  });
});

describe('variant tables', () => {
  it('have one entry per choice, each with its own templates', () => {
    expect(Object.keys(RUNTIME_VARIANTS).sort()).toEqual(OPTIONS.runtime.choices.map((c) => c.value).sort());
    expect(Object.keys(DEPS_VARIANTS).sort()).toEqual(OPTIONS.deps.choices.map((c) => c.value).sort());
    expect(Object.keys(SERVER_VARIANTS).sort()).toEqual(OPTIONS.server.choices.map((c) => c.value).sort());
    const templates = [
      ...Object.values(RUNTIME_VARIANTS).map((v) => v.template),
      ...Object.values(DEPS_VARIANTS).flatMap((v) => [v.builder, v.deliver]),
      ...Object.values(SERVER_VARIANTS).map((v) => v.template),
    ];
    expect(new Set(templates).size).toBe(templates.length);
  });

  it('take images and users from the version map', () => {
    expect(RUNTIME_VARIANTS.slim.image('3.12')).toBe(VERSIONS.pythonImage('3.12'));
    expect(RUNTIME_VARIANTS.distroless.image('3.13')).toBe(VERSIONS.distrolessImage);
    expect(RUNTIME_VARIANTS.slim.user).toBe(VERSIONS.slimUser);
    expect(RUNTIME_VARIANTS.distroless.user).toBe(VERSIONS.distrolessUser);
  });
});

describe.each(validCombinations().map((c) => [`${c.python} ${c.runtime} ${c.deps} ${c.server}`, c] as const))('Dockerfile %s', (_label, combo) => {
  const answers = defaultAnswers(combo);
  const dockerfile = renderService(answers, TEST_VERSION).get('Dockerfile')!;
  const instructions = DockerfileParser.parse(dockerfile).getInstructions();
  const froms = instructions.filter((i): i is From => i instanceof From);
  const finalFrom = froms.at(-1)!;
  const runtimeStage = instructions.filter((i) => i.getRange().start.line > finalFrom.getRange().start.line);
  const facts = imageFacts(combo);
  const execRuns = runtimeStage
    .filter((i): i is Run => i instanceof Run)
    .map((run) => run.getArgumentsContent() ?? '')
    .filter((args) => args.trimStart().startsWith('['))
    .map((args) => JSON.parse(args) as string[]);

  it('runs the runtime stage on the image and user the table names', () => {
    expect(finalFrom.getImage()).toBe(facts.image);
    const user = runtimeStage.filter((i): i is User => i instanceof User).at(-1)!;
    expect(user.getArgumentsContent()).toBe(`${facts.runtime.user.uid}:${facts.runtime.user.gid}`);
  });

  it('names every image literally (Dependabot cannot update an ARG in FROM), builder and runtime on the same Python', () => {
    expect(instructions.filter((i) => i.getKeyword() === 'ARG').map((i) => i.getArgumentsContent())).not.toContainEqual(expect.stringMatching(/^PYTHON_VERSION\b/));
    const images = froms.map((from) => from.getImage() ?? '');
    expect(images.filter((image) => image.includes('$'))).toEqual([]);
    const stageNames = new Set(froms.map((from) => from.getBuildStage()));
    const bases = images.filter((image) => !stageNames.has(image));
    expect(bases).toEqual(combo.runtime === 'distroless' ? [VERSIONS.pythonImage(combo.python), VERSIONS.distrolessImage] : [VERSIONS.pythonImage(combo.python), VERSIONS.pythonImage(combo.python)]);
    if (combo.runtime === 'distroless') expect(combo.python).toBe(VERSIONS.distrolessPython);
  });

  it('sets LOG_FORMAT=json in the runtime image', () => {
    const env = runtimeStage.filter((i): i is Env => i instanceof Env).flatMap((e) => e.getProperties().map((p) => [p.getName(), p.getValue()]));
    expect(env).toContainEqual(['LOG_FORMAT', 'json']);
  });

  it('uses only the HEALTHCHECK flags that podman\'s buildah 1.28 accepts (it refuses --start-interval)', () => {
    const healthcheck = runtimeStage.find((i): i is Healthcheck => i instanceof Healthcheck)!;
    const flags = healthcheck.getFlags().map((flag) => flag.getName());
    expect(flags.filter((flag) => !['interval', 'timeout', 'start-period', 'retries'].includes(flag))).toEqual([]);
  });

  it('keys every dependency install layer by what it installs (buildah #6609): a bind mount of the builder comes after a COPY of its hashed requirements', () => {
    const installs = runtimeStage.filter((i): i is Run => i instanceof Run && i.getFlags().some((f) => f.getName() === 'mount' && f.getOption('from') !== null));
    expect(installs.length).toBe(combo.deps === 'wheels' ? 1 : 0);
    for (const install of installs) {
      const line = install.getRange().start.line;
      const keys = runtimeStage.filter((i): i is Copy => i instanceof Copy && i.getRange().start.line < line && i.getFlags().some((f) => f.getName() === 'from' && f.getValue() === 'builder'));
      const keyFile = keys.map((copy) => (copy.getArgumentsContent() ?? '').split(/\s+/)[0]).find((src) => src?.startsWith('/wheels/'));
      expect(keyFile).toBeDefined();
      // The builder writes that file with hashes (an export without --without-hashes).
      const exports = dockerfile.match(/poetry export [^\n]*/g) ?? [];
      expect(exports.filter((cmd) => cmd.includes(`--output ${keyFile}`) && !cmd.includes('--without-hashes'))).toHaveLength(1);
    }
    // venv: the venv itself is COPYed from a stage, and a COPY's cache key is its content.
    if (combo.deps === 'venv') expect(runtimeStage.some((i) => i instanceof Copy && (i.getArgumentsContent() ?? '').startsWith(`${facts.venvPath} `))).toBe(true);
  });

  it('byte-compiles app/ and imports it at build time with the interpreter the image runs, in exec form', () => {
    expect(execRuns).toContainEqual([facts.pythonBin, '-m', 'compileall', '-q', 'app']);
    expect(execRuns).toContainEqual([facts.pythonBin, '-c', 'import app.main']);
    const healthcheck = runtimeStage.find((i): i is Healthcheck => i instanceof Healthcheck)!;
    expect(healthcheck.getArgumentsContent()).toContain(JSON.stringify(facts.pythonBin));
  });

  it('creates its user without useradd --system for a UID above the system range (SYS_UID_MAX warning)', () => {
    const userCommands = dockerfile.match(/\b(useradd|groupadd)\b[^\n&]*/g) ?? [];
    const systemHighId = userCommands.filter((cmd) => /(\s--system\b|\s-r\b)/.test(cmd) && /--(uid|gid)\s+(\d{4,})/.test(cmd));
    expect(systemHighId).toEqual([]);
  });

  it('leaves pip out of the runtime venv', () => {
    if (combo.deps === 'venv') expect(dockerfile).toMatch(/^\s+POETRY_VIRTUALENVS_OPTIONS_NO_PIP=true$/m);
    else expect(dockerfile).toContain(`python -m venv --without-pip ${facts.venvPath}`);
  });

  it('prints one line saying a build without poetry.lock is not reproducible, and checks a lock it has', () => {
    expect(dockerfile.match(/echo .*no poetry\.lock.*make lock/g)).toHaveLength(1);
    expect(dockerfile).toContain('poetry check --lock');
  });
});
