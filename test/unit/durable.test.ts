/**
 * The order of the syncs that make a write survive power loss (durable.ts),
 * seen through a DurableFs wrapper passed to the writer that records each
 * call (and performs it for real): a journal entry is fsynced before the
 * rename or link it announces, a staged file before it is linked in, every
 * changed directory after its names changed and the project directory before
 * the journal says "commit". Also measures what the syncs cost on a scaffold.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../src/io/apply.js';
import { realFs, type DurableFs } from '../../src/io/durable.js';
import { renderService } from '../../src/render/render.js';
import { planWrite, writeFiles } from '../../src/io/write.js';
import { defaultAnswers } from '../helpers/presets.js';

const base = () => mkdtempSync(join(tmpdir(), 'pyservice-durable-'));

/** A DurableFs that does the real thing and records every call, paths relative to `root`, our staging directory as STAGING. */
function recording(root: string) {
  const calls: string[] = [];
  const show = (path: string) => {
    const rel = relative(root, path).replace(/\.create-pyservice-[0-9a-f]{8}-\d+-[0-9a-f]{8}/, 'STAGING');
    return rel === '' ? '.' : rel;
  };
  const fs: DurableFs = {
    appendSynced(path, text) {
      realFs.appendSynced(path, text);
      calls.push(`journal ${text.trim()}`);
    },
    sync(path) {
      calls.push(`sync ${show(path)}`);
      realFs.sync(path);
    },
    rename(from, to) {
      calls.push(`rename ${show(from)} ${show(to)}`);
      realFs.rename(from, to);
    },
    link(from, to) {
      calls.push(`link ${show(from)} ${show(to)}`);
      realFs.link(from, to);
    },
  };
  return { fs, calls };
}

const index = (calls: string[], call: string) => {
  const at = calls.indexOf(call);
  expect(at, `${call} in\n${calls.join('\n')}`).toBeGreaterThanOrEqual(0);
  return at;
};

describe('the writer syncs in the order that survives power loss', () => {
  it('changing a project: journal entry before its step, staged file before its link, directories before "commit"', () => {
    const root = base();
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'keep.txt'), 'original\n');
    writeFileSync(join(root, 'sub/gone.txt'), 'removed\n');
    const { fs, calls } = recording(root);
    applyChanges(
      {
        root,
        writes: new Map([
          ['keep.txt', 'replaced\n'],
          ['new/deep/a.txt', 'new\n'],
        ]),
        deletes: ['sub/gone.txt'],
      },
      { fs },
    );
    expect(readFileSync(join(root, 'keep.txt'), 'utf8')).toBe('replaced\n');

    for (const path of ['keep.txt', 'new/deep/a.txt']) {
      const link = index(calls, `link STAGING/files/${path} ${path}`);
      expect(index(calls, `journal ["create","${path}"]`)).toBeLessThan(link);
      expect(index(calls, `sync STAGING/files/${path}`)).toBeLessThan(link);
    }
    for (const path of ['keep.txt', 'sub/gone.txt']) {
      expect(index(calls, `journal ["backup","${path}"]`)).toBeLessThan(index(calls, `rename ${path} STAGING/backup/${path}`));
    }
    // Nothing is renamed or linked without its journal entry right before it (a mkdir's "dir" entry aside).
    calls.forEach((call, i) => {
      if (call.startsWith('rename ') || call.startsWith('link ')) expect(calls[i - 1], call).toMatch(/^journal \["(create|backup)"/);
    });
    const commit = index(calls, 'journal ["commit"]');
    const lastMove = Math.max(...calls.map((c, i) => (/^(rename|link) /.test(c) ? i : -1)));
    for (const dir of ['new/deep', 'new', 'sub']) {
      const synced = index(calls, `sync ${dir}`);
      expect(synced).toBeGreaterThan(lastMove);
      expect(synced).toBeLessThan(commit);
    }
    expect(calls[commit - 1]).toBe('sync .'); // the project directory, last, right before "commit"
  });

  it('creating a project: every staged file and directory synced before the one rename, the parent after it', () => {
    const parent = base();
    const target = join(parent, 'svc');
    const files = renderService(defaultAnswers({ name: 'svc' }), '0.1.0');
    const { fs, calls } = recording(parent);
    writeFiles(planWrite(target, files, false), files, { fs });
    const rename = calls.findIndex((c) => c.startsWith('rename STAGING svc'));
    expect(rename).toBeGreaterThan(0);
    for (const path of files.keys()) expect(index(calls, `sync STAGING/${path}`)).toBeLessThan(rename);
    expect(index(calls, 'sync STAGING')).toBeLessThan(rename);
    expect(calls.slice(rename + 1)).toEqual(['sync .']);
  });

  it('creating into an existing directory with --force: the same order as changing a project', () => {
    const root = base();
    writeFileSync(join(root, 'Makefile'), 'mine\n');
    const files = renderService(defaultAnswers({ name: 'svc' }), '0.1.0');
    const { fs, calls } = recording(root);
    writeFiles(planWrite(root, files, true), files, { fs });
    expect(readFileSync(join(root, 'Makefile'), 'utf8')).not.toBe('mine\n');
    expect(index(calls, 'journal ["backup","Makefile"]')).toBe(index(calls, 'rename Makefile STAGING/backup/Makefile') - 1);
    for (const path of files.keys()) {
      const link = index(calls, `link STAGING/files/${path} ${path}`);
      expect(calls[link - 1]).toBe(`journal ["create","${path}"]`);
      expect(index(calls, `sync STAGING/files/${path}`)).toBeLessThan(link);
    }
    const commit = index(calls, 'journal ["commit"]');
    expect(calls[commit - 1]).toBe('sync .');
    expect(index(calls, 'sync app')).toBeLessThan(commit);
    expect(index(calls, 'sync app')).toBeGreaterThan(Math.max(...calls.map((c, i) => (/^(rename|link) /.test(c) ? i : -1))));
  });

  it('what the syncs cost on a scaffold (reported, not asserted)', () => {
    const files = renderService(defaultAnswers({ name: 'svc' }), '0.1.0');
    const noSync: DurableFs = { ...realFs, appendSynced: (path, text) => writeFileSync(path, text, { flag: 'a' }), sync: () => undefined };
    const time = (fs: DurableFs) => {
      const rounds: number[] = [];
      for (let i = 0; i < 5; i++) {
        const target = join(base(), 'svc');
        const started = process.hrtime.bigint();
        writeFiles(planWrite(target, files, false), files, { fs });
        rounds.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      return rounds.sort((a, b) => a - b)[2]!; // the median
    };
    const synced = time(realFs);
    const unsynced = time(noSync);
    console.log(`scaffold of ${files.size} files into ${tmpdir()}: ${synced.toFixed(1)} ms with the syncs, ${unsynced.toFixed(1)} ms without (median of 5)`);
    expect(synced).toBeGreaterThan(0);
  });
});
