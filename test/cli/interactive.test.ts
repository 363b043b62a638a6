/** The real interview, driven through a pseudo-terminal as a person at a keyboard. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandbox } from '../helpers/cli.js';
import { fakePoetry } from '../helpers/fake-poetry.js';
import { KEY, startPty, type PtySession } from '../helpers/pty.js';

// No poetry on this PATH (the machine has none in /usr/bin or /bin); HOME has no git identity.
const env = (home: string, path = '/usr/bin:/bin') => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', PATH: path, NO_COLOR: '1' });

const record = (dir: string) => JSON.parse(readFileSync(join(dir, '.pyservice.json'), 'utf8'));

/** Answer the prompt matching `pattern` with `keys`, counting the questions answered. */
async function answer(pty: PtySession, pattern: RegExp, keys: string, count: { n: number }): Promise<string> {
  const screen = await pty.expect(pattern);
  pty.type(keys);
  count.n++;
  return screen;
}

describe.concurrent('the interview (pty)', () => {
  it('an Enter-only run asks five questions in all, shows the generated image tags, and lists the rest with their flags', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty([], { cwd, env: env(home) });
    const asked = { n: 0 };
    await answer(pty, /Project directory/, KEY.enter, asked);
    const image = await answer(pty, /Base image[\s\S]*navigate/, KEY.enter, asked);
    expect(image).toContain('python:3.13-slim-trixie');
    expect(image).toContain('python:3.11-slim-trixie');
    expect(image).toMatch(/❯ python:3\.14-slim-trixie/); // the default: the current release
    expect(image).toContain('gcr.io/distroless/python3-debian13:nonroot (Python 3.13)');
    expect(image).not.toMatch(/python:3\.13-slim(?!-trixie)/);
    await answer(pty, /Dependency strategy[\s\S]*navigate/, KEY.enter, asked);
    await answer(pty, /Server[\s\S]*navigate/, KEY.enter, asked);
    const summary = await answer(pty, /Change any of these\?/, KEY.enter, asked);
    for (const flag of ['--name', '--description', '--author', '--port', '--poetry-version', '--ci', '--no-compose', '--no-git', '--install']) expect(summary).toContain(flag);
    expect(summary).toMatch(/my-service/);
    expect(summary).toMatch(/no \(poetry is not on PATH\)/);
    expect(await pty.exit).toBe(0);
    expect(asked.n).toBe(5); // the run ended: no sixth question was waiting

    const out = pty.output();
    expect(out).toContain('✔ Created my-service: 39 files');
    expect(out).not.toContain('Created my-service in my-service');
    // Next steps in the order a user runs them, then the missing tool explained.
    expect(out).toMatch(/Next steps:\s+cd my-service\s+make install[^\n]*\n\s+make test[^\n]*\n\s+make run[^\n]*\n\s+make docker-build docker-run/);
    expect(out).toMatch(/poetry is not on PATH[\s\S]*pipx install poetry[\s\S]*curl -sSL https:\/\/install\.python-poetry\.org \| python3 -/);
    expect(record(join(cwd, 'my-service')).answers).toMatchObject({ name: 'my-service', runtime: 'slim', python: '3.14', deps: 'venv', server: 'uvicorn', port: 8000 });
    expect(existsSync(join(cwd, 'my-service', '.git'))).toBe(true);
  });

  it('shows a question with one possible answer as decided, with the reason (distroless → Python 3.13 and venv)', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['svc', '--no-git'], { cwd, env: env(home) });
    const asked = { n: 0 };
    // The image list: 3.11, 3.12, 3.13, [3.14], 3.15, distroless — two down from the default.
    const images = await answer(pty, /Base image[\s\S]*navigate/, `${KEY.down}${KEY.down}${KEY.enter}`, asked);
    expect(images).toContain('gcr.io/distroless/python3-debian13:nonroot (Python 3.13)');
    const deps = await answer(pty, /Server[\s\S]*navigate/, KEY.enter, asked);
    expect(deps).toMatch(/Dependency strategy Poetry venv \(decided: [^)]*distroless has no pip/);
    await answer(pty, /Change any of these\?/, KEY.enter, asked);
    expect(await pty.exit).toBe(0);
    expect(asked.n).toBe(3);
    expect(pty.output()).not.toMatch(/\? Dependency strategy/);
    expect(record(join(cwd, 'svc')).answers).toMatchObject({ runtime: 'distroless', python: '3.13', deps: 'venv' });
  });

  it('skips questions the flags decide: --runtime distroless decides Python and the dependency strategy', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['svc', '--runtime', 'distroless', '--server', 'gunicorn', '--no-git'], { cwd, env: env(home) });
    const screen = await pty.expect(/Change any of these\?/);
    expect(screen).toMatch(/Python version Python 3\.13 \(decided: [^)]*Python 3\.13 only/);
    expect(screen).toMatch(/Dependency strategy Poetry venv \(decided: /);
    expect(screen).not.toMatch(/Base image|Server/);
    pty.type(KEY.enter);
    expect(await pty.exit).toBe(0);
    expect(record(join(cwd, 'svc')).answers).toMatchObject({ runtime: 'distroless', python: '3.13', deps: 'venv', server: 'gunicorn' });
  });

  it('--python 3.12 leaves one image: slim, shown as decided', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['svc', '--python', '3.12', '--no-git'], { cwd, env: env(home) });
    const screen = await pty.expect(/Dependency strategy[\s\S]*navigate/);
    expect(screen).toMatch(/Base image python:3\.12-slim-trixie \(decided: [^)]*Python 3\.13 only/);
    pty.type(KEY.ctrlC);
    expect(await pty.exit).toBe(130);
    expect(pty.output()).toContain('Cancelled: nothing was written');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('asks the name up front only when the directory does not give a valid one, suggesting one', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['My Project!', '--runtime', 'slim', '--python', '3.13', '--deps', 'venv', '--server', 'uvicorn', '--no-git'], { cwd, env: env(home) });
    const screen = await pty.expect(/Distribution name \(my-project\)/);
    expect(screen).toContain('the directory\'s name "My Project!" is not a valid Python distribution name');
    pty.type(KEY.enter);
    const summary = await pty.expect(/Change any of these\?/);
    expect(summary).not.toMatch(/^\s+Name\s/m); // asked, so not listed again
    pty.type(KEY.enter);
    expect(await pty.exit).toBe(0);
    expect(record(join(cwd, 'My Project!')).answers.name).toBe('my-project');
  });

  it('customising asks the rest, re-asking an invalid answer with the reason', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['svc', '--runtime', 'slim', '--python', '3.13', '--deps', 'venv', '--server', 'uvicorn'], { cwd, env: env(home) });
    await pty.expect(/Change any of these\?/);
    pty.type(`y${KEY.enter}`);
    await pty.expect(/Distribution name/);
    pty.type(`\u007f\u007f\u007fbad name!${KEY.enter}`);
    await pty.expect(/not a valid Python distribution name/);
    pty.type(`${'\u007f'.repeat(9)}orders${KEY.enter}`);
    await pty.expect(/Description/);
    pty.type(`Orders service${KEY.enter}`);
    await pty.expect(/Author/);
    pty.type(KEY.enter);
    await pty.expect(/Port/);
    pty.type(`\u007f\u007f\u007f\u007f9000${KEY.enter}`);
    await pty.expect(/Poetry version/);
    pty.type(KEY.enter);
    await pty.expect(/CI workflow[\s\S]*navigate/);
    pty.type(`${KEY.down}${KEY.enter}`);
    await pty.expect(/Add a compose\.yaml/);
    pty.type(`n${KEY.enter}`);
    await pty.expect(/Database[\s\S]*navigate/);
    pty.type(`${KEY.down}${KEY.enter}`);
    await pty.expect(/Initialise a git repository/);
    pty.type(`n${KEY.enter}`);
    await pty.expect(/Next steps/);
    expect(await pty.exit).toBe(0);
    expect(existsSync(join(cwd, 'svc', 'alembic.ini'))).toBe(true);
    expect(existsSync(join(cwd, 'svc', '.github', 'workflows'))).toBe(false);
    expect(existsSync(join(cwd, 'svc', 'compose.yaml'))).toBe(false);
    // Install: one possible answer without poetry on PATH.
    expect(pty.output()).toMatch(/Run poetry lock and poetry install now\? no \(decided: poetry is not on PATH/);
    expect(record(join(cwd, 'svc')).answers).toMatchObject({ name: 'orders', description: 'Orders service', port: 9000, ci: 'none', compose: false, db: 'postgres' });
    expect(existsSync(join(cwd, 'svc', '.git'))).toBe(false);
  });

  // Measured in CPU time (the program's work), not wall time, which a busy machine stretches.
  it('answers a 10,000-character paste with under a second of work, and refuses a trailing space in the directory', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['--runtime', 'slim', '--python', '3.13', '--deps', 'venv', '--server', 'uvicorn', '--no-git'], { cwd, env: env(home) });
    await pty.expect(/Project directory/);
    pty.type(`svc ${KEY.enter}`);
    await pty.expect(/ends with a space/);
    pty.type(`\u007f${KEY.enter}`); // backspace, then accept "svc"
    await pty.expect(/Change any of these\?/);
    pty.type(`y${KEY.enter}`);
    await pty.expect(/Distribution name/);
    pty.type(KEY.enter);
    await pty.expect(/Description/);
    const before = pty.cpuSeconds();
    pty.type(`${'x'.repeat(10_000)}${KEY.enter}`);
    await pty.expect(/dropped\)/, 20_000);
    const work = pty.cpuSeconds() - before;
    expect(before).toBeGreaterThan(0); // the measure sees the program (its start-up alone costs CPU)
    expect(work).toBeLessThan(1);
    expect(pty.output().replace(/\s+/g, ' ')).toContain(
      'is 1000 characters long; keep it to one line of at most 300 (the input stops at 1000 characters: the rest was dropped)',
    );
    pty.type(KEY.ctrlC);
    expect(await pty.exit).toBe(130);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('shows a pasted escape sequence or bidi override as text, and refuses it', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty(['svc', '--runtime', 'slim', '--python', '3.13', '--deps', 'venv', '--server', 'uvicorn', '--no-git'], { cwd, env: env(home) });
    await pty.expect(/Change any of these\?/);
    pty.type(`y${KEY.enter}`);
    await pty.expect(/Distribution name/);
    pty.type(KEY.enter);
    await pty.expect(/Description/);
    pty.type(`evil\u202eeulav${KEY.enter}`);
    const screen = await pty.expect(/bidirectional-override character \(U\+202E\)/);
    expect(screen).toContain('evil\\u202eeulav');
    expect(screen).not.toContain('\u202e');
    pty.type(KEY.ctrlC);
    expect(await pty.exit).toBe(130);
  });

  it('runs poetry by default when it is on PATH, with a spinner while it works', async () => {
    const { cwd, home } = sandbox();
    const bin = fakePoetry(home, 'sleep 0.3'); // takes a moment, like the real one
    const pty = startPty(['svc', '--runtime', 'slim', '--python', '3.13', '--deps', 'venv', '--server', 'uvicorn', '--no-git'], {
      cwd,
      env: env(home, `${bin}:/usr/bin:/bin`),
    });
    const summary = await pty.expect(/Change any of these\?/);
    expect(summary).toMatch(/poetry install now\s+yes\s+--no-install/);
    pty.type(KEY.enter);
    await pty.expect(/Resolving dependencies \(poetry lock\)/);
    await pty.expect(/Next steps/);
    expect(await pty.exit).toBe(0);
    expect(readFileSync(join(home, 'poetry-calls.log'), 'utf8')).toBe('--version\nlock --no-interaction\ninstall --no-interaction\n'); // its version checked once (Poetry 1 cannot read the project)
    expect(pty.output()).toContain('✔ Installing dependencies into .venv (poetry install)');
    expect(pty.output()).not.toMatch(/poetry is not on PATH/);
  });
});

describe.concurrent('a non-empty target in a terminal is a question', () => {
  const taken = (cwd: string) => {
    mkdirSync(join(cwd, 'taken'));
    writeFileSync(join(cwd, 'taken', 'Makefile'), 'mine\n');
    writeFileSync(join(cwd, 'taken', 'notes.txt'), 'keep me\n');
  };

  it('lists exactly the files that would be replaced and offers another directory', async () => {
    const { cwd, home } = sandbox();
    taken(cwd);
    const pty = startPty(['--runtime', 'slim', '--python', '3.13', '--deps', 'venv', '--server', 'uvicorn', '--no-git'], { cwd, env: env(home) });
    await pty.expect(/Project directory/);
    pty.type(`taken${KEY.enter}`);
    const question = await pty.expect(/What now with taken\?[\s\S]*Cancel/);
    expect(question).toMatch(/taken is not empty \(2 entries\)/);
    expect(question).toMatch(/replaces exactly this file of yours and keeps everything else:\s+Makefile\s/);
    expect(question).toContain('Choose another directory');
    expect(question).toContain('Write into it, replacing that file');
    pty.type(KEY.enter); // another directory
    await pty.expect(/Project directory/);
    pty.type(`${'\u007f'.repeat(10)}fresh${KEY.enter}`);
    await pty.expect(/Change any of these\?/);
    pty.type(KEY.enter);
    expect(await pty.exit).toBe(0);
    expect(existsSync(join(cwd, 'fresh', 'Makefile'))).toBe(true);
    expect(readFileSync(join(cwd, 'taken', 'Makefile'), 'utf8')).toBe('mine\n');
  });

  it('writes into it with the --force rules when chosen: replaces the listed files, keeps the rest', async () => {
    const { cwd, home } = sandbox();
    taken(cwd);
    const pty = startPty(['taken', '--runtime', 'slim', '--python', '3.13', '--deps', 'venv', '--server', 'uvicorn', '--no-git'], { cwd, env: env(home) });
    await pty.expect(/What now with taken\?[\s\S]*Cancel/);
    pty.type(`${KEY.down}${KEY.enter}`);
    await pty.expect(/Change any of these\?/);
    pty.type(KEY.enter);
    expect(await pty.exit).toBe(0);
    expect(readFileSync(join(cwd, 'taken', 'Makefile'), 'utf8')).not.toBe('mine\n');
    expect(readFileSync(join(cwd, 'taken', 'notes.txt'), 'utf8')).toBe('keep me\n');
    expect(pty.output()).toMatch(/Created taken: 39 files \(1 of yours replaced\)\r?\n {2}Replaced \(your previous versions are gone\):\r?\n {4}Makefile\r?\n/);
  });

  it('cancels, writing nothing', async () => {
    const { cwd, home } = sandbox();
    taken(cwd);
    const pty = startPty(['taken'], { cwd, env: env(home) });
    await pty.expect(/What now with taken\?[\s\S]*Cancel/);
    pty.type(`${KEY.down}${KEY.down}${KEY.enter}`);
    expect(await pty.exit).toBe(130);
    expect(pty.output()).toContain('Cancelled: nothing was written');
    expect(readdirSync(join(cwd, 'taken')).sort()).toEqual(['Makefile', 'notes.txt']);
    expect(pty.output()).not.toContain('Base image');
  });

  it('stays an error without a terminal (exit 2)', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const { cwd, home } = sandbox();
    taken(cwd);
    const result = await runCli(['taken'], { cwd, env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('taken is not empty');
  });
});
