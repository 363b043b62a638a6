/**
 * One flag scanner (src/cli/flags.ts) for creation and for the commands on a project: the same
 * words get the same answer, whichever command reads them.
 */
import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../src/cli/argv.js';
import { parseCommand } from '../../src/cli/commands.js';

const env = {} as NodeJS.ProcessEnv;
const creation = (...words: string[]) => parseArgv(words, env).errors;
const docker = (...words: string[]) => parseCommand(['docker', ...words], env).errors;

describe('one flag syntax for every command', () => {
  it.each([
    [['--port']],
    [['--port', '--yes']],
    [['--port', '1', '--port', '2']],
    [['--python', '3.13', '--python=3.14']],
    [['--yes=no']],
    [['--json=1', '--dry-run=x']],
    [['--port', '80800']],
    [['--runtime', 'alpine']],
  ])('%j: creation and docker say the same', (words) => {
    const said = creation(...words);
    expect(said.length).toBeGreaterThan(0);
    expect(docker(...words)).toEqual(said);
  });

  it('takes --flag=VALUE for a value starting with "-" and bundled short switches alike', () => {
    expect(parseCommand(['docker', '--port=-1'], env).errors).toEqual(creation('--port=-1'));
    expect(parseCommand(['docker', '-yh'], env).controls).toMatchObject({ yes: true, help: true });
    expect(parseArgv(['-yh'], env).controls).toMatchObject({ yes: true, help: true });
  });

  it('ends the options at --, for creation and the commands', () => {
    expect(parseArgv(['--', '--odd-dir'], env).given.directory).toBe('--odd-dir');
    expect(parseCommand(['add', 'route', '--', 'orders'], env)).toMatchObject({ name: 'orders', errors: [] });
  });

  it('names where help is and suggests the closest flag of the command it is in', () => {
    expect(creation('--pyhton', '3.13')).toEqual(['--pyhton: unknown option (did you mean --python?); see --help']);
    expect(docker('--pyhton', '3.13')).toEqual(['--pyhton: unknown option (did you mean --python?); see pyservice docker --help']);
    expect(parseCommand(['update', '-q'], env).errors).toEqual(['-q: unknown option; see pyservice update --help']);
  });
});
