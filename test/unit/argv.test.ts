import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../generators/argv.js';

describe('parseArgv', () => {
  it('reads the directory and every kind of flag', () => {
    const { given, controls, errors } = parseArgv([
      'my-api',
      '--name=My_API',
      '--description',
      'Billing',
      '--python',
      '3.12',
      '--runtime=slim',
      '--deps',
      'wheels',
      '--server',
      'gunicorn',
      '--port',
      '9000',
      '--poetry-version',
      '2.1.2',
      '--no-git',
      '--install',
      '-y',
      '--force',
      '--dry-run',
      '--json',
    ]);
    expect(errors).toEqual([]);
    expect(given).toEqual({
      directory: 'my-api',
      name: 'my-api',
      description: 'Billing',
      python: '3.12',
      runtime: 'slim',
      deps: 'wheels',
      server: 'gunicorn',
      port: 9000,
      poetryVersion: '2.1.2',
      git: false,
      install: true,
    });
    expect(controls).toEqual({ yes: true, force: true, dryRun: true, json: true, help: false, version: false });
  });

  it('reports every problem at once, each naming its flag', () => {
    const { errors } = parseArgv(['a', 'b', '--python', '2.7', '--port', 'http', '--nmae', 'x', '--git=yes', '--server']);
    expect(errors).toEqual([
      '--nmae: unknown option (did you mean --name?); see --help',
      '--git: takes no value; use --git or --no-git',
      '--server: needs a value (SERVER); use --server=VALUE for a value starting with "-"',
      'unexpected argument "b": give one directory (quote a path with spaces)',
      '--python: "2.7" is not one of: 3.11, 3.12, 3.13, 3.14, 3.15',
      '--port: "http" is not a whole number from 1 to 65535',
    ]);
  });

  it('does not swallow the next flag as a value', () => {
    const { given, errors, controls } = parseArgv(['--description', '--yes']);
    expect(given.description).toBeUndefined();
    expect(controls.yes).toBe(true);
    expect(errors[0]).toMatch(/^--description: needs a value/);
  });

  it('accepts a value starting with a dash through --flag=value', () => {
    expect(parseArgv(['--description=-fast- API']).given.description).toBe('-fast- API');
  });

  it('refuses a flag given twice with different values', () => {
    expect(parseArgv(['--port', '1', '--port', '2']).errors).toEqual(['--port: given twice ("1" and "2"); give it once']);
    expect(parseArgv(['--git', '--no-git']).errors).toEqual(['--git: given twice ("true" and "false"); give it once']);
    expect(parseArgv(['--port', '1', '--port', '1']).errors).toEqual([]);
  });

  it('combines short control flags and rejects unknown ones', () => {
    expect(parseArgv(['-yh']).controls).toMatchObject({ yes: true, help: true });
    expect(parseArgv(['-x']).errors).toEqual(['-x: unknown option; see --help']);
  });

  it('treats everything after -- as positional', () => {
    expect(parseArgv(['--', '--weird-dir']).given.directory).toBe('--weird-dir');
  });
});
