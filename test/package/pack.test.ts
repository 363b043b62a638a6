/**
 * The package as a user gets it: pack (dist/ as `npm test` just built it),
 * install the tarball into an empty directory with no network, run the
 * installed bin with and without a terminal, and look at what was installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import MarkdownIt from 'markdown-it';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { KEY, startPty } from '../helpers/pty.js';

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'dependencies'];

const npm = (args: string[], cwd: string, home: string) =>
  spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    // A fresh npm cache and no registry reachable: nothing may come from the network.
    env: { ...process.env, HOME: home, npm_config_cache: join(home, '.npm'), npm_config_registry: 'http://127.0.0.1:9/', npm_config_update_notifier: 'false' },
  });

let tarball = '';
let installed = '';
let home = '';
let installOutput = '';

beforeAll(() => {
  const base = mkdtempSync(join(tmpdir(), 'pyservice-pack-'));
  home = join(base, 'home');
  mkdirSync(home);
  // dist/ is what `npm test` built a moment ago; prepack would rebuild it under the other tests' feet.
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', base], REPO, home);
  expect(pack.status, pack.stderr).toBe(0);
  tarball = join(base, JSON.parse(pack.stdout)[0].filename);
  const app = join(base, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
  const install = npm(['install', '--offline', '--no-audit', '--no-fund', tarball], app, home);
  installOutput = `${install.stdout}${install.stderr}`;
  expect(install.status, installOutput).toBe(0);
  installed = join(app, 'node_modules', 'create-pyservice');
}, 180_000);

const files = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();

describe('the published package', () => {
  it('installs offline with no install scripts and no npm warnings', () => {
    expect(installOutput).not.toMatch(/npm warn|npm WARN/);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    for (const script of INSTALL_SCRIPTS) expect(manifest.scripts?.[script], script).toBeUndefined();
    expect(manifest.scripts.prepack).toBe('npm run build'); // the bundle is built when packing instead
    expect(manifest.dependencies).toBeUndefined(); // everything is bundled
  });

  it('runs through npm exec from the tarball without npm warnings', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pyservice-pack-exec-'));
    const result = npm(['exec', '--offline', '--yes', `--package=${tarball}`, '--', 'create-pyservice', 'svc', '--yes', '--no-git', '--json'], cwd, home);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/npm warn|npm WARN/);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, answers: { name: 'svc' } });
  });

  it('ships the licence and the notices of everything bundled into dist/', () => {
    const shipped = files(installed);
    expect(shipped).toContain('LICENSE');
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    const notices = readFileSync(join(installed, 'dist', 'THIRD_PARTY_NOTICES.md'), 'utf8');
    for (const pkg of ['node-plop', '@inquirer/core', '@inquirer/select']) {
      expect(notices).toMatch(new RegExp(`^## ${pkg.replace('/', '\\/')} \\d`, 'm'));
    }
    expect(notices).toContain('Permission is hereby granted'); // the licence texts themselves, not just their names
    // Not bundled: ejs runs at build time only (the templates are compiled), and node-plop's Handlebars
    // templating is left out (scripts/lib/node-plop-core.mjs).
    for (const pkg of ['ejs', 'handlebars']) expect(notices).not.toMatch(new RegExp(`^## ${pkg} \\d`, 'm'));
  });

  it('ships CHANGELOG.md, whose first section is this version (what README tells users to read before updating)', () => {
    expect(files(installed)).toContain('CHANGELOG.md');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string };
    expect(/^## \[([^\]]+)\]/m.exec(readFileSync(join(installed, 'CHANGELOG.md'), 'utf8'))?.[1]).toBe(manifest.version);
  });

  it('runs without a terminal: writes the project', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pyservice-pack-run-'));
    const bin = join(dirname(dirname(installed)), 'node_modules', '.bin', 'create-pyservice');
    const result = spawnSync(bin, ['my-api', '--yes', '--no-git'], { cwd, encoding: 'utf8', env: { ...process.env, HOME: home, NO_COLOR: '1' } });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Created my-api');
    expect(existsSync(join(cwd, 'my-api', 'pyproject.toml'))).toBe(true);
    expect(existsSync(join(cwd, 'my-api', 'Dockerfile'))).toBe(true);
  });

  it('runs in a terminal: the Enter-only interview writes the project', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pyservice-pack-pty-'));
    const bin = join(dirname(dirname(installed)), 'node_modules', '.bin', 'pyservice');
    const pty = startPty(['new'], { cwd, env: { HOME: home, PATH: '/usr/bin:/bin', NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' }, bin: [bin] });
    for (const prompt of [/Project directory/, /Base image[\s\S]*navigate/, /Dependency strategy[\s\S]*navigate/, /Server[\s\S]*navigate/, /Change any of these\?/]) {
      await pty.expect(prompt);
      pty.type(KEY.enter);
    }
    expect(await pty.exit).toBe(0);
    expect(existsSync(join(cwd, 'my-service', 'app', 'main.py'))).toBe(true);
  });

  it("README's tarball size is the real one (within 15 %)", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const stated = Number(/one small tarball \(about (\d+) kB/.exec(readme)?.[1]) * 1000;
    const actual = statSync(tarball).size;
    expect(Math.abs(stated - actual) / actual, `README says about ${stated} bytes, npm pack wrote ${actual}`).toBeLessThan(0.15);
  });

  it('has a README (the npm page) whose links all resolve: files in the tarball, headings that exist', () => {
    expect(linkProblems(installed)).toEqual([]);
  });
});

describe('the repository README', () => {
  it('opens with the user command, then the developer commands', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const commands = readme.split('\n').filter((line) => /^(npm|npx) /.test(line));
    expect(commands[0]).toMatch(/^npm create pyservice@latest my-api\b/);
    expect(commands[1]).toMatch(/^npm ci && npx \. \S+ --yes\b/);
    expect(commands[2]).toMatch(/^npm ci && npm test\b/);
  });

  it("its clone command writes the project outside the clone (inside it, git init is skipped)", () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const target = /^npm ci && npx \. (\S+) --yes/m.exec(readme)?.[1] ?? '';
    const rel = relative(REPO, join(REPO, target));
    expect(rel.startsWith(`..${sep}`), `${target} lands in ${rel}`).toBe(true);
  });

  it('its user part (before Development) never sends a user to ../shared, which users do not have', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const userPart = readme.slice(0, readme.indexOf('\n## Development'));
    expect(userPart.length).toBeGreaterThan(1000);
    expect(userPart).not.toMatch(/\.\.\/shared\b/);
  });

  it('links only to files that exist in the repository and headings that exist', () => {
    expect(linkProblems(REPO)).toEqual([]);
  });
});

/** GitHub-style heading anchors. */
const slug = (text: string) =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** Links in `dir`/README.md that point nowhere (external links are not fetched: no network here). */
function linkProblems(dir: string): string[] {
  const md = new MarkdownIt({ html: true });
  const source = readFileSync(join(dir, 'README.md'), 'utf8');
  const tokens = md.parse(source, {});
  const anchors = new Set<string>();
  const links: string[] = [];
  tokens.forEach((token, i) => {
    if (token.type === 'heading_open') anchors.add(slug(tokens[i + 1]?.content ?? ''));
    for (const child of token.children ?? []) {
      if (child.type === 'link_open') links.push(String(child.attrGet('href') ?? ''));
      if (child.type === 'image') links.push(String(child.attrGet('src') ?? ''));
    }
  });
  const problems: string[] = [];
  for (const link of links) {
    if (/^(https?:|mailto:)/.test(link)) continue;
    if (link.startsWith('#')) {
      if (!anchors.has(link.slice(1))) problems.push(`${link}: no such heading`);
      continue;
    }
    const path = link.split('#')[0] ?? '';
    if (!existsSync(join(dir, path))) problems.push(`${link}: no such file`);
  }
  return problems;
}
