/**
 * The processes we started (git, poetry) that are still running: when we are
 * told to stop (cli/signals.ts), they are stopped with the same signal, so no
 * poetry install outlives the run that started it.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();

/** Stop `child` too if we are stopped while it runs. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Send `signal` to every child still running. */
export function stopChildren(signal: NodeJS.Signals): void {
  for (const child of children) child.kill(signal);
}
