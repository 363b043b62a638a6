/**
 * The generated service in production (issue #21), checked with a real CPython
 * on the generated files, standard library only (what `npm test` has):
 * - the container's health probe talks to 127.0.0.1 past any proxy, imports
 *   nothing of the app, and fails with one line on a bad PORT;
 * - the logging module writes one JSON object per line (or text) with the
 *   request id that its ASGI middleware takes from X-Request-ID or makes, and
 *   returns in the response;
 * - importing the app reads no settings, the servers stop inside `docker
 *   stop`'s budget, gunicorn reads the app's settings and opens no control socket;
 * - every import of app/ and gunicorn_config.py is a declared dependency, with
 *   uvicorn/uvicorn-worker ranges that can only lock a pair that boots;
 * - `make test` measures coverage against a floor.
 * What needs FastAPI or pydantic is proven by the generated project's own tests
 * (tests/test_server.py starts the real server), run on real Python by the harness.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { COVERAGE_FLOOR, renderService } from '../../src/render/render.js';
import { VERSIONS } from '../../src/model/versions.js';
import { pythonPath } from '../helpers/checks.js';
import { label, SUPPORTED } from '../helpers/matrix.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const python = pythonPath();
const root = mkdtempSync(join(tmpdir(), 'pyservice-production-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Write the rendered files whose path passes `keep` into a new directory. */
function writeProject(files: ReadonlyMap<string, string>, keep: (path: string) => boolean): string {
  const dir = mkdtempSync(join(root, 'project-'));
  for (const [path, content] of files) {
    if (!keep(path)) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run python asynchronously (the test's own HTTP server must keep answering meanwhile). */
function runPython(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { cwd, env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

async function listen(status: number): Promise<{ server: Server; port: number; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    response.writeHead(request.url === '/health' ? status : 404).end('{}');
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { server, port: (server.address() as AddressInfo).port, paths };
}

const proxies = (url: string) =>
  Object.fromEntries(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'].map((name) => [name, url]));

describe('app/healthcheck.py', () => {
  const files = renderService(defaultAnswers({ port: 8123 }), TEST_VERSION);
  const project = writeProject(files, (path) => path.startsWith('app/'));

  it('probes a healthy app on 127.0.0.1:$PORT/health past every proxy variable', async () => {
    const { server, port, paths } = await listen(200);
    // A "proxy" that answers 503 to everything: going through it would fail the probe.
    const proxy = await listen(503);
    try {
      const result = await runPython(['-m', 'app.healthcheck'], project, { PORT: String(port), ...proxies(`http://127.0.0.1:${proxy.port}`) });
      expect(result).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(paths).toEqual(['/health']);
      expect(proxy.paths).toEqual([]);
    } finally {
      server.close();
      proxy.server.close();
    }
  }, 60_000);

  it('fails an unhealthy app with one line on stderr', async () => {
    const { server, port } = await listen(503);
    try {
      const result = await runPython(['-m', 'app.healthcheck'], project, { PORT: String(port) });
      expect(result).toEqual({ status: 1, stdout: '', stderr: `app.healthcheck: GET http://127.0.0.1:${port}/health answered 503\n` });
    } finally {
      server.close();
    }
  }, 60_000);

  it.each(['http', '0', '65536', '80800', '1.5'])('PORT=%s: exit 1 with one line naming PORT', async (value) => {
    const result = await runPython(['-m', 'app.healthcheck'], project, { PORT: value });
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: `app.healthcheck: PORT='${value}' is not a port number (1-65535); set PORT to the port the app listens on\n`,
    });
  }, 60_000);

  it('defaults to the generated port when PORT is unset or empty', async () => {
    for (const env of [{}, { PORT: '' }]) {
      const result = await runPython(['-c', 'from app.healthcheck import port_from_environment as p; print(p())'], project, env);
      expect(result).toEqual({ status: 0, stdout: '8123\n', stderr: '' });
    }
  }, 60_000);

  it('imports nothing of the app: the standard library and app/__init__.py only', async () => {
    const script = [
      'import sys',
      'before = set(sys.modules)',
      'import app.healthcheck',
      'new = sorted(m for m in set(sys.modules) - before if m.split(".")[0] not in sys.stdlib_module_names)',
      'print(new)',
    ].join('\n');
    const result = await runPython(['-c', script], project, {});
    expect(result).toEqual({ status: 0, stdout: "['app', 'app.healthcheck']\n", stderr: '' });
  }, 60_000);
});

/** Drives app/core/logs.py's middleware with an inner ASGI app that logs as uvicorn does. */
const LOGS_DRIVER = `
import asyncio, json, logging, sys
from app.core.logs import RequestIdMiddleware, configure_logging, request_id

configure_logging(sys.argv[1], sys.argv[2])
access = logging.getLogger("uvicorn.access")

async def inner(scope, receive, send):
    logging.getLogger("app.items").warning("handling %s", scope["path"])
    # uvicorn writes its access line when the response starts, inside the request.
    access.info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", scope["method"], scope["path"], "1.1", 201)
    await send({"type": "http.response.start", "status": 201, "headers": [(b"x-request-id", b"inner")]})
    await send({"type": "http.response.body", "body": b""})

async def request(header):
    sent = []
    async def send(message):
        sent.append(message)
    async def receive():
        return {"type": "http.request"}
    headers = [] if header is None else [(b"X-Request-ID", header.encode("latin-1"))]
    await RequestIdMiddleware(inner)({"type": "http", "method": "POST", "path": "/items", "headers": headers}, receive, send)
    return [value.decode() for name, value in sent[0]["headers"] if name == b"x-request-id"]

logging.getLogger("uvicorn.error").info("started")
returned = [asyncio.run(request(h)) for h in json.loads(sys.argv[3])]
logging.getLogger("uvicorn.error").info("stopped, id now %s", request_id.get())
print(json.dumps(returned))
`;

describe('app/core/logs.py', () => {
  const files = renderService(defaultAnswers(), TEST_VERSION);
  const project = writeProject(files, (path) => ['app/__init__.py', 'app/core/__init__.py', 'app/core/logs.py'].includes(path));
  const drive = (level: string, format: string, headers: (string | null)[]) =>
    runPython(['-c', LOGS_DRIVER, level, format, JSON.stringify(headers)], project, {});

  it('LOG_FORMAT=json: one JSON object per line, each with the request id; access lines with method, path, status', async () => {
    const sent = ['checkout-42', null, 'x'.repeat(129), 'café', 'tab\there', 'x'.repeat(128)];
    const result = await drive('INFO', 'json', sent);
    expect(result.status, result.stderr).toBe(0);
    const returned = (JSON.parse(result.stdout) as string[][]).map((ids) => {
      expect(ids).toHaveLength(1);
      return ids[0]!;
    });
    expect(returned[0]).toBe('checkout-42');
    expect(returned[5]).toBe('x'.repeat(128));
    for (const generated of returned.slice(1, 5)) expect(generated).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(returned).size).toBe(returned.length);

    const lines = result.stderr.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2 + 2 * sent.length);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(expect.arrayContaining(['time', 'level', 'logger', 'message', 'request_id']));
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    }
    expect(lines[0]).toMatchObject({ level: 'info', logger: 'uvicorn.error', message: 'started', request_id: null });
    expect(lines.at(-1)).toMatchObject({ message: 'stopped, id now None', request_id: null });
    returned.forEach((id, index) => {
      expect(lines[1 + 2 * index]).toMatchObject({ level: 'warning', logger: 'app.items', message: 'handling /items', request_id: id });
      expect(lines[2 + 2 * index]).toMatchObject({
        logger: 'uvicorn.access',
        message: '10.0.0.1:5000 - "POST /items HTTP/1.1" 201',
        request_id: id,
        method: 'POST',
        path: '/items',
        status: 201,
      });
    });
  }, 60_000);

  it('LOG_FORMAT=text: readable lines with the request id in brackets; the level filters', async () => {
    const result = await drive('warning', 'text', ['abc']);
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING app\.items \[abc\] handling \/items$/);
  }, 60_000);
});

describe.each(['uvicorn', 'gunicorn'] as const)('%s project', (server) => {
  const files = renderService(defaultAnswers({ server }), TEST_VERSION);
  const config = files.get('app/core/config.py')!;

  it('builds app.main:app on first use: no module-level statement of app/ reads the settings or builds the app', () => {
    for (const [path, content] of files) {
      if (!path.startsWith('app/') || !path.endsWith('.py')) continue;
      const moduleLevel = content.replace(/"""[\s\S]*?"""/g, '""').split('\n').filter((line) => /^[A-Za-z_]/.test(line) && !/^(def|async def|class|from|import|@)\b/.test(line));
      expect(moduleLevel.filter((line) => /create_app\(|get_settings\(|load_settings\(|Settings\(|served_app\(/.test(line)), path).toEqual([]);
    }
    expect(files.get('app/main.py')).toMatch(/^def __getattr__\(name: str\) -> FastAPI:\n(.*\n)*? {8}return served_app\(\)$/m);
  });

  it('accepts LOG_LEVEL and LOG_FORMAT in any case, and has LOG_FORMAT default to text', () => {
    expect(config).toContain('    log_format: LogFormat = "text"\n');
    expect(config).toContain('@field_validator("log_level", "log_format", mode="before")');
    expect(config).toMatch(/return value\.strip\(\)\.lower\(\) if isinstance\(value, str\) else value/);
  });

  it('isolates every test from .env and the environment (an autouse fixture)', () => {
    const conftest = files.get('tests/conftest.py')!;
    expect(conftest).toMatch(/@pytest\.fixture\(autouse=True\)\ndef isolated_settings/);
    expect(conftest).toContain('monkeypatch.setitem(Settings.model_config, "env_file", None)');
    expect(conftest).toContain('if name.lower() in fields:');
    expect(files.has('tests/settings.py')).toBe(false);
  });

  it('stops inside docker stop\'s 10 s: a graceful timeout of 5 s, and JSON logging wired into the server', () => {
    if (server === 'uvicorn') {
      expect(config).toContain('    timeout_graceful_shutdown: int = Field(default=5, ge=1)\n');
      const main = files.get('app/__main__.py')!;
      expect(main).toContain('timeout_graceful_shutdown=settings.timeout_graceful_shutdown,');
      expect(main).toContain('log_config=log_config(settings.log_level, settings.log_format),');
      expect(main).toContain('signal.signal(signal.SIGTERM, stopped)');
    } else {
      expect(config).toContain('    graceful_timeout: int = Field(default=5, ge=1)\n');
      const gunicorn = files.get('gunicorn_config.py')!;
      expect(gunicorn).toContain('\nsettings = load_settings()\n');
      expect(gunicorn).toContain('\ngraceful_timeout = settings.graceful_timeout\n');
      expect(gunicorn).toContain('\nlogconfig_dict = log_config(settings.log_level, settings.log_format)\n');
      // The setting gunicorn 26.2.2 defines (config.py, ControlSocketDisable); gunicorn 23 ignores unknown names.
      expect(gunicorn).toContain('\ncontrol_socket_disable = True\n');
      expect(gunicorn).not.toContain('os.environ');
    }
  });
});

/** Top-level module names imported anywhere in a Python file (absolute imports only). */
function importedModules(source: string): string[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/^[ \t]*from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b/gm)) names.add(match[1]!.split('.')[0]!);
  for (const match of source.matchAll(/^[ \t]*import[ \t]+([\w., \t]+?)[ \t]*(?:#.*)?$/gm)) {
    for (const part of match[1]!.split(',')) names.add(part.trim().split(/[ \t]/)[0]!.split('.')[0]!);
  }
  // Classes gunicorn imports by name (worker_class = "package.Class").
  for (const match of source.matchAll(/^worker_class = "([\w]+)\./gm)) names.add(match[1]!);
  return [...names];
}

const stdlib = new Set(
  spawnSync(python, ['-c', 'import sys; print("\\n".join(sorted(sys.stdlib_module_names)))'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean),
);

describe.each(SUPPORTED.map((combo) => [label(combo), combo] as const))('%s: declared dependencies', (_label, combo) => {
  const files = renderService(defaultAnswers(combo), TEST_VERSION);
  const pyproject = parseToml(files.get('pyproject.toml')!) as any;
  const declared: string[] = pyproject.project.dependencies;
  const range = (name: string) => declared.find((d) => d.startsWith(`${name} (`))?.slice(name.length + 2, -1);

  it('every module app/ and gunicorn_config.py import is the standard library, the app, or a declared dependency', () => {
    expect(stdlib.size).toBeGreaterThan(100);
    const importable = new Set(declared.map((d) => d.split(/[ [(]/)[0]!.toLowerCase().replace(/-/g, '_')));
    const missing: string[] = [];
    for (const [path, content] of files) {
      if (!(path.startsWith('app/') && path.endsWith('.py')) && path !== 'gunicorn_config.py') continue;
      for (const module of importedModules(content)) {
        if (module !== 'app' && !stdlib.has(module) && !importable.has(module)) missing.push(`${path}: ${module}`);
      }
    }
    expect(missing).toEqual([]);
    expect(importable.has('pydantic')).toBe(true);
  });

  it('allows only uvicorn/uvicorn-worker pairs that boot, chosen by the Python version', () => {
    const newPython = Number(combo.python.split('.')[1]) >= 14;
    if (combo.server === 'uvicorn') {
      expect(range('uvicorn[standard]')).toBe('>=0.32,<1.0');
      expect(range('uvicorn-worker')).toBeUndefined();
    } else if (newPython) {
      expect([range('uvicorn[standard]'), range('uvicorn-worker')]).toEqual(['>=0.36,<1.0', '>=0.4,<1.0']);
    } else {
      expect([range('uvicorn[standard]'), range('uvicorn-worker')]).toEqual(['>=0.32,<0.36', '>=0.3,<0.4']);
    }
  });

  it('says which Poetry it needs, and measures coverage against a floor in make test', () => {
    expect(pyproject.tool.poetry['requires-poetry']).toBe(`>=${VERSIONS.poetryMin}`);
    expect(Object.keys(pyproject.tool.poetry.group.dev.dependencies)).toEqual(expect.arrayContaining(['pytest-cov', 'coverage']));
    expect(pyproject.tool.coverage).toEqual({ run: { source: ['app'] }, report: { fail_under: COVERAGE_FLOOR, show_missing: true, skip_covered: true } });
    expect(files.get('Makefile')).toContain('\n\t$(POETRY) run pytest --cov=app\n');
  });
});
