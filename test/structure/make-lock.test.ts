/**
 * `make lock` for a user with Docker but no Poetry: GNU make runs the generated
 * Makefile with a recording `docker` stand-in (npm run verify runs it with a real
 * builder and checks the lock it writes); with Poetry on PATH, Poetry is used.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const root = mkdtempSync(join(tmpdir(), 'pyservice-make-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const files = renderService(defaultAnswers({ name: 'orders' }), TEST_VERSION);
const project = join(root, 'orders');
for (const [path, content] of files) {
  mkdirSync(dirname(join(project, path)), { recursive: true });
  writeFileSync(join(project, path), content);
}

/** A command that appends its arguments to `log` and succeeds. */
function recorder(name: string, log: string): string {
  const path = join(root, 'bin', name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> "${log}"\n`);
  chmodSync(path, 0o755);
  return path;
}

const id = (flag: string) => spawnSync('id', [flag], { encoding: 'utf8' }).stdout.trim();

describe('make lock', () => {
  it('without Poetry: builds the Dockerfile\'s poetry stage and runs its Poetry on the project', () => {
    const log = join(root, 'docker.log');
    const docker = recorder('docker', log);
    const make = spawnSync('make', ['--no-print-directory', 'lock', 'POETRY=poetry-is-not-installed', `DOCKER=${docker}`], { cwd: project, encoding: 'utf8' });
    expect(make.stderr).toBe('');
    expect(make.status).toBe(0);
    expect(make.stdout).toContain('poetry-is-not-installed is not installed: locking with the Poetry pinned in the Dockerfile');
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual([
      'docker build --target poetry -t orders-poetry .',
      `docker run --rm --user ${id('-u')}:${id('-g')} -e HOME=/tmp -v ${project}:/src -w /src orders-poetry poetry lock`,
    ]);
    // The stage it builds is the Dockerfile's pinned Poetry.
    expect(files.get('Dockerfile')).toMatch(/^FROM \S+ AS poetry\nARG POETRY_VERSION=\S+\n[\s\S]*?pip install "poetry==\$\{POETRY_VERSION\}"/m);
  });

  it('with Poetry on PATH: runs poetry lock and never Docker', () => {
    const log = join(root, 'tools.log');
    const poetry = recorder('poetry', log);
    const docker = recorder('docker', log);
    const make = spawnSync('make', ['--no-print-directory', 'lock', `POETRY=${poetry}`, `DOCKER=${docker}`], { cwd: project, encoding: 'utf8' });
    expect(make.status).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('poetry lock\n');
  });
});

describe('make help and make up (issue #22, item 9)', () => {
  it('make help shows the port, not $(PORT)', () => {
    const make = spawnSync('make', ['--no-print-directory', 'help', 'PORT=9123'], { cwd: project, encoding: 'utf8' });
    expect(make.status, make.stderr).toBe(0);
    expect(make.stdout).not.toContain('$(PORT)');
    expect(make.stdout).toMatch(/^ {2}run +Run the development server with auto-reload on http:\/\/127\.0\.0\.1:9123$/m);
    expect(make.stdout).toMatch(/^ {2}docker-run +Run the container image on port 9123$/m);
  });

  it('make up without the Compose plugin: one line of advice (exit 2), compose up never run', () => {
    const log = join(root, 'no-compose.log');
    const docker = join(root, 'bin', 'docker-without-compose');
    mkdirSync(dirname(docker), { recursive: true });
    // What docker prints when the compose plugin is missing: "compose" is no command, --build no flag.
    writeFileSync(docker, `#!/bin/sh\necho "docker $*" >> "${log}"\nif [ "$1" = compose ]; then echo "unknown flag: --build" >&2; exit 125; fi\n`);
    chmodSync(docker, 0o755);
    for (const target of ['up', 'down']) {
      const make = spawnSync('make', ['--no-print-directory', target, `DOCKER=${docker}`], { cwd: project, encoding: 'utf8' });
      expect(make.status).toBe(2);
      expect(make.stderr.trim().split('\n')).toEqual([expect.stringMatching(/docker compose is not available: install the Docker Compose plugin \(https:\/\/docs\.docker\.com\/compose\/install\/\) or use make docker-build docker-run/)]);
    }
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual([`docker compose version`, `docker compose version`]);
  });

  it('make up with the plugin runs docker compose up --build --detach --wait', () => {
    const log = join(root, 'compose.log');
    const docker = recorder('docker-with-compose', log);
    const make = spawnSync('make', ['--no-print-directory', 'up', `DOCKER=${docker}`], { cwd: project, encoding: 'utf8' });
    expect(make.status, make.stderr).toBe(0);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual(['docker-with-compose compose version', 'docker-with-compose compose up --build --detach --wait']);
  });
});
