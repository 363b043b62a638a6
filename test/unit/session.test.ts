/**
 * The session that every command on an existing project opens first
 * (src/project/session.ts): finding the project without reading it, the lock
 * with its bounded wait, and the release.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateProject, openSession } from '../../src/project/session.js';

const project = () => {
  const root = mkdtempSync(join(tmpdir(), 'pyservice-session-'));
  writeFileSync(join(root, '.pyservice.json'), '{}\n');
  mkdirSync(join(root, 'app'));
  return root;
};

describe('openSession', () => {
  it('waits a bounded time for a live holder, saying so once, then fails with one line; after the release it gets the lock', async () => {
    const root = project();
    const first = await openSession(join(root, 'app'), () => undefined);
    expect(existsSync(join(root, '.create-pyservice.lock'))).toBe(true);
    const said: string[] = [];
    const started = Date.now();
    await expect(openSession(root, (line) => said.push(line), 1_000)).rejects.toThrow(
      new RegExp(`^process ${process.pid} still holds .*\\.create-pyservice\\.lock after 1 s; nothing was changed: run again when it has finished, or remove that file if no such run exists$`),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(said).toEqual([`waiting for process ${process.pid} to finish with ${root} (it holds the project's lock; up to 1 s) ...`]);

    const waiting = openSession(root, (line) => said.push(line), 30_000);
    setTimeout(() => first.release(), 300);
    const second = await waiting;
    expect(said).toHaveLength(2);
    second.release();
    second.release(); // idempotent
    expect(readdirSync(root).sort()).toEqual(['.pyservice.json', 'app']); // no lock, no staging left
  });

  it('finds the project by our staging directory and journal when the record is not there (moved aside by a killed run)', () => {
    const root = project();
    expect(locateProject(join(root, 'app'))).toBe(root);
    const outside = mkdtempSync(join(tmpdir(), 'pyservice-session-'));
    mkdirSync(join(outside, 'sub'));
    mkdirSync(join(outside, '.create-pyservice-0123abcd-99999999-89abcdef'));
    expect(locateProject(join(outside, 'sub'))).not.toBe(outside); // a staging directory without a journal: not a project write
    writeFileSync(join(outside, '.create-pyservice-0123abcd-99999999-89abcdef', 'journal'), '');
    expect(locateProject(join(outside, 'sub'))).toBe(outside);
  });
});
