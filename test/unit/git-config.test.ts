/**
 * The author's default comes from git's user.name and user.email. They are read
 * from the configuration files when that is certain to give git's answer, else
 * from one git process (not one per key). Both ways are held to the oracle,
 * `git config --get KEY` run key by key, for configurations that make that
 * non-trivial; the reader must also know when to leave it to git.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { askGit, gitSystemConfig, parseConfig, readGitConfig } from '../../src/io/git-config.js';
import { initGit } from '../../src/io/post.js';
import { realMachine } from '../../src/io/machine.js';
import { GIT_KEYS } from '../../src/model/options.js';

const root = mkdtempSync(join(tmpdir(), 'pyservice-gitconfig-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const REAL_GIT = realpathSync(spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim());
/** An environment with nothing of git's own (GIT_*), and PATH. */
const PLAIN_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));

let count = 0;
/** A HOME with the given files (relative paths), a system file, and the environment git and the reader get. */
function setup(files: { system?: string; xdg?: string; home?: string; extra?: Record<string, string> }) {
  const dir = join(root, `case-${count++}`);
  const home = join(dir, 'home');
  mkdirSync(join(home, '.config', 'git'), { recursive: true });
  const system = join(dir, 'gitconfig');
  if (files.system !== undefined) writeFileSync(system, files.system);
  if (files.xdg !== undefined) writeFileSync(join(home, '.config', 'git', 'config'), files.xdg);
  if (files.home !== undefined) writeFileSync(join(home, '.gitconfig'), files.home);
  for (const [path, text] of Object.entries(files.extra ?? {})) writeFileSync(join(home, path), text);
  const cwd = join(dir, 'work');
  mkdirSync(cwd);
  const env = { ...PLAIN_ENV, HOME: home, XDG_CONFIG_HOME: undefined };
  return { cwd, env, system, gitEnv: { ...env, GIT_CONFIG_SYSTEM: system } };
}

/** The oracle: `git config --get KEY`, one process per key, trimmed; blank = not set. */
function oracle(cwd: string, env: NodeJS.ProcessEnv): Map<string, string> {
  const values = new Map<string, string>();
  for (const key of GIT_KEYS) {
    const result = spawnSync('git', ['config', '--get', key], { cwd, env, encoding: 'utf8' });
    const value = result.status === 0 ? result.stdout.trim() : '';
    if (value.length > 0) values.set(key, value);
  }
  return values;
}

/** Run `fn` with process.env and the working directory replaced. */
function within<T>(env: NodeJS.ProcessEnv, cwd: string, fn: () => T): T {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)));
  process.chdir(cwd);
  try {
    return fn();
  } finally {
    process.chdir(savedCwd);
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  }
}

// Configurations the reader must read exactly as git does.
const READABLE: [string, Parameters<typeof setup>[0]][] = [
  ['both set', { home: '[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n' }],
  ['none set', { home: '[core]\n\tautocrlf = false\n' }],
  ['no files at all', {}],
  ['the last of several values, across sections and case', { home: '[user]\n\tname = First\n\tNAME = "Second  Name" ; a comment\n[User]\n\tEMAIL = b@example.org\n' }],
  ['a variable without "=", then a blank one', { home: '[user]\n\tname = Ada\n\tname\n\temail = "  "\n\temail = x@example.org\n\temail =\n' }],
  ['subsections and the old [section.sub] form are other keys', { home: '[user "work"]\n\tname = Not Me\n[user.old]\n\tname = Not Me Either\n[user]\n\temail = me@example.org\n' }],
  ['system, then XDG, then ~/.gitconfig', { system: '[user]\n\tname = System\n\temail = system@example.org\n', xdg: '[user]\n\tname = Xdg\n', home: '[core]\n\teditor = vi\n' }],
  ['~/.gitconfig wins over XDG', { xdg: '[user]\n\tname = Xdg\n\temail = xdg@example.org\n', home: '[user]\n\tname = Home\n' }],
  ['quotes, escapes, tabs and runs of blanks inside a value', { home: '[user]\n\tname = Ada\t \t"Lovelace \\"the\\" \\\\ first"  ; c\n\temail = "a;b#c"@example.org # comment\n' }],
  ['a value continued over lines', { home: '[user]\n\tname = Ada \\\n  Lovelace\n\temail = ada@\\\nexample.org\n' }],
  ['CRLF line ends and a byte order mark', { home: '\uFEFF[user]\r\n\tname = Crlf Person\r\n\temail = crlf@example.org\r\n' }],
  ['comments and blank lines everywhere', { home: '# top\n; also\n\n  [user]   # here too\n\n\tname=Tight\n  # name = Commented\n\temail   =   spaced@example.org   \n' }],
  ['non-ASCII', { home: '[user]\n\tname = Zoë Ågren 李\n\temail = zoe@example.org\n' }],
  ['the last line without a newline', { home: '[user]\n\temail = last@example.org\n\tname = No Newline' }],
];

// Configurations the reader must leave to git (its answer is then git's, by construction).
const LEFT_TO_GIT: [string, Parameters<typeof setup>[0]][] = [
  ['an include', { home: '[include]\n\tpath = ~/more.gitconfig\n[user]\n\tname = Overridden\n', extra: { 'more.gitconfig': '[user]\n\tname = Included\n' } }],
  ['an includeIf', { home: '[includeIf "gitdir:~/"]\n\tpath = ~/more.gitconfig\n', extra: { 'more.gitconfig': '[user]\n\tname = Included\n' } }],
  ['an include in the system file', { system: '[Include]\n\tpath = /nowhere\n', home: '[user]\n\tname = Ada\n' }],
  ['a variable on the line of its section', { home: '[user] name = Same Line\n' }],
  ['an unknown escape (git refuses the file)', { home: '[user]\n\tname = Ada \\q\n' }],
  ['an unterminated quote (git refuses the file)', { home: '[user]\n\tname = "Ada\n' }],
  ['a variable before any section', { home: 'name = Nobody\n[user]\n\tname = Ada\n' }],
  ['a lone carriage return', { home: '[user]\n\tname = Ada\rLovelace\n' }],
];

describe('reading the configuration files', () => {
  it.each(READABLE)('%s: what git config --get says', (_name, files) => {
    const { cwd, env, system, gitEnv } = setup(files);
    const read = readGitConfig(GIT_KEYS, { env, cwd, system });
    expect(read).toBeDefined();
    expect(read).toEqual(oracle(cwd, gitEnv));
  });

  it.each(LEFT_TO_GIT)('%s: left to git, whose one process gives the same as key by key', (_name, files) => {
    const { cwd, env, system, gitEnv } = setup(files);
    expect(readGitConfig(GIT_KEYS, { env, cwd, system })).toBeUndefined();
    expect(within(gitEnv, cwd, () => askGit(GIT_KEYS, cwd))).toEqual(oracle(cwd, gitEnv));
  });

  it.each(READABLE)('%s: one git process for both keys says the same', (_name, files) => {
    const { cwd, gitEnv } = setup(files);
    expect(within(gitEnv, cwd, () => askGit(GIT_KEYS, cwd))).toEqual(oracle(cwd, gitEnv));
  });

  it('leaves it to git inside a repository (its own config may set the author)', () => {
    const { cwd, env, system, gitEnv } = setup({ home: '[user]\n\tname = Global\n\temail = global@example.org\n' });
    spawnSync('git', ['init', '--quiet'], { cwd, env: gitEnv });
    spawnSync('git', ['config', 'user.name', 'Local'], { cwd, env: gitEnv });
    mkdirSync(join(cwd, 'sub'));
    expect(readGitConfig(GIT_KEYS, { env, cwd: join(cwd, 'sub'), system })).toBeUndefined();
    expect(within(gitEnv, cwd, () => askGit(GIT_KEYS, join(cwd, 'sub')))).toEqual(new Map([['user.name', 'Local'], ['user.email', 'global@example.org']]));
  });

  it("leaves it to git when a variable changes git's files or repository, or HOME is not set", () => {
    const { cwd, env, system } = setup({ home: '[user]\n\tname = Ada\n' });
    for (const extra of [
      { GIT_CONFIG_GLOBAL: '/nowhere' },
      { GIT_CONFIG_SYSTEM: '/nowhere' },
      { GIT_CONFIG_NOSYSTEM: '1' },
      { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.name', GIT_CONFIG_VALUE_0: 'Env' },
      { GIT_CONFIG_PARAMETERS: "'user.name'='Env'" },
      { GIT_DIR: '/nowhere' },
      { GIT_CEILING_DIRECTORIES: '/' },
    ]) {
      expect(readGitConfig(GIT_KEYS, { env: { ...env, ...extra }, cwd, system }), JSON.stringify(extra)).toBeUndefined();
    }
    expect(readGitConfig(GIT_KEYS, { env: { ...env, HOME: undefined }, cwd, system })).toBeUndefined();
  });

  it('reads the files with variables set that do not change what git config prints', () => {
    const { cwd, env, system, gitEnv } = setup({ home: '[user]\n\tname = Ada\n\temail = ada@example.org\n' });
    const extra = { GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt', GIT_AUTHOR_NAME: 'Someone Else', GIT_TERMINAL_PROMPT: '0', GIT_TRACE: '0' };
    const read = readGitConfig(GIT_KEYS, { env: { ...env, ...extra }, cwd, system });
    expect(read).toBeDefined();
    expect(read).toEqual(oracle(cwd, { ...gitEnv, ...extra }));
  });

  it('reads $XDG_CONFIG_HOME/git/config when XDG_CONFIG_HOME is set', () => {
    const { cwd, env, system, gitEnv } = setup({ home: '[user]\n\temail = home@example.org\n' });
    const xdg = join(cwd, 'xdg');
    mkdirSync(join(xdg, 'git'), { recursive: true });
    writeFileSync(join(xdg, 'git', 'config'), '[user]\n\tname = From Xdg\n\temail = xdg@example.org\n');
    const read = readGitConfig(GIT_KEYS, { env: { ...env, XDG_CONFIG_HOME: xdg }, cwd, system });
    expect(read).toEqual(oracle(cwd, { ...gitEnv, XDG_CONFIG_HOME: xdg }));
    expect(read?.get('user.name')).toBe('From Xdg');
  });

  it('leaves an unreadable file to git', () => {
    const { cwd, env } = setup({ home: '[user]\n\tname = Ada\n' });
    expect(readGitConfig(GIT_KEYS, { env, cwd, system: cwd /* a directory */ })).toBeUndefined();
  });
});

describe("the git on PATH and its system file", () => {
  it('is /etc/gitconfig for /usr/bin/git on Linux, also through a symbolic link', () => {
    const bin = join(root, 'linked-bin');
    mkdirSync(bin);
    symlinkSync(REAL_GIT, join(bin, 'git'));
    const expected = process.platform === 'linux' && REAL_GIT === '/usr/bin/git' ? '/etc/gitconfig' : undefined;
    expect(gitSystemConfig({ PATH: `${join(root, 'empty')}:${bin}` })).toBe(expected);
  });

  it('is unknown (left to git) for any other git, and null without git', () => {
    const bin = join(root, 'other-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), '#!/bin/sh\nexec git "$@"\n');
    chmodSync(join(bin, 'git'), 0o755);
    expect(gitSystemConfig({ PATH: bin })).toBeUndefined();
    expect(gitSystemConfig({ PATH: join(root, 'empty') })).toBeNull();
    expect(gitSystemConfig({})).toBeNull();
  });
});

describe('parseConfig', () => {
  it('gives every variable in order, with its section', () => {
    expect(parseConfig('[core]\n\tbare = false\n[user "x y"]\n\tname = A\n[user]\n\tflag\n')).toEqual([
      ['core.bare', 'false'],
      ['user.x y.name', 'A'],
      ['user.flag', ''],
    ]);
  });
});

describe("the machine's git settings", () => {
  /** A git on PATH that logs each start, then runs the real one (so the reader leaves the files to it). */
  function countedGit(dir: string) {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> "${join(dir, 'git.log')}"\nexec "${REAL_GIT}" "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    writeFileSync(join(dir, 'git.log'), '');
    return { PATH: `${bin}:${process.env.PATH}`, starts: () => readFileSync(join(dir, 'git.log'), 'utf8').split('\n').filter(Boolean) };
  }

  it('take one git process when git has to answer, started only when a default asks', () => {
    const { cwd, gitEnv } = setup({ home: '[user]\n\tname = Ada\n\temail = ada@example.org\n' });
    const git = countedGit(cwd);
    const values = within({ ...gitEnv, PATH: git.PATH }, cwd, () => {
      const machine = realMachine(false, () => false);
      expect(git.starts()).toEqual([]);
      return [machine.gitConfig('user.name'), machine.gitConfig('user.email'), machine.gitConfig('user.name')];
    });
    expect(values).toEqual(['Ada', 'ada@example.org', 'Ada']);
    expect(git.starts()).toHaveLength(1);
  });
});

describe('git init', () => {
  it('runs no process just to ask whether git is there: four in all for a first commit', () => {
    const { cwd, gitEnv } = setup({ home: '[user]\n\tname = Ada\n\temail = ada@example.org\n' });
    const bin = join(cwd, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$1" >> "${join(cwd, 'git.log')}"\nexec "${REAL_GIT}" "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const project = join(cwd, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'a.txt'), 'a\n');
    const result = within({ ...gitEnv, PATH: `${bin}:${process.env.PATH}` }, cwd, () => initGit(project, '0.0.0', ['a.txt']));
    expect(result).toEqual({ done: true, message: 'initialised a git repository with a first commit' });
    expect(readFileSync(join(cwd, 'git.log'), 'utf8').trim().split('\n')).toEqual(['rev-parse', 'init', '--literal-pathspecs', 'commit']);
  });

  it('says git is not installed when it is not on PATH', () => {
    const { cwd, env } = setup({});
    const result = within({ ...env, PATH: join(root, 'empty') }, cwd, () => initGit(cwd, '0.0.0', []));
    expect(result).toEqual({ done: false, message: 'git is not installed: skipped git init' });
  });
});
