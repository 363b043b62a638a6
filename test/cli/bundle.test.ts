/**
 * The published package: bin/ (the executable), dist/ (one bundle, templates
 * compiled in, zero runtime dependencies) and package.json. It must scaffold
 * with nothing else beside it (no templates/, no node_modules/), writing what
 * the sources render, and stay small.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { FAULT_CLI, listFiles, REPO } from '../helpers/cli.js';
import { FAULTS_ENV } from '../helpers/faults.js';
import { ADA, defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

/** bin/, dist/ and package.json alone, as `npm install` puts them (without README and licences). */
function packageCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'pyservice-package-'));
  const pkg = join(root, 'node_modules', 'create-pyservice');
  mkdirSync(pkg, { recursive: true });
  for (const dir of ['bin', 'dist']) cpSync(join(REPO, dir), join(pkg, dir), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(pkg, 'package.json'));
  return pkg;
}

describe.concurrent('the published bundle', () => {
  it.each([
    { label: 'defaults', args: [], answers: defaultAnswers({ name: 'svc', author: ADA }) },
    {
      label: 'distroless + gunicorn',
      args: ['--runtime', 'distroless', '--server', 'gunicorn', '--port', '9000'],
      answers: defaultAnswers({ name: 'svc', author: ADA, runtime: 'distroless', python: '3.13', server: 'gunicorn', port: 9000 }),
    },
    {
      label: 'wheels on 3.11',
      args: ['--deps', 'wheels', '--python', '3.11', '--description', 'Say "hi" $(id)'],
      answers: defaultAnswers({ name: 'svc', author: ADA, deps: 'wheels', python: '3.11', description: 'Say "hi" $(id)' }),
    },
  ])('writes what templates/ renders, with no templates/ beside it ($label)', ({ args, answers }) => {
    const pkg = packageCopy();
    const cwd = mkdtempSync(join(tmpdir(), 'pyservice-bundle-'));
    const result = spawnSync(
      process.execPath,
      [join(pkg, 'bin', 'create-pyservice.js'), 'svc', '--yes', '--no-git', '--no-install', '--author', `${ADA.name} <${ADA.email}>`, ...args],
      { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // --no-git, outside a repository: the record carries the base as a snapshot.
    const expected = renderService(answers, TEST_VERSION, { inGit: false });
    const dir = join(cwd, 'svc');
    expect(listFiles(dir)).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) expect(readFileSync(join(dir, path), 'utf8'), path).toBe(content);
  });

  // What each path may load: the record's blob ids (git's SHA-1) need node:crypto, and a project
  // without git carries its snapshot gzipped; nothing there starts a process.
  it.each([
    ['a scaffold without git', ['svc', '--yes', '--no-git', '--no-install', '--author', 'Ada <ada@example.org>'], /^(child_process|internal\/child_process)/],
    ['--dry-run --json', ['svc', '--dry-run', '--json', '--author', ''], /^(child_process|internal\/child_process|zlib)/],
    ['--help', ['--help'], /^(crypto|internal\/crypto\/|child_process|internal\/child_process|zlib|internal\/fs\/streams)/],
  ])('loads no built-in module it does not use: %s', (_label, args, unused) => {
    const cwd = mkdtempSync(join(tmpdir(), 'pyservice-modules-'));
    const probe = join(cwd, 'probe.cjs');
    const out = join(cwd, 'modules.json');
    writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)));\n`);
    const result = spawnSync(process.execPath, ['--require', probe, join(REPO, 'bin', 'create-pyservice.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(result.status, result.stderr).toBe(0);
    const loaded = (JSON.parse(readFileSync(out, 'utf8')) as string[]).filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    expect(loaded.filter((m) => unused.test(m))).toEqual([]);
  });

  it('has no fault injection: dist/ reads no test hook from the environment, and such an environment changes nothing', () => {
    const text = (dir: string) => listFiles(dir).filter((p) => p.endsWith('.js')).map((p) => readFileSync(join(dir, p), 'utf8')).join('\n');
    const marks = [FAULTS_ENV, 'CREATE_PYSERVICE_TEST_HOOK', 'TEST_HOOK', '.reached', 'wait='];
    const shipped = text(join(REPO, 'dist'));
    expect(marks.filter((mark) => shipped.includes(mark))).toEqual([]);
    // The test-only entry, built by the same script, does carry them: the check above would see a bundled hook.
    const faulty = text(dirname(FAULT_CLI));
    expect(marks.filter((mark) => faulty.includes(mark))).toEqual([FAULTS_ENV, '.reached', 'wait=']);
    // What killed a run of the test entry at its first staged file is nothing to the published bin.
    const cwd = mkdtempSync(join(tmpdir(), 'pyservice-nohook-'));
    const result = spawnSync(process.execPath, [join(REPO, 'bin', 'create-pyservice.js'), 'svc', '--yes', '--no-git', '--no-install', '--author', ''], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', [FAULTS_ENV]: 'stage:SIGKILL', CREATE_PYSERVICE_TEST_HOOK: 'stage:SIGKILL' },
    });
    expect(result.signal).toBeNull();
    expect(result.status, result.stderr).toBe(0);
    expect(listFiles(join(cwd, 'svc'))).toContain('pyproject.toml');
  });

  // 150 kB until --db postgres (issue #23): its templates, compiled into the bundle, and README's
  // Database section added 14.5 kB packed (147.8 kB before, 162.3 kB after).
  it('packs to at most 165 kB, with bin/, dist/ and CHANGELOG.md and no templates/', () => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
    expect(packed.status, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { size: number; files: { path: string }[] }[];
    expect(info!.size).toBeLessThanOrEqual(165_000);
    const paths = info!.files.map((f) => f.path);
    expect(paths).toContain('dist/cli.js');
    expect(paths).toContain('bin/create-pyservice.js');
    expect(paths).toContain('CHANGELOG.md'); // what README tells users to read before `pyservice update`
    expect(paths.filter((p) => !/^(bin\/|dist\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(p))).toEqual([]);
  });
});
