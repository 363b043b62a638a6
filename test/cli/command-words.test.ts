/**
 * A mistyped command is not a new project's directory: the built CLI, spawned in real
 * directories, refuses close misspellings of a command, a command word not in first place and any
 * bare word inside a generated project (exit 2, one line, nothing written), takes a word written
 * as a path, and suggests the closest flag for the commands' mistyped flags.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sandbox } from '../helpers/cli.js';

/** A directory below a (bare) generated project: parsing and these refusals read nothing else of it. */
function insideProject(): { project: string; cwd: string; env: Record<string, string> } {
  const { cwd: project, home } = sandbox();
  writeFileSync(join(project, '.pyservice.json'), '{}\n');
  const cwd = join(project, 'app');
  mkdirSync(cwd);
  return { project, cwd, env: { HOME: home, GIT_CONFIG_NOSYSTEM: '1' } };
}

const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));

describe.concurrent('a mistyped command is not a directory', () => {
  it.each([
    [['updte'], 'did you mean update?', './updte'],
    [['udpate', '--yes'], 'did you mean update?', './udpate'],
    [['dokcer', '--runtime', 'slim'], 'did you mean docker?', './dokcer'],
    [['doker'], 'did you mean docker?', './doker'],
    [['ad', 'route', 'orders'], 'did you mean add?', './ad'],
    [['--yes', 'update'], 'a command goes first (pyservice update ...)', './update'],
    [['--dry-run', 'docker'], 'a command goes first (pyservice docker ...)', './docker'],
  ])('outside a project: %j → exit 2, one line (%s), nothing written', async (args, hint, path) => {
    const { cwd, home } = sandbox();
    const result = await runCli(args, { cwd, env: { HOME: home, GIT_CONFIG_NOSYSTEM: '1' } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(hint);
    expect(result.stderr).toContain(path);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('inside a project (or below it), any bare word is refused; the same word as a path is a directory', async () => {
    const { project, cwd, env } = insideProject();
    for (const args of [['myapi'], ['orders', '--yes'], ['--yes', 'my-service', '--python', '3.12'], ['updte']]) {
      const result = await runCli(args, { cwd, env });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(args.includes('updte') ? /did you mean update\?/ : /inside a project, write a new project's directory as a path: \.\//);
    }
    expect(readdirSync(cwd)).toEqual([]);
    expect(readdirSync(project).sort()).toEqual(['.pyservice.json', 'app']);
    // As a path it is a directory again (a dry run: nothing written, exit 0).
    const asPath = await runCli(['./myapi', '--yes', '--dry-run'], { cwd, env });
    expect(asPath.stderr).toBe('');
    expect(asPath.code).toBe(0);
    expect(asPath.stdout).toContain('myapi');
  });

  it('--json gets the refusal as JSON on stdout', async () => {
    const { cwd, env } = insideProject();
    const result = await runCli(['myapi', '--json'], { cwd, env });
    expect(result.code).toBe(2);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ ok: false, exitCode: 2 });
    expect(summary.errors[0]).toContain('./myapi');
  });

  it('a word that is not close to a command stays a directory outside a project', async () => {
    const { cwd, home } = sandbox();
    for (const word of ['api', 'date', 'dock', 'adder']) {
      const result = await runCli([word, '--yes', '--dry-run'], { cwd, env: { HOME: home, GIT_CONFIG_NOSYSTEM: '1' } });
      expect(result.stderr, word).toBe('');
      expect(result.code, word).toBe(0);
    }
  });
});

describe.concurrent("the commands' mistyped flags and kinds get a suggestion", () => {
  it.each([
    [['update', '--dryrun'], '--dryrun: unknown option (did you mean --dry-run?)'],
    [['docker', '--runtme', 'distroless'], '--runtme: unknown option (did you mean --runtime?)'],
    [['docker', '--pyton=3.12'], '--pyton: unknown option (did you mean --python?)'],
    [['add', 'route', 'orders', '--jsn'], '--jsn: unknown option (did you mean --json?)'],
    [['add', 'rout', 'orders'], 'add: "rout" is not something to add (did you mean route?)'],
  ])('%j → exit 2, one error line: %s', async (args, line) => {
    const { cwd, env } = insideProject();
    const result = await runCli(args, { cwd, env });
    expect(result.code).toBe(2);
    // One error line: a mistyped value flag's value is not also reported as a stray argument.
    expect(errorLines(result.stderr)).toEqual([`error: ${line}; ${line.startsWith('add:') ? 'the kinds are: pyservice add route NAME, pyservice add db postgres' : `see pyservice ${args[0] === 'add' ? 'add route' : args[0]} --help`}`]);
  });
});
