import type { BuildOptions } from 'esbuild';
export function bundleOptions(entryPoints: Record<string, string>, dir: string, version: string): BuildOptions;
export function verifyEntry(repo: string): Record<string, string>;
