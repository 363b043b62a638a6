/**
 * The author's default comes from git's user.name and user.email, read with
 * one git process (not one per key): the values must be exactly what
 * `git config --get KEY` gives, for configurations that make that non-trivial.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GIT_KEYS, realMachine } from '../../generators/options.js';
import { gitConfigValues } from '../../generators/post.js';

const root = mkdtempSync(join(tmpdir(), 'pyservice-gitconfig-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A HOME whose ~/.gitconfig is `config`, and git's environment for it (no system config). */
function home(name: string, config: string, files: Record<string, string> = {}) {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, '.gitconfig'), config);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return { dir, env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.config'), GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: undefined } };
}

/** What `git config --get KEY` says, one process per key (the oracle). */
function oneByOne(cwd: string, env: NodeJS.ProcessEnv): Map<string, string> {
  const values = new Map<string, string>();
  for (const key of GIT_KEYS) {
    const result = spawnSync('git', ['config', '--get', key], { cwd, env, encoding: 'utf8' });
    const value = result.status === 0 ? result.stdout.trim() : '';
    if (value.length > 0) values.set(key, value);
  }
  return values;
}

function withEnv<T>(env: NodeJS.ProcessEnv, run: () => T): T {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (!(key in env) || env[key] === undefined) delete process.env[key];
  Object.assign(process.env, Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)));
  try {
    return run();
  } finally {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe('gitConfigValues', () => {
  it.each([
    ['both set', '[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n', {}],
    ['none set', '[core]\n\tautocrlf = false\n', {}],
    ['several values: the last one wins', '[user]\n\tname = First\n\tname = "Second  Name" ; a comment\n[User]\n\tEMAIL = b@example.org\n', {}],
    ['a key without a value, and a blank one', '[user]\n\tname = Ada\n\tname\n\temail = "  "\n', {}],
    ['a subsection is another key', '[user "work"]\n\tname = Not Me\n[user]\n\temail = me@example.org\n', {}],
    ['an include', '[include]\n\tpath = ~/more.gitconfig\n[user]\n\tname = Overridden\n', { 'more.gitconfig': '[user]\n\tname = Included\n\temail = inc@example.org\n' }],
    ['an include after the value', '[user]\n\tname = Early\n[include]\n\tpath = ~/more.gitconfig\n', { 'more.gitconfig': '[user]\n\tname = Late\n' }],
  ])('%s: the same as git config --get, key by key', (name, config, files) => {
    const { dir, env } = home(name.replace(/\W+/g, '-'), config, files);
    const expected = oneByOne(dir, env);
    expect(withEnv(env, () => gitConfigValues(GIT_KEYS, dir))).toEqual(expected);
  });

  it('reads the repository config of the working directory too', () => {
    const { dir, env } = home('repository', '[user]\n\tname = Global\n\temail = global@example.org\n');
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    spawnSync('git', ['init', '--quiet'], { cwd: repo, env });
    spawnSync('git', ['config', 'user.name', 'Local'], { cwd: repo, env });
    expect(withEnv(env, () => gitConfigValues(GIT_KEYS, repo))).toEqual(new Map([['user.name', 'Local'], ['user.email', 'global@example.org']]));
  });

  it('is empty without git', () => {
    expect(withEnv({ ...process.env, PATH: join(root, 'nowhere') }, () => gitConfigValues(GIT_KEYS, root))).toEqual(new Map());
  });
});

describe("the machine's git settings", () => {
  it('come from one git process, started only when a default asks', () => {
    const { dir, env } = home('counted', '[user]\n\tname = Ada\n\temail = ada@example.org\n');
    // A git on PATH that logs each start, then runs the real one.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> "${join(dir, 'git.log')}"\nexec "${realGit}" "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    writeFileSync(join(dir, 'git.log'), '');
    const cwd = process.cwd();
    process.chdir(dir); // the machine reads git's settings where the CLI runs
    let values: (string | undefined)[];
    try {
      values = withEnv({ ...env, PATH: `${bin}:${process.env.PATH}` }, () => {
        const machine = realMachine(false, () => false);
        expect(readFileSync(join(dir, 'git.log'), 'utf8')).toBe('');
        return [machine.gitConfig('user.name'), machine.gitConfig('user.email'), machine.gitConfig('user.name')];
      });
    } finally {
      process.chdir(cwd);
    }
    expect(values).toEqual(['Ada', 'ada@example.org', 'Ada']);
    expect(readFileSync(join(dir, 'git.log'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});
