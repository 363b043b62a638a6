/**
 * The record and the git state around a project are untrusted input: a
 * hand-edited `.pyservice.json` (paths into .git, through links, odd keys,
 * odd bytes), a repository in the middle of a merge, and a project of the
 * first release (no "format"), all through the real commands, in process, on
 * real projects with real git.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { read, REPO, sandbox } from '../helpers/cli.js';
import { runCommandInProcess, runMain } from '../helpers/in-process.js';
import { blobId } from '../../src/project/record.js';

const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };
const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...GIT_ID });
const VERSION = JSON.parse(read(join(REPO, 'package.json'))).version as string;

function git(cwd: string, ...args: string[]): { status: number | null; out: string } {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_EDITOR: 'true', ...GIT_ID } });
  return { status: result.status, out: `${result.stdout}${result.stderr}`.trim() };
}
const gitOk = (cwd: string, ...args: string[]) => {
  const result = git(cwd, ...args);
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.out}`);
  return result.out;
};
const status = (dir: string) => git(dir, 'status', '--porcelain', '--untracked-files=all').out;

let pristine: Promise<string> | undefined;
async function create(): Promise<string> {
  const { cwd, home } = sandbox();
  const created = await runMain(['api', '--yes'], { cwd, env: env(home) });
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  return join(cwd, 'api');
}

/** A copy of a freshly created, committed default project, and a way to run a command in it. */
async function project() {
  const { cwd, home } = sandbox();
  const dir = join(cwd, 'api');
  cpSync(await (pristine ??= create()), dir, { recursive: true });
  const run = (args: string[], where = dir) => runCommandInProcess(args, { cwd: where, env: env(home) });
  return { dir, home, run };
}

const RECORD = '.pyservice.json';
const editRecord = (dir: string, change: (json: any) => void) => {
  const json = JSON.parse(read(join(dir, RECORD)));
  change(json);
  writeFileSync(join(dir, RECORD), `${JSON.stringify(json, null, 2)}\n`);
};

describe.concurrent('a hand-edited record', () => {
  it('naming files that are not the project\'s (.git at any depth, any case; unnormalised; the writer\'s own; the record; too long): refused, exit 2, nothing written', async () => {
    const { dir, run } = await project();
    const head = read(join(dir, '.git/HEAD'));
    mkdirSync(join(dir, 'sub/.git'), { recursive: true });
    writeFileSync(join(dir, 'sub/.git/x'), 'x\n');
    const cases: [string, RegExp][] = [
      ['.git/HEAD', /is inside \.git/],
      ['.git/config', /is inside \.git/],
      ['sub/.git/x', /is inside \.git/],
      ['.GIT/config', /is inside \.git/],
      ['.Git', /is inside \.git/],
      ['app/../.git/HEAD', /has a "\.\." segment/],
      ['./Dockerfile', /has a "\." segment/],
      ['app//main.py', /empty segment/],
      ['app\\main.py', /backslash/],
      ['app/', /ends with a slash/],
      ['/etc/passwd', /is absolute/],
      ['.create-pyservice.lock', /lock or staging/],
      ['.create-pyservice-0a1b2c3d-12-0a1b2c3d/x', /lock or staging/],
      ['.pyservice.json', /is the record itself/],
      [`${'a/'.repeat(600)}x`, /longer than 1024/],
    ];
    for (const [path, why] of cases) {
      const before = read(join(dir, RECORD));
      // The id of what is there now: as if the generator had written it, so an update would delete it.
      const content = existsSync(join(dir, path)) && !path.endsWith('/') ? readFileSync(join(dir, path)) : '';
      editRecord(dir, (j) => (j.base.files[path] = blobId(content)));
      const edited = read(join(dir, RECORD));
      const result = await run(['update']);
      expect(result.code, path).toBe(2);
      expect(result.stderr, path).toMatch(/\.pyservice\.json/);
      expect(result.stderr, path).toMatch(why);
      expect(result.stderr, path).not.toMatch(/unexpected|\n\s+at /);
      expect(result.stdout, path).not.toMatch(/delete/);
      expect(read(join(dir, RECORD)), path).toBe(edited);
      writeFileSync(join(dir, RECORD), before);
    }
    expect(read(join(dir, '.git/HEAD'))).toBe(head);
    expect(read(join(dir, 'sub/.git/x'))).toBe('x\n');
    expect(status(dir)).toBe(''); // git itself skips sub/.git: nothing else changed
  });

  it('naming a file behind a directory that is a symbolic link: refused when read, even for a dry run', async () => {
    const { dir, run } = await project();
    const outside = join(dir, '..', 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    symlinkSync(outside, join(dir, 'linked'));
    editRecord(dir, (j) => (j.base.files['linked/secret.txt'] = blobId('secret\n')));
    for (const args of [['update', '--dry-run', '--diff'], ['update']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/linked\/secret\.txt: its directory linked is a symbolic link/);
      expect(result.stdout).not.toMatch(/secret/);
    }
    expect(read(join(outside, 'secret.txt'))).toBe('secret\n');
  });

  it('with keys such as constructor, toString and __proto__: plain data as paths (no unexpected failure), refused as answers', async () => {
    const { dir, run } = await project();
    const names: [string, string][] = [['constructor', 'a\n'], ['toString', 'b\n'], ['__proto__', 'c\n']];
    // As if an earlier release had generated these files and this one no longer does: an update deletes them.
    for (const [name, content] of names) writeFileSync(join(dir, name), content);
    const ids = names.map(([name, content]) => `"${name}": "${blobId(content)}",`);
    writeFileSync(join(dir, RECORD), read(join(dir, RECORD)).replace('"files": {', `"files": {\n      ${ids.join('\n      ')}`));
    const result = await run(['update', '--dry-run', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const actions = new Map((JSON.parse(result.stdout).files as { path: string; action: string }[]).map((f) => [f.path, f.action]));
    for (const name of ['constructor', 'toString', '__proto__']) expect(actions.get(name), name).toBe('delete');
    // As answers they are not legitimate: refused in one line each.
    gitOk(dir, 'checkout', '--', RECORD);
    for (const key of ['constructor', '__proto__', 'toString']) {
      writeFileSync(join(dir, RECORD), read(join(dir, RECORD)).replace('"answers": {', `"answers": {\n    "${key}": {"a": "b"},`));
      const refused = await run(['update']);
      expect(refused.code, key).toBe(2);
      expect(refused.stderr).toMatch(new RegExp(`answers\\.${key} is not an answer this release knows`));
      gitOk(dir, 'checkout', '--', RECORD);
    }
  });

  it('with a byte-order mark or CRLF line ends: read; not UTF-8 or huge: one clear line, exit 2', async () => {
    const { dir, run } = await project();
    const original = read(join(dir, RECORD));
    writeFileSync(join(dir, RECORD), `\uFEFF${original}`);
    let result = await run(['add', 'route', 'orders']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(read(join(dir, RECORD)).startsWith('{\n')).toBe(true); // written back without the mark
    writeFileSync(join(dir, RECORD), read(join(dir, RECORD)).replaceAll('\n', '\r\n'));
    result = await run(['add', 'route', 'accounts']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(read(join(dir, RECORD))).routes).toEqual(['orders', 'accounts']);

    writeFileSync(join(dir, RECORD), Buffer.from(original.replace('"name": "api"', '"name": "api", "description": "caf\xe9"'), 'latin1'));
    result = await run(['update']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^✖? ?.*\.pyservice\.json is not UTF-8 text .*save it as UTF-8/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);

    writeFileSync(join(dir, RECORD), original.replace(/\n$/, `${' '.repeat(9 * 1024 * 1024)}\n`));
    result = await run(['update']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\.pyservice\.json is \d+ bytes, larger than any record/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

/** A commit on a side branch and one on the current branch that change the same line of README.md. */
function divergingReadme(dir: string): string {
  const branch = gitOk(dir, 'rev-parse', '--abbrev-ref', 'HEAD');
  gitOk(dir, 'checkout', '-q', '-b', 'other');
  writeFileSync(join(dir, 'README.md'), `other\n${read(join(dir, 'README.md'))}`);
  gitOk(dir, 'commit', '-qam', 'other');
  gitOk(dir, 'checkout', '-q', branch);
  writeFileSync(join(dir, 'README.md'), `mine\n${read(join(dir, 'README.md'))}`);
  gitOk(dir, 'commit', '-qam', 'mine');
  return branch;
}

describe.concurrent('an unfinished git operation', () => {
  const operations: [string, (dir: string) => void, RegExp][] = [
    ['merge', (dir) => (divergingReadme(dir), git(dir, 'merge', 'other')), /a git merge is in progress .*git merge --continue or --abort first/],
    ['rebase', (dir) => (divergingReadme(dir), git(dir, 'rebase', 'other')), /a git rebase is in progress .*git rebase --continue or --abort first/],
    ['cherry-pick', (dir) => (divergingReadme(dir), git(dir, 'cherry-pick', 'other')), /a git cherry-pick is in progress .*git cherry-pick --continue or --abort first/],
    ['revert', (dir) => (divergingReadme(dir), writeFileSync(join(dir, 'README.md'), `again\n${read(join(dir, 'README.md'))}`.replace('\nmine\n', '\nmine, again\n')), gitOk(dir, 'commit', '-qam', 'again'), git(dir, 'revert', '--no-edit', 'HEAD~1')), /a git revert is in progress .*git revert --continue or --abort first/],
    ['bisect', (dir) => gitOk(dir, 'bisect', 'start'), /a git bisect is in progress .*git bisect reset first/],
  ];
  it.each(operations)('%s: add route, docker and update refuse (exit 2, nothing written); a dry run still shows the plan', async (_name, start, message) => {
    const { dir, run } = await project();
    start(dir);
    editRecord(dir, (j) => (j.version = '0.0.1')); // so that update has something to write
    const before = status(dir);
    const record = read(join(dir, RECORD));
    for (const args of [['add', 'route', 'orders'], ['docker', '--server', 'gunicorn'], ['update']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).not.toMatch(/unexpected|\n\s+at /);
      expect(status(dir)).toBe(before);
      expect(read(join(dir, RECORD))).toBe(record);
    }
    expect((await run(['docker', '--server', 'gunicorn', '--dry-run'])).code).toBe(0);
  });

  it('in a linked worktree (its own git directory): refused there, not in the main one', async () => {
    const { dir, run } = await project();
    divergingReadme(dir);
    const worktree = join(dir, '..', 'wt');
    gitOk(dir, 'worktree', 'add', '-q', worktree, '-b', 'wt', 'HEAD');
    git(worktree, 'merge', 'other');
    expect(existsSync(join(worktree, 'README.md'))).toBe(true);
    const refused = await run(['add', 'route', 'orders'], worktree);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/a git merge is in progress .*git merge --continue or --abort first/);
    expect(existsSync(join(worktree, 'app/routes/orders.py'))).toBe(false);
    const allowed = await run(['add', 'route', 'orders']);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
  });
});

describe.concurrent('a project of the first release (its record has no "format")', () => {
  /** Rewrite a fresh project as the first release left it: its record, then git init and one commit of everything. */
  async function firstRelease(options: { message?: string; parent?: boolean } = {}) {
    const made = await project();
    const { dir } = made;
    const current = JSON.parse(read(join(dir, RECORD)));
    const keys = ['name', 'description', 'author', 'python', 'runtime', 'deps', 'server', 'port', 'poetryVersion'];
    const answers = Object.fromEntries(keys.map((k) => [k, current.answers[k] ?? null]));
    writeFileSync(join(dir, RECORD), `${JSON.stringify({ generator: 'create-pyservice', version: VERSION, answers }, null, 2)}\n`);
    rmSync(join(dir, '.git'), { recursive: true, force: true });
    gitOk(dir, 'init', '-q');
    if (options.parent) gitOk(dir, 'commit', '-q', '--allow-empty', '-m', 'before');
    gitOk(dir, 'add', '--all');
    gitOk(dir, 'commit', '-q', '-m', options.message ?? `Initial commit from create-pyservice ${VERSION}`);
    return made;
  }

  it('is updated with its first commit as the base: your edits kept, the generator\'s changes applied, the record upgraded', async () => {
    const { dir, run } = await firstRelease();
    writeFileSync(join(dir, 'Makefile'), `${read(join(dir, 'Makefile'))}\nmine: ## my own target\n\t@echo mine\n`);
    gitOk(dir, 'commit', '-qam', 'my target');
    const result = await run(['docker', '--server', 'gunicorn', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const files = JSON.parse(result.stdout).files as { path: string; action: string }[];
    expect(files.filter((f) => f.action === 'conflict')).toEqual([]);
    expect(read(join(dir, 'Makefile'))).toContain('mine: ## my own target');
    expect(read(join(dir, 'Dockerfile'))).toMatch(/gunicorn/);
    expect(existsSync(join(dir, 'gunicorn_config.py'))).toBe(true);
    const record = JSON.parse(read(join(dir, RECORD)));
    expect(record).toMatchObject({ format: 1, answers: { server: 'gunicorn' }, base: { ref: 'refs/pyservice/base' } });
    expect(record.base.files.Makefile).toMatch(/^[0-9a-f]{40}$/);
    // And the next command works from the new record as any project's.
    expect((await run(['add', 'route', 'orders'])).code).toBe(0);
  });

  it('says precisely why not when the first commit cannot serve (no git, not the release\'s commit, rewritten, record changed)', async () => {
    const noGit = await firstRelease();
    rmSync(join(noGit.dir, '.git'), { recursive: true, force: true });
    const cases: [Awaited<ReturnType<typeof firstRelease>>, RegExp][] = [
      [noGit, /is not in a git repository/],
      [await firstRelease({ message: 'my own first commit' }), /, "my own first commit"\) is not the one create-pyservice made/],
      [await firstRelease({ parent: true }), /has a parent: the history was rewritten/],
    ];
    const changed = await firstRelease();
    editRecord(changed.dir, (j) => (j.answers.port = 8001));
    gitOk(changed.dir, 'commit', '-qam', 'port');
    cases.push([changed, /\.pyservice\.json is not what that commit \([0-9a-f]{12}\) holds: it was changed since/]);
    for (const [{ dir, run }, message] of cases) {
      const before = status(dir);
      const result = await run(['docker', '--server', 'gunicorn']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/\.pyservice\.json has no "format": it was written by create-pyservice .*, which kept no base for merges; its first git commit would serve, but /);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/so this project cannot be updated automatically/);
      expect(status(dir)).toBe(before);
    }
  });
});
