/**
 * Every valid combination of choices renders a project whose files are
 * well-formed for their real consumers: a TOML parser, CPython's compiler,
 * the real ruff (lint + format), GNU make, and our Dockerfile linter.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { validCombinations } from '../../generators/compat.js';
import { renderService, RECORD_FILE } from '../../generators/render.js';
import { lintDockerfile } from '../../scripts/lib/dockerfile-lint.js';
import { ruffCheck } from '../../scripts/lib/ruff.js';
import { makefileProblems, textProblems } from '../../scripts/lib/text-checks.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const root = mkdtempSync(join(tmpdir(), 'pyservice-structure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const combos = validCombinations();

describe.each(combos.map((c) => [`${c.python} ${c.runtime} ${c.deps} ${c.server}`, c] as const))('%s', (label, combo) => {
  const answers = defaultAnswers({ ...combo, name: 'combo-service', description: 'Checks "quotes" and $(subshells)' });
  const files = renderService(answers, TEST_VERSION);
  const dir = join(root, label.replace(/ /g, '-'));
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }

  it('has a pyproject.toml that parses and matches the choices', () => {
    const toml = parseToml(files.get('pyproject.toml')!) as any;
    expect(toml.project.name).toBe('combo-service');
    expect(toml.project.description).toBe('Checks "quotes" and $(subshells)');
    expect(toml.project['requires-python']).toBe(`>=${combo.python},<4.0`);
    expect(toml.tool.poetry['package-mode']).toBe(false);
    expect(toml.tool.ruff['target-version']).toBe(`py${combo.python.replace('.', '')}`);
    const deps: string[] = toml.project.dependencies;
    expect(deps.some((d) => d.startsWith('gunicorn '))).toBe(combo.server === 'gunicorn');
    expect(deps.some((d) => d.startsWith('uvicorn-worker '))).toBe(combo.server === 'gunicorn');
    for (const dep of deps) expect(dep).toMatch(/^[a-z-]+(\[standard\])? \(>=[\d.]+,<\d+\.0\)$/);
  });

  it('records the answers and the generator version', () => {
    const record = JSON.parse(files.get(RECORD_FILE)!);
    const { author: _none, ...expected } = answers; // no author: the key is left out
    expect(record).toEqual({ generator: 'create-pyservice', version: TEST_VERSION, answers: expected });
  });

  it('compiles every Python file with CPython', () => {
    const pyFiles = [...files.keys()].filter((p) => p.endsWith('.py'));
    const result = spawnSync('python3', ['-m', 'py_compile', ...pyFiles], { cwd: dir, encoding: 'utf8' });
    expect(result.error, 'python3 is needed by this test').toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('passes ruff check and ruff format --check with its own settings', () => {
    expect(ruffCheck(files)).toEqual([]);
  });

  it('has a Makefile that GNU make accepts, with tab-indented recipes', () => {
    expect(makefileProblems(files.get('Makefile')!)).toEqual([]);
    const targets = ['install', 'lock', 'run', 'server', 'test', 'lint', 'format', 'docker-build', 'docker-run', 'clean'];
    const dry = spawnSync('make', ['-n', ...targets], { cwd: dir, encoding: 'utf8' });
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toContain('docker build -t combo-service .');
    const help = spawnSync('make', ['--no-print-directory'], { cwd: dir, encoding: 'utf8' });
    for (const target of targets) expect(help.stdout).toMatch(new RegExp(`^  ${target} +\\S`, 'm'));
  });

  it('has a Dockerfile with no lint findings, matched to the choices', () => {
    const dockerfile = files.get('Dockerfile')!;
    expect(lintDockerfile(dockerfile)).toEqual([]);
    expect(dockerfile).toContain(`ARG PYTHON_VERSION=${combo.python}`);
    expect(dockerfile).toContain(
      combo.runtime === 'distroless' ? 'FROM gcr.io/distroless/python3-debian13:nonroot AS runtime' : 'FROM python:${PYTHON_VERSION}-slim-trixie AS runtime',
    );
    expect(dockerfile.includes('poetry export')).toBe(combo.deps === 'wheels');
    expect(dockerfile.includes('gunicorn_config.py')).toBe(combo.server === 'gunicorn');
    expect(files.has('gunicorn_config.py')).toBe(combo.server === 'gunicorn');
    expect(files.has('app/__main__.py')).toBe(combo.server === 'uvicorn');
  });

  it('has no leftover template tags, undefined/null, TODOs or trailing whitespace', () => {
    expect(textProblems(files)).toEqual([]);
  });
});
