/**
 * --install with git: Poetry locks before the first commit, so the commit holds
 * poetry.lock (and never the .venv that `poetry install` makes). Poetry is the
 * recording stand-in of test/helpers/fake-poetry.ts (no PyPI here).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, sandbox } from '../helpers/cli.js';
import { fakePoetry } from '../helpers/fake-poetry.js';

it('puts poetry.lock in the first git commit, and not .venv', async () => {
  const { cwd, home } = sandbox();
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n');
  const bin = fakePoetry(
    home,
    `case "$1" in
  lock) echo "# lock" > poetry.lock ;;
  install) mkdir -p .venv/bin && touch .venv/bin/python ;;
esac`,
  );
  const result = await runCli(['svc', '--yes', '--install'], {
    cwd,
    env: { HOME: home, GIT_CONFIG_NOSYSTEM: '1', PATH: `${bin}:/usr/bin:/bin` },
  });
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('initialised a git repository with a first commit');
  const committed = spawnSync('git', ['show', '--name-only', '--format=', 'HEAD'], { cwd: join(cwd, 'svc'), encoding: 'utf8' }).stdout.split('\n');
  expect(committed).toContain('poetry.lock');
  expect(committed).toContain('pyproject.toml');
  expect(committed.filter((path) => path.startsWith('.venv'))).toEqual([]);
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: join(cwd, 'svc'), encoding: 'utf8' });
  expect(status.stdout).toBe('');
});
