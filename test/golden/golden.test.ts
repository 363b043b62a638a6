/**
 * Reviewed snapshots of what the generator writes (layout: test/helpers/golden.ts):
 * per preset, the generated file list and every file that varies with the
 * answers; for all supported combinations, the Dockerfiles side by side in one
 * file. After an intended template change:
 *   UPDATE_GOLDEN=1 npx vitest run test/golden
 * then read the diff like any other code change (refused when CI is set). A template change also
 * needs a new version: release.test.ts fails until package.json and CHANGELOG.md have one, and the
 * same command then records the new version's templates fingerprint (release-fingerprints.json).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import {
  copiedFrom,
  overlaysFor,
  ownDockerfile,
  DOCKERFILES,
  DOCKERFILES_PREAMBLE,
  dockerfileOrder,
  expectedProject,
  formatDockerfiles,
  GOLDEN_DIR,
  readDockerfiles,
  readPreset,
  updateRequested,
} from '../helpers/golden.js';
import { label, SUPPORTED } from '../helpers/matrix.js';
import { defaultAnswers, GOLDEN_PRESETS, TEST_VERSION } from '../helpers/presets.js';

const update = updateRequested();

const dockerfiles = SUPPORTED.map((combo) => [combo, renderService(defaultAnswers(combo), TEST_VERSION).get('Dockerfile')!] as const);

if (update) {
  writeFileSync(DOCKERFILES, formatDockerfiles(dockerfiles));
  for (const [preset, { answers }] of Object.entries(GOLDEN_PRESETS)) {
    const dir = join(GOLDEN_DIR, preset);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const rendered = renderService(answers, TEST_VERSION);
    writeFileSync(join(dir, 'files.txt'), `${[...rendered.keys()].sort().join('\n')}\n`);
    for (const [path, content] of rendered) {
      if ((path === 'Dockerfile' && !ownDockerfile(answers)) || copiedFrom(path, overlaysFor(answers))) continue;
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, `${path}.snap`), content);
    }
  }
}

describe('the Dockerfiles of all supported combinations (dockerfiles.snap)', () => {
  const reviewed = readDockerfiles();

  it('has one section per supported combination, grouped for review', () => {
    expect(readFileSync(DOCKERFILES, 'utf8').startsWith(DOCKERFILES_PREAMBLE)).toBe(true);
    expect([...reviewed.keys()]).toEqual([...SUPPORTED].sort(dockerfileOrder).map(label));
  });

  it.each(dockerfiles.map(([combo, content]) => [label(combo), content] as const))('%s renders exactly as reviewed', (name, content) => {
    expect(content).toBe(reviewed.get(name));
  });
});

describe.each(Object.entries(GOLDEN_PRESETS))('golden preset %s', (preset, { answers, combo }) => {
  const rendered = renderService(answers, TEST_VERSION);
  const { paths, snapshots } = readPreset(preset);

  it('generates exactly the listed files', () => {
    expect([...rendered.keys()].sort()).toEqual(paths);
  });

  it('renders every file as reviewed (snapshot, Dockerfile section, or the template it copies)', () => {
    const expected = expectedProject(preset, combo, answers);
    for (const [path, content] of rendered) expect(content, path).toBe(expected.get(path));
  });

  it('keeps a snapshot for exactly the files that vary, and no stale ones', () => {
    const dir = join(GOLDEN_DIR, preset);
    const onDisk = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.snap'))
      .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/').replace(/\.snap$/, ''))
      .sort();
    const varying = paths.filter((path) => (path !== 'Dockerfile' || ownDockerfile(answers)) && !copiedFrom(path, overlaysFor(answers)));
    expect(onDisk).toEqual(varying);
    expect([...snapshots.keys()].sort()).toEqual(varying);
  });
});

describe('UPDATE_GOLDEN', () => {
  it('is refused when CI is set, so CI can never rewrite what it checks', () => {
    expect(() => updateRequested({ UPDATE_GOLDEN: '1', CI: 'true' })).toThrow('UPDATE_GOLDEN=1 refused: CI is set (CI=true)');
    expect(() => updateRequested({ UPDATE_GOLDEN: '1', CI: '1' })).toThrow(/refused/);
    expect(updateRequested({ UPDATE_GOLDEN: '1' })).toBe(true);
    expect(updateRequested({ CI: 'true' })).toBe(false);
    expect(updateRequested({})).toBe(false);
  });
});

describe.each(Object.entries(GOLDEN_PRESETS))('golden preset %s: the recorded base', (preset, { answers, combo }) => {
  it("names every other generated file by the git blob id of its reviewed content", () => {
    const expected = expectedProject(preset, combo, answers);
    const record = JSON.parse(expected.get('.pyservice.json')!) as { base?: { files?: Record<string, string> } };
    // git's blob id: sha1 of "blob <size>\0<content>" (computed here, not by the code under test).
    const blobId = (content: string) =>
      createHash('sha1').update(`blob ${Buffer.byteLength(content)}\0`).update(content).digest('hex');
    const others = [...expected].filter(([path]) => path !== '.pyservice.json');
    expect(record.base?.files).toEqual(Object.fromEntries(others.map(([path, content]) => [path, blobId(content)])));
  });
});
