import { describe, expect, it } from 'vitest';
import { helpText, helpWidth } from '../../src/cli/help.js';
import { wrap } from '../../src/cli/width.js';
import { defaultHelp, OPTION_KEYS } from '../../src/model/options.js';

describe('--help fits the terminal', () => {
  it.each([60, 80, 100, 132])('has no line longer than %i columns, and every default whole', (width) => {
    const text = helpText('1.2.3', width);
    const lines = text.split('\n');
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(width);
    // Every default is there whole: broken, if at all, only at its spaces.
    const flat = text.replace(/\n +/g, ' ');
    for (const key of OPTION_KEYS) expect(flat).toContain(`[default: ${defaultHelp(key)}]`);
  });

  it('uses all of a wide terminal rather than wrapping early', () => {
    const narrow = helpText('1.2.3', 80).split('\n').length;
    const wide = helpText('1.2.3', 160).split('\n').length;
    expect(wide).toBeLessThan(narrow);
  });

  it('is 80 columns wide when not a terminal, the terminal width otherwise', () => {
    const stream = (isTTY: boolean, columns?: number) => ({ isTTY, columns }) as unknown as NodeJS.WriteStream;
    expect(helpWidth(stream(false, 200))).toBe(80);
    expect(helpWidth(stream(true, 120))).toBe(120);
    expect(helpWidth(stream(true, 20))).toBe(60); // never narrower than the flag column allows
  });

  it('wraps at spaces only, indenting the continuation lines', () => {
    expect(wrap('  --flag    ', 'one two three four', 20, 12)).toEqual(['  --flag    one two', '            three', '            four']);
    const long = 'x'.repeat(30);
    expect(wrap('', `a ${long} b`, 20)).toEqual(['a', long, 'b']); // a word longer than the line is never split
  });
});
