/**
 * What image.ts (which builds and runs each preset's image) and runtime.ts (which serves it
 * hardened) share, kept apart so neither imports the other: the engines' CLIs, the image tag of a
 * preset, which tags this run built, and the unreachable proxy the image unit runs under.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { HARNESS, type Engine } from './context.js';

/** The engine's CLI: podman with the harness's storage, or docker talking to the harness's dockerd. */
export function engineCli(engine: Engine): [string, string[]] {
  if (engine === 'podman') return [join(HARNESS, 'podman.sh'), []];
  return ['bash', ['-c', 'source "$0/lib.sh" && hdocker "$@"', HARNESS]];
}

/** The image tag each preset's image unit builds (and runtime.ts serves). */
export const imageTag = (id: string, engine: Engine) => `localhost/pyservice-verify/${id}:${engine}`;

/** Tags built by this run: a reused image unit's tag may hold another build, so runtime.ts rebuilds it. */
const builtThisRun = new Set<string>();
export const markBuilt = (tag: string): void => void builtThisRun.add(tag);
export const builtNow = (tag: string): boolean => builtThisRun.has(tag);

/** An unreachable proxy (port 9, discard: nothing listens there) in every variable HTTP clients honour. */
export const PROXY_URL = 'http://127.0.0.1:9';
export const PROXY_ENV = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY'].map((k) => `${k}=${PROXY_URL}`);
export const proxyArgs = (): string[] => PROXY_ENV.flatMap((kv) => ['--env', kv]);

/** A TCP port nothing listens on now, on 127.0.0.1 (for a container on the host network or a published port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
