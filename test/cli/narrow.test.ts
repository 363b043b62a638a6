/**
 * Narrow terminals (issue #22, item 4): everything we print fits the terminal's width, and 80
 * columns when not a terminal. Tables reflow (a column that does not fit goes on its own line),
 * long values are cut with an ellipsis, no word is broken by the terminal's own wrapping.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli, sandbox } from '../helpers/cli.js';
import { KEY, startPty } from '../helpers/pty.js';

/**
 * Lines longer than `columns`, as the screen shows them: a line ends at a line break, a carriage
 * return or a cursor move/erase (a prompt redrawing itself); other escape sequences take no column.
 */
const tooWide = (text: string, columns: number) =>
  text
    // eslint-disable-next-line no-control-regex
    .split(/\r?\n|\r|\u001b\[[0-9;?]*[ABGHJK]/)
    // eslint-disable-next-line no-control-regex
    .map((line) => [...line.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\t/g, '        ')])
    .filter((chars) => chars.length > columns)
    .map((chars) => `${chars.length}: ${chars.join('')}`);

describe.each([60, 100])('a terminal %i columns wide', (columns) => {
  it('the Enter-only interview, its defaults table and the end screen fit', async () => {
    const { cwd, home } = sandbox();
    const pty = startPty([], { cwd, columns, env: { HOME: home, PATH: '/usr/bin:/bin', NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' } });
    for (const prompt of [/Project directory/, /Base image[\s\S]*navigate/, /Dependency strategy[\s\S]*navigate/, /Server[\s\S]*navigate/, /Change any of these\?/]) {
      await pty.expect(prompt);
      pty.type(KEY.enter);
    }
    expect(await pty.exit).toBe(0);
    const screen = pty.output();
    expect(screen).toContain('Defaults for the rest');
    expect(screen).toContain('Later, inside the project');
    expect(tooWide(pty.raw(), columns)).toEqual([]);
    // Each default keeps its flag, on its row or on the line under it.
    for (const flag of ['--name NAME', '--port N', '--no-git', '--poetry-version X.Y.Z']) expect(screen).toContain(flag);
  });

  it.each(['add route', 'docker', 'update'])('%s --help fits', async (command) => {
    const { cwd, home } = sandbox();
    const pty = startPty([...command.split(' '), '--help'], { cwd, columns, env: { HOME: home, NO_COLOR: '1' } });
    expect(await pty.exit).toBe(0);
    expect(pty.output()).toContain('Exit codes');
    expect(tooWide(pty.raw(), columns)).toEqual([]);
  });
});

describe('not a terminal: 80 columns', () => {
  it('every --help and the creation end screen fit in 80', async () => {
    for (const args of [['--help'], ['add', 'route', '--help'], ['docker', '--help'], ['update', '--help']]) {
      const help = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(tooWide(help.stdout, 80), args.join(' ')).toEqual([]);
    }
    const { cwd, home } = sandbox();
    const made = await runCli(['svc', '--yes', '--no-git'], { cwd, env: { HOME: home } });
    expect(made.code, made.stderr).toBe(0);
    expect(tooWide(made.stdout + made.stderr, 80)).toEqual([]);
  });

  it('the plan of add route fits in 80 with its longest name: its reason goes under it', async () => {
    const { cwd, home } = sandbox();
    expect((await runCli(['svc', '--yes', '--no-git'], { cwd, env: { HOME: home } })).code).toBe(0);
    const dir = join(cwd, 'svc');
    const added = await runCli(['add', 'route', 'order_lines_archive_2024', '--yes'], { cwd: dir, env: { HOME: home } });
    expect(added.code, added.stderr).toBe(0);
    expect(tooWide(added.stdout, 80)).toEqual([]);
    expect(added.stdout).toMatch(/create {4}app\/services\/order_lines_archive_2024\.py\n {6}new file/);
  });
});
