// npm run bench: create-pyservice against create-vite (a devDependency), same machine, same run.
//
// Every command runs BENCH_RUNS times (default 21) after one warm-up round, in a
// fresh directory each time. The runs are interleaved (one of each command per
// round, the order rotated every round) so that a change in the machine's load
// hits every command alike. For each run we take the wall-clock time (spawn to
// exit, as a user waits for it) and, from a preload that reads
// process.resourceUsage() as the process exits, its CPU time (user + system) and
// peak RSS. Reported: medians; the ratio is our median wall time over the median
// of the peer command (create-vite's scaffold, or its --help for our --help).
//
// Prints the table and the machine's load, writes reports/bench.md and keeps
// README's table (between the bench markers) current. `--check` exits 1 unless
// the scaffold's median ratio is <= 1.00 and its peak RSS <= create-vite's + 10 %.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const check = process.argv.includes('--check');
// What the user runs: the package's bin (which imports dist/cli.js), as create-vite's bin is its index.js.
const ours = join(repo, 'bin', 'create-pyservice.js');
const vite = join(repo, 'node_modules', 'create-vite', 'index.js');
const viteVersion = JSON.parse(readFileSync(join(repo, 'node_modules', 'create-vite', 'package.json'), 'utf8')).version;

// Every command runs in this machine's environment as the caller has it, without what `npm run`
// adds (so that `npm run bench` and `node scripts/bench.mjs` measure the same thing).
const CALLER_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && !['INIT_CWD', 'NODE', 'COLOR', 'EDITOR'].includes(name)),
);
// Node reads NODE_EXTRA_CA_CERTS when it starts: every command (and the floor) pays for it alike.
const extraCerts = process.env.NODE_EXTRA_CA_CERTS ? `; NODE_EXTRA_CA_CERTS is set (Node parses those certificates at start, in every command)` : '';

const work = mkdtempSync(join(tmpdir(), 'pyservice-bench-'));
const probe = join(work, 'probe.cjs');
writeFileSync(
  probe,
  `process.on('exit', () => {
  const u = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.BENCH_PROBE_OUT, JSON.stringify({ cpu: (u.userCPUTime + u.systemCPUTime) / 1000, rss: u.maxRSS / 1024 }));
});\n`,
);
const empty = join(work, 'empty.mjs');
writeFileSync(empty, '');
const home = join(work, 'home');
mkdirSync(home);
writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Bench\n\temail = bench@example.org\n');

// An existing project for the commands that work on one (copied afresh before each run, untimed).
const project = join(work, 'project');
const scaffoldProject = spawnSync(process.execPath, [ours, project, '--yes', '--no-git', '--no-install'], { stdio: 'ignore', env: { ...process.env, HOME: home } });
if (scaffoldProject.status !== 0) throw new Error(`could not scaffold the project for the add-route case (exit ${scaffoldProject.status})`);
const probeProject = join(work, 'probe-project');
cpSync(project, probeProject, { recursive: true });
const hasAddRoute = spawnSync(process.execPath, [ours, 'add', 'route', 'orders'], { stdio: 'ignore', cwd: probeProject, env: { ...process.env, HOME: home } }).status === 0;

/**
 * Cases: label, argv (after node), peer (label of the create-vite command it is compared with),
 * setup (prepares the run's directory, untimed) and cwd within it.
 */
const VITE_SCAFFOLD = `create-vite app --template vanilla-ts`;
const VITE_HELP = 'create-vite --help';
const cases = [
  { label: VITE_SCAFFOLD, args: [vite, 'app', '--template', 'vanilla-ts'] },
  { label: 'create-pyservice app --yes --no-git --no-install', args: [ours, 'app', '--yes', '--no-git', '--no-install'], peer: VITE_SCAFFOLD, key: 'scaffold' },
  { label: 'create-pyservice app --dry-run --json', args: [ours, 'app', '--dry-run', '--json'], peer: VITE_SCAFFOLD },
  ...(hasAddRoute
    ? [{ label: 'pyservice add route orders (in a scaffolded project)', args: [ours, 'add', 'route', 'orders'], peer: VITE_SCAFFOLD, setup: (dir) => cpSync(project, join(dir, 'p'), { recursive: true }), cwd: 'p' }]
    : []),
  { label: VITE_HELP, args: [vite, '--help'] },
  { label: 'create-pyservice --help', args: [ours, '--help'], peer: VITE_HELP },
  { label: 'create-pyservice app --yes --no-install (git init + commit)', args: [ours, 'app', '--yes', '--no-install'], peer: VITE_SCAFFOLD },
  { label: 'node (an empty script: the floor)', args: [empty] },
];

function runOnce(c) {
  const dir = mkdtempSync(join(work, 'run-'));
  c.setup?.(dir);
  const out = join(work, 'probe.json');
  rmSync(out, { force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--require', probe, ...c.args], {
    cwd: join(dir, c.cwd ?? ''),
    stdio: 'ignore',
    env: { ...CALLER_ENV, HOME: home, BENCH_PROBE_OUT: out, NO_COLOR: '1' },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  rmSync(dir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`${c.label} exited ${result.status ?? result.signal}`);
  return { wall, ...JSON.parse(readFileSync(out, 'utf8')) };
}

const samples = new Map(cases.map((c) => [c.label, []]));
const loadBefore = loadavg();
for (let round = 0; round <= RUNS; round++) {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + round) % cases.length];
    const sample = runOnce(c);
    if (round > 0) samples.get(c.label).push(sample); // round 0 warms the file cache
  }
}
const loadAfter = loadavg();
rmSync(work, { recursive: true, force: true });

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const stats = new Map(
  cases.map((c) => {
    const s = samples.get(c.label);
    return [c.label, { wall: median(s.map((x) => x.wall)), cpu: median(s.map((x) => x.cpu)), rss: median(s.map((x) => x.rss)), fastest: Math.min(...s.map((x) => x.wall)) }];
  }),
);
const rows = cases.map((c) => {
  const s = stats.get(c.label);
  const peer = c.peer && stats.get(c.peer);
  const ratio = peer ? (s.wall / peer.wall).toFixed(2) : '';
  const rss = peer ? `${s.rss.toFixed(1)} MB (${s.rss >= peer.rss ? '+' : '−'}${Math.abs((s.rss / peer.rss - 1) * 100).toFixed(0)} %)` : `${s.rss.toFixed(1)} MB`;
  return `| \`${c.label}\` | ${s.wall.toFixed(0)} ms | ${s.fastest.toFixed(0)} ms | ${s.cpu.toFixed(0)} ms | ${rss} | ${ratio ? `**${ratio}**` : ''} |`;
});
const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
const caption = `${RUNS} interleaved runs each (after a warm-up round) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, create-vite ${viteVersion}, ${cpus().length} cores, load average ${load(loadBefore)} before and ${load(loadAfter)} after${extraCerts}. Ratio = median wall time over the median of the create-vite command it is compared with (its scaffold; its \`--help\` for ours); RSS in parentheses against that command.`;
const table = [
  '| command | median wall | fastest | median CPU | median peak RSS | ratio to create-vite |',
  '|---|---|---|---|---|---|',
  ...rows,
].join('\n');
const missing = hasAddRoute ? '' : '\n`pyservice add route` is not benchmarked: this build has no such command.\n';
const text = `# Scaffolding speed\n\n${caption}\n\n${table}\n${missing}`;
mkdirSync(join(repo, 'reports'), { recursive: true });
writeFileSync(join(repo, 'reports', 'bench.md'), text);
process.stdout.write(text);

// Keep README's table current.
const readmePath = join(repo, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const marked = /<!-- bench:start -->[\s\S]*?<!-- bench:end -->/;
if (marked.test(readme)) writeFileSync(readmePath, readme.replace(marked, `<!-- bench:start -->\n${caption}\n\n${table}\n${missing}<!-- bench:end -->`));

const scaffold = stats.get(cases.find((c) => c.key === 'scaffold').label);
const reference = stats.get(VITE_SCAFFOLD);
const verdicts = [
  [`scaffold median ratio ${(scaffold.wall / reference.wall).toFixed(2)} (target <= 1.00)`, scaffold.wall <= reference.wall],
  [`scaffold peak RSS ${scaffold.rss.toFixed(1)} MB vs create-vite ${reference.rss.toFixed(1)} MB (target <= +10 %)`, scaffold.rss <= reference.rss * 1.1],
];
for (const [line, ok] of verdicts) process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${line}\n`);
if (check && verdicts.some(([, ok]) => !ok)) process.exitCode = 1;
