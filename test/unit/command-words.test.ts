import { describe, expect, it } from 'vitest';
import { directoryWordRefusal, oneSlipFrom } from '../../src/cli/command-words.js';

describe('a mistyped command is one slip from a command word', () => {
  it.each([
    ['updte', 'update'],
    ['udpate', 'update'],
    ['updates', 'update'],
    ['updare', 'update'],
    ['doker', 'docker'],
    ['dokcer', 'docker'],
    ['dockr', 'docker'],
    ['ad', 'add'],
    ['adds', 'add'],
    ['dad', 'add'],
  ])('%s → %s', (word, command) => {
    expect(oneSlipFrom(word, command)).toBe(true);
  });

  // Names people give projects: two slips away, or one replacement in a short command word.
  it.each(['locked', 'rocket', 'dicker2', 'ada', 'and', 'api', 'app', 'adder', 'dock', 'date', 'upgrade', 'docs'])('%s is a directory name', (word) => {
    expect(['add', 'docker', 'update'].some((command) => oneSlipFrom(word, command))).toBe(false);
    expect(directoryWordRefusal([word], () => '/')).toBeUndefined();
  });

  it('a working directory that cannot be read leaves the verdict to the writer (no exception)', () => {
    expect(
      directoryWordRefusal(['my-api'], () => {
        throw Object.assign(new Error('ENOENT: no such file or directory, uv_cwd'), { code: 'ENOENT' });
      }),
    ).toBeUndefined();
  });
});
