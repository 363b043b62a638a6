/**
 * The writer's promise, end to end, where the process boundary is the point:
 * real signals at chosen moments of the write, a run killed outright, two runs
 * at once, real file-system failures (read-only mounts, a full tmpfs, a user
 * without permission, a deleted working directory), git, a closed stdout.
 *
 * Moments are chosen with the writer's step hook, installed by the test-only
 * entry test/helpers/fault-cli.ts (see test/helpers/faults.ts):
 * `STEP[#n]:SIGNAL` sends a signal to the CLI itself at that step,
 * `STEP:wait=PATH` pauses there until PATH exists (after creating PATH.reached).
 * Checks that need no process of their own (messages, names) run main() in
 * process (test/helpers/in-process.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, faults, listFiles, read, runCli, sandbox, startCli } from '../helpers/cli.js';
import { readPreset } from '../helpers/golden.js';
import { runMain } from '../helpers/in-process.js';
import { mountReadOnly, withMounts, withTmpfs } from '../helpers/mounts.js';

const env = (home: string, extra: Record<string, string> = {}) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...extra });
/** The files of a default project (the reviewed golden list; the name does not change it). */
const generated = (_name: string) => readPreset('default').paths;
/** The writer stopped at a step (test/helpers/faults.ts): runCli/startCli then spawn the fault entry. */
const hook = faults;

/** The user's directory before a --force run: two files the project replaces, one it does not know. */
function userFiles(dir: string) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'README.md'), 'my readme\n');
  chmodSync(join(dir, 'README.md'), 0o600);
  writeFileSync(join(dir, 'Makefile'), 'my: make\n');
  chmodSync(join(dir, 'Makefile'), 0o750);
  writeFileSync(join(dir, 'credentials.txt'), 'password=1\n');
  const snapshot = () =>
    Object.fromEntries(listFiles(dir).map((p) => [p, { content: read(join(dir, p)), mode: statSync(join(dir, p)).mode & 0o777 }]));
  return { before: snapshot(), snapshot };
}

/** Start the CLI; resolves with its result. */
const start = (args: string[], cwd: string, extraEnv: Record<string, string>) => startCli(args, cwd, extraEnv).result;

async function until(path: string, timeoutMs = 10_000) {
  for (let waited = 0; !existsSync(path); waited += 10) {
    if (waited > timeoutMs) throw new Error(`${path} did not appear`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.concurrent('signals during the write: the target is untouched or complete, and the message says which', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s while a new directory is being staged, and while --force replaces files', async (signal, exitCode) => {
    const { cwd, home } = sandbox();
    const fresh = await runCli(['svc', '--yes', '--no-git'], { cwd, env: env(home, hook(`stage:${signal}`)) });
    expect(fresh.code).toBe(exitCode);
    expect(fresh.stderr).toContain(`after the project was written to ${join(cwd, 'svc')}.`);
    expect(listFiles(join(cwd, 'svc'))).toEqual(generated('svc'));
    expect(readdirSync(cwd)).toEqual(['svc']);

    const dir = join(cwd, 'mine');
    userFiles(dir);
    const forced = await runCli(['mine', '--yes', '--no-git', '--force'], { cwd, env: env(home, hook(`move#3:${signal}`)) });
    expect(forced.code).toBe(exitCode);
    expect(forced.stderr).toContain(`after the project was written to ${dir}.`);
    expect(listFiles(dir)).toEqual([...generated('mine'), 'credentials.txt'].sort());
    expect(read(join(dir, 'README.md'))).toContain('# mine');
  });

  it('Ctrl-C the moment the staging directory appears: never "nothing was written" over a written file', async () => {
    for (const force of [false, true]) {
      const { cwd, home } = sandbox();
      const dir = join(cwd, 'svc');
      if (force) userFiles(dir);
      else mkdirSync(dir);
      const child = spawn(process.execPath, [CLI, 'svc', '--yes', '--no-git', ...(force ? ['--force'] : [])], {
        cwd,
        env: { ...process.env, ...env(home), NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      // Interrupt as soon as the writer shows up in the target (staging directory, lock, or a first file).
      const poll = setInterval(() => {
        if (readdirSync(dir).some((e) => e.startsWith('.create-pyservice') || e === 'Dockerfile' || e === 'app')) {
          child.kill('SIGINT');
          clearInterval(poll);
        }
      }, 0);
      const code = await new Promise<number | null>((done) => child.on('close', done));
      clearInterval(poll);
      // The signal lands during the write or just after it; the write itself is never cut short.
      // (If the run had already ended, it ended with its full report: exit 0, nothing on stderr.)
      const written = listFiles(dir).filter((p) => p !== 'credentials.txt');
      if (code === 130) expect(stderr).toContain('Cancelled after the project was written');
      else expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(written).toEqual(generated('svc'));
      expect(readdirSync(dir).filter((e) => e.includes('create-pyservice'))).toEqual([]);
    }
  });
});

describe.concurrent('a run killed outright (SIGKILL) is undone by the next run', () => {
  it('with --force: the next run puts every replaced file back, byte for byte and with its mode', async () => {
    const { cwd, home } = sandbox();
    const dir = join(cwd, 'svc');
    const user = userFiles(dir);
    const killed = await runCli(['svc', '--yes', '--no-git', '--force'], { cwd, env: env(home, hook('move#12:SIGKILL')) });
    expect(killed.signal).toBe('SIGKILL');
    expect(user.snapshot()).not.toEqual(user.before); // README.md and Makefile were replaced when it died

    const dry = await runCli(['svc', '--yes', '--no-git', '--dry-run'], { cwd, env: env(home) });
    const real = await runCli(['svc', '--yes', '--no-git'], { cwd, env: env(home) });
    expect(real.code).toBe(2);
    expect(real.stderr).toMatch(/svc is not empty and 2 generated files would overwrite yours/);
    expect(dry.stderr).toBe(real.stderr); // --dry-run foresees the undo
    expect(user.snapshot()).toEqual(user.before);
    expect(readdirSync(dir).sort()).toEqual(['Makefile', 'README.md', 'credentials.txt']);
  });

  it('into a new directory: the leftover staging directory is removed and the next run succeeds', async () => {
    const { cwd, home } = sandbox();
    const killed = await runCli(['svc', '--yes', '--no-git'], { cwd, env: env(home, hook('stage:SIGKILL')) });
    expect(killed.signal).toBe('SIGKILL');
    expect(readdirSync(cwd).filter((e) => e.startsWith('.create-pyservice-'))).toHaveLength(1);
    const again = await runCli(['svc', '--yes', '--no-git'], { cwd, env: env(home) });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(readdirSync(cwd)).toEqual(['svc']);
    expect(listFiles(join(cwd, 'svc'))).toEqual(generated('svc'));
  });
});

describe.concurrent('two runs at once, or the user writing while we do', () => {
  it('into the same new directory: exactly one wins, the other says so and leaves nothing', async () => {
    const { cwd, home } = sandbox();
    const go = join(cwd, '..', 'go');
    const first = start(['svc', '--yes', '--no-git', '--description', 'first'], cwd, env(home, hook(`claim:wait=${go}`)));
    await until(`${go}.reached`);
    const second = await runCli(['svc', '--yes', '--no-git', '--description', 'second'], { cwd, env: env(home) });
    writeFileSync(go, '');
    const firstResult = await first;
    expect(second.code).toBe(0);
    expect(firstResult.code).toBe(1);
    expect(firstResult.stderr).toMatch(/^error: svc was claimed by someone else \(another run, or a file created in it\) while we were writing; nothing of ours was left there\n$/);
    expect(read(join(cwd, 'svc', 'pyproject.toml'))).toContain('description = "second"');
    expect(readdirSync(cwd)).toEqual(['svc']);
  });

  it('into the same existing directory: the second is refused while the first writes', async () => {
    const { cwd, home } = sandbox();
    mkdirSync(join(cwd, 'svc'));
    const go = join(cwd, '..', 'go');
    const first = start(['svc', '--yes', '--no-git'], cwd, env(home, hook(`stage:wait=${go}`)));
    await until(`${go}.reached`);
    const second = await runCli(['svc', '--yes', '--no-git'], { cwd, env: env(home) });
    writeFileSync(go, '');
    expect((await first).code).toBe(0);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^error: another create-pyservice run \(process \d+\) is writing into svc; wait for it to finish/);
    expect(listFiles(join(cwd, 'svc'))).toEqual(generated('svc'));
  });

  it('unsynchronised, repeatedly: one success, and the directory holds exactly the winner\'s project', async () => {
    for (let round = 0; round < 4; round++) {
      const { cwd, home } = sandbox();
      const results = await Promise.all(
        ['one', 'two'].map((d) => start(['svc', '--yes', '--no-git', '--description', d], cwd, env(home))),
      );
      const winners = results.filter((r) => r.code === 0);
      expect(winners).toHaveLength(1);
      const loser = results.find((r) => r.code !== 0)!;
      // Which message depends on the moment the loser looks: before it plans, the winner may already be done.
      expect(loser.stderr).toMatch(
        /^error: (svc (was claimed by someone else|was created by someone else \(another run\?\) while we were preparing|changed since we checked it|is not empty and 39 generated files would overwrite yours)|another create-pyservice run \(process \d+\) is writing into svc)/,
      );
      const description = /description = "(\w+)"/.exec(read(join(cwd, 'svc', 'pyproject.toml')))![1];
      expect(winners[0]!.stdout).toContain('Created svc');
      expect(results[['one', 'two'].indexOf(description!)]!.code).toBe(0);
      expect(listFiles(join(cwd, 'svc'))).toEqual(generated('svc'));
      expect(readdirSync(cwd)).toEqual(['svc']);
    }
  });

  it('a file the user creates in the target meanwhile is never overwritten without --force', async () => {
    const { cwd, home } = sandbox();
    mkdirSync(join(cwd, 'svc'));
    const go = join(cwd, '..', 'go');
    const run = start(['svc', '--yes', '--no-git'], cwd, env(home, hook(`stage:wait=${go}`)));
    await until(`${go}.reached`);
    writeFileSync(join(cwd, 'svc', 'Makefile'), 'typed meanwhile\n');
    writeFileSync(go, '');
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/svc\/Makefile was created by someone else while we were writing; nothing of theirs was replaced; everything was put back as it was/);
    expect(readdirSync(join(cwd, 'svc'))).toEqual(['Makefile']);
    expect(read(join(cwd, 'svc', 'Makefile'))).toBe('typed meanwhile\n');
  });
});

describe.concurrent('system failures: one line naming the cause, the same verdict with --dry-run', () => {
  /** Run real and dry; both must fail alike; returns the real result. */
  async function both(args: string[], cwd: string, home: string, run = runCli) {
    const real = await run([...args, '--yes', '--no-git'], { cwd, env: env(home) });
    const dry = await run([...args, '--yes', '--no-git', '--dry-run'], { cwd, env: env(home) });
    expect(dry.code).toBe(real.code);
    expect(dry.stderr).toBe(real.stderr);
    expect(real.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(real.stderr).not.toMatch(/unexpected failure|\n\s+at /);
    return real;
  }

  it('a dangling symbolic link as the target (exit 2)', async () => {
    const { cwd, home } = sandbox();
    symlinkSync('gone', join(cwd, 'svc'));
    const result = await both(['svc'], cwd, home, runMain);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: svc is a symbolic link to gone that does not exist; create that directory first or choose another name\n');
  });

  it('a directory name of 255 bytes works; 256 bytes is refused (exit 2)', async () => {
    const { cwd, home } = sandbox();
    const ok = await runMain(['d'.repeat(255), '--name', 'svc', '--yes', '--no-git'], { cwd, env: env(home) });
    expect(ok.stderr).toBe('');
    expect(readdirSync(cwd)).toEqual(['d'.repeat(255)]);
    const result = await both(['e'.repeat(256), '--name', 'svc'], cwd, home, runMain);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: directory: has a name of 256 bytes \("e{20}…"\); file systems allow at most 255\n$/);
  });

  it('a read-only file system (exit 1)', async () => {
    const { cwd, home } = sandbox();
    await withMounts(async (mounted) => {
      mountReadOnly(cwd, mounted(cwd));
      const result = await both(['svc'], cwd, home, runMain);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('error: . is on a read-only file system; choose a directory on a writable one\n');
    });
  });

  it('no space left (exit 1)', async () => {
    const { home } = sandbox();
    await withTmpfs('size=16k', async (fs) => {
      const result = await both(['svc'], fs, home, runMain);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: no space left on the file system of \.: the project needs about \d+ KiB, 16 KiB are free; free some space or choose another directory\n$/);
      expect(readdirSync(fs)).toEqual([]);
    });
  });

  it('a mount point inside the target (exit 1)', async () => {
    const { cwd, home } = sandbox();
    mkdirSync(join(cwd, 'svc', 'app'), { recursive: true });
    await withMounts(async (mounted) => {
      spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'pyservice-test', mounted(join(cwd, 'svc', 'app'))]);
      const result = await both(['svc', '--force'], cwd, home, runMain);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: svc\/app is a mount point inside the target: files cannot be moved into it atomically/);
    });
  });

  it('a target the user may not read, or not write (exit 1; as an unprivileged user: root ignores permission bits)', async () => {
    const { cwd, home } = sandbox();
    chmodSync(dirname(cwd), 0o755);
    chmodSync(cwd, 0o755);
    mkdirSync(join(cwd, 'locked'), { mode: 0o700 });
    mkdirSync(join(cwd, 'readonly'), { mode: 0o755 });
    // The unprivileged user runs a copy of the bundle beside the sandbox: the clone itself may sit
    // under a directory only root can enter (a CI checkout in a mktemp -d directory, mode 0700).
    const pkg = join(dirname(cwd), 'pkg');
    cpSync(dirname(CLI), join(pkg, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{ "type": "module" }\n');
    const asNobody: typeof runCli = (args, options) =>
      new Promise((done) => {
        const result = spawnSync(process.execPath, [join(pkg, 'dist', basename(CLI)), ...args], {
          cwd: options.cwd,
          env: { PATH: process.env.PATH, NO_COLOR: '1', HOME: '/nonexistent' },
          uid: 65534,
          gid: 65534,
          encoding: 'utf8',
        });
        done({ code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr });
      });
    const unreadable = await both(['locked'], cwd, home, asNobody);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toBe('error: cannot read locked (permission denied); choose a directory you can read and write, or fix its permissions\n');
    const unwritable = await both(['readonly'], cwd, home, asNobody);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toBe('error: permission denied for readonly; choose a directory you can write to, or fix its permissions\n');
  });

  it('a deleted working directory (exit 1)', async () => {
    const { cwd } = sandbox();
    const gone = join(cwd, 'gone');
    mkdirSync(gone);
    for (const extra of [[], ['--dry-run']]) {
      const result = spawnSync('sh', ['-c', `cd "$1" && rmdir "$1" && exec "$2" "$3" svc --yes --no-git ${extra.join(' ')}`, 'sh', gone, process.execPath, CLI], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toBe('error: the current directory no longer exists (it was deleted or moved away); cd into an existing directory and run again\n');
      mkdirSync(gone);
    }
  });
});

describe.concurrent('what is reported and committed', () => {
  it('--force names every replaced file, and the first commit holds only generated files', async () => {
    const { cwd, home } = sandbox();
    writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Ada\n\temail = ada@example.org\n');
    userFiles(join(cwd, 'svc'));
    const result = await runCli(['svc', '--yes', '--force'], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Created svc: 39 files (2 of yours replaced)\n  Replaced (your previous versions are gone):\n    Makefile\n    README.md\n');
    const tracked = spawnSync('git', ['ls-files'], { cwd: join(cwd, 'svc'), encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect(tracked).toEqual(generated('svc'));
    expect(spawnSync('git', ['status', '--porcelain'], { cwd: join(cwd, 'svc'), encoding: 'utf8' }).stdout).toBe('?? credentials.txt\n');
  });

  it('a closed stdout (| head -1, or a reader that is gone) ends quietly, with the project written as usual', () => {
    const { cwd } = sandbox();
    // `true` exits without reading: every write to stdout then fails with EPIPE, as after head -1 has its line.
    for (const extra of ['', '--dry-run']) {
      const result = spawnSync('bash', ['-c', `"$0" "$1" svc${extra ? '2' : ''} --yes --no-git ${extra} | true; echo "\${PIPESTATUS[0]}"`, process.execPath, CLI], {
        cwd,
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('0\n');
    }
    expect(listFiles(join(cwd, 'svc'))).toEqual(generated('svc'));
    expect(existsSync(join(cwd, 'svc2'))).toBe(false);
    rmSync(join(cwd, 'svc'), { recursive: true });
  });

  it('the project directory follows the umask, like every file in it', () => {
    const { cwd } = sandbox();
    for (const [mask, expected] of [
      ['022', 0o755],
      ['027', 0o750],
    ] as const) {
      const result = spawnSync('sh', ['-c', `umask ${mask} && exec "$0" "$1" svc${mask} --yes --no-git`, process.execPath, CLI], { cwd, encoding: 'utf8' });
      expect(result.status).toBe(0);
      expect(statSync(join(cwd, `svc${mask}`)).mode & 0o777).toBe(expected);
      expect(statSync(join(cwd, `svc${mask}`, 'app')).mode & 0o777).toBe(expected);
    }
  });
});

describe.concurrent('untrusted text stays inert', () => {
  it('the cd line of the next steps enters the directory in sh, whatever its name', async () => {
    const { cwd, home } = sandbox();
    const name = "-x $(touch pwned) `touch pwned` 'q' \"d\" ;*";
    const result = await runMain([name, '--name', 'svc', '--yes', '--no-git'], { cwd, env: env(home) });
    expect(result.code).toBe(0);
    const line = /Next steps:\n {2}(cd .*)\n/.exec(result.stdout)![1]!;
    const shell = spawnSync('sh', ['-c', `${line} && pwd`], { cwd, encoding: 'utf8' });
    expect(shell.stdout).toBe(`${join(cwd, name)}\n`);
    expect(existsSync(join(cwd, 'pwned'))).toBe(false);
  });

  it('refuses names with escapes, control characters, invalid UTF-8 or edge spaces, and bidi overrides in any text', async () => {
    const { cwd, home } = sandbox();
    const cases: [string, RegExp][] = [
      ['"$(printf \'bad\\033[2Jname\')"', /^error: directory: contains a terminal escape sequence \(ESC\)/],
      ['"$(printf \'a\\377b\')"', /^error: directory: is not valid UTF-8/],
      ['"$(printf \'tab\\there\')"', /^error: directory: contains a line break or control character \(U\+0009\)/],
      ['"svc "', /^error: directory: ends with a space/],
      ['svc --description "$(printf \'a\\342\\200\\256b\')"', /^error: --description: contains a bidirectional-override character \(U\+202E\)/],
      ['svc --author "$(printf \'Ada \\342\\201\\246x\')"', /^error: --author: contains a bidirectional-override character \(U\+2066\)/],
    ];
    for (const [args, message] of cases) {
      const result = spawnSync('sh', ['-c', `exec "$0" "$1" ${args} --yes --no-git`, process.execPath, CLI], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, ...env(home), NO_COLOR: '1' },
      });
      expect(result.status, args).toBe(2);
      expect(result.stderr, args).toMatch(message);
      expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('shows every echoed value with control characters made visible, in prose and in JSON', async () => {
    const { cwd, home } = sandbox();
    const prose = await runMain(['svc', '--yes', '--port', '\u001b[2J\u009b31m\u202e'], { cwd, env: env(home) });
    expect(prose.code).toBe(2);
    expect(prose.stderr).toBe('error: --port: "\\x1b[2J\\x9b31m\\u202e" is not a whole number from 1 to 65535\n');
    const json = await runMain(['svc', '--yes', '--json', '--port', '\u001b[2J\u009b31m\u202e'], { cwd, env: env(home) });
    expect(json.stdout).not.toMatch(/[\u001b\u009b\u202e]/);
    expect(JSON.parse(json.stdout).errors).toEqual(['--port: "\\x1b[2J\\x9b31m\\u202e" is not a whole number from 1 to 65535']);
  });
});
