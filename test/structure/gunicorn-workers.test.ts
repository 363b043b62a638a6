/**
 * gunicorn's default worker count follows the container's CPU limit: the
 * generated app/core/cpus.py (gunicorn_config.py's `cpu_count()`, standard
 * library only) is run by CPython in a private mount namespace whose
 * /sys/fs/cgroup is a fake (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us`),
 * exactly as it reads the real one in a container. That WEB_CONCURRENCY wins
 * is a setting (pydantic): the generated tests/test_gunicorn_config.py checks it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const root = mkdtempSync(join(tmpdir(), 'pyservice-cgroup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const project = join(root, 'project');
const rendered = renderService(defaultAnswers({ server: 'gunicorn' }), TEST_VERSION);
mkdirSync(join(project, 'app', 'core'), { recursive: true });
for (const path of ['app/__init__.py', 'app/core/__init__.py', 'app/core/cpus.py']) writeFileSync(join(project, path), rendered.get(path)!);

/** CPUs this test process may run on (what os.sched_getaffinity sees without a limit). */
const cpus = spawnSync('python3', ['-c', 'import os; print(len(os.sched_getaffinity(0)))'], { encoding: 'utf8' });
const available = Number(cpus.stdout.trim()) || availableParallelism();

/** `cpu_count()`, gunicorn's default `workers`, with `files` as the whole of /sys/fs/cgroup. */
function workersWith(files: Record<string, string>): number {
  const fake = mkdtempSync(join(root, 'cgroup-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(fake, path, '..'), { recursive: true });
    writeFileSync(join(fake, path), content);
  }
  const script = 'from app.core.cpus import cpu_count; print(cpu_count())';
  const result = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /sys/fs/cgroup && exec python3 -c "$2"', 'sh', fake, script],
    { cwd: project, encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return Number(result.stdout.trim());
}

describe('gunicorn workers under a CPU limit', () => {
  it('cgroup v2: cpu.max "100000 100000" (docker run --cpus 1) gives one worker', () => {
    expect(workersWith({ 'cpu.max': '100000 100000\n' })).toBe(1);
  });

  it('cgroup v2: a fractional limit rounds up, never above the CPUs available', () => {
    expect(workersWith({ 'cpu.max': '150000 100000\n' })).toBe(Math.min(2, available));
  });

  it('cgroup v2: "max" (no limit) gives one worker per available CPU', () => {
    expect(workersWith({ 'cpu.max': 'max 100000\n' })).toBe(available);
  });

  it('cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us caps the workers', () => {
    expect(workersWith({ 'cpu,cpuacct/cpu.cfs_quota_us': '100000\n', 'cpu,cpuacct/cpu.cfs_period_us': '100000\n' })).toBe(1);
    expect(workersWith({ 'cpu/cpu.cfs_quota_us': '-1\n', 'cpu/cpu.cfs_period_us': '100000\n' })).toBe(available);
  });
});
