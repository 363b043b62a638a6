/** The real prompts, driven through a pseudo-terminal. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../helpers/cli.js';
import { fakePoetry } from '../helpers/fake-poetry.js';
import { KEY, startPty } from '../helpers/pty.js';

// No poetry on this PATH, so the install question is not asked; HOME has no git identity.
const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', PATH: '/usr/bin:/bin', NO_COLOR: '1' });

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.concurrent('interactive prompts (pty)', () => {
  it('asks every question, offers only compatible choices, and writes the answers', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty([], { cwd, env: env(home) });
    await pty.expect(/Project directory/);
    pty.type(`web-api${KEY.enter}`);
    await pty.expect(/Distribution name.*web-api/);
    pty.type(KEY.enter);
    await pty.expect(/Description/);
    pty.type(`Orders service${KEY.enter}`);
    await pty.expect(/Author/);
    pty.type(KEY.enter);
    await pty.expect(/Python version[\s\S]*Python 3\.15/);
    pty.type(KEY.enter); // 3.13, the default
    await pty.expect(/Runtime image[\s\S]*distroless/);
    pty.type(`${KEY.down}${KEY.enter}`); // distroless
    const deps = await pty.expect(/Dependency strategy[\s\S]*navigate/);
    expect(deps).toMatch(/- wheels \(the wheels strategy[\s\S]*no pip/); // shown disabled, with the reason
    pty.type(`${KEY.down}${KEY.enter}`); // the cursor skips the disabled choice: still venv
    await pty.expect(/Server[\s\S]*gunicorn/);
    pty.type(`${KEY.down}${KEY.enter}`);
    await pty.expect(/Port/);
    pty.type(`9000${KEY.enter}`);
    await pty.expect(/Initialise a git repository/);
    pty.type(`n${KEY.enter}`);
    await pty.expect(/Next steps/);
    expect(await pty.exit).toBe(0);

    const record = JSON.parse(readFileSync(join(cwd, 'web-api', '.pyservice.json'), 'utf8'));
    expect(record.answers).toEqual({
      name: 'web-api',
      description: 'Orders service',
      python: '3.13',
      runtime: 'distroless',
      deps: 'venv',
      server: 'gunicorn',
      port: 9000,
      poetryVersion: '2.5.1',
    });
    expect(existsSync(join(cwd, 'web-api', '.git'))).toBe(false);
    expect(readFileSync(join(cwd, 'web-api', 'Dockerfile'), 'utf8')).toContain('EXPOSE 9000');
  });

  it('asks only what flags did not answer, and disables choices the flags rule out', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['svc', '--python', '3.12', '--description', 'x', '--author', '', '--no-git'], { cwd, env: env(home) });
    await pty.expect(/Distribution name/);
    pty.type(KEY.enter);
    const runtime = await pty.expect(/Runtime image[\s\S]*navigate/);
    expect(runtime).toMatch(/- distroless \([\s\S]*Python 3\.13\s+only/);
    expect(pty.output()).not.toMatch(/Python version|Description|Author/);
    pty.type(KEY.ctrlC);
    expect(await pty.exit).toBe(130);
    expect(pty.output()).toContain('Cancelled: nothing was written');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('re-asks an invalid answer with the reason instead of failing', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['svc', '--yes'], { cwd, env: env(home) });
    // --yes never prompts, even on a terminal
    expect(await pty.exit).toBe(0);
    const again = startPty(['svc2', '--description', 'x', '--author', '', '--no-git'], { cwd, env: env(home) });
    await again.expect(/Distribution name/);
    again.type(`\u007f\u007f\u007f\u007fbad name!${KEY.enter}`);
    await again.expect(/not a valid Python distribution name/);
    again.type(KEY.ctrlC);
    expect(await again.exit).toBe(130);
    expect(readdirSync(cwd)).toEqual(['svc']);
  });

  it('offers to run poetry when it is on PATH, with a spinner while it works', async () => {
    const { cwd, home } = sandbox();
    const bin = fakePoetry(home, 'sleep 0.3'); // takes a moment, like the real one
    const pty = startPty(['svc', '--description', 'x', '--author', '', '--python', '3.13', '--runtime', 'slim', '--deps', 'venv', '--server', 'uvicorn', '--port', '8000', '--no-git'], {
      cwd,
      env: { ...env(home), PATH: `${bin}:/usr/bin:/bin` },
    });
    await pty.expect(/Distribution name/);
    pty.type(KEY.enter);
    await pty.expect(/Run poetry lock and poetry install now\?/);
    pty.type(KEY.enter); // yes, the default
    await pty.expect(/Resolving dependencies \(poetry lock\)/);
    await pty.expect(/Next steps/);
    expect(await pty.exit).toBe(0);
    expect(readFileSync(join(home, 'poetry-calls.log'), 'utf8')).toBe('--version\nlock --no-interaction\ninstall --no-interaction\n');
    expect(pty.output()).toContain('✔ Installing dependencies into .venv (poetry install)');
  });

  it('stops before asking anything else when the directory is not empty', async () => {
    const { cwd, home } = sandbox();
    mkdirSync(join(cwd, 'taken'));
    writeFileSync(join(cwd, 'taken', 'Makefile'), 'mine\n');
    const pty = startPty([], { cwd, env: env(home) });
    await pty.expect(/Project directory/);
    pty.type(`taken${KEY.enter}`);
    await pty.expect(/would overwrite yours/);
    expect(await pty.exit).toBe(2);
    expect(pty.output()).not.toContain('Distribution name');
    expect(readFileSync(join(cwd, 'taken', 'Makefile'), 'utf8')).toBe('mine\n');
    await pause(0);
  });
});
