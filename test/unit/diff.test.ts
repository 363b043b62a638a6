/** `--diff` output is a real unified diff: `git apply` turns the old file into the new one. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../generators/diff.js';

const tmp = mkdtempSync(join(tmpdir(), 'pyservice-diff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');

describe('unifiedDiff', () => {
  it.each<[string, string | undefined, string | undefined]>([
    ['a change in the middle', numbered(20), numbered(20).replace('line 10\n', 'changed\n')],
    ['changes near each other (one hunk) and far apart (two)', numbered(40), numbered(40).replace('line 2\n', 'x\n').replace('line 7\n', 'y\n').replace('line 35\n', '')],
    ['lines added at both ends', numbered(5), `first\n${numbered(5)}last\n`],
    ['no newline at the end, before and after', 'a\nb', 'a\nc'],
    ['a newline added at the end', 'a\nb', 'a\nb\n'],
    ['a created file', undefined, numbered(3)],
    ['a deleted file', numbered(3), undefined],
    ['everything replaced', numbered(3), 'other\n'],
  ])('%s: git apply reproduces the new file', (label, before, after) => {
    const dir = join(tmp, label.replace(/\W+/g, '-'));
    mkdirSync(dir);
    spawnSync('git', ['init', '--quiet'], { cwd: dir });
    if (before !== undefined) writeFileSync(join(dir, 'file.txt'), before);
    const patch = unifiedDiff('file.txt', before, after);
    expect(patch).not.toBe('');
    writeFileSync(join(dir, 'change.patch'), patch);
    const applied = spawnSync('git', ['apply', '--verbose', 'change.patch'], { cwd: dir, encoding: 'utf8' });
    expect(applied.stderr, patch).not.toMatch(/error/);
    expect(applied.status, patch).toBe(0);
    if (after === undefined) expect(existsSync(join(dir, 'file.txt'))).toBe(false);
    else expect(readFileSync(join(dir, 'file.txt'), 'utf8')).toBe(after);
  });

  it('groups hunks as diff -u does', () => {
    const patch = unifiedDiff('f', numbered(40), numbered(40).replace('line 2\n', 'x\n').replace('line 35\n', 'y\n'));
    expect(patch.match(/^@@/gm)).toHaveLength(2);
    expect(patch).toContain('@@ -1,5 +1,5 @@\n line 1\n-line 2\n+x\n line 3\n');
  });

  it('is empty for equal files', () => {
    expect(unifiedDiff('f', 'a\n', 'a\n')).toBe('');
  });
});
