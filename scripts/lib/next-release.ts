/**
 * "Release N+1" of this package, for the two-release update of the tests and
 * of `npm run verify`: a copy of this tree whose templates change the way a
 * release's do (a changed Dockerfile line, a new file, a removed file, a
 * Makefile change), with the next minor version, built into its own dist/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the next release changes, for the checks. */
export const NEXT_RELEASE = {
  dockerfileLine: '# Rendered by the next release.',
  newFile: { path: 'CHANGELOG.md', content: '# Changelog\n\nStarted by create-pyservice.\n' },
  droppedFile: '.env.example',
  makefileFrom: '\t$(POETRY) run pytest --cov=app\n',
  makefileTo: '\t$(POETRY) run pytest -q --cov=app\n',
} as const;

export interface NextRelease {
  /** The built CLI (dist/cli.js of the copy). */
  readonly cli: string;
  readonly version: string;
  /** The copy's directory (remove it when done). */
  readonly tree: string;
}

const read = (path: string) => readFileSync(path, 'utf8');

export function buildNextRelease(repo: string, work: string): NextRelease {
  const tree = mkdtempSync(join(work, 'next-release-'));
  rmSync(tree, { recursive: true });
  cpSync(repo, tree, { recursive: true, filter: (src) => !/\/(\.git|node_modules|dist|build|test|reports)(\/|$)/.test(src.slice(repo.length)) });
  symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'));
  const pkg = JSON.parse(read(join(tree, 'package.json'))) as { version: string };
  const [major, minor] = pkg.version.split('.').map(Number);
  const version = `${major}.${minor! + 1}.0`;
  writeFileSync(join(tree, 'package.json'), JSON.stringify({ ...pkg, version }, null, 2));
  const templates = join(tree, 'templates', 'service');
  // A changed Dockerfile line: after the syntax line, in whichever template holds it.
  const grep = spawnSync('grep', ['-rl', '^# syntax=docker/dockerfile:1', join(tree, 'templates')], { encoding: 'utf8' });
  const dockerTemplate = grep.stdout.split('\n').filter(Boolean)[0];
  if (!dockerTemplate) throw new Error('next release: no template holds the "# syntax=docker/dockerfile:1" line');
  writeFileSync(dockerTemplate, read(dockerTemplate).replace(/^(# syntax=docker\/dockerfile:1)$/m, `$1\n${NEXT_RELEASE.dockerfileLine}`));
  writeFileSync(join(templates, NEXT_RELEASE.newFile.path), NEXT_RELEASE.newFile.content);
  rmSync(join(templates, '_env.example.ejs'));
  const makefile = join(templates, 'Makefile.ejs');
  const text = read(makefile);
  if (!text.includes(NEXT_RELEASE.makefileFrom)) throw new Error('next release: the Makefile template has no pytest recipe line to change');
  writeFileSync(makefile, text.replace(NEXT_RELEASE.makefileFrom, NEXT_RELEASE.makefileTo));
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: tree, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`next release: the build failed: ${build.stderr}`);
  return { cli: join(tree, 'dist', 'cli.js'), version, tree };
}
