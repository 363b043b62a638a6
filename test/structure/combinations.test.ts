/**
 * Every supported combination of choices (the hand-written list in
 * test/helpers/matrix.ts, not the table under test) renders a project whose
 * files are well-formed for their real consumers: a TOML parser, CPython's
 * compiler, the real ruff (lint + format), GNU make, and our Dockerfile linter.
 *
 * The combinations share most of their content, so the expensive checks run
 * once per distinct content (test/helpers/checks.ts): one CPython process for
 * every distinct Python tree, ruff once per file and settings, make once per
 * Makefile. Each combination still asserts on the result for its own files.
 */
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { blobIds } from '../../src/project/record.js';
import { renderService, RECORD_FILE } from '../../src/render/render.js';
import { lintDockerfile } from '../../scripts/lib/dockerfile-lint.js';
import { makefileProblems, textProblems } from '../../scripts/lib/text-checks.js';
import { compilePython, pythonsFor, ruffProblems, runMake } from '../helpers/checks.js';
import { label, SUPPORTED } from '../helpers/matrix.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

// Values that break out of a string in one target language or another (not
// "%>", which the leftover-template-tag check would rightly flag in a file).
const description = 'Say "hi" `id` $(touch /tmp/pwned-pyservice) \\ \'q\' # not a comment';
const author = { name: 'O\'Brien "Ob" $(id)', email: 'ob@example.org' };

// Every combination without a database, then with --db postgres (its own files, Makefile targets and image contents).
const projects = (['none', 'postgres'] as const).flatMap((db) =>
  SUPPORTED.map((combo) => {
    const answers = defaultAnswers({ ...combo, name: 'combo-service', description, author, db });
    return { combo, db, extra: '', answers, files: renderService(answers, TEST_VERSION) };
  }),
);
// The database without compose.yaml and CI: no `make db-up`, and the tests say to set DATABASE_URL.
for (const combo of [SUPPORTED[0]!, SUPPORTED.at(-1)!]) {
  const answers = defaultAnswers({ ...combo, name: 'combo-service', description, author, db: 'postgres', compose: false, ci: 'none' });
  projects.push({ combo, db: 'postgres', extra: ' --no-compose --ci none', answers, files: renderService(answers, TEST_VERSION) });
}

// Computed on first use, for all combinations at once.
let compileReports: ReturnType<typeof compilePython> | undefined;
let ruffReports: ReturnType<typeof ruffProblems> | undefined;
const MAKE_TARGETS = ['install', 'lock', 'run', 'server', 'test', 'lint', 'format', 'docker-build', 'docker-run', 'clean'];

describe.each(projects.map((project, index) => [`${label(project.combo)}${project.db === 'none' ? '' : ` --db ${project.db}`}${project.extra}`, project, index] as const))('%s', (_label, { combo, db, answers, files }, index) => {
  it('has a pyproject.toml that parses and matches the choices', () => {
    const toml = parseToml(files.get('pyproject.toml')!) as any;
    expect(toml.project.name).toBe('combo-service');
    expect(toml.project.description).toBe(description);
    expect(toml.project.authors).toEqual([author]);
    expect(toml.project['requires-python']).toBe(`>=${combo.python},<4.0`);
    expect(toml.tool.poetry['package-mode']).toBe(false);
    expect(toml.tool.ruff['target-version']).toBe(`py${combo.python.replace('.', '')}`);
    const deps: string[] = toml.project.dependencies;
    expect(deps.some((d) => d.startsWith('gunicorn '))).toBe(combo.server === 'gunicorn');
    expect(deps.some((d) => d.startsWith('uvicorn-worker '))).toBe(combo.server === 'gunicorn');
    for (const dep of deps) expect(dep).toMatch(/^[a-z-]+(\[standard\]|\[asyncio\])? \(>=[\d.]+,<\d+\.\d+\)$/);
    expect(deps.filter((d) => /^(sqlalchemy\[asyncio\]|asyncpg|alembic) /.test(d))).toHaveLength(db === 'postgres' ? 3 : 0);
    expect(toml.tool.mypy.files.includes('migrations')).toBe(db === 'postgres');
  });

  it('records the answers, the generator version and the base of later updates', () => {
    const record = JSON.parse(files.get(RECORD_FILE)!);
    const generated = new Map([...files].filter(([path]) => path !== RECORD_FILE));
    expect(record).toEqual({ generator: 'create-pyservice', format: 1, version: TEST_VERSION, answers, routes: [], base: { files: blobIds(generated) } });
  });

  it(`compiles every Python file with CPython ${pythonsFor(combo.python).map((i) => i.version).join(', ') || '(none found)'}`, async () => {
    compileReports ??= compilePython(projects.map((p) => ({ files: p.files, python: p.combo.python })));
    const report = (await compileReports)[index]!;
    expect(report.compiledBy, 'a python3 on PATH is needed by this test').not.toEqual([]);
    expect(report.problems).toEqual([]);
  });

  it('passes ruff check and ruff format --check with its own settings', () => {
    ruffReports ??= ruffProblems(projects.map((p) => p.files));
    expect(ruffReports[index]).toEqual([]);
  });

  it('has a Makefile that GNU make accepts, with tab-indented recipes', () => {
    expect(makefileProblems(files.get('Makefile')!)).toEqual([]);
    const { dryRun, help } = runMake(files, MAKE_TARGETS);
    expect(dryRun.stderr).toBe('');
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toContain('docker build -t combo-service .');
    expect(help.status).toBe(0);
    for (const target of MAKE_TARGETS) expect(help.stdout).toMatch(new RegExp(`^  ${target} +\\S`, 'm'));
    for (const target of ['migrate', 'revision']) expect(help.stdout.includes(`  ${target} `)).toBe(db === 'postgres');
    expect(help.stdout.includes('  db-up ')).toBe(db === 'postgres' && answers.compose);
  });

  it('has a Dockerfile with no lint findings, matched to the choices', () => {
    const dockerfile = files.get('Dockerfile')!;
    expect(lintDockerfile(dockerfile)).toEqual([]);
    expect(dockerfile).not.toContain('ARG PYTHON_VERSION');
    expect(dockerfile).toContain(`FROM python:${combo.python}-slim-trixie AS poetry`);
    expect(dockerfile).toContain(
      combo.runtime === 'distroless' ? 'FROM gcr.io/distroless/python3-debian13:nonroot AS runtime' : `FROM python:${combo.python}-slim-trixie AS runtime`,
    );
    expect(dockerfile.includes('poetry export')).toBe(combo.deps === 'wheels');
    expect(dockerfile.includes('gunicorn_config.py')).toBe(combo.server === 'gunicorn');
    expect(files.has('gunicorn_config.py')).toBe(combo.server === 'gunicorn');
    expect(files.has('app/__main__.py')).toBe(combo.server === 'uvicorn');
    expect(dockerfile.includes('COPY alembic.ini ./\nCOPY migrations ./migrations\n')).toBe(db === 'postgres');
    for (const path of ['alembic.ini', 'migrations/env.py', 'app/db/session.py', 'app/routes/ready.py', 'tests/test_migrations.py']) {
      expect(files.has(path), path).toBe(db === 'postgres');
    }
  });

  it('has no leftover template tags, undefined/null, TODOs or trailing whitespace', () => {
    expect(textProblems(files)).toEqual([]);
  });
});
