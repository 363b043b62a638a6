/**
 * Ctrl-C or Ctrl-U in a list question (issue #22, item 6): the highlight stays where the user
 * left it (select's type-to-search used to take the cleared line as a search and jump to the
 * first item), and the question's last frame says it was cancelled and what was highlighted,
 * instead of leaving a list whose highlight reads like a choice.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sandbox } from '../helpers/cli.js';
import { KEY, startPty } from '../helpers/pty.js';

const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', PATH: '/usr/bin:/bin', NO_COLOR: '1' });
const CTRL_U = '\u0015';

/** The highlighted line of the last list frame drawn before `marker` in the raw output. */
function lastHighlight(raw: string, marker: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const before = raw.slice(0, raw.indexOf(marker)).replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '\n');
  return [...before.matchAll(/❯ ([^\r\n]+)/g)].at(-1)?.[1];
}

describe('cancelling a list question', () => {
  it('creation: Ctrl-U then Ctrl-C keeps the highlight, marks the question cancelled, exit 130, nothing written', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty([], { cwd, env: env(home) });
    await pty.expect(/Project directory/);
    pty.type(KEY.enter);
    await pty.expect(/Base image[\s\S]*navigate/);
    pty.type(KEY.down); // from the default 3.14 to 3.15
    await pty.expect(/Python 3\.15; has a shell/);
    pty.type(CTRL_U);
    pty.type(KEY.ctrlC);
    expect(await pty.exit).toBe(130);
    const screen = pty.output();
    expect(screen).toMatch(/✖ Base image cancelled \(python:3\.15-slim-trixie was highlighted\)/);
    expect(screen).not.toMatch(/✔ Base image/);
    expect(lastHighlight(pty.raw(), '✖ Base image')).toBe('python:3.15-slim-trixie');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('an answered list question still reads "✔ Message value"; a later one cancels the same way', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty([], { cwd, env: env(home) });
    await pty.expect(/Project directory/);
    pty.type(KEY.enter);
    await pty.expect(/Base image[\s\S]*navigate/);
    pty.type(KEY.enter);
    await pty.expect(/✔ Base image python:3\.14-slim-trixie/);
    await pty.expect(/Dependency strategy[\s\S]*navigate/);
    pty.type(KEY.ctrlC);
    expect(await pty.exit).toBe(130);
    expect(pty.output()).toMatch(/✖ Dependency strategy cancelled \(Poetry venv was highlighted\)/);
  });

  it('pyservice docker: Ctrl-C in its list leaves the project as it was', async () => {
    const { cwd, home } = sandbox();
    expect((await runCli(['svc', '--yes', '--no-git'], { cwd, env: { HOME: home } })).code).toBe(0);
    const dir = join(cwd, 'svc');
    const before = readdirSync(dir).sort();
    const pty = startPty(['docker'], { cwd: dir, env: env(home) });
    await pty.expect(/navigate/);
    pty.type(KEY.down);
    pty.type(CTRL_U);
    pty.type(KEY.ctrlC);
    expect(await pty.exit).toBe(130);
    expect(pty.output()).toMatch(/✖ Base image cancelled \(gcr\.io\/distroless\/python3-debian13:nonroot \(Python 3\.13\)\s+was highlighted\)/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
