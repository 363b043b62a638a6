import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planWrite, stagingParent, writeFiles, WriteRefused } from '../../generators/write.js';

const files = () =>
  new Map([
    ['a.txt', 'A\n'],
    ['dir/b.txt', 'B\n'],
    ['dir/sub/c.txt', 'C\n'],
  ]);
const base = () => mkdtempSync(join(tmpdir(), 'pyservice-write-'));

describe('planWrite / writeFiles', () => {
  it('creates a new directory with one rename and leaves no staging directory', async () => {
    const root = base();
    const plan = await planWrite(join(root, 'new'), files(), false);
    expect(plan).toMatchObject({ targetExists: false, overwrites: [], creates: ['a.txt', 'dir/b.txt', 'dir/sub/c.txt'] });
    await writeFiles(plan, files());
    expect(readFileSync(join(root, 'new', 'dir', 'sub', 'c.txt'), 'utf8')).toBe('C\n');
    expect(readdirSync(root)).toEqual(['new']);
  });

  it('treats a directory holding only .git as empty', async () => {
    const root = base();
    mkdirSync(join(root, 'repo', '.git'), { recursive: true });
    const plan = await planWrite(join(root, 'repo'), files(), false);
    await writeFiles(plan, files());
    expect(readdirSync(join(root, 'repo')).sort()).toEqual(['.git', 'a.txt', 'dir']);
    expect(readdirSync(root)).toEqual(['repo']);
  });

  it('stages inside an existing target, so its parent need not be writable', async () => {
    const root = base();
    mkdirSync(join(root, 'here'));
    const existing = await planWrite(join(root, 'here'), files(), false);
    expect(stagingParent(existing)).toBe(join(root, 'here'));
    const fresh = await planWrite(join(root, 'new'), files(), false);
    expect(stagingParent(fresh)).toBe(root);
    await writeFiles(existing, files());
    expect(readdirSync(join(root, 'here')).sort()).toEqual(['a.txt', 'dir']); // staging removed
  });

  it('refuses conflicts without force, listing exactly the generated files that exist', async () => {
    const root = base();
    mkdirSync(join(root, 't', 'dir'), { recursive: true });
    writeFileSync(join(root, 't', 'dir', 'b.txt'), 'mine');
    writeFileSync(join(root, 't', 'other.txt'), 'mine');
    const refusal = await planWrite(join(root, 't'), files(), false).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(WriteRefused);
    expect((refusal as WriteRefused).details).toEqual(['dir/b.txt']);
  });

  it('with force, replaces generated files only', async () => {
    const root = base();
    mkdirSync(join(root, 't', 'dir'), { recursive: true });
    writeFileSync(join(root, 't', 'dir', 'b.txt'), 'mine');
    writeFileSync(join(root, 't', 'other.txt'), 'mine');
    const plan = await planWrite(join(root, 't'), files(), true);
    expect(plan.overwrites).toEqual(['dir/b.txt']);
    await writeFiles(plan, files());
    expect(readFileSync(join(root, 't', 'dir', 'b.txt'), 'utf8')).toBe('B\n');
    expect(readFileSync(join(root, 't', 'other.txt'), 'utf8')).toBe('mine');
  });

  it('undoes its own files and directories when a move fails, and keeps the user\'s', async () => {
    const root = base();
    mkdirSync(join(root, 't'));
    writeFileSync(join(root, 't', 'keep.txt'), 'mine');
    const plan = await planWrite(join(root, 't'), files(), true);
    // Sabotage after planning: a directory now stands where a generated file must go.
    mkdirSync(join(root, 't', 'dir', 'sub', 'c.txt'), { recursive: true });
    writeFileSync(join(root, 't', 'dir', 'sub', 'c.txt', 'x'), 'blocker');
    await expect(writeFiles(plan, files())).rejects.toThrow();
    expect(existsSync(join(root, 't', 'a.txt'))).toBe(false);
    expect(existsSync(join(root, 't', 'dir', 'b.txt'))).toBe(false);
    expect(readFileSync(join(root, 't', 'keep.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(root, 't', 'dir', 'sub', 'c.txt', 'x'), 'utf8')).toBe('blocker');
    expect(readdirSync(root)).toEqual(['t']); // staging removed
  });
});
