/**
 * The writer in-process, against real file systems: failures are injected for
 * real (tmpfs out of inodes, a mount point or a read-only bind mount appearing
 * inside the target, another run or the user writing at the same moment) at
 * chosen steps of the write, through its onStep hook. Needs root (mounts).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planWrite, writeFiles, WriteFailed, WriteRefused, type Step } from '../../src/io/write.js';
import { exhaustInodes, mountReadOnly, mountTmpfs, unmount, withMounts, withTmpfs } from '../helpers/mounts.js';

const files = () =>
  new Map([
    ['Makefile', 'generated make\n'],
    ['README.md', 'generated readme\n'],
    ['app/main.py', 'print("generated")\n'],
    ['app/sub/x.py', 'x = 1\n'],
    ['tests/test_a.py', 'def test(): pass\n'],
  ]);
const base = () => mkdtempSync(join(tmpdir(), 'pyservice-write-'));
const mode = (path: string) => statSync(path).mode & 0o777;

/** A hook that runs `action` at the nth occurrence of `step`. */
const at = (step: Step, nth: number, action: () => void) => {
  let seen = 0;
  return (s: Step) => {
    if (s === step && ++seen === nth) action();
  };
};

const umask = process.umask();
afterEach(() => {
  process.umask(umask);
});

/** The user's directory: two files the project replaces (with modes of their own) and one it does not know. */
function userProject(root: string, withApp = false) {
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'Makefile'), 'my make\n');
  chmodSync(join(root, 'Makefile'), 0o640);
  writeFileSync(join(root, 'README.md'), 'my readme\n');
  chmodSync(join(root, 'README.md'), 0o600);
  writeFileSync(join(root, 'notes.txt'), 'my notes\n');
  if (withApp) {
    mkdirSync(join(root, 'app'));
    writeFileSync(join(root, 'app', 'notes.txt'), 'my app notes\n');
  }
  const identity = (p: string) => ({ content: readFileSync(join(root, p), 'utf8'), mode: mode(join(root, p)), ino: statSync(join(root, p)).ino });
  const before = { Makefile: identity('Makefile'), 'README.md': identity('README.md') };
  return {
    /** Every file of the user's is back, the very same file (inode), content and mode; nothing of ours is left. */
    expectUntouched() {
      for (const [path, was] of Object.entries(before)) expect(identity(path), path).toEqual(was);
      expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe('my notes\n');
      expect(readdirSync(root).sort()).toEqual(withApp ? ['Makefile', 'README.md', 'app', 'notes.txt'] : ['Makefile', 'README.md', 'notes.txt']);
      if (withApp) expect(readdirSync(join(root, 'app'))).toEqual(['notes.txt']);
    },
  };
}

describe('a new directory', () => {
  it('is written with one rename, follows the umask (not the staging directory\'s 0700), and leaves no staging', async () => {
    for (const [mask, expected] of [
      [0o022, 0o755],
      [0o027, 0o750],
    ] as const) {
      const root = base();
      process.umask(mask);
      const plan = planWrite(join(root, 'new'), files(), false);
      expect(plan).toEqual({ target: join(root, 'new'), targetExists: false, overwrites: [], force: false });
      writeFiles(plan, files());
      expect(readFileSync(join(root, 'new', 'app', 'sub', 'x.py'), 'utf8')).toBe('x = 1\n');
      expect(mode(join(root, 'new'))).toBe(expected);
      expect(mode(join(root, 'new', 'app'))).toBe(expected);
      expect(mode(join(root, 'new', 'Makefile'))).toBe(expected & 0o666);
      expect(readdirSync(root)).toEqual(['new']);
    }
  });

  it('takes a name of 255 bytes: the staging name does not grow with it', () => {
    const root = base();
    const name = `${'é'.repeat(126)}abc`; // 255 bytes in UTF-8
    expect(Buffer.byteLength(name)).toBe(255);
    writeFiles(planWrite(join(root, name), files(), false), files());
    expect(readdirSync(root)).toEqual([name]);
  });

  it('creates missing parents, and removes them again when the write fails', async () => {
    await withTmpfs('size=64k,nr_inodes=64', (fs) => {
      const plan = planWrite(join(fs, 'a', 'b', 'svc'), files(), false);
      const big = new Map([...files(), ['huge.bin', 'x'.repeat(200 * 1024)]]);
      // The plan was made for the small tree; the big one runs out of space while staging.
      expect(() => writeFiles(plan, big)).toThrow(/no space left on the file system \(bytes or inodes\) while writing .*; nothing was written$/);
      expect(readdirSync(fs)).toEqual([]);
    });
  });

  it('loses a race to a concurrent run cleanly: exactly one of the two writes the project', () => {
    const root = base();
    const target = join(root, 'svc');
    const theirs = new Map([...files()].map(([p, c]) => [p, `theirs: ${c}`]));
    const planA = planWrite(target, files(), false);
    const planB = planWrite(target, theirs, false);
    // A claims the directory; while it stages, B runs from start to end.
    const hook = at('claim', 1, () => writeFiles(planB, theirs));
    expect(() => writeFiles(planA, files(), { onStep: hook })).toThrow(WriteFailed);
    expect(() => writeFiles(planA, files(), { onStep: hook })).toThrow(/was created by someone else|claimed by someone else/);
    for (const [path, content] of theirs) expect(readFileSync(join(target, path), 'utf8')).toBe(content);
    expect(readdirSync(root)).toEqual(['svc']); // A's staging is gone
  });

  it('removes a stale staging directory of ours, and nothing that is not ours', () => {
    const root = base();
    const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const dead = spawnSync('true').pid!; // a process that has exited
    const stale = `.create-pyservice-${host}-${dead}-0badcafe`;
    const live = `.create-pyservice-${host}-${process.pid}-0badcafe`;
    const foreign = `.create-pyservice-00000000-${dead}-0badcafe`;
    for (const dir of [stale, live, foreign, '.create-pyservice-notes']) {
      mkdirSync(join(root, dir));
      writeFileSync(join(root, dir, 'file'), 'x');
    }
    writeFiles(planWrite(join(root, 'svc'), files(), false), files());
    expect(readdirSync(root).sort()).toEqual([foreign, live, '.create-pyservice-notes', 'svc'].sort());
  });
});

describe('an existing directory', () => {
  it('treats a directory holding only .git as empty', () => {
    const root = base();
    mkdirSync(join(root, 'repo', '.git'), { recursive: true });
    writeFiles(planWrite(join(root, 'repo'), files(), false), files());
    expect(readdirSync(join(root, 'repo')).sort()).toEqual(['.git', 'Makefile', 'README.md', 'app', 'tests']);
  });

  it('is written in place when its parent is read-only (".") and keeps its own mode; new directories follow the umask', async () => {
    const root = base();
    mkdirSync(join(root, 'here'));
    await withMounts(async (mounted) => {
      mountReadOnly(root, mounted(root));
      const here = join(root, 'here');
      mountTmpfs(mounted(here), 'size=1m,mode=0711');
      process.umask(0o022);
      writeFiles(planWrite(here, files(), false), files());
      expect(readdirSync(here).sort()).toEqual(['Makefile', 'README.md', 'app', 'tests']); // no staging, no lock
      expect(mode(here)).toBe(0o711);
      expect(mode(join(here, 'app'))).toBe(0o755);
      expect(mode(join(here, 'app', 'main.py'))).toBe(0o644);
    });
  });

  it('refuses conflicts without force, listing exactly the generated files that exist', () => {
    const root = base();
    userProject(join(root, 't'));
    expect(() => planWrite(join(root, 't'), files(), false)).toThrow(WriteRefused);
    try {
      planWrite(join(root, 't'), files(), false);
    } catch (error) {
      expect((error as WriteRefused).details).toEqual(['Makefile', 'README.md']);
    }
  });

  it('with force, replaces the generated files only', () => {
    const root = base();
    userProject(join(root, 't'));
    const plan = planWrite(join(root, 't'), files(), true);
    expect(plan.overwrites).toEqual(['Makefile', 'README.md']);
    writeFiles(plan, files());
    expect(readFileSync(join(root, 't', 'Makefile'), 'utf8')).toBe('generated make\n');
    expect(readFileSync(join(root, 't', 'notes.txt'), 'utf8')).toBe('my notes\n');
    expect(readdirSync(join(root, 't')).sort()).toEqual(['Makefile', 'README.md', 'app', 'notes.txt', 'tests']);
  });

  // Each case lets the write replace Makefile and README.md, then breaks the file system under it.
  describe.each([
    {
      name: 'the file system runs out of inodes',
      withApp: false,
      cause: /no space left on the file system/,
      inject: (root: string) => exhaustInodes(join(root, '..', 'filler')),
    },
    {
      name: 'a mount point appears inside the target (rename/link across devices: EXDEV)',
      withApp: true,
      cause: /another file system/,
      inject: (root: string) => mountTmpfs(join(root, 'app'), 'size=1m'),
    },
    {
      name: 'a directory inside the target becomes read-only',
      withApp: true,
      cause: /read-only file system/,
      inject: (root: string) => mountReadOnly(join(root, 'app'), join(root, 'app')),
    },
  ])('--force failing midway: $name', ({ withApp, cause, inject }) => {
    it('restores every replaced file byte for byte, with its mode, and removes what it wrote', async () => {
      await withTmpfs('size=4m,nr_inodes=400', async (fs) => {
        const root = join(fs, 'svc');
        mkdirSync(join(fs, 'filler'));
        const user = userProject(root, withApp);
        const plan = planWrite(root, files(), true);
        expect(plan.overwrites).toEqual(['Makefile', 'README.md']);
        let error: unknown;
        try {
          writeFiles(plan, files(), {
            onStep: at('move', 2, () => {
              // Both of the user's files have been replaced by now.
              expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe('generated readme\n');
              inject(root);
            }),
          });
        } catch (e) {
          error = e;
        } finally {
          unmount(join(root, 'app'));
        }
        expect(error).toBeInstanceOf(WriteFailed);
        expect((error as Error).message).toMatch(cause);
        expect((error as Error).message).toMatch(/everything was put back as it was$/);
        user.expectUntouched();
      });
    });
  });

  it('never replaces a file that appears while it writes, even with --force', () => {
    for (const force of [false, true]) {
      const root = base();
      const target = join(root, 't');
      mkdirSync(target);
      const plan = planWrite(target, files(), force);
      expect(() =>
        writeFiles(plan, files(), { onStep: at('stage', 1, () => writeFileSync(join(target, 'README.md'), 'typed just now\n')) }),
      ).toThrow(/README\.md was created by someone else while we were writing; nothing of theirs was replaced; everything was put back as it was/);
      expect(readFileSync(join(target, 'README.md'), 'utf8')).toBe('typed just now\n');
      expect(readdirSync(target)).toEqual(['README.md']);
    }
  });

  it('checks again under its lock: a file that appeared after planning stops the write before anything moves', () => {
    const root = base();
    mkdirSync(join(root, 't'));
    const plan = planWrite(join(root, 't'), files(), false);
    writeFileSync(join(root, 't', 'Makefile'), 'mine\n');
    expect(() => writeFiles(plan, files())).toThrow(/not empty and 1 generated file would overwrite yours/);
    expect(readdirSync(join(root, 't'))).toEqual(['Makefile']);
  });

  it('lets one of two concurrent runs in: the second is refused while the first writes', () => {
    const root = base();
    const target = join(root, 't');
    mkdirSync(target);
    const planA = planWrite(target, files(), false);
    const planB = planWrite(target, files(), false);
    let second: unknown;
    writeFiles(planA, files(), {
      onStep: at('stage', 1, () => {
        try {
          writeFiles(planB, files());
        } catch (error) {
          second = error;
        }
      }),
    });
    expect(second).toBeInstanceOf(WriteFailed);
    expect((second as Error).message).toMatch(new RegExp(`another create-pyservice run \\(process ${process.pid}\\) is writing into`));
    expect(readdirSync(target).sort()).toEqual(['Makefile', 'README.md', 'app', 'tests']);
  });
});

describe('the verdict before writing (the same for --dry-run and the real run)', () => {
  const verdict = (target: string, force = false) => {
    const outcomes = [true, false].map((dryRun) => {
      try {
        planWrite(target, files(), force, { dryRun });
        return 'ok';
      } catch (error) {
        return `${(error as Error).constructor.name}: ${(error as Error).message}`;
      }
    });
    expect(outcomes[0]).toBe(outcomes[1]);
    return outcomes[0]!;
  };

  it('refuses a dangling symbolic link as the target, naming where it points', () => {
    const root = base();
    symlinkSync(join(root, 'nowhere'), join(root, 'link'));
    expect(verdict(join(root, 'link'))).toMatch(/^WriteRefused: .*link is a symbolic link to .*nowhere that does not exist; create that directory first/);
  });

  it('refuses a target so deep that the files inside it would pass the 4095-byte path limit', () => {
    const root = base();
    const deep = join(root, ...Array.from({ length: 16 }, (_, i) => `${i}`.padEnd(250, 'd')));
    mkdirSync(deep, { recursive: true });
    expect(verdict(join(deep, 'svc'))).toMatch(/^WriteRefused: .*svc is too deep: its full path is \d+ bytes, and with the project's files inside it paths would reach \d+ bytes \(the limit is 4095\); choose a shorter path$/);
  });

  it('refuses a target below a file', () => {
    const root = base();
    writeFileSync(join(root, 'file'), '');
    expect(verdict(join(root, 'file', 'svc'))).toMatch(/^WriteRefused: cannot create .*: .*file is a file, not a directory$/);
  });

  it('fails on a read-only file system, new or existing target', async () => {
    const root = base();
    mkdirSync(join(root, 'existing'));
    await withMounts((mounted) => {
      mountReadOnly(root, mounted(root));
      expect(verdict(join(root, 'new'))).toMatch(/^WriteFailed: .* is on a read-only file system; choose a directory on a writable one$/);
      expect(verdict(join(root, 'existing'))).toMatch(/^WriteFailed: .*existing is on a read-only file system/);
    });
  });

  it('fails when the file system has no room for the files, or no inodes', async () => {
    await withTmpfs('size=8k', (fs) => {
      expect(verdict(join(fs, 'svc'))).toMatch(/^WriteFailed: no space left on the file system of .*: the project needs about \d+ KiB, \d+ KiB are free/);
    });
    await withTmpfs('size=1m,nr_inodes=6', (fs) => {
      expect(verdict(join(fs, 'svc'))).toMatch(/^WriteFailed: no free inodes left on the file system of .*: the project needs \d+ new files and directories/);
    });
  });

  it('fails on a mount point inside an existing target', async () => {
    const root = base();
    userProject(join(root, 't'), true);
    await withMounts((mounted) => {
      mountTmpfs(mounted(join(root, 't', 'app')), 'size=1m');
      expect(verdict(join(root, 't'), true)).toMatch(/^WriteFailed: .*t\/app is a mount point inside the target/);
    });
  });

  it('says what a non-empty directory holds, with control characters made visible', () => {
    const root = base();
    mkdirSync(join(root, 't'));
    writeFileSync(join(root, 't', 'evil\u001b[2J\u202ename'), '');
    expect(() => planWrite(join(root, 't'), files(), false)).toThrow(WriteRefused);
    try {
      planWrite(join(root, 't'), files(), false);
    } catch (error) {
      expect((error as WriteRefused).details).toEqual(['evil\\x1b[2J\\u202ename']);
    }
  });

  it('is what the real run finds: a refusal leaves the target as it was', () => {
    const root = base();
    userProject(join(root, 't'));
    expect(verdict(join(root, 't'))).toMatch(/^WriteRefused: .* is not empty and 2 generated files would overwrite yours/);
    expect(existsSync(join(root, 't', 'app'))).toBe(false);
    expect(lstatSync(join(root, 't', 'Makefile')).isFile()).toBe(true);
  });
});
