// Types of lock.mjs (plain JavaScript: the launcher runs it before anything is built).
export const DEFAULT_LOCK: string;
export function lockHolders(path: string): number[];
export function ancestors(pid?: number): number[];
export function startedAt(pid: number): string;
export function describeHolder(path: string, holder: number): string;
export interface HeldLock {
  /** An ancestor process held it already (e.g. `flock LOCK npm run verify`). */
  readonly inherited: boolean;
  release(): void;
}
export function acquireLock(options?: { path?: string; what?: string; say?: (line: string) => void }): Promise<HeldLock>;
