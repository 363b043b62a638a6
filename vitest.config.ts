import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // The bundle gets the package version from esbuild (scripts/build.mjs); the
  // sources imported by in-process tests get the same, so both write the same files.
  define: { __VERSION__: JSON.stringify(pkg.version) },
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: only a hang should hit it, not a machine busy with image builds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child processes, not worker threads: the in-process CLI tests change the
    // working directory (test/helpers/in-process.ts), which threads may not.
    // The spawned CLI tests need dist/: `npm test` builds it first (scripts/test.mjs).
    pool: 'forks',
    // vitest runs (CPUs - 1) files at a time: one on a 2-core machine. Most of our
    // files spend their time waiting on the processes they start (the CLI, git,
    // python, make, a pty), so one more file than there are CPUs keeps them busy.
    maxWorkers: availableParallelism() + 1,
    // Tests in a describe.concurrent block run at most 3 at a time (default 5): with
    // several files at once, more only makes each spawned CLI slower.
    maxConcurrency: 3,
  },
});
