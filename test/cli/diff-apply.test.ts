/**
 * `--dry-run --diff` is exactly what the command does: `git apply` of its
 * output on one copy of a project gives, byte for byte and mode for mode, the
 * tree the real command writes on another copy (the record .pyservice.json
 * aside: bookkeeping, not in the diff). On a project whose files are CRLF,
 * Latin-1, binary and executable, for `update` to a next release (which
 * creates, changes, deletes files, and creates an empty one), `docker
 * --runtime distroless` and `add route`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, REPO, runCli, sandbox, type CliResult } from '../helpers/cli.js';
import { runCommandInProcess, runMain } from '../helpers/in-process.js';
import { buildNextRelease, NEXT_RELEASE, type NextRelease } from '../../scripts/lib/next-release.js';

const GIT_ID = { GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.org', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.org' };
const env = (home: string) => ({ HOME: home, GIT_CONFIG_NOSYSTEM: '1', ...GIT_ID });
const git = (cwd: string, ...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ID } });
const bytes = (path: string) => readFileSync(path);

const LATIN1_LINE = Buffer.from('# caf\xe9 au lait (Latin-1, not UTF-8)\n', 'latin1');
const README_BINARY = Buffer.from([0x00, 0x01, 0x02, 0xff, 0x0a]);

let work: string;
let release: NextRelease;
let project: string;
let home: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pyservice-diff-apply-'));
  release = buildNextRelease(REPO, work);
  // The next release also creates an empty file: its diff is a header alone.
  writeFileSync(join(release.tree, 'templates', 'service', 'app', 'py.typed'), '');
  const rebuilt = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: release.tree, encoding: 'utf8' });
  expect(rebuilt.status, rebuilt.stderr).toBe(0);

  const box = sandbox();
  home = box.home;
  const created = await runMain(['api', '--yes'], { cwd: box.cwd, env: env(home) });
  expect(created.code, created.stderr).toBe(0);
  project = join(box.cwd, 'api');
  // The user's files: a CRLF Dockerfile with an edit, a Latin-1 line in an executable
  // Makefile, a README turned binary, a Latin-1 executable app/main.py.
  const dockerfile = join(project, 'Dockerfile');
  writeFileSync(dockerfile, bytes(dockerfile).toString('utf8').replace(/^(EXPOSE .*)$/m, '$1\nLABEL team="payments"').replace(/\n/g, '\r\n'));
  writeFileSync(join(project, 'Makefile'), Buffer.concat([bytes(join(project, 'Makefile')), LATIN1_LINE]));
  chmodSync(join(project, 'Makefile'), 0o755);
  writeFileSync(join(project, 'README.md'), Buffer.concat([bytes(join(project, 'README.md')), README_BINARY]));
  writeFileSync(join(project, 'app/main.py'), Buffer.concat([LATIN1_LINE, bytes(join(project, 'app/main.py'))]));
  chmodSync(join(project, 'app/main.py'), 0o755);
  expect(git(project, 'add', '--all').status).toBe(0);
  expect(git(project, 'commit', '-qm', 'our edits').status).toBe(0);
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the edited project (its git repository and base included). */
function copy(name: string): string {
  const dir = join(mkdtempSync(join(work, `${name}-`)), 'api');
  cpSync(project, dir, { recursive: true });
  return dir;
}

/** Every file but .git and the record: path → [bytes, executable]. */
function tree(dir: string): Map<string, [string, boolean]> {
  return new Map(
    listFiles(dir)
      .filter((p) => p !== '.pyservice.json')
      .map((p) => [p, [bytes(join(dir, p)).toString('base64'), (statSync(join(dir, p)).mode & 0o100) !== 0]]),
  );
}

type Run = (args: string[], dir: string) => Promise<CliResult>;
const spawned: Run = (args, dir) => runCli(args, { cwd: dir, env: env(home), cli: release.cli, timeoutMs: 120_000 });
const inProcess: Run = (args, dir) => runCommandInProcess(args, { cwd: dir, env: env(home) });

/** Dry-run diff applied by git on one copy, the real command on another: the same trees. */
async function diffIsTheApply(args: string[], run: Run, exitCode: number): Promise<{ diff: string; applied: string; output: string }> {
  const viaDiff = copy('diff');
  const real = copy('real');
  const dry = await run([...args, '--dry-run', '--diff'], viaDiff);
  expect(dry.stderr).toBe('');
  expect(dry.code).toBe(0);
  writeFileSync(join(viaDiff, '..', 'change.patch'), dry.stdout);
  const applied = git(viaDiff, 'apply', '--verbose', '../change.patch');
  expect(applied.status, `${applied.stderr}\n${dry.stdout}`).toBe(0);
  const done = await run([...args, '--yes'], real);
  expect(done.code, done.stdout + done.stderr).toBe(exitCode);
  const expected = tree(real);
  const got = tree(viaDiff);
  expect([...got.keys()]).toEqual([...expected.keys()]);
  for (const [path, value] of expected) expect(got.get(path), path).toEqual(value);
  return { diff: dry.stdout, applied: real, output: done.stdout };
}

describe('--dry-run --diff is exactly the apply', () => {
  it('update to the next release: created (an empty one too), deleted, CRLF, Latin-1 and executable files, a binary file beside', async () => {
    const { diff, applied, output } = await diffIsTheApply(['update'], spawned, 1);
    expect(output).toContain('README.md (binary, no markers: yours is untouched, compare it with README.md.pyservice-new)');
    expect(diff).toContain('diff --git a/app/py.typed b/app/py.typed\nnew file mode 100644\n\n');
    expect(diff).toContain(`diff --git a/${NEXT_RELEASE.droppedFile} b/${NEXT_RELEASE.droppedFile}\ndeleted file mode 100644\n`);
    expect(diff).toMatch(/diff --git a\/Makefile b\/Makefile\nindex [0-9a-f]{40}\.\.[0-9a-f]{40} 100755\nGIT binary patch\n/);
    // What the real update wrote: every byte the user had, and the release's changes.
    const dockerfile = bytes(join(applied, 'Dockerfile')).toString('utf8');
    expect(dockerfile).toContain(`${NEXT_RELEASE.dockerfileLine}\r\n`);
    expect(dockerfile).toContain('LABEL team="payments"\r\n');
    expect(dockerfile).not.toMatch(/[^\r]\n/);
    const makefile = bytes(join(applied, 'Makefile'));
    expect(makefile.subarray(-LATIN1_LINE.length).equals(LATIN1_LINE)).toBe(true);
    expect(makefile.toString('latin1')).toContain(NEXT_RELEASE.makefileTo);
    expect(statSync(join(applied, 'Makefile')).mode & 0o100).toBe(0o100);
    // The binary README: untouched, its new version beside it, not recorded as generated.
    expect(bytes(join(applied, 'README.md')).equals(bytes(join(project, 'README.md')))).toBe(true);
    expect(bytes(join(applied, 'README.md.pyservice-new')).toString('utf8')).toMatch(/^# api/);
    const record = JSON.parse(readFileSync(join(applied, '.pyservice.json'), 'utf8')) as { base: { files: Record<string, string> } };
    expect(Object.keys(record.base.files)).not.toContain('README.md.pyservice-new');

    // The next update leaves both alone (nothing changed since) ...
    const again = await spawned(['update', '--yes'], applied);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
    // ... and one that must write the new version beside it again refuses while the old one is there.
    const blocked = copy('blocked');
    writeFileSync(join(blocked, 'README.md.pyservice-new'), 'mine\n');
    const refused = await spawned(['update', '--yes'], blocked);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/README\.md\.pyservice-new .*is in the way/);
    expect(git(blocked, 'status', '--porcelain').stdout).toBe('?? README.md.pyservice-new\n');
  }, 240_000);

  it('docker --runtime distroless (the binary README conflicts again: exit 1)', async () => {
    const { diff } = await diffIsTheApply(['docker', '--runtime', 'distroless'], inProcess, 1);
    expect(diff).toContain('diff --git a/Dockerfile b/Dockerfile\n');
    expect(diff).toContain('diff --git a/README.md.pyservice-new b/README.md.pyservice-new\nnew file mode 100644\n');
  }, 120_000);

  it('add route x, registered in a Latin-1, executable app/main.py', async () => {
    const { diff, applied } = await diffIsTheApply(['add', 'route', 'x'], inProcess, 0);
    expect(diff).toContain('diff --git a/app/routes/x.py b/app/routes/x.py\nnew file mode 100644\n');
    const main = bytes(join(applied, 'app/main.py'));
    expect(main.subarray(0, LATIN1_LINE.length).equals(LATIN1_LINE)).toBe(true);
    expect(main.toString('latin1')).toContain('app.include_router(x.router)');
    expect(existsSync(join(applied, 'app/routes/x.py'))).toBe(true);
  }, 120_000);
});
