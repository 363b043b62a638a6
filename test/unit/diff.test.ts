/** `--diff` output is a real unified diff: `git apply` turns the old file into the new one. */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/project/diff.js';
import type { Content } from '../../src/io/bytes.js';

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

describe('unifiedDiff is exactly the change, for git apply, byte for byte', () => {
  const latin1 = Buffer.from('caf\xe9\nna\xefve\n', 'latin1');
  const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 10, 0, 255, 254]);
  const big = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
  it.each<[string, Content | undefined, Content | undefined, boolean?]>([
    ['an empty file created', undefined, ''],
    ['an empty file deleted', '', undefined],
    ['a file emptied', 'a\n', ''],
    ['CRLF lines changed, CRLF kept', 'one\r\ntwo\r\nthree\r\n', 'one\r\nTWO\r\nthree\r\nfour\r\n'],
    ['trailing spaces and a CR on the last line', 'a\nb  \n', 'a\nb  \nc \r\n'],
    ['a BOM added', 'a\n', '\uFEFFa\n'],
    ['Latin-1 bytes changed', latin1, Buffer.concat([latin1, Buffer.from('\xe0 la carte\n', 'latin1')])],
    ['Latin-1 bytes created', undefined, latin1],
    ['a binary file created', undefined, binary],
    ['a binary file changed (over 52 bytes deflated)', binary, big],
    ['a binary file deleted', binary, undefined],
    ['text turned into bytes', 'a\n', binary],
    ['an executable file deleted', '#!/bin/sh\necho hi\n', undefined, true],
    ['an executable file changed keeps its mode', '#!/bin/sh\necho hi\n', '#!/bin/sh\necho bye\n', true],
  ])('%s', (label, before, after, executable) => {
    const dir = join(tmp, `exact-${label.replace(/\W+/g, '-')}`);
    mkdirSync(dir);
    spawnSync('git', ['init', '--quiet'], { cwd: dir });
    if (before !== undefined) {
      writeFileSync(join(dir, 'file'), before);
      if (executable) chmodSync(join(dir, 'file'), 0o755);
    }
    const patch = unifiedDiff('file', before, after, executable ? '100755' : '100644');
    expect(patch).toMatch(/^diff --git a\/file b\/file\n/);
    if (before === undefined) expect(patch).toContain('\nnew file mode 100644\n');
    if (after === undefined) expect(patch).toContain(`\ndeleted file mode ${executable ? '100755' : '100644'}\n`);
    writeFileSync(join(dir, 'change.patch'), patch);
    const applied = spawnSync('git', ['apply', '--verbose', 'change.patch'], { cwd: dir, encoding: 'utf8' });
    expect(applied.stderr, patch).not.toMatch(/^error/m); // (git warns of "whitespace errors" it adds: that is the content)
    expect(applied.status, patch).toBe(0);
    if (after === undefined) expect(existsSync(join(dir, 'file'))).toBe(false);
    else {
      expect(readFileSync(join(dir, 'file')).equals(Buffer.from(after as string | Buffer))).toBe(true);
      if (executable) expect(statSync(join(dir, 'file')).mode & 0o111).toBe(0o111);
    }
  });
});
