/**
 * What the user reads when a command ends (issue #22, item 8): the creation screen names the
 * commands that change the project later; `add route` shows the new URL; `docker` and `update`
 * say what to run after what they changed (a new lock, a new .venv, a rebuilt image) instead of
 * a bare "Done". The same steps are in --json as `nextSteps`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sandbox } from '../helpers/cli.js';

async function project(extra: readonly string[] = []) {
  const { cwd, home } = sandbox();
  const made = await runCli(['svc', '--yes', '--no-git', ...extra], { cwd, env: { HOME: home } });
  expect(made.code, made.stderr).toBe(0);
  return { dir: join(cwd, 'svc'), home, made };
}

describe('end screens', () => {
  it('creation names add route, docker and update as what comes later', async () => {
    const { made } = await project();
    expect(made.stdout).toMatch(/Later, inside the project[^\n]*\n {2}npx create-pyservice add route NAME +\S/);
    expect(made.stdout).toMatch(/\n {2}npx create-pyservice docker +change runtime, Python, server, port/);
    expect(made.stdout).toMatch(/\n {2}npx create-pyservice@latest update +a newer release, merged with your edits/);
  });

  it('add route shows the URL of the new resource (dashes, the project port) and make test', async () => {
    const { dir, home } = await project(['--port', '9100']);
    const added = await runCli(['add', 'route', 'order_lines', '--yes'], { cwd: dir, env: { HOME: home } });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('http://127.0.0.1:9100/order-lines');
    expect(added.stdout).toMatch(/\n {2}make test +/);
    const json = await runCli(['add', 'route', 'invoices', '--yes', '--json'], { cwd: dir, env: { HOME: home } });
    const steps = (JSON.parse(json.stdout) as { nextSteps: { run: string; why: string }[] }).nextSteps;
    expect(steps.map((s) => s.run)).toEqual(['make run', 'make test']);
    expect(steps[0]!.why).toContain('http://127.0.0.1:9100/invoices');
  });

  it('docker after a Python change says: make lock, make install (new Python), make test, rebuild the image', async () => {
    const { dir, home } = await project();
    const changed = await runCli(['docker', '--runtime', 'distroless', '--yes'], { cwd: dir, env: { HOME: home } });
    expect(changed.code, changed.stderr).toBe(0);
    const after = changed.stdout.slice(changed.stdout.indexOf('Next steps:'));
    expect(after).toMatch(/make lock +pyproject\.toml changed/);
    expect(after).toMatch(/make install +Python is now 3\.13/);
    expect(after).toMatch(/make docker-build +rebuild the image/);
    expect(after.indexOf('make lock')).toBeLessThan(after.indexOf('make install'));
    expect(after.indexOf('make install')).toBeLessThan(after.indexOf('make docker-build'));
  });

  it('docker that changes only the image (server) asks for a rebuild, not a new lock of an unchanged pyproject', async () => {
    const { dir, home } = await project();
    const changed = await runCli(['docker', '--port', '9000', '--yes', '--json'], { cwd: dir, env: { HOME: home } });
    expect(changed.code, changed.stderr).toBe(0);
    const summary = JSON.parse(changed.stdout) as { files: { path: string; action: string }[]; nextSteps: { run: string }[] };
    const written = summary.files.filter((f) => f.action !== 'keep').map((f) => f.path);
    expect(written).toContain('Dockerfile');
    expect(written).not.toContain('pyproject.toml');
    const runs = summary.nextSteps.map((s) => s.run);
    expect(runs).toContain('make docker-build');
    expect(runs).not.toContain('make lock');
    expect(runs).not.toContain('make install');
  });

  it('a run that changes nothing has no next steps', async () => {
    const { dir, home } = await project();
    const same = await runCli(['update', '--yes', '--json'], { cwd: dir, env: { HOME: home } });
    expect(same.code, same.stderr).toBe(0);
    expect((JSON.parse(same.stdout) as { nextSteps: unknown[] }).nextSteps).toEqual([]);
  });
});
