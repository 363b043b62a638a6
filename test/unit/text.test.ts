/** Which text answers are refused, and how values are shown back (src/model/text.ts). */
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../src/model/options.js';
import { directoryProblem, jsonText, textProblem, visible } from '../../src/model/text.js';

const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

describe('text answers', () => {
  it.each(BIDI.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase()}`, c]))(
    'refuses the bidirectional control %s in every text answer',
    (code, c) => {
      for (const key of ['directory', 'description', 'author'] as const) {
        const result = OPTIONS[key].parse(`abc${c}def`);
        expect(result.ok, key).toBe(false);
        expect(!result.ok && result.problem, key).toContain(`bidirectional-override character (${code})`);
      }
      expect(OPTIONS.name.parse(`abc${c}def`).ok).toBe(false);
    },
  );

  it('refuses control characters and escape sequences, naming them', () => {
    expect(textProblem('a\u001b[31mb')).toBe('contains a terminal escape sequence (ESC); type plain text');
    expect(textProblem('a\u009bb')).toMatch(/control character \(U\+009B\)/);
    expect(textProblem('a\u2028b')).toMatch(/line break or control character \(U\+2028\)/);
    expect(textProblem('plain text, é 日本 🚀')).toBeUndefined();
  });
});

describe('directory names', () => {
  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['a\u0000b', 'contains a NUL character'],
    ['a\nb', 'contains a line break or control character (U+000A)'],
    ['a\u001b]0;title\u0007', 'contains a terminal escape sequence'],
    ['bad\ufffdbytes', 'is not valid UTF-8'],
    ['svc ', 'ends with a space'],
    [' svc', 'starts with a space'],
    ['x'.repeat(256), 'has a name of 256 bytes'],
    [`a/${'é'.repeat(128)}`, 'has a name of 256 bytes'],
    [Array.from({ length: 20 }, () => 'd'.repeat(250)).join('/'), 'is 5019 bytes long; paths are limited to 4095'],
  ])('refuses %j: %s', (raw, problem) => {
    expect(directoryProblem(raw)).toContain(problem);
  });

  it.each(['svc', 'x'.repeat(255), 'with space', '-dash', '$(echo hi)', 'é日本', '../up/svc', '.'])('accepts %j', (raw) => {
    expect(directoryProblem(raw)).toBeUndefined();
  });
});

describe('visible', () => {
  it('shows every control, escape and bidi character as an escape, and leaves the rest', () => {
    expect(visible('a\u001b[2Jb\u0007\u009b\u202e\u200b\ufeff é 🚀')).toBe('a\\x1b[2Jb\\x07\\x9b\\u202e\\u200b\\ufeff é 🚀');
  });

  it('makes JSON output inert and still the same JSON value', () => {
    const value = { s: 'a\u001b\u009b\u202e\u2028b' };
    const text = jsonText(value);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202e]/u);
    expect(JSON.parse(text)).toEqual(value);
  });
});
