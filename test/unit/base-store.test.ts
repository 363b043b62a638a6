/**
 * A git step of the base store that fails on a real full disk (a small tmpfs):
 * the scratch files that step created in .git are removed (and only those),
 * the base falls back to the record's snapshot, and the failure is one line.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareBase, readBase } from '../../src/project/record.js';
import { withTmpfs } from '../helpers/mounts.js';

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const git = (cwd: string, ...args: string[]) => {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: GIT_ENV });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};

/** Every path under .git, files and directories. */
const gitListing = (repo: string) =>
  readdirSync(join(repo, '.git'), { recursive: true, withFileTypes: true })
    .map((e) => relative(repo, join(e.parentPath, e.name)))
    .sort();

/** Fill the file system holding `dir` to the last byte. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(64 * 1024);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), chunk);
    } catch {
      break;
    }
  }
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `crumb-${i}`), Buffer.alloc(512));
    } catch {
      return;
    }
  }
}

describe('the base store on a full disk', () => {
  it.each([
    ['an update (pending ref)', {}],
    ['a new project (fresh ref)', { fresh: true }],
  ])('%s: git fast-import fails; its scratch files are removed, older ones kept; one line says so; the snapshot holds the base', async (_label, options) => {
    await withTmpfs('size=2m', async (disk) => {
      const repo = join(disk, 'repo');
      mkdirSync(repo);
      git(repo, 'init', '-q');
      writeFileSync(join(repo, 'README.md'), '# hi\n');
      git(repo, 'add', '--all');
      git(repo, 'commit', '-qm', 'first');
      // Someone else's scratch file, there before: not ours to remove.
      writeFileSync(join(repo, '.git/objects/pack/tmp_pack_older'), '');
      fill(disk);
      const before = gitListing(repo);
      // Incompressible content, larger than what is left.
      const files = new Map([['Dockerfile', randomBytes(400 * 1024).toString('base64')], ['app/main.py', 'print("hi")\n']]);
      const prepared = prepareBase(repo, files, 'create-pyservice 9.9.9: update', {}, options);
      expect(gitListing(repo)).toEqual(before);
      expect(prepared.problem).toMatch(/^git could not store the base of later updates \(git fast-import: .+\); it is kept in \.pyservice\.json instead$/);
      expect(prepared.problem).not.toMatch(/\n/);
      expect(prepared.commit()).toBe(prepared.problem);
      expect(prepared.base.snapshot).toBeDefined();
      expect(readBase(repo, prepared.base)).toEqual(files);
    });
  });
});
