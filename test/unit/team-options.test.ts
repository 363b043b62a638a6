import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../src/cli/argv.js';
import { helpText } from '../../src/cli/help.js';
import { STATIC_DEFAULTS } from '../../src/model/options.js';

describe('--ci and --compose', () => {
  it('default to a GitHub Actions workflow and a compose.yaml', () => {
    expect(STATIC_DEFAULTS.ci).toBe('github');
    expect(STATIC_DEFAULTS.compose).toBe(true);
  });

  it('are parsed from flags', () => {
    expect(parseArgv(['--ci', 'none', '--no-compose']).given).toEqual({ ci: 'none', compose: false });
    expect(parseArgv(['--ci=github', '--compose']).given).toEqual({ ci: 'github', compose: true });
  });

  it('refuse an unknown CI with the flag and the values allowed', () => {
    expect(parseArgv(['--ci', 'gitlab']).errors).toEqual(['--ci: "gitlab" is not one of: github, none']);
  });

  it('are listed in --help', () => {
    const lines: string[] = helpText('0.0.0', 400).split('\n');
    expect(lines.filter((l) => /^\s+--ci SERVICE\s/.test(l) && l.includes('github') && l.includes('none'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('--no-compose') && l.includes('compose.yaml'))).toHaveLength(1);
  });
});
