/**
 * The project's record: what it keeps, what it refuses, and where the base of
 * the next merge lives (git objects under refs/pyservice, or a snapshot).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  blobId,
  encodeSnapshot,
  findProject,
  gitBaseRef,
  parseRecord,
  prepareBase,
  readBase,
  RecordError,
  RECORD_FILE,
  serializeRecord,
  type ProjectRecord,
} from '../../src/project/record.js';
import { defaultAnswers } from '../helpers/presets.js';

const tmp = mkdtempSync(join(tmpdir(), 'pyservice-record-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const files = new Map([
  ['Dockerfile', 'FROM python:3.13-slim-trixie\n'],
  ['app/main.py', 'print("hi")\n'],
  ['README.md', '# hé\n'],
]);
const record: ProjectRecord = {
  version: '0.1.0',
  answers: defaultAnswers({ author: { name: 'Ada', email: 'ada@example.com' } }),
  routes: ['orders'],
  base: { files: Object.fromEntries([...files].map(([p, c]) => [p, blobId(c)])), snapshot: encodeSnapshot(files) },
};

const git = (cwd: string, ...args: string[]) => {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};

describe('blobId', () => {
  it('is git hash-object', () => {
    const dir = join(tmp, 'hash');
    mkdirSync(dir);
    for (const content of ['', 'a\n', 'é\r\n', 'no newline']) {
      writeFileSync(join(dir, 'f'), content);
      expect(blobId(content)).toBe(git(dir, 'hash-object', 'f'));
    }
  });
});

describe('serialize and parse', () => {
  it('round-trips', () => {
    expect(parseRecord(serializeRecord(record))).toEqual(record);
  });

  it('reads back the answers it writes, booleans included, and gives an older record without them the defaults', () => {
    const json = JSON.parse(serializeRecord(record));
    expect(json.answers).toMatchObject({ ci: 'github', compose: true });
    expect(parseRecord(edit((j) => (j.answers.compose = false))).answers.compose).toBe(false);
    const older = parseRecord(edit((j) => (delete j.answers.ci, delete j.answers.compose)));
    expect(older.answers).toMatchObject({ ci: 'github', compose: true });
  });

  it('keeps the answers readable at the top', () => {
    const json = JSON.parse(serializeRecord(record));
    expect(Object.keys(json)).toEqual(['generator', 'format', 'version', 'answers', 'routes', 'base']);
    expect(json.answers).toMatchObject({ name: 'my-api', runtime: 'slim', port: 8000, author: { name: 'Ada', email: 'ada@example.com' } });
  });

  const edit = (change: (json: any) => void) => {
    const json = JSON.parse(serializeRecord(record));
    change(json);
    return JSON.stringify(json);
  };

  it.each<[string, string, RegExp]>([
    ['not JSON', '{"generator": "create-pyservice",', /is not valid JSON/],
    ['foreign', JSON.stringify({ generator: 'cookiecutter', answers: {} }), /was not written by create-pyservice \(its "generator" is "cookiecutter"\)/],
    ['newer format', edit((j) => (j.format = 2)), /format 2, newer than this release/],
    ['written before records had a base', edit((j) => delete j.format), /before projects carried the base/],
    ['an unknown runtime', edit((j) => (j.answers.runtime = 'alpine')), /answers.runtime \(--runtime\): "alpine" is not one of: slim, distroless/],
    ['a port out of range', edit((j) => (j.answers.port = 70000)), /answers.port \(--port\): 70000 is outside/],
    ['a port as text', edit((j) => (j.answers.port = '8000')), /answers.port \(--port\): must be a number/],
    ['a boolean as text', edit((j) => (j.answers.compose = 'true')), /answers.compose \(--compose\): must be true or false, not "true"/],
    ['an unknown CI', edit((j) => (j.answers.ci = 'travis')), /answers.ci \(--ci\): "travis" is not one of: github, none/],
    ['an incompatible combination', edit((j) => Object.assign(j.answers, { runtime: 'distroless', python: '3.12' })), /--runtime distroless with --python 3.12 is not possible/],
    ['an unknown answer', edit((j) => (j.answers.colour = 'blue')), /answers.colour is not an answer this release knows/],
    ['an unnormalised name', edit((j) => (j.answers.name = 'My_API')), /"My_API" is not as this release records it \(expected "my-api"\)/],
    ['a path outside the project', edit((j) => (j.base.files['../etc/passwd'] = 'a'.repeat(40))), /base.files: the path "..\/etc\/passwd" has a ".." segment; it is not a file the generator manages/],
    ['a bad blob id', edit((j) => (j.base.files.Dockerfile = 'xyz')), /base.files\["Dockerfile"\] is not a blob id/],
    ['a corrupt snapshot', edit((j) => (j.base.snapshot = 'bm90IGd6aXA=')), /base.snapshot is corrupt/],
    ['a snapshot that does not match', edit((j) => (j.base.files.Dockerfile = 'a'.repeat(40))), /does not match base.files for Dockerfile/],
    ['a bad route', edit((j) => (j.routes = ['Orders'])), /routes: "Orders" is not a route name/],
    ['a foreign ref', edit((j) => (j.base.ref = 'refs/heads/main')), /base.ref must be/],
    ['a path inside .git, in any case', edit((j) => (j.base.files['.GIT/config'] = 'a'.repeat(40))), /base.files: the path ".GIT\/config" is inside \.git/],
    ['a path inside a nested .git', edit((j) => (j.base.files['vendor/.git/HEAD'] = 'a'.repeat(40))), /the path "vendor\/.git\/HEAD" is inside \.git/],
    ["the writer's lock", edit((j) => (j.base.files['.create-pyservice.lock'] = 'a'.repeat(40))), /lock or staging name/],
    [
      'a snapshot naming a path inside .git',
      edit((j) => (j.base.snapshot = encodeSnapshot(new Map([...files, ['.git/HEAD', 'ref: refs/heads/main\n']])))),
      /base.snapshot: the snapshot's path ".git\/HEAD" is inside \.git/,
    ],
    ['more files than any project', edit((j) => Object.assign(j.base.files, Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`f${i}`, 'a'.repeat(40)])))), /"base.files" lists more than 10000 files/],
  ])('refuses %s, naming the problem', (_label, text, message) => {
    let error: unknown;
    try {
      parseRecord(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RecordError);
    const { message: head, details } = error as RecordError;
    expect([head, ...details].join('\n')).toMatch(message);
  });

  it('reports every problem at once', () => {
    const text = edit((j) => Object.assign(j.answers, { runtime: 'alpine', deps: 'pipenv' }));
    expect(() => parseRecord(text)).toThrow(RecordError);
    try {
      parseRecord(text);
    } catch (error) {
      expect((error as RecordError).details).toHaveLength(2);
    }
  });

  it('fills an answer a later release added with its default', () => {
    const parsed = parseRecord(edit((j) => delete j.answers.poetryVersion));
    expect(parsed.answers.poetryVersion).toBe(record.answers.poetryVersion);
  });
});

describe('findProject', () => {
  it('finds the record from a sub-directory and refuses outside a project', async () => {
    const project = join(tmp, 'find', 'proj');
    mkdirSync(join(project, 'app', 'routes'), { recursive: true });
    writeFileSync(join(project, RECORD_FILE), serializeRecord(record));
    const found = await findProject(join(project, 'app', 'routes'));
    expect(found.root).toBe(project);
    expect(found.record.routes).toEqual(['orders']);
    await expect(findProject(join(tmp, 'find'))).rejects.toThrow(/is not inside a project generated by create-pyservice/);
  });
});

describe('where the base lives', () => {
  it('outside git: a snapshot in the record', () => {
    const dir = join(tmp, 'nogit');
    mkdirSync(dir);
    expect(gitBaseRef(dir)).toBeUndefined();
    const prepared = prepareBase(dir, files, 'test');
    expect(prepared.base.ref).toBeUndefined();
    expect(readBase(dir, prepared.base)).toEqual(files);
  });

  it('in git: objects under refs/pyservice/base, moved only on commit, found by id in a clone without the ref', () => {
    const repo = join(tmp, 'repo');
    mkdirSync(repo);
    git(repo, 'init', '--quiet');
    const first = prepareBase(repo, files, 'create-pyservice 0.1.0');
    expect(first.base).toEqual({ files: record.base.files, ref: 'refs/pyservice/base' });
    // Prepared: objects written, the real ref not yet there.
    expect(spawnSync('git', ['rev-parse', '--verify', '--quiet', 'refs/pyservice/base'], { cwd: repo }).status).not.toBe(0);
    expect(first.commit()).toBeUndefined();
    expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/pyservice/')).toBe('refs/pyservice/base');
    expect(readBase(repo, first.base)).toEqual(files);
    // Invisible in the working tree and the branch.
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'ls-tree', '-r', '--name-only', 'refs/pyservice/base').split('\n').sort()).toEqual([...files.keys()].sort());

    // The next base chains onto the previous one; a discarded one leaves nothing.
    const changed = new Map(files).set('Dockerfile', 'FROM python:3.13-slim-trixie AS runtime\n');
    const second = prepareBase(repo, changed, 'update');
    second.discard();
    expect(git(repo, 'for-each-ref', '--format=%(refname)', 'refs/pyservice/')).toBe('refs/pyservice/base');
    const third = prepareBase(repo, changed, 'update');
    third.commit();
    expect(git(repo, 'rev-list', '--count', 'refs/pyservice/base')).toBe('2');

    // A clone does not fetch refs/pyservice, but finds what was committed on the branch.
    for (const [path, content] of files) {
      mkdirSync(join(repo, path, '..'), { recursive: true });
      writeFileSync(join(repo, path), content);
    }
    git(repo, 'add', '--all');
    git(repo, 'commit', '--quiet', '-m', 'first');
    const clone = join(tmp, 'clone');
    git(tmp, 'clone', '--quiet', '--no-local', repo, clone);
    expect(git(clone, 'for-each-ref', 'refs/pyservice/')).toBe('');
    const inClone = readBase(clone, third.base);
    expect(inClone.get('README.md')).toBe(files.get('README.md'));
    expect(inClone.get('Dockerfile')).toBeUndefined(); // only ever in refs/pyservice: unavailable
  });

  it('a project in a sub-directory of a repository gets a ref of its own', () => {
    const repo = join(tmp, 'mono');
    mkdirSync(join(repo, 'services', 'api'), { recursive: true });
    git(repo, 'init', '--quiet');
    expect(gitBaseRef(repo)).toBe('refs/pyservice/base');
    expect(gitBaseRef(join(repo, 'services', 'api'))).toMatch(/^refs\/pyservice\/base-[0-9a-f]{12}$/);
  });
});
