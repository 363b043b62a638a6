/**
 * Changing an existing project in process: the plan of `update`, `docker` and
 * `add route` on real files (with and without git), and the writer applying it
 * all or nothing. An "older release" is simulated by a base that differs from
 * this release's render the way a template change would (the CLI tests run a
 * real two-release update with two built packages).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan, compareVersions, planAddRoute, planRender, renderProject } from '../../src/project/living.js';
import { blobId, findProject, initialRecord, parseRecord, prepareBase, readBase, RECORD_FILE } from '../../src/project/record.js';
import type { ProjectAnswers } from '../../src/render/render.js';
import { applyChanges } from '../../src/io/apply.js';
import { ruffCheck } from '../../scripts/lib/ruff.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const tmp = mkdtempSync(join(tmpdir(), 'pyservice-living-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let counter = 0;

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: gitEnv });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

/** Write a project as the `service` generator does, from `files` (what "the release" generated). */
function createProject(files: Map<string, string>, answers: ProjectAnswers, useGit: boolean): string {
  const dir = join(tmp, `p${counter++}`);
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  writeFileSync(join(dir, RECORD_FILE), initialRecord(answers, TEST_VERSION, files, useGit));
  if (useGit) {
    git(dir, 'init', '--quiet');
    git(dir, 'add', '--all');
    git(dir, 'commit', '--quiet', '-m', 'initial');
    expect(prepareBase(dir, files, 'create').commit()).toBeUndefined();
  }
  return dir;
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');
const edit = (dir: string, path: string, change: (text: string) => string) => writeFileSync(join(dir, path), change(read(dir, path)));
const answers = defaultAnswers();
const current = renderProject({ answers, routes: [] }, TEST_VERSION);

/** What an "older release" generated: this render with the template differences of a real release. */
function olderRelease(): Map<string, string> {
  const old = new Map(current);
  old.set('Dockerfile', current.get('Dockerfile')!.replace(/^(# syntax=.*\n)/, '$1# built by the old release\n'));
  old.set('Makefile', current.get('Makefile')!.replace(/^(test:.*\n\t.*)$/m, '$1 # old test recipe'));
  old.set('docs/OLD.md', 'A file the new release no longer generates.\n');
  old.set('docs/OLD-EDITED.md', 'Another one, which the user edits.\n');
  old.delete('tests/test_health.py');
  return old;
}

describe.each([
  ['with git', true],
  ['without git (snapshot)', false],
])('update %s', (_label, useGit) => {
  it('applies the outcome table to a user-edited project, and keeps every edit', async () => {
    const old = olderRelease();
    expect(old.get('Makefile')).not.toBe(current.get('Makefile'));
    const dir = createProject(old, answers, useGit);
    // The user's edits.
    edit(dir, 'README.md', (t) => `${t}\n## Our notes\n\nKept across updates.\n`);
    edit(dir, 'Dockerfile', (t) => t.replace(/^(FROM .* AS runtime)$/m, '$1\nLABEL team="payments"'));
    edit(dir, 'Makefile', (t) => t.replace(/^(lint:.*)$/m, '$1\n# our lint note'));
    rmSync(join(dir, '.env.example'));
    edit(dir, 'docs/OLD-EDITED.md', (t) => `${t}Our addition.\n`);
    writeFileSync(join(dir, 'app/mine.py'), '"""Ours alone."""\n');

    const plan = await planRender(await findProject(dir), 'update', { answers, routes: [] }, '9.9.9');
    const outcome = Object.fromEntries(plan.files.filter((f) => f.reason !== 'unchanged').map((f) => [f.path, `${f.action}:${f.reason}`]));
    expect(outcome).toEqual({
      '.env.example': 'keep:user-deleted',
      Dockerfile: 'merge:merged',
      Makefile: 'merge:merged',
      'README.md': 'merge:merged', // it names the generator version, which changed
      'docs/OLD-EDITED.md': 'keep:dropped-user-changed',
      'docs/OLD.md': 'delete:dropped',
      'tests/test_health.py': 'create:new',
    });
    await applyPlan(plan);

    expect(read(dir, 'Dockerfile')).toBe(current.get('Dockerfile')!.replace(/^(FROM .* AS runtime)$/m, '$1\nLABEL team="payments"'));
    expect(read(dir, 'Makefile')).toBe(current.get('Makefile')!.replace(/^(lint:.*)$/m, '$1\n# our lint note'));
    expect(read(dir, 'README.md')).toContain('## Our notes');
    expect(read(dir, 'README.md')).toContain('9.9.9');
    expect(existsSync(join(dir, '.env.example'))).toBe(false);
    expect(existsSync(join(dir, 'docs/OLD.md'))).toBe(false);
    expect(read(dir, 'docs/OLD-EDITED.md')).toContain('Our addition.');
    expect(read(dir, 'tests/test_health.py')).toBe(current.get('tests/test_health.py'));
    expect(read(dir, 'app/mine.py')).toBe('"""Ours alone."""\n');
    expect(readdirClean(dir)).toBe(true);

    // The base moved forward: the record names this release, the new render is the base.
    const after = await findProject(dir);
    expect(after.record.version).toBe('9.9.9');
    expect(Object.keys(after.record.base.files)).not.toContain('docs/OLD.md');
    expect(after.record.base.files['tests/test_health.py']).toBe(blobId(current.get('tests/test_health.py')!));
    expect(readBase(dir, after.record.base).get('Dockerfile')).toBe(current.get('Dockerfile'));
    expect(after.record.base.snapshot === undefined).toBe(useGit);
    if (useGit) expect(git(dir, 'rev-list', '--count', 'refs/pyservice/base')).toBe('2');

    // Updating again changes nothing.
    const again = await planRender(after, 'update', { answers, routes: [] }, '9.9.9');
    expect(again.files.filter((f) => f.action !== 'keep')).toEqual([]);
  });

  it('writes conflict markers where both changed the same lines, and lists them', async () => {
    const old = olderRelease();
    const dir = createProject(old, answers, useGit);
    edit(dir, 'Dockerfile', (t) => t.replace('# built by the old release', '# built by us'));
    const plan = await planRender(await findProject(dir), 'update', { answers, routes: [] }, '9.9.9');
    const dockerfile = plan.files.find((f) => f.path === 'Dockerfile')!;
    expect(dockerfile).toMatchObject({ action: 'conflict', reason: 'conflict', conflicts: 1 });
    await applyPlan(plan);
    expect(read(dir, 'Dockerfile')).toContain('<<<<<<< yours\n# built by us\n=======\n>>>>>>> create-pyservice 9.9.9\n');
    // Left for the user to resolve: the next run sees only the user's change.
    const again = await planRender(await findProject(dir), 'update', { answers, routes: [] }, '9.9.9');
    expect(again.files.find((f) => f.path === 'Dockerfile')).toMatchObject({ action: 'keep', reason: 'user-changed' });
  });
});

function readdirClean(dir: string): boolean {
  // No staging directory or backup left behind.
  return !spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout.includes('.pyservice-staging-');
}

describe('docker', () => {
  it('switches slim → distroless through the merge: the user’s Dockerfile edit survives', async () => {
    const dir = createProject(current, answers, true);
    edit(dir, 'Dockerfile', (t) => t.replace(/^(EXPOSE .*)$/m, '$1\nLABEL team="payments"'));
    const gunicorn = { ...answers, server: 'gunicorn' as const, runtime: 'distroless' as const, python: '3.13' as const };
    const plan = await planRender(await findProject(dir), 'docker', { answers: gunicorn, routes: [] }, TEST_VERSION);
    const changed = Object.fromEntries(plan.files.filter((f) => f.action !== 'keep').map((f) => [f.path, f.action]));
    expect(changed).toMatchObject({
      Dockerfile: 'merge',
      'gunicorn_config.py': 'create',
      'app/__main__.py': 'delete',
      'pyproject.toml': 'update',
      'README.md': 'update',
    });
    await applyPlan(plan);
    const dockerfile = read(dir, 'Dockerfile');
    expect(dockerfile).toContain('LABEL team="payments"');
    expect(dockerfile).toContain('FROM gcr.io/distroless/python3-debian13:nonroot AS runtime');
    expect(existsSync(join(dir, 'app/__main__.py'))).toBe(false);
    expect((await findProject(dir)).record.answers).toMatchObject({ runtime: 'distroless', server: 'gunicorn' });
  });
});

describe('add route', () => {
  it('creates the route, registers it in the user’s main.py, and later updates see it as generated', async () => {
    const dir = createProject(current, answers, false);
    edit(dir, 'app/main.py', (t) => t.replace('    app.include_router(items.router)\n', '    app.include_router(items.router)\n    app.include_router(health.router, prefix="/v1")\n'));
    const plan = await planAddRoute(await findProject(dir), 'orders', TEST_VERSION);
    expect(plan.files.map((f) => `${f.action} ${f.path}`)).toEqual([
      'update app/main.py',
      'create app/routes/orders.py',
      'create app/schemas/orders.py',
      'create app/services/orders.py',
      'create tests/test_orders.py',
    ]);
    await applyPlan(plan);
    const second = await planAddRoute(await findProject(dir), 'accounts', TEST_VERSION);
    await applyPlan(second);
    const main = read(dir, 'app/main.py');
    expect(main).toContain('from app.routes import accounts, health, items, orders\n');
    expect(main).toContain('app.include_router(health.router, prefix="/v1")\n    app.include_router(orders.router)\n    app.include_router(accounts.router)\n    # pyservice:routers');
    const project = await findProject(dir);
    expect(project.record.routes).toEqual(['orders', 'accounts']);
    // Lint-clean as a whole.
    const all = new Map(renderProject({ answers, routes: ['orders', 'accounts'] }, TEST_VERSION));
    all.set('app/main.py', main);
    expect(ruffCheck(all)).toEqual([]);
    // An update now: nothing to do, the user's own registration included.
    const update = await planRender(project, 'update', { answers, routes: project.record.routes }, TEST_VERSION);
    expect(update.files.filter((f) => f.action !== 'keep')).toEqual([]);
    await expect(planAddRoute(project, 'orders', TEST_VERSION)).rejects.toThrow(/route "orders" already exists/);
    await expect(planAddRoute(project, 'items', TEST_VERSION)).rejects.toThrow(/already exists/);
  });

  it('refuses a name whose files exist, and a main.py without its anchor', async () => {
    const dir = createProject(current, answers, false);
    writeFileSync(join(dir, 'app/routes/users.py'), '# mine\n');
    await expect(planAddRoute(await findProject(dir), 'users', TEST_VERSION)).rejects.toThrow(/in the way/);
    edit(dir, 'app/main.py', (t) => t.replace(/^.*# pyservice:routers.*\n/m, ''));
    await expect(planAddRoute(await findProject(dir), 'orders', TEST_VERSION)).rejects.toThrow(/# pyservice:routers/);
  });
});

describe('the writer applies all or nothing', () => {
  it('restores every original when a move fails half-way (a removed file, a replaced one, a new one)', () => {
    const dir = join(tmp, 'atomic');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'keep.txt'), 'original\n', { mode: 0o750 });
    writeFileSync(join(dir, 'sub/gone.txt'), 'still here\n');
    const writes = new Map([
      ['keep.txt', 'replaced\n'],
      ['new/a.txt', 'new\n'],
      ['z.txt', 'last\n'],
    ]);
    let moves = 0;
    const failAtThirdMove = (step: string) => {
      if (step === 'move' && ++moves === 3) throw Object.assign(new Error('disk on fire'), { code: 'EIO' });
    };
    expect(() => applyChanges({ root: dir, writes, deletes: ['sub/gone.txt'] }, { onStep: failAtThirdMove })).toThrow(/input\/output error[\s\S]*everything was put back as it was/);
    expect(read(dir, 'keep.txt')).toBe('original\n');
    expect(statSync(join(dir, 'keep.txt')).mode & 0o777).toBe(0o750);
    expect(read(dir, 'sub/gone.txt')).toBe('still here\n');
    expect(existsSync(join(dir, 'new'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['keep.txt', 'sub']); // no staging directory or lock left

    // The same changes without the failure: applied, and the replaced file keeps its mode.
    applyChanges({ root: dir, writes, deletes: ['sub/gone.txt'] });
    expect(read(dir, 'keep.txt')).toBe('replaced\n');
    expect(statSync(join(dir, 'keep.txt')).mode & 0o777).toBe(0o750);
    expect(readdirSync(dir).sort()).toEqual(['keep.txt', 'new', 'z.txt']); // sub/ held only the removed file
  });

  it('refuses to write through a link or over a directory, touching nothing', async () => {
    const dir = createProject(olderRelease(), answers, false);
    rmSync(join(dir, 'Dockerfile'));
    mkdirSync(join(dir, 'Dockerfile'));
    await expect(planRender(await findProject(dir), 'update', { answers, routes: [] }, '9.9.9')).rejects.toThrow(/Dockerfile: it is no longer a regular file/);
  });

  it('refuses when the record changed since the plan', async () => {
    const dir = createProject(olderRelease(), answers, false);
    const plan = await planRender(await findProject(dir), 'update', { answers, routes: [] }, '9.9.9');
    edit(dir, RECORD_FILE, (t) => t.replace('"routes": []', '"routes": [ ]'));
    await expect(applyPlan(plan)).rejects.toThrow(/changed while this command ran/);
    expect(parseRecord(read(dir, RECORD_FILE)).version).toBe(TEST_VERSION);
  });
});

describe('versions', () => {
  it('compares releases', () => {
    expect(compareVersions('0.2.0', '0.1.9')).toBe(1);
    expect(compareVersions('0.10.0', '0.9.0')).toBe(1);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
  });

  it('refuses a project rendered by a newer release', async () => {
    const dir = createProject(current, answers, false);
    await expect(planRender(await findProject(dir), 'update', { answers, routes: [] }, '0.0.1')).rejects.toThrow(/newer than this 0.0.1/);
  });
});
