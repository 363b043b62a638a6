/**
 * Questions in a terminal (a real pseudo-terminal, the built CLI): a docker question with one
 * possible answer is shown decided with its reason, not asked; a non-empty target directory offers
 * a free directory name and counts the files it would replace in words that fit the number.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
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

describe.concurrent('a non-empty directory in a terminal', () => {
  const FLAGS = ['--runtime', 'slim', '--python', '3.13', '--deps', 'venv', '--server', 'uvicorn', '--no-git'];

  it('"Choose another directory" offers the first free name (Enter takes it) and counts "these 2 files"', async () => {
    const { cwd, home } = sandbox();
    mkdirSync(join(cwd, 'my-service'));
    writeFileSync(join(cwd, 'my-service', 'Makefile'), 'mine\n');
    writeFileSync(join(cwd, 'my-service', 'README.md'), 'mine too\n');
    mkdirSync(join(cwd, 'my-service-2')); // taken as well, even empty
    const pty = startPty(FLAGS, { cwd, env: env(home) });
    await pty.expect(/Project directory/, 60_000);
    pty.type(KEY.enter); // the default, my-service
    const question = await pty.expect(/What now with my-service\?[\s\S]*Cancel/, 60_000);
    expect(question).toMatch(/replaces exactly these 2 files of yours and keeps everything else:/);
    expect(question).toContain('Write into it, replacing the 2 listed');
    pty.type(KEY.enter); // Choose another directory
    await pty.expect(/Project directory[^\n]*my-service-3/, 60_000);
    pty.type(KEY.enter); // the offered name
    await pty.expect(/Change any of these\?/, 60_000);
    pty.type(KEY.enter);
    expect(await pty.exit).toBe(0);
    expect(pty.output()).not.toMatch(/What now with my-service-3/);
    expect(readdirSync(join(cwd, 'my-service-3'))).toContain('Makefile');
    expect(read(join(cwd, 'my-service', 'Makefile'))).toBe('mine\n');
    expect(readdirSync(join(cwd, 'my-service-2'))).toEqual([]);
  });

  it('one file to replace is "this file"; a numbered name offers the next number', async () => {
    const { cwd, home } = sandbox();
    mkdirSync(join(cwd, 'api-7'));
    writeFileSync(join(cwd, 'api-7', 'Makefile'), 'mine\n');
    const pty = startPty(['api-7', ...FLAGS], { cwd, env: env(home) });
    const question = await pty.expect(/What now with api-7\?[\s\S]*Cancel/, 60_000);
    expect(question).toMatch(/replaces exactly this file of yours and keeps everything else:\s+Makefile\s/);
    expect(question).toContain('Write into it, replacing that file');
    pty.type(KEY.enter);
    await pty.expect(/Project directory[^\n]*api-8/, 60_000);
    pty.type(KEY.ctrlC);
    expect(await pty.exit).toBe(130);
    expect(readdirSync(cwd).sort()).toEqual(['api-7']);
  });

  it('inside a generated project the directory question wants a path: ./my-service offered, a bare word refused', async () => {
    const { cwd, home } = sandbox();
    writeFileSync(join(cwd, '.pyservice.json'), '{}\n');
    const pty = startPty(FLAGS, { cwd, env: env(home) });
    await pty.expect(/Project directory[^\n]*\.\/my-service/, 60_000);
    pty.type(`\u0015other${KEY.enter}`); // Ctrl-U clears the line
    await pty.expect(/inside a project, write a new project's directory as a path: \.\/other/, 60_000);
    pty.type(`\u0015./other${KEY.enter}`);
    await pty.expect(/Change any of these\?/, 60_000);
    pty.type(KEY.enter);
    expect(await pty.exit).toBe(0);
    expect(readdirSync(join(cwd, 'other'))).toContain('Makefile');
  });
});
