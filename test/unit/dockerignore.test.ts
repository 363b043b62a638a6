/**
 * The generated .dockerignore, judged by a Docker-compatible matcher
 * (@balena/dockerignore, a port of Docker's own matching code), not by reading
 * the file: secrets are left out of the build context at any depth, and
 * everything the generated Dockerfile copies from the context is in it.
 */
import dockerignoreModule from '@balena/dockerignore';
import { Copy, DockerfileParser } from 'dockerfile-ast';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { validCombinations } from '../../src/model/compat.js';
import { renderService } from '../../src/render/render.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

// CommonJS (`module.exports = ignore`) whose types declare `export default ignore`.
const ignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

/** Paths a developer may well have in the project that must never reach an image. */
const SECRETS = [
  '.env',
  '.env.production',
  'app/.env',
  'app/.env.local',
  'app/core/.env',
  'config/deploy/.env.staging',
  'server.pem',
  'app/certs/server.pem',
  'deploy/tls/private.key',
  'app/signing.key',
  'certs/client.p12',
  '.ssh/id_rsa',
  'app/id_ed25519',
  'app/.netrc',
  '.pypirc',
];
const NEVER_IN_CONTEXT = ['.git/config', '.git/objects/ab/cdef', 'app/.git/HEAD', '.venv/bin/python', 'app/__pycache__/main.cpython-313.pyc', 'tests/test_health.py'];

/** Sources of every COPY/ADD that reads the build context (no --from). */
function contextSources(dockerfile: string): string[] {
  return DockerfileParser.parse(dockerfile)
    .getInstructions()
    .filter((i): i is Copy => i instanceof Copy)
    .filter((copy) => !copy.getFlags().some((flag) => flag.getName() === 'from'))
    .flatMap((copy) => copy.getArguments().slice(0, -1).map((arg) => arg.getValue()));
}

/** Does a COPY source (a path, a directory or a `*` glob) take `path`? */
const copies = (source: string, path: string) =>
  source.includes('*')
    ? new RegExp(`^${source.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(path)
    : path === source || path.startsWith(`${source}/`);

describe.each(validCombinations().map((c) => [`${c.python} ${c.runtime} ${c.deps} ${c.server}`, c] as const))('%s', (_label, combo) => {
  const files = renderService(defaultAnswers(combo), TEST_VERSION);
  const matcher = ignore().add(files.get('.dockerignore')!);
  const sources = contextSources(files.get('Dockerfile')!);

  it('keeps secrets out of the build context at any depth', () => {
    expect(SECRETS.filter((path) => !matcher.ignores(path))).toEqual([]);
  });

  it('keeps .git, virtualenvs, bytecode and tests out of the build context', () => {
    expect(NEVER_IN_CONTEXT.filter((path) => !matcher.ignores(path))).toEqual([]);
  });

  it('sends every file the Dockerfile copies', () => {
    expect(sources).toEqual(expect.arrayContaining(['pyproject.toml', 'poetry.lock*', 'app']));
    const copied = [...files.keys(), 'poetry.lock'].filter((path) => sources.some((source) => copies(source, path)));
    expect(copied).toEqual(expect.arrayContaining(['pyproject.toml', 'poetry.lock', 'app/main.py', 'app/core/config.py']));
    expect(copied.filter((path) => matcher.ignores(path))).toEqual([]);
    for (const source of sources.filter((s) => !s.includes('*'))) {
      expect(copied.some((path) => copies(source, path)), `${source} is copied but not generated`).toBe(true);
    }
  });

  it('has a pyproject.toml that references no file the builder lacks (poetry check --lock runs there)', () => {
    const toml = parseToml(files.get('pyproject.toml')!) as { project: Record<string, unknown>; tool?: { poetry?: Record<string, unknown> } };
    const poetry = toml.tool?.poetry ?? {};
    const referenced = [
      toml.project.readme,
      (toml.project.license as { file?: string } | undefined)?.file,
      ...((toml.project['license-files'] as string[] | undefined) ?? []),
      poetry.readme,
      ...((poetry.include as string[] | undefined) ?? []),
      ...(((poetry.packages as { include: string }[] | undefined) ?? []).map((p) => p.include)),
    ].filter((path): path is string => typeof path === 'string');
    // What the stages before the runtime copy from the context: the builder runs poetry check --lock on it.
    const dockerfile = files.get('Dockerfile')!;
    const builderSources = contextSources(dockerfile.slice(0, dockerfile.indexOf(' AS runtime')));
    expect(builderSources).toContain('pyproject.toml');
    expect(referenced.filter((path) => !builderSources.some((s) => copies(s, path)) || matcher.ignores(path))).toEqual([]);
  });
});
