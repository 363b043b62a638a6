/**
 * The reviewed golden snapshots (test/golden/), read without the renderer:
 * what the generator must produce, for the golden tests and for CLI tests that
 * compare what landed on disk.
 *
 *   test/golden/<preset>/files.txt    every generated path, one a line
 *   test/golden/<preset>/<path>.snap  each generated file that varies with the answers
 *   test/golden/dockerfiles.snap      the Dockerfile of every supported combination
 *
 * A generated file that is a plain copy of its template (templates/service/,
 * dotfiles shipped as `_name`) is expected to equal that template and has no
 * snapshot: it cannot vary, and reviewing it again per preset adds nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './cli.js';
import { label, type Combination } from './matrix.js';

export const GOLDEN_DIR = join(REPO, 'test', 'golden');
export const DOCKERFILES = join(GOLDEN_DIR, 'dockerfiles.snap');
const TEMPLATES = join(REPO, 'templates', 'service');

/**
 * The template kinds laid over templates/service/ for some answers (render.ts's overlays,
 * written out again here): with --db postgres, templates/db-postgres/ adds and replaces files.
 */
export function overlaysFor(answers: { readonly db?: string }): string[] {
  return answers.db === 'postgres' ? ['db-postgres'] : [];
}

/**
 * A preset whose Dockerfile is not its combination's in dockerfiles.snap (which renders every
 * combination with the default answers) keeps it as a snapshot of its own.
 */
export function ownDockerfile(answers: { readonly db?: string }): boolean {
  return overlaysFor(answers).length > 0;
}

/**
 * The template a generated file is a plain copy of, if it is one: the same
 * path under templates/service/ (or first under an overlay that has it), where
 * a leading dot may be shipped as `_` (npm drops dotfiles from packages).
 * Rendered templates (`.ejs`) do not count.
 */
export function copiedFrom(path: string, overlays: readonly string[] = []): string | undefined {
  let candidates = [''];
  for (const segment of path.split('/')) {
    const forms = segment.startsWith('.') ? [segment, `_${segment.slice(1)}`] : [segment];
    candidates = candidates.flatMap((prefix) => forms.map((form) => (prefix ? `${prefix}/${form}` : form)));
  }
  for (const kind of [...overlays, 'service']) {
    const files = candidates.map((c) => join(TEMPLATES, '..', kind, c));
    if (!files.some((file) => existsSync(file) || existsSync(`${file}.ejs`))) continue;
    return files.find((file) => existsSync(file) && !existsSync(`${file}.ejs`));
  }
  return undefined;
}

/**
 * `UPDATE_GOLDEN=1` rewrites the reviewed snapshots from the current output.
 * That is a developer's act, to be reviewed in the diff: never in CI, where
 * it would turn every golden failure into a pass.
 */
export function updateRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.UPDATE_GOLDEN !== '1') return false;
  if (env.CI) throw new Error(`UPDATE_GOLDEN=1 refused: CI is set (CI=${env.CI}); regenerate snapshots locally and review the diff`);
  return true;
}

// ---------------------------------------------------------------- dockerfiles.snap

const HEADER = /^=+ (.+) =+$/;

export const DOCKERFILES_PREAMBLE = [
  '# The generated Dockerfile of every supported combination (test/helpers/matrix.ts),',
  '# for a project named my-api with every other answer at its default, one section per',
  '# combination, grouped by runtime, dependency strategy and server. Reviewed: after an',
  '# intended template change run `UPDATE_GOLDEN=1 npx vitest run test/golden` and read the diff.',
  '',
].join('\n');

/** Sections in review order: runtime, deps, server, then Python. */
export function dockerfileOrder(a: Combination, b: Combination): number {
  const key = (c: Combination) => [c.runtime === 'slim' ? 0 : 1, c.deps, c.server === 'uvicorn' ? 0 : 1, c.python].join(' ');
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

export function formatDockerfiles(entries: readonly (readonly [Combination, string])[]): string {
  const sections = [...entries]
    .sort(([a], [b]) => dockerfileOrder(a, b))
    .map(([combo, content]) => {
      if (content.split('\n').some((line) => HEADER.test(line))) throw new Error(`the Dockerfile of ${label(combo)} has a line like a section header`);
      return `${'='.repeat(20)} ${label(combo)} ${'='.repeat(20)}\n${content}`;
    });
  return `${DOCKERFILES_PREAMBLE}\n${sections.join('\n')}`;
}

/** label → Dockerfile, as reviewed. */
export function readDockerfiles(): Map<string, string> {
  const text = readFileSync(DOCKERFILES, 'utf8');
  const sections = new Map<string, string>();
  let current: string | undefined;
  let lines: string[] = [];
  const close = () => {
    // Each section ends with the Dockerfile's final newline, then one blank separator line.
    if (current !== undefined) sections.set(current, `${lines.join('\n').replace(/\n$/, '')}\n`);
  };
  for (const line of text.slice(DOCKERFILES_PREAMBLE.length + 1).split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      close();
      current = header[1]!;
      lines = [];
    } else lines.push(line);
  }
  close();
  return sections;
}

// ---------------------------------------------------------------- presets

export interface PresetSnapshot {
  /** Every generated path, as listed in files.txt. */
  readonly paths: string[];
  /** path → reviewed content, for the files that vary (not the Dockerfile, not plain copies). */
  readonly snapshots: Map<string, string>;
}

export function readPreset(preset: string): PresetSnapshot {
  const dir = join(GOLDEN_DIR, preset);
  const paths = readFileSync(join(dir, 'files.txt'), 'utf8').split('\n').filter(Boolean);
  const snapshots = new Map<string, string>();
  for (const path of paths) {
    const file = join(dir, `${path}.snap`);
    if (existsSync(file)) snapshots.set(path, readFileSync(file, 'utf8'));
  }
  return { paths, snapshots };
}

/**
 * Every file the generator must write for a golden preset, with its reviewed
 * content: the preset's snapshot, the Dockerfile of its combination from
 * dockerfiles.snap, and the template itself for plain copies.
 */
export function expectedProject(preset: string, combo: Combination, answers: { readonly db?: string } = {}): Map<string, string> {
  const { paths, snapshots } = readPreset(preset);
  const files = new Map<string, string>();
  for (const path of paths) {
    const template = copiedFrom(path, overlaysFor(answers));
    const content =
      path === 'Dockerfile' && !ownDockerfile(answers) ? readDockerfiles().get(label(combo)) : template ? readFileSync(template, 'utf8') : snapshots.get(path);
    if (content === undefined) throw new Error(`golden preset ${preset}: no reviewed content for ${path}`);
    files.set(path, content);
  }
  return files;
}
