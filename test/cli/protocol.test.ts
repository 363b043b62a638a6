/**
 * The protocol of every command that changes an existing project (`add route`,
 * `docker`, `update`): lock → recover → read → plan → confirm → re-verify →
 * apply → release, with real CLI processes, real signals (SIGKILL at each step
 * of the writer, through the test-only fault entry, test/helpers/faults.ts), real concurrent runs and
 * a real terminal.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { faults, listFiles, read, runCli, sandbox, startCli } from '../helpers/cli.js';
import { KEY, startPty } from '../helpers/pty.js';

const env = (home: string, extra: Record<string, string> = {}) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...extra });
/** The writer stopped at a step (test/helpers/faults.ts): runCli/startCli then spawn the fault entry. */
const hook = faults;

/** Every file of the project with its content (.git aside): "exactly before or after" is equality of this. */
const snapshot = (dir: string) => Object.fromEntries(listFiles(dir).map((p) => [p, readFileSync(join(dir, p), 'utf8')]));
const record = (dir: string) => JSON.parse(read(join(dir, '.pyservice.json'))) as { version: string; routes: string[]; answers: Record<string, unknown> };

let pristine: string;
beforeAll(async () => {
  const { cwd, home } = sandbox();
  const created = await runCli(['api', '--yes', '--no-git'], { cwd, env: env(home) });
  expect(created.code, created.stderr).toBe(0);
  pristine = join(cwd, 'api');
}, 120_000);

/** A copy of the fresh project; `old` makes it look rendered by an older release (two files missing, version 0.0.1). */
function project(old = false) {
  const { cwd, home } = sandbox();
  const dir = join(cwd, 'api');
  cpSync(pristine, dir, { recursive: true });
  if (old) {
    const text = JSON.parse(read(join(dir, '.pyservice.json')));
    text.version = '0.0.1';
    for (const path of ['Makefile', '.dockerignore']) {
      delete text.base.files[path];
      rmSync(join(dir, path));
    }
    writeFileSync(join(dir, '.pyservice.json'), `${JSON.stringify(text, null, 2)}\n`);
  }
  const run = (args: string[], extra: Record<string, string> = {}) => runCli(args, { cwd: dir, env: env(home, extra), timeoutMs: 120_000 });
  return { dir, home, run };
}

const start = startCli;

async function until(condition: () => boolean, what: string, timeoutMs = 60_000) {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.concurrent('two runs at once: the second waits for the lock and plans on the first one’s result', () => {
  it('add route ×5 with different names: every route is registered in app/main.py and the record (or the loser changed nothing)', async () => {
    const { dir, home } = project();
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
    const results = await Promise.all(names.map((name) => runCli(['add', 'route', name, '--yes'], { cwd: dir, env: env(home), timeoutMs: 180_000 })));
    const main = read(join(dir, 'app/main.py'));
    const routes = record(dir).routes;
    names.forEach((name, i) => {
      const result = results[i]!;
      if (result.code === 0) {
        expect(main).toContain(`    app.include_router(${name}.router)\n`);
        expect(routes).toContain(name);
        expect(existsSync(join(dir, `app/routes/${name}.py`))).toBe(true);
      } else {
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(routes).not.toContain(name);
        expect(existsSync(join(dir, `app/routes/${name}.py`))).toBe(false);
      }
    });
    // Waiting is the protocol: nobody should have lost here.
    expect(results.map((r) => r.code)).toEqual(names.map(() => 0));
    expect(listFiles(dir).filter((p) => p.startsWith('.create-pyservice'))).toEqual([]);
  }, 240_000);

  it('a run that finds the lock held says "waiting for process N", then applies on top of the holder’s result (add route, docker, update)', async () => {
    const { dir, home } = project(true);
    const gate = join(dir, '..', 'gate');
    // The holder stops after staging, lock held, its plan made.
    const holder = start(['add', 'route', 'orders', '--yes'], dir, env(home, hook(`stage:wait=${gate}`)));
    await until(() => existsSync(`${gate}.reached`), 'the holder reaching its stage step');
    const waiters = [
      start(['add', 'route', 'invoices', '--yes'], dir, env(home)),
      start(['docker', '--server', 'gunicorn', '--yes'], dir, env(home)),
      start(['update', '--yes'], dir, env(home)),
    ];
    await until(() => waiters.every((w) => /waiting for process \d+ to finish with/.test(w.stderr())), 'every waiter saying it waits');
    writeFileSync(gate, '');
    const [first, ...rest] = await Promise.all([holder.result, ...waiters.map((w) => w.result)]);
    expect(first!.code, first!.stderr).toBe(0);
    for (const r of rest) expect(r.code, r.stderr).toBe(0);
    const main = read(join(dir, 'app/main.py'));
    expect(main).toContain('app.include_router(orders.router)');
    expect(main).toContain('app.include_router(invoices.router)');
    const after = record(dir);
    expect(after.routes.sort()).toEqual(['invoices', 'orders']);
    expect(after.answers.server).toBe('gunicorn');
    expect(after.version).not.toBe('0.0.1');
    expect(existsSync(join(dir, 'Makefile'))).toBe(true);
    expect(existsSync(join(dir, 'gunicorn_config.py'))).toBe(true);
  }, 240_000);
});

/** Each step of the writer, in order, for a command with at most 30 moves. */
const STEPS = ['claim', 'stage', ...Array.from({ length: 30 }, (_, i) => `move#${i + 1}`), 'commit'];

describe.concurrent('SIGKILL at every step of the writer: the next command recovers first, and the project is exactly before or after', () => {
  it.each([
    // [killed command, next command, make the project look older]
    [['add', 'route', 'orders'], ['add', 'route', 'invoices'], false],
    [['docker', '--server', 'gunicorn'], ['add', 'route', 'invoices'], false],
    [['update'], ['update'], true],
    [['update'], ['docker', '--port', '9000'], true],
  ] as const)('%j killed, then %j', async (killed, next, old) => {
    // The two outcomes that are right: the killed command undone, or complete; then the next command on top.
    const undone = project(old);
    expect((await undone.run([...next, '--yes'])).code).toBe(0);
    const complete = project(old);
    expect((await complete.run([...killed, '--yes'])).code).toBe(0);
    const completeBeforeNext = snapshot(complete.dir);
    expect((await complete.run([...next, '--yes'])).code).toBe(0);
    const right = [snapshot(undone.dir), snapshot(complete.dir)];

    let moves = 0;
    for (const step of STEPS) {
      if (step.startsWith('move#') && moves === -1) continue; // past the last move
      const { dir, run } = project(old);
      const before = snapshot(dir);
      const result = await run([...killed, '--yes'], hook(`${step}:SIGKILL`));
      if (result.signal !== 'SIGKILL') {
        // Fewer moves than this: the command finished; the steps after the moves remain.
        expect(step, result.stderr).toMatch(/^move#/);
        expect(result.code).toBe(0);
        moves = -1;
        continue;
      }
      const recovered = await run([...next, '--yes']);
      expect(recovered.code, `${step}: ${recovered.stderr}`).toBe(0);
      const after = snapshot(dir);
      expect(right, `after a kill at ${step} and ${next.join(' ')}`).toContainEqual(after);
      if (step === 'commit') expect(after).toEqual(right[1]);
      if (step === 'claim' || step === 'stage') expect(after).toEqual(right[0]);
      expect(before).not.toEqual(completeBeforeNext); // the killed command does change the project
    }
    expect(moves).toBe(-1); // the loop went past the last move
  }, 600_000);
});

describe.concurrent('a run killed right after it moved the record aside', () => {
  it('is still found and undone by the next command (the staging directory and journal mark the project); a dry run refuses to plan on it', async () => {
    const { dir, home, run } = project(true);
    const before = snapshot(dir);
    // Killed at "stage": our staging directory and journal are in the project. Then take, by hand, the
    // first step the journal would announce and the writer take: the record moved into backup/.
    const killed = await run(['update', '--yes'], hook('stage:SIGKILL'));
    expect(killed.signal).toBe('SIGKILL');
    const staging = listFiles(dir).find((p) => p.endsWith('/journal'))!.split('/')[0]!;
    writeFileSync(join(dir, staging, 'journal'), '["backup",".pyservice.json"]\n');
    mkdirSync(join(dir, staging, 'backup'));
    renameSync(join(dir, '.pyservice.json'), join(dir, staging, 'backup', '.pyservice.json'));
    mkdirSync(join(dir, 'app', 'deeper'));

    const dry = await runCli(['update', '--dry-run'], { cwd: join(dir, 'app', 'deeper'), env: env(home) });
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(/was killed before it finished and is not undone yet[^\n]*without --dry-run/);
    expect(dry.stderr.trim().split('\n')).toHaveLength(1);

    const next = await runCli(['update', '--yes'], { cwd: join(dir, 'app', 'deeper'), env: env(home) });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/create\s+Makefile/);
    const done = project(true);
    expect((await done.run(['update', '--yes'])).code).toBe(0);
    const after = snapshot(dir);
    expect(after).toEqual(snapshot(done.dir));
    expect(before).not.toEqual(after);
  }, 120_000);
});

/** Answer `docker`'s questions in a terminal: the second base image (distroless), Enter for what is still asked, up to the confirmation. */
async function toDistrolessConfirmation(docker: ReturnType<typeof startPty>, atFirstQuestion = () => {}): Promise<void> {
  await docker.expect(/Base image[\s\S]*navigate/);
  atFirstQuestion();
  docker.type(`${KEY.down}${KEY.enter}`);
  // Distroless decides the Python and the dependency strategy (shown, not asked); the server is asked.
  await docker.expect(/Server[\s\S]*navigate/);
  docker.type(KEY.enter);
  await docker.expect(/Port/);
  docker.type(KEY.enter);
}

describe.concurrent('what the plan read is re-verified before anything moves', () => {
  it('an edit saved while the confirmation prompt waits survives: the plan is made again on it, shown, and asked again', async () => {
    const { dir, home } = project();
    const docker = startPty(['docker'], { cwd: dir, env: { ...env(home), PATH: '/usr/bin:/bin', NO_COLOR: '1' } });
    await toDistrolessConfirmation(docker);
    const plan = await docker.expect(/Apply these changes\?/);
    expect(plan).toMatch(/update\s+Dockerfile/);
    // Saved while the prompt waits: a line of ours after EXPOSE, where the runtime switch changes nothing.
    const edited = read(join(dir, 'Dockerfile')).replace(/^(EXPOSE .*)$/m, '$1\nLABEL saved="while the prompt waited"');
    expect(edited).toContain('LABEL saved=');
    writeFileSync(join(dir, 'Dockerfile'), edited);
    docker.type(KEY.enter);
    const again = await docker.expect(/changed while you were deciding[\s\S]*Apply these changes\?/);
    expect(again).toMatch(/Dockerfile changed while you were deciding; the plan for what is there now:/);
    expect(again).toMatch(/merge\s+Dockerfile/); // now yours and the release's changes, merged
    docker.type(KEY.enter);
    expect(await docker.exit).toBe(0);
    expect(read(join(dir, 'Dockerfile'))).toContain('LABEL saved="while the prompt waited"\n');
    expect(read(join(dir, 'Dockerfile'))).toMatch(/distroless/);
    expect(record(dir).answers.runtime).toBe('distroless');
    expect(listFiles(dir).filter((p) => p.startsWith('.create-pyservice'))).toEqual([]);
  }, 120_000);

  it('Ctrl-C at the confirmation prompt releases the lock and leaves nothing of ours', async () => {
    const { dir, home, run } = project();
    const before = snapshot(dir);
    const docker = startPty(['docker'], { cwd: dir, env: { ...env(home), PATH: '/usr/bin:/bin', NO_COLOR: '1' } });
    // The lock is held while the questions wait.
    await toDistrolessConfirmation(docker, () => expect(listFiles(dir).some((p) => p === '.create-pyservice.lock')).toBe(true));
    await docker.expect(/Apply these changes\?/);
    docker.type(KEY.ctrlC);
    expect(await docker.exit).toBe(130);
    expect(snapshot(dir)).toEqual(before);
    const next = await run(['add', 'route', 'orders', '--yes']);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
  }, 120_000);

  it('non-interactive: a file written after planning, while the writer stages, stops the write under the lock (exit 1)', async () => {
    for (const [args, path] of [
      [['add', 'route', 'orders', '--yes'], 'app/main.py'],
      [['add', 'route', 'orders', '--yes'], 'app/routes/orders.py'], // planned as absent: now present
      [['docker', '--server', 'gunicorn', '--yes'], 'README.md'],
    ] as const) {
      const { dir, home } = project();
      const before = snapshot(dir);
      const gate = join(dir, '..', 'gate');
      const run = start([...args], dir, env(home, hook(`stage:wait=${gate}`)));
      await until(() => existsSync(`${gate}.reached`), 'the run reaching its stage step');
      writeFileSync(join(dir, path), 'written by someone else\n');
      writeFileSync(gate, '');
      const result = await run.result;
      expect(result.code, `${args.join(' ')} / ${path}`).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`${path} changed while this command ran`);
      expect(snapshot(dir)).toEqual({ ...before, [path]: 'written by someone else\n' });
    }
  }, 240_000);
});
