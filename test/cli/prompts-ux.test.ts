/**
 * Questions in a terminal (a real pseudo-terminal, the built CLI): a docker question with one
 * possible answer is shown decided with its reason, not asked; a non-empty target directory offers
 * a free directory name and counts the files it would replace in words that fit the number.
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { read, sandbox } from '../helpers/cli.js';
import { runMain } from '../helpers/in-process.js';
import { KEY, startPty } from '../helpers/pty.js';

const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };
const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...GIT_ID, PATH: '/usr/bin:/bin', NO_COLOR: '1' });

describe.concurrent('docker in a terminal', () => {
  it('distroless: Python and the dependency strategy are decided with the reason, not asked; the server is asked', async () => {
    const { cwd, home } = sandbox();
    const created = await runMain(['api', '--yes'], { cwd, env: { HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...GIT_ID } });
    expect(created.code).toBe(0);
    const dir = join(cwd, 'api');
    const docker = startPty(['docker'], { cwd: dir, env: env(home) });
    await docker.expect(/Base image[\s\S]*navigate/, 60_000);
    docker.type(`${KEY.down}${KEY.enter}`); // distroless
    const screen = await docker.expect(/Server[\s\S]*navigate/, 60_000);
    expect(screen).toMatch(/✔ Python version Python 3\.13 \(decided: gcr\.io\/distroless\/python3-debian13 contains Debian's Python 3\.13 only/);
    expect(screen).toMatch(/✔ Dependency strategy [^\n]*\(decided: the wheels strategy installs with pip in the runtime image, and distroless has no pip/);
    expect(screen).not.toMatch(/3\.12/); // no list of disabled Pythons
    docker.type(KEY.enter);
    await docker.expect(/Port/, 60_000);
    docker.type(KEY.enter);
    const plan = await docker.expect(/Apply these changes\?/, 60_000);
    expect(plan).toMatch(/--runtime slim → distroless/);
    docker.type(KEY.enter);
    expect(await docker.exit).toBe(0);
    const answers = JSON.parse(read(join(dir, '.pyservice.json'))).answers;
    expect(answers).toMatchObject({ runtime: 'distroless', python: '3.13', deps: 'venv' });
  });
});
