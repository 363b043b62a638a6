/**
 * The logic of `npm run verify` that needs no harness: its command line (PATTERN, --list), the
 * check units and what a pattern selects, the cache keys (real renders of the real templates:
 * what a template change re-runs), the runner reusing what passed (a real cache directory), the
 * harness fingerprint, and the time table. The end-to-end --list runs the real launcher.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { validCombinations } from '../../src/model/compat.js';
import { STATIC_DEFAULTS } from '../../src/model/options.js';
import { renderService } from '../../src/render/render.js';
import { matches, parseArgs, unmatched, UsageError } from '../../scripts/lib/verify/args.js';
import { cacheDir, harnessFingerprint, sha256, UnitCache } from '../../scripts/lib/verify/cache.js';
import { checks, defaults, presetId, record, setCheckOutput, type Choices } from '../../scripts/lib/verify/context.js';
import { presets, runUnits, select, unitKey, units, type RunContext, type Unit } from '../../scripts/lib/verify/plan.js';
import { timeTable } from '../../scripts/lib/verify/times.js';
import { bundleOptions } from '../../scripts/lib/verify/bundle-options.mjs';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// The runner's PASS/FAIL lines are a verify run's output, not this test file's (a FAIL line here is a planted failure).
setCheckOutput(() => undefined);
const tmp = mkdtempSync(join(tmpdir(), 'pyservice-verify-plan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// Whatever these tests start never touches the machine's real harness lock.
process.env.PYSERVICE_HARNESS_LOCK = join(tmp, 'default.lock');

/** A run context whose projects are real renders; `edit` changes the rendered files as a template change would. */
function renderContext(edit: (path: string, text: string) => string = (_, text) => text, living = 'release'): RunContext {
  const cache = new Map<string, Map<string, string>>();
  return {
    work: join(tmp, 'work'),
    project(choices: Choices) {
      const id = presetId(choices);
      if (!cache.has(id)) {
        const files = renderService({ ...STATIC_DEFAULTS, name: 'service', author: null, ...choices }, '0.0.0');
        cache.set(id, new Map([...files].map(([path, text]) => [path, edit(path, text)])));
      }
      return { dir: join(tmp, id), files: cache.get(id)! };
    },
    livingInputs: () => sha256(living),
    living: async () => undefined,
  scaffoldInGit: () => false,
  };
}

describe('npm run verify: command line and units', () => {
  it('PATTERN selects by substring, or as a glob with *, several as a union; --list; a bad option is a usage error', () => {
    expect(parseArgs(['py314', '--list'])).toEqual({ patterns: ['py314'], list: true, help: false });
    expect(() => parseArgs(['--fast'])).toThrow(UsageError);
    expect(() => parseArgs([''])).toThrow(/empty PATTERN/);
    expect(matches('image:py314-slim-venv-uvicorn:podman', ['py314-slim'])).toBe(true);
    expect(matches('image:py314-slim-venv-uvicorn:podman', ['image:*:buildkit'])).toBe(false);
    expect(matches('image:py314-slim-venv-uvicorn:buildkit', ['image:*:buildkit'])).toBe(true);
    expect(matches('living', ['nolock', 'living'])).toBe(true);
    expect(matches('anything', [])).toBe(true);
    expect(unmatched(['living', 'pyright'], ['liv', 'nope'])).toEqual(['nope']);
  });

  it('every preset has a project unit and an image unit per engine (BuildKit only on a stand-in Python), ids are unique, gunicorn at 3.14 is built too', () => {
    const all = units();
    const ids = all.map((u) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const preset of presets()) {
      const engines = ['3.11', '3.12'].includes(preset.choices.python) ? ['buildkit'] : ['buildkit', 'podman'];
      for (const id of [`project:${preset.id}`, ...engines.map((e) => `image:${preset.id}:${e}`)]) expect(ids).toContain(id);
    }
    // The database presets: slim and distroless, uvicorn and gunicorn, 3.13 and 3.14, each tested and built; add db once.
    const db = ids.filter((id) => id.startsWith('db-image:')).map((id) => id.split(':')[1]!);
    for (const want of ['-slim-', '-distroless-', 'py313-', 'py314-', '-venv-', '-wheels-', '-uvicorn-postgres', '-gunicorn-postgres']) expect(db.some((id) => id.includes(want))).toBe(true);
    for (const id of db) expect(ids).toContain(`project:${id}`);
    expect(ids).toContain('add-db');
    for (const combo of validCombinations()) expect(ids).toEqual(expect.arrayContaining([`static:${presetId(combo)}`, `lint:${presetId(combo)}`]));
    const gunicorn314 = presets().filter((p) => p.choices.python === '3.14' && p.choices.server === 'gunicorn');
    expect(gunicorn314.length).toBeGreaterThan(0);
    for (const p of gunicorn314) expect(ids).toContain(`image:${p.id}:podman`);
    for (const unit of all) expect(unit.what).not.toMatch(/\n/);
  });

  it('a pattern selects its units plus what they need, in run order', () => {
    const picked = select(units(), ['bad-cases']).map((u) => u.id);
    expect(picked).toEqual([`image:${presetId(defaults)}:podman`, 'bad-cases']);
    expect(select(units(), ['image:py313-slim-venv-uvicorn:*']).map((u) => u.id)).toEqual([
      'image:py313-slim-venv-uvicorn:buildkit',
      'image:py313-slim-venv-uvicorn:podman',
    ]);
  });
});

describe('npm run verify: cache keys', () => {
  const common = sha256('code', 'harness', 'node');
  const keys = (ctx: RunContext, base = common) => new Map(units().map((u) => [u.id, unitKey(u, ctx, base)]));

  it('a change to one template re-runs only the units whose rendered files it changes', () => {
    const before = keys(renderContext());
    // As if templates/service/gunicorn_config.py.ejs had changed: only gunicorn projects have that file.
    const after = keys(renderContext((path, text) => (path === 'gunicorn_config.py' ? `${text}# changed\n` : text)));
    const changed = [...before.keys()].filter((id) => before.get(id) !== after.get(id));
    const gunicornPresets = validCombinations().filter((c) => c.server === 'gunicorn').map(presetId);
    expect(changed.length).toBeGreaterThan(0);
    for (const id of changed) expect(id === 'pyright' || gunicornPresets.some((p) => id.includes(`:${p}`))).toBe(true);
    for (const p of gunicornPresets) expect(changed).toContain(`static:${p}`);
    // The default preset (uvicorn) and everything built from it keep their keys.
    for (const id of [`image:${presetId(defaults)}:podman`, 'nolock:podman', 'make-lock', 'bad-cases']) expect(changed).not.toContain(id);
    expect(before.get('matrix')).toBeUndefined(); // cheap, never reused
  });

  it('the engine, the harness/code/Node part and the living inputs each change the key', () => {
    const ctx = renderContext();
    const base = keys(ctx);
    const id = presetId(defaults);
    expect(base.get(`image:${id}:buildkit`)).not.toBe(base.get(`image:${id}:podman`));
    const otherHarness = keys(ctx, sha256('code', 'harness after setup.sh rebuilt an image', 'node'));
    for (const [unit, key] of base) if (key !== undefined) expect(otherHarness.get(unit)).not.toBe(key);
    expect(keys(renderContext(undefined, 'next dist/'))).not.toEqual(base);
  });

  it('the harness fingerprint follows its scripts and index views, not its README', () => {
    const harness = join(tmp, 'harness');
    const home = join(tmp, 'home');
    mkdirSync(join(home, 'index', 'packages'), { recursive: true });
    mkdirSync(join(home, 'state'), { recursive: true });
    mkdirSync(harness, { recursive: true });
    writeFileSync(join(harness, 'build-and-run.sh'), 'echo v1\n');
    writeFileSync(join(harness, 'README.md'), 'docs\n');
    writeFileSync(join(home, 'index', 'index.json'), '{}');
    const wheel = join(home, 'index', 'packages', 'fastapi-0.115.11-py3-none-any.whl');
    writeFileSync(wheel, 'wheel');
    writeFileSync(join(home, 'state', 'base-images.txt'), 'python:3.13-slim sha256:1\n');
    const first = harnessFingerprint(harness, home);
    writeFileSync(join(harness, 'README.md'), 'more docs\n');
    expect(harnessFingerprint(harness, home)).toBe(first);
    writeFileSync(join(harness, 'build-and-run.sh'), 'echo v2\n');
    const second = harnessFingerprint(harness, home);
    expect(second).not.toBe(first);
    utimesSync(wheel, new Date(), new Date(Date.now() + 5000));
    const third = harnessFingerprint(harness, home);
    expect(third).not.toBe(second);
    writeFileSync(join(home, 'state', 'base-images.txt'), 'python:3.13-slim sha256:2\n');
    expect(harnessFingerprint(harness, home)).not.toBe(third);
  });
});

describe('npm run verify: reusing what passed', () => {
  /** A unit that records one check per run and counts its runs. */
  function unit(id: string, inputs: () => string | undefined, ok = () => true, extra: Partial<Unit> = {}): Unit & { runs: number } {
    const u = {
      id,
      what: id,
      runs: 0,
      inputs,
      async run() {
        u.runs++;
        record(extra.preset ?? id, `${id} check`, ok(), '');
        return { facts: id };
      },
      ...extra,
    };
    return u;
  }
  const ctx = renderContext();

  it('outside CI a passed unit is reused by the next run; a changed input or a failure runs again', async () => {
    const dir = join(tmp, 'cache-local');
    let input = 'a';
    let passes = false;
    const a = unit('a', () => input);
    const b = unit('b', () => 'b', () => passes);
    const c = unit('c', () => undefined);
    const first = await runUnits([a, b, c], ctx, new UnitCache(dir), 'common');
    expect(first).toMatchObject({ ran: 3, reused: 0 });
    const second = await runUnits([a, b, c], ctx, new UnitCache(dir), 'common');
    expect(second).toMatchObject({ ran: 2, reused: 1, reusedChecks: 1 });
    expect([a.runs, b.runs, c.runs]).toEqual([1, 2, 2]);
    expect(checks.at(-3)).toMatchObject({ preset: 'a', name: 'a check', reused: true });
    input = 'a2';
    passes = true;
    await runUnits([a, b], ctx, new UnitCache(dir), 'common');
    expect([a.runs, b.runs]).toEqual([2, 3]);
    await runUnits([a, b], ctx, new UnitCache(dir), 'common');
    expect([a.runs, b.runs]).toEqual([2, 3]);
    // Another harness, code or Node: nothing is reused.
    await runUnits([a, b], ctx, new UnitCache(dir), 'common after a harness change');
    expect([a.runs, b.runs]).toEqual([3, 4]);
    // A damaged entry is a miss, not a crash.
    for (const file of readdirSync(dir)) writeFileSync(join(dir, file), '{not json');
    await runUnits([a], ctx, new UnitCache(dir), 'common');
    expect(a.runs).toBe(4);
  });

  it('CI=true writes nothing and reuses nothing from an earlier run', async () => {
    expect(cacheDir(REPO, { CI: 'true' })).toBeUndefined();
    expect(cacheDir(REPO, { CI: 'false' })).toBe(join(REPO, 'node_modules', '.cache', 'create-pyservice', 'verify'));
    const a = unit('ci-a', () => 'same');
    await runUnits([a], ctx, new UnitCache(undefined), 'common');
    await runUnits([a], ctx, new UnitCache(undefined), 'common');
    expect(a.runs).toBe(2);
  });

  it('identical build contexts are built once per run (CI too), their results reported under each preset', async () => {
    const one = unit('image:p1:podman', () => 'same context', undefined, { preset: 'p1', sharedKey: true });
    const two = unit('image:p2:podman', () => 'same context', undefined, { preset: 'p2', sharedKey: true });
    const other = unit('image:p3:buildkit', () => 'same context', undefined, { preset: 'p3', sharedKey: true });
    const summary = await runUnits([one, two, other], ctx, new UnitCache(undefined), 'common');
    expect([one.runs, two.runs, other.runs]).toEqual([1, 0, 1]);
    expect(summary).toMatchObject({ ran: 2, reused: 1 });
    expect(checks.filter((c) => c.name === 'image:p1:podman check').map((c) => c.preset)).toEqual(['p1', 'p2']);
  });
});

describe('npm run verify: the end of a run', () => {
  it('prints each phase, slowest first, with what is left over and the total', () => {
    const table = timeTable(100, new Map([['pyright', { seconds: 10, count: 1 }], ['build + run: podman', { seconds: 60, count: 12 }]]));
    const lines = table.split('\n');
    expect(lines[2]).toBe('| build + run: podman | 12 | 60.0 s | 60 % |');
    expect(lines[3]).toBe('| pyright | 1 | 10.0 s | 10 % |');
    expect(table).toContain('| other (hashing inputs, bookkeeping) | | 30.0 s | |');
    expect(lines.at(-1)).toBe('| **total** | | **100.0 s** | |');
  });
});

describe('npm run verify --list (the real launcher)', () => {
  const launch = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [join(REPO, 'scripts', 'lib', 'verify', 'launch.mjs'), ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });

  it('prints every id with one line of what it proves, without the harness and without waiting for the lock', async () => {
    const lock = join(tmp, 'held.lock');
    const holder = spawn('flock', [lock, 'sh', '-c', 'echo HELD; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((done) => holder.stdout.once('data', () => done()));
    try {
      const listed = launch(['--list'], { PYSERVICE_HARNESS: join(tmp, 'no-harness'), PYSERVICE_HARNESS_LOCK: lock });
      expect(listed.stderr).toBe('');
      expect(listed.status).toBe(0);
      const lines = listed.stdout.trim().split('\n');
      expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(units().map((u) => u.id));
      for (const line of lines) expect(line).toMatch(/^\S+\s+\S.{20,}$/);
      const some = launch(['--list', 'living'], { PYSERVICE_HARNESS_LOCK: lock });
      expect(some.stdout).toMatch(/^living\s+a project lived/);
    } finally {
      holder.stdin.end();
    }
    expect(readdirSync(REPO).filter((name) => name.startsWith('.verify-'))).toEqual([]);
  });

  it('a pattern that matches nothing, or an unknown option, is refused in one line with exit 2', () => {
    const none = launch(['py399'], {});
    expect(none.status).toBe(2);
    expect(none.stderr).toBe('npm run verify: no check id matches "py399"; npm run verify -- --list prints every id. Nothing was checked.\n');
    const bad = launch(['--fast'], {});
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the verify bundle', () => {
  // launch.mjs bundles scripts/verify.ts into .verify-XXXXXX/ at the top of the repository; its pyright unit
  // renders every combination there, reading templates/ from the disk (CI failed once: it looked for
  // ../templates relative to the bundle, one level above the repository).
  it('renders the service from where launch.mjs writes it, as the sources do', async () => {
    const { build } = await import('esbuild');
    const dir = mkdtempSync(join(REPO, '.verify-'));
    try {
      await build(bundleOptions({ render: join(REPO, 'src', 'render', 'render.ts') }, dir, '0.0.0-test'));
      const bundled = (await import(join(dir, 'render.js'))) as { renderService: typeof renderService };
      const answers = { ...STATIC_DEFAULTS, ...defaults, name: 'svc', description: 'x', author: { name: '', email: '' }, poetryVersion: '2.3.4' } as Parameters<typeof renderService>[0];
      const fromBundle = bundled.renderService(answers, '0.0.0-test');
      expect([...fromBundle.keys()]).toEqual([...renderService(answers, '0.0.0-test').keys()]);
      expect(fromBundle.get('Dockerfile')).toContain('FROM ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
