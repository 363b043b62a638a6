// npm run bench: create-pyservice against create-vite, same machine, same run.
// Each command runs RUNS times in a fresh directory; the median and the fastest
// wall-clock times are reported (process start to exit, files written).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ours = join(repo, 'dist', 'cli.js');
const vite = join(repo, 'node_modules', 'create-vite', 'index.js');

const cases = [
  ['create-vite app --template vanilla-ts', [vite, 'app', '--template', 'vanilla-ts']],
  ['create-pyservice app --yes --no-git', [ours, 'app', '--yes', '--no-git']],
  ['create-pyservice app --yes (with git init + commit)', [ours, 'app', '--yes']],
  ['create-vite --help', [vite, '--help']],
  ['create-pyservice --help', [ours, '--help']],
];

function time(args) {
  const samples = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'pyservice-bench-'));
    const home = join(dir, 'home');
    mkdirSync(home);
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Bench\n\temail = bench@example.org\n');
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: dir, stdio: 'ignore', env: { ...process.env, HOME: home } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    rmSync(dir, { recursive: true, force: true });
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
    if (i > 0) samples.push(ms); // the first run warms the file cache
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0] };
}

const rows = cases.map(([label, args]) => ({ label, ...time(args) }));
const table = [
  '| command | median | fastest |',
  '|---|---|---|',
  ...rows.map((r) => `| \`${r.label}\` | ${r.median.toFixed(0)} ms | ${r.min.toFixed(0)} ms |`),
].join('\n');
const text = `# Scaffolding speed\n\nMeasured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} cores, ${RUNS} runs each after one warm-up, fresh directory per run.\n\n${table}\n`;
mkdirSync(join(repo, 'reports'), { recursive: true });
writeFileSync(join(repo, 'reports', 'bench.md'), text);
process.stdout.write(text);

// Keep README's table current.
const readmePath = join(repo, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const marked = /<!-- bench:start -->[\s\S]*?<!-- bench:end -->/;
if (marked.test(readme)) writeFileSync(readmePath, readme.replace(marked, `<!-- bench:start -->\n${table}\n<!-- bench:end -->`));
