/**
 * Where a verify run spends its time: each phase's wall-clock seconds and how many times it ran,
 * printed as a table at the end of the run and written to reports/verify-times.md by a full run.
 */
export type Phase =
  | 'lock wait'
  | 'harness setup'
  | 'build dist/'
  | 'scaffold work copies'
  | 'scaffold + static checks'
  | 'BuildKit lint'
  | 'pyright'
  | 'tests + mypy + hostile .env (run.sh)'
  | 'poetry check (check.sh)'
  | 'build + run: BuildKit'
  | 'build + run: podman'
  | 'image inspection'
  | 'hardened run: BuildKit'
  | 'hardened run: podman'
  | 'living flow'
  | 'database: migrate + serve'
  | 'database: tests + migrations (run.sh)'
  | 'make lock'
  | 'bad cases'
  | 'reports';

const spent = new Map<Phase, { seconds: number; count: number }>();

export function addTime(phase: Phase, seconds: number): void {
  const entry = spent.get(phase) ?? { seconds: 0, count: 0 };
  entry.seconds += seconds;
  entry.count += 1;
  spent.set(phase, entry);
}

/** Time `fn` under `phase` (nested phases are counted in both: keep them disjoint). */
export async function timed<T>(phase: Phase, fn: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    addTime(phase, (performance.now() - start) / 1000);
  }
}

/** The phases, slowest first, as a Markdown table (total and share of the run's wall clock). */
export function timeTable(totalSeconds: number, entries: ReadonlyMap<Phase, { seconds: number; count: number }> = spent): string {
  const lines = ['| phase | runs | time | share |', '|---|---:|---:|---:|'];
  const sorted = [...entries].sort(([, a], [, b]) => b.seconds - a.seconds);
  for (const [phase, { seconds, count }] of sorted) {
    lines.push(`| ${phase} | ${count} | ${seconds.toFixed(1)} s | ${totalSeconds > 0 ? Math.round((100 * seconds) / totalSeconds) : 0} % |`);
  }
  const accounted = sorted.reduce((sum, [, { seconds }]) => sum + seconds, 0);
  lines.push(`| other (hashing inputs, bookkeeping) | | ${Math.max(0, totalSeconds - accounted).toFixed(1)} s | |`);
  lines.push(`| **total** | | **${totalSeconds.toFixed(1)} s** | |`);
  return lines.join('\n');
}
