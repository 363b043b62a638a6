/**
 * Incremental verify: a check unit whose inputs are unchanged since it last passed on this
 * machine is not run again; its results are replayed. A unit's key is a SHA-256 of everything
 * that decides its result:
 *
 * - its own inputs: the rendered files of its preset (so a template change re-runs only the units
 *   of the presets whose files it changes), the engine, and the unit's id kind;
 * - the code that checks: build/verify.js, the bundle of scripts/verify.ts, scripts/lib/** and the
 *   src/ and generators/ modules they import (any change there re-runs everything);
 * - the harness: every file of the harness directory (its scripts, Python helpers, Dockerfiles,
 *   debs lists, extra wheels; not its README/VERSIONS/sample), each index view's index.json and the
 *   name, size and mtime of each of its wheels, and state/ stamps (base images, root filesystems);
 *   cheap (a few MB read), and setup.sh rewrites these whenever it rebuilds anything;
 * - the Node version.
 *
 * Passed keys are files under node_modules/.cache/create-pyservice/verify/ (key → the unit's
 * records and image rows). With CI=true nothing is read or written there: CI runs every check.
 * Within one run, units with the same key (identical build contexts) are run once either way.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Check, ImageRow } from './context.js';

export interface StoredUnit {
  readonly id: string;
  readonly records: readonly Check[];
  readonly rows: readonly ImageRow[];
  readonly data?: unknown;
}

export function sha256(...parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(String(Buffer.byteLength(part)));
    hash.update('\0');
    hash.update(part);
  }
  return hash.digest('hex');
}

/** A set of files (path → content), order-independent. */
export function hashFiles(files: ReadonlyMap<string, string | Buffer>): string {
  return sha256(...[...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).flatMap(([path, text]) => [path, text]));
}

/** Every file under `dir` (recursive), '/'-separated relative path → content, minus `skip`ped paths. */
export function readTree(dir: string, skip: (path: string) => boolean = () => false): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (!skip(path)) out.set(path, readFileSync(join(dir, path)));
  }
  return out;
}

/** The harness's part of every key (see the module comment). */
export function harnessFingerprint(harness: string, home: string): string {
  const scripts = readTree(harness, (p) => /^sample\//.test(p) || /\.md$/.test(p) || p.includes('__pycache__/'));
  const parts: string[] = [hashFiles(scripts)];
  for (const view of ['index', 'index-sid']) {
    const indexJson = join(home, view, 'index.json');
    parts.push(existsSync(indexJson) ? sha256(readFileSync(indexJson)) : `${view}: none`);
    const packages = join(home, view, 'packages');
    if (!existsSync(packages)) continue;
    for (const name of readdirSync(packages).sort()) {
      const st = statSync(join(packages, name));
      parts.push(`${view}/${name} ${st.size} ${st.mtimeMs}`);
    }
  }
  const state = readTree(join(home, 'state'), (p) => !/\.(stamp|txt)$/.test(p) || p.startsWith('timings'));
  parts.push(hashFiles(state));
  return sha256(...parts);
}

export class UnitCache {
  private readonly memory = new Map<string, StoredUnit>();

  /** `dir` undefined: nothing is read from or written to disk (CI). */
  constructor(private readonly dir: string | undefined) {}

  get persistent(): boolean {
    return this.dir !== undefined;
  }

  get(key: string): StoredUnit | undefined {
    const known = this.memory.get(key);
    if (known || !this.dir) return known;
    const file = join(this.dir, `${key}.json`);
    if (!existsSync(file)) return undefined;
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredUnit;
      return Array.isArray(stored.records) && stored.records.every((c) => c.ok) ? stored : undefined;
    } catch {
      return undefined; // a damaged entry is a miss: the unit runs again
    }
  }

  /** Keep a unit that passed (every record ok, at least one); a failed unit is never stored. */
  put(key: string, unit: StoredUnit): boolean {
    if (unit.records.length === 0 || !unit.records.every((c) => c.ok)) return false;
    this.memory.set(key, unit);
    if (this.dir) {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(join(this.dir, `${key}.json`), `${JSON.stringify(unit)}\n`);
    }
    return true;
  }
}

/**
 * Where passed keys are kept (none in CI: CI=true, or any CI value but "false"/"0"/""):
 * node_modules/.cache/create-pyservice/verify/, or PYSERVICE_VERIFY_CACHE.
 */
export function cacheDir(repo: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const ci = env.CI;
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') return undefined;
  return env.PYSERVICE_VERIFY_CACHE || join(repo, 'node_modules', '.cache', 'create-pyservice', 'verify');
}
