/**
 * The writer's host id and random names come without node:crypto
 * (generators/host-id.ts); they must be what node:crypto would give: the same
 * SHA-256 (so staging directories and locks left by earlier versions are still
 * recognised as this host's), and random bytes of the length asked.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostId, randomHex, sha256Hex } from '../../generators/host-id.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sha256Hex', () => {
  it('is node:crypto SHA-256, over block boundaries and in UTF-8', () => {
    const inputs = ['', 'abc', 'my-laptop.local', 'ü', '李', '😀', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(65), 'x'.repeat(1000)];
    for (let n = 0; n < 200; n++) inputs.push(String.fromCodePoint(...Array.from({ length: n % 90 }, (_, i) => 32 + ((n * 31 + i * 17) % 0x2fff))));
    for (const text of inputs) expect(sha256Hex(text), JSON.stringify(text)).toBe(sha256(text));
  });

  it('gives the host id earlier versions computed with node:crypto', () => {
    expect(hostId()).toBe(sha256(hostname()).slice(0, 8));
    expect(hostId('build-agent-7')).toBe(sha256('build-agent-7').slice(0, 8));
  });
});

describe('randomHex', () => {
  it('gives the bytes asked for, different each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const value = randomHex(8);
      expect(value).toMatch(/^[0-9a-f]{16}$/);
      seen.add(value);
    }
    expect(seen.size).toBe(100);
    expect(randomHex(4)).toMatch(/^[0-9a-f]{8}$/);
  });
});
