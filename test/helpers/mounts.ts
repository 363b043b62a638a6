/**
 * Real file-system failures for the writer's tests: small tmpfs mounts (out of
 * space or inodes), read-only bind mounts, a mount point inside a target.
 * Needs root (CI and the development machine run as root); every mount is
 * undone in a `finally`, lazily, so a failing test cannot leave one behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });

export function mountTmpfs(dir: string, options: string): void {
  run(['mount', '-t', 'tmpfs', '-o', options, 'pyservice-test', dir]);
}

/** Bind `source` onto `target` read-only. */
export function mountReadOnly(source: string, target: string): void {
  run(['mount', '--bind', source, target]);
  run(['mount', '-o', 'remount,bind,ro', target]);
}

export function unmount(dir: string): void {
  try {
    run(['umount', '-l', dir]);
  } catch {
    /* not mounted (any more) */
  }
}

/** Run `body` with mount points that are always unmounted afterwards (innermost first). */
export async function withMounts<T>(body: (mounted: (dir: string) => string) => Promise<T> | T): Promise<T> {
  const mounted: string[] = [];
  try {
    return await body((dir) => {
      mounted.push(dir);
      return dir;
    });
  } finally {
    for (const dir of mounted.reverse()) unmount(dir);
  }
}

/** A fresh tmpfs of the given options, unmounted and removed after `body`. */
export async function withTmpfs<T>(options: string, body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'pyservice-tmpfs-'));
  mountTmpfs(dir, options);
  try {
    return await body(dir);
  } finally {
    unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Use up every free inode of the file system holding `dir` (files in `dir`); returns how many. */
export function exhaustInodes(dir: string): number {
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), '');
    } catch {
      return i;
    }
  }
}
