/**
 * The running image as an operator meets it (issue #21), per preset and engine, on the image that
 * the preset's image unit built (image.ts; rebuilt from the layer cache when that unit was reused):
 *
 * - proxy variables: the image unit runs the container with HTTP(S)_PROXY/ALL_PROXY pointing at an
 *   unreachable proxy (`PROXY_ENV`), so the HEALTHCHECK (scheduled by dockerd, run by hand under
 *   podman) must not go through a proxy; and the HEALTHCHECK line must carry --start-interval;
 * - a hardened run: `--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges`,
 *   /health answers, X-Request-ID is echoed when sane and replaced (32 hex) when too long or not
 *   printable ASCII, the HEALTHCHECK is healthy, every log line is a JSON object with the contract's
 *   keys and the access line carries the request id; then `stop -t 10` with a request in flight
 *   (a client that sent half a POST body) ends in < 8 s with exit code 0, the request answered.
 *
 * BuildKit's dockerd has no bridge here: its container runs with `--network none` and every probe
 * (curl, the slow client) runs inside the container's network namespace (`nsenter --net`), as the
 * harness's build-and-run.sh does. Podman publishes the port on 127.0.0.1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ENGINE_LABEL, LOG_DIR, record, tail, type Engine, type Preset } from './context.js';
import { builtNow, engineCli, freePort, imageTag, markBuilt, proxyArgs } from './container.js';
import { buildAndRun } from './image.js';
import { timed } from './times.js';

/** The flags of the hardened run (issue #21: read-only root, no capabilities, no privilege gain). */
export const HARDENED = ['--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'] as const;
/** `stop -t STOP_GRACE_S` must end within STOP_BUDGET_S with exit code 0. */
export const STOP_GRACE_S = 10;
export const STOP_BUDGET_S = 8;
/** Keys every log line carries, and those an access line adds (the contract of the merged service). */
export const LOG_KEYS = ['time', 'level', 'logger', 'message', 'request_id'] as const;
export const ACCESS_KEYS = ['method', 'path', 'status'] as const;

/** The HEALTHCHECK instruction (continuation lines joined), or undefined. */
export function healthcheckLine(dockerfile: string): string | undefined {
  return dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .find((line) => /^\s*HEALTHCHECK\s/i.test(line))
    ?.replace(/\s+/g, ' ')
    .trim();
}

/**
 * A fresh container turns healthy fast: the image's HEALTHCHECK probes at least every 10 s and has
 * no --start-interval (podman's buildah 1.28, Debian 12's, refuses the flag: the image must build
 * there), and compose.yaml and the CI smoke run, where Docker honours it, add a 1 s start interval.
 */
export function startIntervalCheck(id: string, files: ReadonlyMap<string, string>): boolean {
  const dockerfile = files.get('Dockerfile');
  const line = dockerfile === undefined ? undefined : healthcheckLine(dockerfile);
  const interval = Number(/\s--interval=(\d+)s\b/.exec(line ?? '')?.[1] ?? NaN);
  const problems = [
    ...(line === undefined ? ['no HEALTHCHECK'] : []),
    ...(line !== undefined && !(interval <= 10) ? [`interval ${Number.isNaN(interval) ? 'unset (30 s)' : `${interval} s`}, not ≤ 10 s`] : []),
    ...(line !== undefined && /\s--start-interval\b/.test(line) ? ['--start-interval in the Dockerfile (buildah 1.28 refuses it)'] : []),
    ...(files.has('compose.yaml') && !/^\s+start_interval: 1s$/m.test(files.get('compose.yaml')!) ? ['compose.yaml has no healthcheck start_interval: 1s'] : []),
    ...(files.has('.github/workflows/ci.yml') && !files.get('.github/workflows/ci.yml')!.includes('--health-start-interval 1s') ? ['the CI smoke run has no --health-start-interval 1s'] : []),
  ];
  return record(id, 'a fresh container turns healthy fast: HEALTHCHECK every ≤ 10 s (no --start-interval: buildah 1.28 refuses it), start interval 1 s in compose and CI', problems.length === 0, problems.join('; ') || (line ?? ''));
}

/** Every problem with the container's log text against the contract (empty: all lines are JSON objects with the keys). */
export function logProblems(text: string, requestId: string): string[] {
  const problems: string[] = [];
  let accessWithId = 0;
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      problems.push(`not JSON: ${line.slice(0, 100)}`);
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push(`not a JSON object: ${line.slice(0, 100)}`);
      continue;
    }
    const entry = parsed as Record<string, unknown>;
    const missing = LOG_KEYS.filter((k) => !(k in entry));
    if (missing.length > 0) problems.push(`no ${missing.join(', ')}: ${line.slice(0, 100)}`);
    if (ACCESS_KEYS.every((k) => k in entry) && entry.request_id === requestId) accessWithId++;
  }
  if (lines.length === 0) problems.push('no log lines at all');
  if (accessWithId === 0) problems.push(`no access line (${ACCESS_KEYS.join(', ')}) with request_id "${requestId}"`);
  return problems;
}

function engineSync(engine: Engine, args: readonly string[], timeout = 60_000) {
  const [cli, prefix] = engineCli(engine);
  const result = spawnSync(cli, [...prefix, ...args], { encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status ?? 124, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** How this engine's container is reached: a host port (podman) or inside its network namespace (dockerd). */
interface Target {
  host: string;
  port: number;
  /** Command prefix that enters the container's network (empty for podman). */
  wrap: string[];
}

interface Reply {
  status: number;
  requestId: string | undefined;
  error: string;
}

/** GET `path` with curl (inside the namespace for dockerd), optionally sending X-Request-ID. */
function get(target: Target, path: string, requestId?: string): Reply {
  const header = requestId === undefined ? [] : ['-H', `X-Request-ID: ${requestId}`];
  const [cmd, ...rest] = [...target.wrap, 'curl', '-sS', '-m', '5', '-D', '-', '-o', '/dev/null', ...header, `http://${target.host}:${target.port}${path}`];
  const result = spawnSync(cmd!, rest, { encoding: 'latin1', timeout: 15_000 });
  const head = result.stdout ?? '';
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/m.exec(head)?.[1] ?? 0);
  const id = /^x-request-id:[ \t]*(.*?)\r?$/im.exec(head)?.[1];
  return { status, requestId: id, error: (result.stderr ?? '').trim() };
}

/**
 * A client with a request in flight: it sends a POST's headers and half its body, says SENT, and
 * sends the rest when told (a line on stdin); prints RESPONSE <json of what came back> when the
 * server closes or after 20 s.
 */
const SLOW_CLIENT = `
const net = require('node:net');
const [host, port, rid] = process.argv.slice(1);
const body = JSON.stringify({ name: 'in-flight', price: 1 });
const head = 'POST /items HTTP/1.1\\r\\nHost: verify\\r\\nContent-Type: application/json\\r\\nX-Request-ID: ' + rid + '\\r\\nContent-Length: ' + Buffer.byteLength(body) + '\\r\\n\\r\\n';
let got = '';
const done = (what) => { process.stdout.write(what + ' ' + JSON.stringify(got) + '\\n'); process.exit(0); };
const socket = net.connect(Number(port), host, () => { socket.write(head + body.slice(0, 5)); process.stdout.write('SENT\\n'); });
process.stdin.once('data', () => socket.write(body.slice(5)));
socket.on('data', (d) => { got += d; });
socket.on('close', () => done('RESPONSE'));
socket.on('error', (e) => { got += ' [' + e.message + ']'; done('RESPONSE'); });
setTimeout(() => done('RESPONSE'), 20000);
`;

interface SlowClient {
  sent: Promise<boolean>;
  finish(): void;
  response: Promise<string>;
  kill(): void;
}

function slowClient(target: Target, requestId: string): SlowClient {
  const [cmd, ...rest] = [...target.wrap, process.execPath, '-e', SLOW_CLIENT, target.host, String(target.port), requestId];
  const child = spawn(cmd!, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let sentResolve: (ok: boolean) => void = () => undefined;
  let responseResolve: (text: string) => void = () => undefined;
  const sent = new Promise<boolean>((r) => (sentResolve = r));
  const response = new Promise<string>((r) => (responseResolve = r));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('SENT\n')) sentResolve(true);
    const m = /RESPONSE (.*)\n/.exec(out);
    if (m) responseResolve(JSON.parse(m[1]!) as string);
  });
  child.on('close', () => {
    sentResolve(false);
    responseResolve('');
  });
  return { sent, response, finish: () => child.stdin.write('go\n'), kill: () => child.kill('SIGKILL') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns true or `seconds` pass; resolves with the seconds it took, or undefined. */
async function until(seconds: number, probe: () => boolean, everyMs = 250): Promise<number | undefined> {
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    if (probe()) return (performance.now() - start) / 1000;
    await sleep(everyMs);
  }
  return undefined;
}

/** The container port the image's EXPOSE names (8000 unless the Dockerfile says otherwise). */
export const containerPort = (dockerfile: string | undefined) => Number(/^\s*EXPOSE\s+(\d+)/m.exec(dockerfile ?? '')?.[1] ?? 8000);

/** One preset's image served hardened by one engine: the checks of issue #21's contract. */
export async function hardenedRun(preset: Preset, dir: string, files: Map<string, string>, engine: Engine): Promise<void> {
  const { id } = preset;
  const on = `[${ENGINE_LABEL[engine]}]`;
  const tag = imageTag(id, engine);
  if (!builtNow(tag)) {
    // The image unit was reused from an earlier run: build the same image again (from the layer cache).
    const build = await buildAndRun(engine, dir, ['--keep-cache', '--no-rebuild', '--timeout', '60', '--tag', tag, ...proxyArgs()], join(LOG_DIR, `${id}.${engine}.runtime-build.log`));
    if (engineSync(engine, ['image', 'inspect', tag]).code !== 0) {
      record(id, `${on} hardened run: the image builds`, false, tail(build.output, 4));
      return;
    }
    markBuilt(tag);
  }
  await timed(engine === 'buildkit' ? 'hardened run: BuildKit' : 'hardened run: podman', () => hardenedChecks(id, on, tag, containerPort(files.get('Dockerfile')), engine));
}

async function hardenedChecks(id: string, on: string, tag: string, cport: number, engine: Engine): Promise<void> {
  const name = `pyservice-verify-hardened-${process.pid}`;
  engineSync(engine, ['rm', '-f', name]);
  const hostPort = engine === 'podman' ? await freePort() : cport;
  const network = engine === 'podman' ? ['--pull=never', '-p', `127.0.0.1:${hostPort}:${cport}`] : ['--network', 'none'];
  const what = `${on} serves with ${HARDENED.join(' ')}`;
  const started = engineSync(engine, ['run', '-d', ...HARDENED, ...network, '--name', name, tag]);
  if (started.code !== 0) {
    record(id, what, false, started.stderr.trim().split('\n').pop() ?? `exit ${started.code}`);
    return;
  }
  try {
    let wrap: string[] = [];
    if (engine === 'buildkit') {
      const pid = engineSync(engine, ['inspect', '--format', '{{.State.Pid}}', name]).stdout.trim();
      wrap = ['nsenter', `--net=/proc/${pid}/ns/net`];
    }
    const target: Target = { host: '127.0.0.1', port: hostPort, wrap };
    let exited = '';
    const upS = await until(30, () => {
      if (get(target, '/health').status === 200) return true;
      const state = engineSync(engine, ['inspect', '--format', '{{.State.Status}}', name]).stdout.trim();
      if (state !== 'running' && state !== 'created') exited = state || 'gone';
      return exited !== '';
    });
    const up = upS !== undefined && exited === '';
    const logsNow = () => {
      const logs = engineSync(engine, ['logs', name]);
      return `${logs.stdout}${logs.stderr}`;
    };
    record(id, what, up, up ? `GET /health 200 after ${upS!.toFixed(1)} s` : exited ? `container ${exited}: ${tail(logsNow(), 4)}` : `no 200 from /health within 30 s: ${tail(logsNow(), 4)}`);
    if (!up) return;
    const sent = `verify-${randomBytes(6).toString('hex')}`;
    const echoed = get(target, '/health', sent);
    record(id, `${on} an X-Request-ID sent (verify-<random>) comes back unchanged`, echoed.requestId === sent, `sent ${sent}, got ${echoed.requestId === undefined ? 'no X-Request-ID' : JSON.stringify(echoed.requestId)}`);
    const generated = get(target, '/health');
    record(id, `${on} no X-Request-ID sent: a generated 32-hex id comes back`, /^[0-9a-f]{32}$/.test(generated.requestId ?? ''), `got ${generated.requestId === undefined ? 'no X-Request-ID' : JSON.stringify(generated.requestId)}`);
    const hostile: [string, string][] = [
      ['200 characters', 'r'.repeat(200)],
      ['a tab (not printable)', 'verify\tid'],
      ['non-ASCII (é)', 'verify-\u00e9'],
    ];
    for (const [label, value] of hostile) {
      const reply = get(target, '/health', value);
      const ok = reply.status === 200 && /^[0-9a-f]{32}$/.test(reply.requestId ?? '');
      record(id, `${on} X-Request-ID of ${label} is replaced by a generated 32-hex id`, ok, `HTTP ${reply.status}, got ${reply.requestId === undefined ? 'no X-Request-ID' : JSON.stringify(reply.requestId.slice(0, 40))}`);
    }
    await healthyChecks(id, on, name, engine);
    await stopChecks(id, on, name, engine, target, logsNow);
    const logs = logsNow();
    const problems = logProblems(logs, sent);
    record(
      id,
      `${on} every log line (app, server, access) is a JSON object with ${LOG_KEYS.join(', ')}; an access line carries the sent request id`,
      problems.length === 0,
      problems.length === 0 ? `${logs.split('\n').filter((l) => l.trim()).length} lines` : `${problems.length} problem(s): ${problems.slice(0, 3).join(' | ')}`,
    );
  } finally {
    engineSync(engine, ['rm', '-f', name]);
  }
}

/** The HEALTHCHECK of the hardened container: run by hand under podman, scheduled by dockerd. */
async function healthyChecks(id: string, on: string, name: string, engine: Engine): Promise<void> {
  if (engine === 'podman') {
    let last = { code: 1, stdout: '', stderr: '' };
    const took = await until(15, () => (last = engineSync('podman', ['healthcheck', 'run', name])).code === 0, 1000);
    record(id, `${on} hardened: HEALTHCHECK healthy (podman healthcheck run)`, took !== undefined, took !== undefined ? '' : `${last.stdout}${last.stderr}`.trim().slice(0, 200));
    return;
  }
  let state = '';
  const took = await until(15, () => {
    state = engineSync(engine, ['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', name]).stdout.trim();
    return state === 'healthy' || state === 'unhealthy';
  });
  record(id, `${on} hardened: HEALTHCHECK reports healthy within 15 s, as scheduled by dockerd`, state === 'healthy', took !== undefined ? `${state} after ${took.toFixed(1)} s` : `still ${state || 'no health state'} after 15 s`);
}

/**
 * `stop -t 10` with two requests in flight (each client sent a POST's headers and half its body):
 * one finishes its body once the server logs that it is shutting down and must be answered; the
 * other never finishes, and the stop must still end in < STOP_BUDGET_S with exit code 0 (a bounded
 * graceful shutdown, not the engine's SIGKILL after 10 s).
 */
async function stopChecks(id: string, on: string, name: string, engine: Engine, target: Target, logsNow: () => string): Promise<void> {
  const rid = `verify-inflight-${randomBytes(4).toString('hex')}`;
  const client = slowClient(target, rid);
  // A second client never finishes its body (a stuck or slow-loris client): it must not hold the stop until SIGKILL.
  const stuck = slowClient(target, `${rid}-stuck`);
  const sent = (await Promise.all([client.sent, stuck.sent].map((p) => Promise.race([p, sleep(15_000).then(() => false)])))).every(Boolean);
  const [cli, prefix] = engineCli(engine);
  const start = performance.now();
  const stopped = new Promise<number>((resolve) => {
    const child = spawn(cli, [...prefix, 'stop', '-t', String(STOP_GRACE_S), name], { stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? 124));
  });
  let stopDone = false;
  void stopped.then(() => (stopDone = true));
  // Finish the upload once the server has begun shutting down (its log says so), so the request is in flight across SIGTERM.
  let shutdownLogged = false;
  await until(STOP_GRACE_S, () => (shutdownLogged = /shutting down|waiting for|handling signal|graceful|stopping/i.test(logsNow())) || stopDone);
  client.finish();
  const code = await stopped;
  const stopS = (performance.now() - start) / 1000;
  const response = await Promise.race([client.response, sleep(5_000).then(() => '(no answer)')]);
  client.kill();
  stuck.kill();
  const exitCode = engineSync(engine, ['inspect', '--format', '{{.State.ExitCode}}', name]).stdout.trim();
  record(id, `${on} stop -t ${STOP_GRACE_S} ends in < ${STOP_BUDGET_S} s with exit code 0, although a client never finishes its request`, code === 0 && stopS < STOP_BUDGET_S && exitCode === '0', `${stopS.toFixed(1)} s, exit code ${exitCode || '?'}`);
  const status = /^HTTP\/[\d.]+ (\d{3})/.exec(response)?.[1];
  record(
    id,
    `${on} a request in flight at SIGTERM (a POST whose body was half sent) is answered before the container exits`,
    sent && shutdownLogged && status === '201',
    `${sent ? '' : 'the client could not send; '}${shutdownLogged ? '' : 'no shutdown line seen in the log before the container ended; '}${status ? `HTTP ${status}` : `answer: ${JSON.stringify(response.slice(0, 80))}`}`,
  );
}
