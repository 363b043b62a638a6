/**
 * The three-way merge: every row of the outcome table, and the line merge
 * checked against git's own `git merge-file` on many generated edits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeText, planFile, type FileVersions } from '../../src/project/merge.js';

const labels = { ours: 'yours', theirs: 'create-pyservice 9.9.9' };
const B = 'one\ntwo\nthree\nfour\nfive\n';
const v = (over: Partial<FileVersions>): FileVersions => ({ path: 'f', base: B, inBase: true, ours: B, theirs: B, ...over });

describe('planFile: the outcome table', () => {
  it.each<[string, Partial<FileVersions>, string, string, string | undefined]>([
    ['nobody changed it', {}, 'keep', 'unchanged', undefined],
    ['only the template changed it', { theirs: B.replace('two', 'TWO') }, 'update', 'template-changed', B.replace('two', 'TWO')],
    ['only the user changed it', { ours: B.replace('two', 'mine') }, 'keep', 'user-changed', undefined],
    ['both made the same change', { ours: B.replace('two', 'X'), theirs: B.replace('two', 'X') }, 'keep', 'same-as-new', undefined],
    [
      'both changed different lines',
      { ours: B.replace('one', 'mine'), theirs: B.replace('five', 'new') },
      'merge',
      'merged',
      'mine\ntwo\nthree\nfour\nnew\n',
    ],
    ['the user deleted it', { ours: undefined, theirs: B.replace('two', 'TWO') }, 'keep', 'user-deleted', undefined],
    ['a new template file', { base: undefined, inBase: false, ours: undefined, theirs: 'new\n' }, 'create', 'new', 'new\n'],
    ['a new template file the user already has', { base: undefined, inBase: false, ours: 'new\n', theirs: 'new\n' }, 'keep', 'adopted', undefined],
    ['the template dropped it, unchanged', { theirs: undefined }, 'delete', 'dropped', undefined],
    ['the template dropped it, user changed it', { ours: 'mine\n', theirs: undefined }, 'keep', 'dropped-user-changed', undefined],
  ])('%s', (_label, over, action, reason, content) => {
    const plan = planFile(v(over), labels)!;
    expect(plan.action).toBe(action);
    expect(plan.reason).toBe(reason);
    expect(plan.content).toBe(content);
  });

  it('nothing to do when dropped and already gone', () => {
    expect(planFile(v({ ours: undefined, theirs: undefined }), labels)).toBeUndefined();
    expect(planFile(v({ inBase: false, base: undefined, ours: 'x', theirs: undefined }), labels)).toBeUndefined();
  });

  it('overlapping changes: git-style markers around only the lines that differ', () => {
    const plan = planFile(v({ ours: B.replace('three', 'mine'), theirs: B.replace('three', 'theirs') }), labels)!;
    expect(plan.action).toBe('conflict');
    expect(plan.conflicts).toBe(1);
    expect(plan.content).toBe('one\ntwo\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> create-pyservice 9.9.9\nfour\nfive\n');
    expect(plan.before).toBe(B.replace('three', 'mine'));
  });

  it('a user file where a new generated file goes: add/add conflict, both kept', () => {
    const plan = planFile(v({ base: undefined, inBase: false, ours: 'a\nsame\n', theirs: 'b\nsame\n' }), labels)!;
    expect(plan).toMatchObject({ action: 'conflict', reason: 'add-add-conflict', conflicts: 1 });
    expect(plan.content).toBe('<<<<<<< yours\na\n=======\nb\n>>>>>>> create-pyservice 9.9.9\nsame\n');
  });

  it('without the base content, the hashes still decide; a real merge shows both sides', () => {
    const noContent = { base: undefined, inBase: true };
    expect(planFile(v({ ...noContent, oursIsBase: true, theirs: 'new\n' }), labels)).toMatchObject({ action: 'update', content: 'new\n' });
    expect(planFile(v({ ...noContent, ours: 'mine\n', theirsIsBase: true }), labels)).toMatchObject({ action: 'keep', reason: 'user-changed' });
    expect(planFile(v({ ...noContent, ours: 'mine\n', theirs: 'new\n' }), labels)).toMatchObject({ action: 'conflict', reason: 'base-missing' });
  });
});

describe('mergeText agrees with git merge-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pyservice-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A small deterministic generator of edits (mulberry32). */
  function random(seed: number) {
    let a = seed;
    return () => {
      a |= 0;
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function edit(lines: string[], rnd: () => number, tag: string): string[] {
    const out = [...lines];
    const edits = 1 + Math.floor(rnd() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rnd() * (out.length + 1));
      const kind = rnd();
      if (kind < 0.4 && at < out.length) out[at] = `${tag}${e} changed`;
      else if (kind < 0.7) out.splice(at, 0, `${tag}${e} added`);
      else if (at < out.length) out.splice(at, 1);
    }
    return out;
  }
  const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

  it('on 60 random pairs of edits: same clean results, conflicts in the same cases (git may group blocks differently)', () => {
    const rnd = random(13);
    let clean = 0;
    let conflicted = 0;
    for (let i = 0; i < 60; i++) {
      const base = Array.from({ length: 12 }, (_, n) => `line ${n}`);
      const ours = text(edit(base, rnd, 'u'));
      const theirs = text(edit(base, rnd, 't'));
      writeFileSync(join(dir, 'ours'), ours);
      writeFileSync(join(dir, 'base'), text(base));
      writeFileSync(join(dir, 'theirs'), theirs);
      const git = spawnSync('git', ['merge-file', '-p', '-L', 'yours', '-L', 'base', '-L', 'new', 'ours', 'base', 'theirs'], { cwd: dir, encoding: 'utf8' });
      expect(git.error).toBeUndefined();
      const ourMerge = mergeText(text(base), ours, theirs, { ours: 'yours', theirs: 'new' });
      const context = `case ${i}:\n--- ours\n${ours}--- theirs\n${theirs}`;
      expect(ourMerge.conflicts > 0, context).toBe(git.status !== 0);
      if (git.status === 0) {
        clean++;
        expect(ourMerge.content, context).toBe(git.stdout);
      } else conflicted++;
    }
    // Both kinds were exercised.
    expect(clean).toBeGreaterThan(10);
    expect(conflicted).toBeGreaterThan(10);
  });
});
