import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../src/cli/argv.js';

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
    const { errors } = parseArgv(['a', 'b', '--python', '2.7', '--port', 'http', '--nmae', 'x', '--git=yes', '--server'], {});
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

  describe('the forgotten -- after npm create', () => {
    // What npm 11 passes for `npm create pyservice my-api --runtime distroless --no-git --yes`:
    // it keeps the options, exports them as npm_config_*, and hands their values on as words.
    const npmEnv = { npm_command: 'exec', npm_lifecycle_event: 'npx', npm_config_runtime: 'true', npm_config_git: 'false', npm_config_yes: 'true' };

    it('gives the corrected command, rebuilt from npm\'s environment', () => {
      const { errors } = parseArgv(['my-api', 'distroless'], npmEnv);
      expect(errors).toEqual([
        'unexpected argument "distroless": npm kept the options for itself; put -- before them: npm create pyservice@latest my-api -- --runtime distroless --no-git --yes',
      ]);
    });

    it('pairs value options with their stray words', () => {
      const env = { npm_command: 'init', npm_config_port: 'true', npm_config_server: 'true' };
      const { errors } = parseArgv(['svc', 'gunicorn', '9000'], env);
      expect(errors[0]).toContain('npm create pyservice@latest svc -- --server gunicorn --port 9000');
    });

    it('recognises a stray option value even without npm\'s environment', () => {
      const { errors } = parseArgv(['my-api', 'wheels'], {});
      expect(errors[0]).toContain('npm create pyservice@latest my-api -- --deps wheels');
    });

    it('says to put -- first when npm ran us but the options cannot be rebuilt', () => {
      const { errors } = parseArgv(['my-api', 'other'], { npm_command: 'exec' });
      expect(errors[0]).toMatch(/unexpected argument "other": give one directory .*; with npm create, put -- before the options/);
    });

    it('keeps the plain message for a second directory outside npm', () => {
      const { errors } = parseArgv(['a', 'b'], {});
      expect(errors).toEqual(['unexpected argument "b": give one directory (quote a path with spaces)']);
    });
  });
});
