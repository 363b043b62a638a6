/**
 * The merge never changes a byte it did not mean to (files that are not
 * UTF-8, binary files, CRLF, a BOM), and works on files of 200,000 lines:
 * checked against git's own `git merge-file` and `git apply`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/io/bytes.js';
import { unifiedDiff } from '../../src/project/diff.js';
import { mergeText, planFile, type FileVersions } from '../../src/project/merge.js';

const labels = { ours: 'yours', theirs: 'create-pyservice 9.9.9' };
const B = 'one\ntwo\nthree\nfour\nfive\n';
const v = (over: Partial<FileVersions>): FileVersions => ({ path: 'f', base: B, inBase: true, ours: B, theirs: B, ...over });
const dir = mkdtempSync(join(tmpdir(), 'pyservice-merge-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bytes that are not UTF-8', () => {
  it('decode keeps a string only when it turns back into exactly the same bytes', () => {
    expect(decode(Buffer.from('caf\u00e9\n'))).toBe('caf\u00e9\n');
    expect(decode(Buffer.from('\uFEFFbom\n'))).toBe('\uFEFFbom\n');
    for (const bytes of [Buffer.from('caf\xe9\n', 'latin1'), Buffer.from([0x61, 0, 0x62]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0xaf])]) {
      expect(Buffer.isBuffer(decode(bytes))).toBe(true);
    }
  });

  it('a Latin-1 file changed by the user and the template merges on its bytes: every other byte as it was', () => {
    const ours = Buffer.from('one\ntwo caf\xe9\nthree \xff\xfe\nfour\nfive\n', 'latin1');
    const plan = planFile(v({ ours, theirs: B.replace('five', 'FIVE') }), labels)!;
    expect(plan).toMatchObject({ action: 'merge', reason: 'merged' });
    expect(Buffer.isBuffer(plan.content)).toBe(true);
    expect((plan.content as Buffer).equals(Buffer.from('one\ntwo caf\xe9\nthree \xff\xfe\nfour\nFIVE\n', 'latin1'))).toBe(true);
    expect(plan.bytes).toBe((plan.content as Buffer).length);
  });

  it('overlapping changes in a Latin-1 file: markers around its own bytes', () => {
    const ours = Buffer.from('one\ntwo\nthr\xe9e\nfour\nfive\n', 'latin1');
    const plan = planFile(v({ ours, theirs: B.replace('three', 'THREE') }), labels)!;
    expect(plan).toMatchObject({ action: 'conflict', conflicts: 1 });
    expect((plan.content as Buffer).toString('latin1')).toBe('one\ntwo\n<<<<<<< yours\nthr\xe9e\n=======\nTHREE\n>>>>>>> create-pyservice 9.9.9\nfour\nfive\n');
  });

  it('a binary file (a NUL) is never merged: yours untouched, the new version beside it, a conflict', () => {
    const ours = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0a, 0x00, 0x01, 0x0a]);
    for (const over of [
      { ours, theirs: B.replace('two', 'TWO') },
      { ours, theirs: 'new\n', base: undefined },
      { ours, theirs: 'new\n', base: undefined, inBase: false },
    ]) {
      const plan = planFile(v(over), labels)!;
      expect(plan).toMatchObject({ path: 'f', action: 'conflict', reason: 'binary', writeTo: 'f.pyservice-new', content: over.theirs });
      expect(plan.before).toBeUndefined();
    }
    // Only the user changed it, or the template dropped it: kept as it is.
    expect(planFile(v({ ours }), labels)).toMatchObject({ action: 'keep', reason: 'user-changed' });
    expect(planFile(v({ ours, theirs: undefined }), labels)).toMatchObject({ action: 'keep', reason: 'dropped-user-changed' });
  });
});

describe('line endings and the byte-order mark', () => {
  const dockerfile = '# syntax=docker/dockerfile:1\nFROM python:3.13-slim AS build\nWORKDIR /app\nCOPY . .\nRUN make\n\nFROM python:3.13-slim AS runtime\nEXPOSE 8000\nCMD ["app"]\n';
  const crlf = (text: string) => text.replace(/\n/g, '\r\n');

  it('a CRLF Dockerfile with a user edit, merged with a template change: every line CRLF, the new lines too', () => {
    const ours = crlf(dockerfile.replace('EXPOSE 8000\n', 'EXPOSE 8000\nLABEL team="payments"\n'));
    const theirs = dockerfile.replace('# syntax=docker/dockerfile:1\n', '# syntax=docker/dockerfile:1\n# Rendered by the next release.\n');
    const plan = planFile(v({ base: dockerfile, ours, theirs }), labels)!;
    expect(plan).toMatchObject({ action: 'merge', reason: 'merged' });
    expect(plan.content).toBe(crlf(theirs.replace('EXPOSE 8000\n', 'EXPOSE 8000\nLABEL team="payments"\n')));
  });

  it('a CRLF file with only its line endings changed takes the template change in CRLF; conflict markers are CRLF too', () => {
    expect(planFile(v({ ours: crlf(B), theirs: B.replace('two', 'TWO') }), labels)).toMatchObject({ action: 'merge', content: crlf(B.replace('two', 'TWO')) });
    const plan = planFile(v({ ours: crlf(B.replace('two', 'mine')), theirs: B.replace('two', 'TWO') }), labels)!;
    expect(plan.content).toBe(crlf('one\n<<<<<<< yours\nmine\n=======\nTWO\n>>>>>>> create-pyservice 9.9.9\nthree\nfour\nfive\n'));
  });

  it('a leading BOM the template does not write is kept, in text and in bytes', () => {
    expect(planFile(v({ ours: `\uFEFF${B.replace('one', 'ONE')}`, theirs: B.replace('five', 'FIVE') }), labels)).toMatchObject({
      action: 'merge',
      content: `\uFEFFONE\ntwo\nthree\nfour\nFIVE\n`,
    });
    // The template changing the first line is no conflict with a BOM alone.
    expect(planFile(v({ ours: `\uFEFF${B}`, theirs: B.replace('one', 'ONE') }), labels)).toMatchObject({ action: 'merge', content: `\uFEFF${B.replace('one', 'ONE')}` });
  });
});

/**
 * CPU seconds this test process has used: "merges in under 10 s" is a claim about the work
 * done, which other test files running beside this one stretch in wall time but not in CPU time.
 */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

describe('large files', () => {
  // Python-like lines with many repeats (blank lines, `pass`): the hard case for an LCS.
  const N = 200_000;
  const base = Array.from({ length: N }, (_, i) => (i % 7 === 0 ? '\n' : i % 11 === 0 ? '    pass\n' : `    value_${i % 5000} = compute(${i})\n`));
  const ours = base.map((line, i) => (i % 4000 === 17 ? `    # ours ${i}\n${line}` : i % 9000 === 5 ? `    mine_${i} = 1\n` : line));
  const theirs = base.map((line, i) => (i % 10_000 === 2500 ? `    theirs_${i} = 2\n` : i === 123_456 ? '' : line));
  const text = (lines: string[]) => lines.join('');

  it(`a ${N.toLocaleString('en')}-line file with edits spread through it merges in under 10 s of CPU, as git merge-file does`, () => {
    const started = cpuSeconds();
    const merged = mergeText(text(base), text(ours), text(theirs), labels);
    const seconds = cpuSeconds() - started;
    expect(seconds).toBeLessThan(10);
    expect(merged.conflicts).toBe(0);
    writeFileSync(join(dir, 'ours'), text(ours));
    writeFileSync(join(dir, 'base'), text(base));
    writeFileSync(join(dir, 'theirs'), text(theirs));
    const git = spawnSync('git', ['merge-file', '-p', 'ours', 'base', 'theirs'], { cwd: dir, maxBuffer: 1 << 28 });
    expect(git.status).toBe(0);
    expect(merged.content === git.stdout.toString('utf8')).toBe(true);
  }, 60_000);

  it(`its --diff (${N.toLocaleString('en')} lines) takes under 10 s of CPU and git apply reproduces the file`, () => {
    const started = cpuSeconds();
    const patch = unifiedDiff('big.py', text(base), text(ours));
    expect(cpuSeconds() - started).toBeLessThan(10);
    writeFileSync(join(dir, 'big.py'), text(base));
    writeFileSync(join(dir, 'big.patch'), patch);
    const applied = spawnSync('git', ['apply', 'big.patch'], { cwd: dir, encoding: 'utf8' });
    expect(applied.stderr).toBe('');
    expect(readFileSync(join(dir, 'big.py'), 'utf8') === text(ours)).toBe(true);
  }, 60_000);

  it(`${N.toLocaleString('en')} distinct lines (where the stack overflowed) merge in under 10 s of CPU`, () => {
    const distinct = Array.from({ length: N }, (_, i) => `value_${i} = compute(${i})\n`);
    const started = cpuSeconds();
    const merged = mergeText(text(distinct), text(distinct.map((l, i) => (i % 5000 === 1 ? `# ours\n${l}` : l))), text(distinct.map((l, i) => (i % 7000 === 3500 ? '' : l))), labels);
    expect(cpuSeconds() - started).toBeLessThan(10);
    expect(merged.conflicts).toBe(0);
    expect(merged.content.split('\n')).toHaveLength(N + N / 5000 - Math.ceil(N / 7000) + 1);
  }, 60_000);

  it('two unrelated 200,000-line files diff in under 10 s of CPU too (every line changed)', () => {
    const started = cpuSeconds();
    const patch = unifiedDiff('f', text(base), text(base.map((line) => `x${line}`)));
    expect(cpuSeconds() - started).toBeLessThan(10);
    expect(patch.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))).toHaveLength(N);
  }, 60_000);
});
