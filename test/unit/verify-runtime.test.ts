/**
 * Issue #21's running-image checks of `npm run verify` (scripts/lib/verify/runtime.ts,
 * deps-added.ts, project.ts's hostile .env), the parts that need no harness: the units and what
 * they need, their keys, and the judges of their results against real renders of today's
 * templates (which these checks must fail) and against output that meets the contract.
 */
import { describe, expect, it } from 'vitest';
import { STATIC_DEFAULTS } from '../../src/model/options.js';
import { renderService } from '../../src/render/render.js';
import { sha256 } from '../../scripts/lib/verify/cache.js';
import { PROXY_ENV, proxyArgs } from '../../scripts/lib/verify/container.js';
import { checks, defaults, presetId, setCheckOutput, type Choices } from '../../scripts/lib/verify/context.js';
import { addDependency, ADDED_DEPENDENCY } from '../../scripts/lib/verify/deps-added.js';
import { presets, select, unitKey, units, type RunContext } from '../../scripts/lib/verify/plan.js';
import { HOSTILE_ENV } from '../../scripts/lib/verify/project.js';
import { containerPort, HARDENED, healthcheckLine, logProblems, startIntervalCheck } from '../../scripts/lib/verify/runtime.js';

setCheckOutput(() => undefined);

const render = (choices: Choices) => renderService({ ...STATIC_DEFAULTS, name: 'service', author: null, ...choices }, '0.0.0');

function ctxOf(edit: (path: string, text: string) => string = (_, t) => t): RunContext {
  return {
    work: '/nonexistent',
    project: (choices) => ({ dir: '/nonexistent', files: new Map([...render(choices)].map(([p, t]) => [p, edit(p, t)])) }),
    livingInputs: () => sha256('release'),
    living: async () => undefined,
    scaffoldInGit: () => false,
  };
}

describe('verify: issue #21 units', () => {
  it('every preset on a real Python gets a hardened run per engine (after its image unit); the hostile .env is in its project unit; the dependency-added unit runs for wheels and venv under both engines', () => {
    const all = units();
    const ids = all.map((u) => u.id);
    for (const preset of presets()) {
      expect(ids).toContain(`project:${preset.id}`);
      expect(all.find((u) => u.id === `project:${preset.id}`)?.what).toContain('hostile .env');
      // Stand-in Pythons (3.11, 3.12 are 3.13 under another tag) are built by BuildKit only, and not served hardened.
      const real = ['3.13', '3.14', '3.15'].includes(preset.choices.python);
      expect(ids.filter((id) => id.startsWith(`image:${preset.id}:`))).toEqual(real ? [`image:${preset.id}:buildkit`, `image:${preset.id}:podman`] : [`image:${preset.id}:buildkit`]);
      if (!real) expect(ids.filter((id) => id.startsWith(`runtime:${preset.id}:`))).toEqual([]);
      for (const engine of real ? ['buildkit', 'podman'] : []) {
        const unit = all.find((u) => u.id === `runtime:${preset.id}:${engine}`);
        expect(unit?.needs).toEqual([`image:${preset.id}:${engine}`]);
        expect(ids.indexOf(`runtime:${preset.id}:${engine}`)).toBeGreaterThan(ids.indexOf(`image:${preset.id}:${engine}`));
      }
    }
    for (const deps of ['wheels', 'venv'] as const) {
      const id = presetId({ ...defaults, runtime: 'slim', deps });
      for (const engine of ['buildkit', 'podman']) expect(ids).toContain(`deps-added:${id}:${engine}`);
    }
    const id = presetId(defaults);
    expect(select(all, [`runtime:${id}:podman`]).map((u) => u.id)).toEqual([`image:${id}:podman`, `runtime:${id}:podman`]);
  });

  it('their keys follow the engine and the preset\'s rendered files only', () => {
    const common = sha256('code', 'harness', 'node');
    const keys = (ctx: RunContext) => new Map(units().map((u) => [u.id, unitKey(u, ctx, common)]));
    const before = keys(ctxOf());
    const id = presetId(defaults);
    expect(before.get(`runtime:${id}:podman`)).not.toBe(before.get(`runtime:${id}:buildkit`));
    const after = keys(ctxOf((path, text) => (path === 'gunicorn_config.py' ? `${text}# changed\n` : text)));
    for (const unit of ['runtime', 'project', 'deps-added']) {
      for (const [uid, key] of before) {
        if (!uid.startsWith(`${unit}:`)) continue;
        expect(after.get(uid) !== key).toBe(uid.includes('gunicorn'));
      }
    }
  });
});

describe('verify: issue #21 judges', () => {
  it('a fresh container turns healthy fast: HEALTHCHECK every 10 s without --start-interval, 1 s start interval in compose and CI', () => {
    const files = render(defaults);
    const dockerfile = files.get('Dockerfile')!;
    expect(healthcheckLine(dockerfile)).toMatch(/^HEALTHCHECK .*CMD/);
    const before = checks.length;
    const withDockerfile = (text: string) => new Map([...files, ['Dockerfile', text]]);
    expect(startIntervalCheck('t', files)).toBe(true);
    expect(startIntervalCheck('t', withDockerfile(dockerfile.replace('--interval=10s', '--interval=30s')))).toBe(false);
    expect(startIntervalCheck('t', withDockerfile(dockerfile.replace('HEALTHCHECK ', 'HEALTHCHECK --start-interval=1s ')))).toBe(false);
    expect(startIntervalCheck('t', new Map([...files, ['compose.yaml', files.get('compose.yaml')!.replace('start_interval: 1s', 'start_interval: 5s')]]))).toBe(false);
    expect(startIntervalCheck('t', withDockerfile('FROM scratch\n'))).toBe(false);
    expect(checks.slice(before).map((c) => c.ok)).toEqual([true, false, false, false, false]);
    expect(containerPort(dockerfile)).toBe(8000);
  });

  it("logs: uvicorn's text lines fail; JSON objects with every key and an access line with the sent id pass", () => {
    const rid = 'verify-abc';
    expect(logProblems('INFO:     Started server process [1]\nINFO:     127.0.0.1:1 - "GET /health HTTP/1.1" 200 OK\n', rid).length).toBeGreaterThan(0);
    const line = (extra: Record<string, unknown>) => JSON.stringify({ time: 't', level: 'INFO', logger: 'uvicorn.error', message: 'm', request_id: null, ...extra });
    const access = line({ logger: 'uvicorn.access', method: 'GET', path: '/health', status: 200, request_id: rid });
    expect(logProblems(`${line({})}\n\n${access}\n`, rid)).toEqual([]);
    expect(logProblems(`${line({})}\n${access}\nplain text\n`, rid)).toEqual(['not JSON: plain text']);
    expect(logProblems(`${line({})}\n`, rid)).toEqual([`no access line (method, path, status) with request_id "${rid}"`]);
    expect(logProblems(`${access.replace(rid, 'other')}\n`, rid)).toHaveLength(1);
    expect(logProblems(`${JSON.stringify({ message: 'm' })}\n${access}\n`, rid)[0]).toMatch(/^no time, level, logger, request_id/);
    expect(logProblems('[1, 2]\n', rid)[0]).toMatch(/^not a JSON object/);
    expect(logProblems('', rid)).toContain('no log lines at all');
  });

  it("a dependency is added to today's pyproject.toml [project] dependencies, nowhere else", () => {
    const pyproject = render({ ...defaults, deps: 'wheels' }).get('pyproject.toml')!;
    const added = addDependency(pyproject, ADDED_DEPENDENCY.requirement)!;
    const deps = /^dependencies = \[\n([\s\S]*?)^\]/m.exec(added)![1]!;
    expect(deps).toContain(`    "${ADDED_DEPENDENCY.requirement}",\n`);
    expect(added.replace(`    "${ADDED_DEPENDENCY.requirement}",\n`, '')).toBe(pyproject);
    expect(addDependency('[project]\nname = "x"\n', 'mdurl')).toBeUndefined();
  });

  it('the hardened flags, the proxy variables and the hostile values are the ones issue #21 names', () => {
    expect(HARDENED.join(' ')).toBe('--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges');
    expect(PROXY_ENV.map((kv) => kv.split('=')[0])).toEqual(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY']);
    expect(proxyArgs().filter((a) => a === '--env')).toHaveLength(5);
    expect(HOSTILE_ENV).toEqual({ PORT: '80800', LOG_LEVEL: 'LOUD', LOG_FORMAT: 'xml' });
  });
});
