/**
 * Releases can be told apart: one version (package.json; the bundle and the sources get it as
 * __VERSION__), named by the top entry of CHANGELOG.md, by package-lock.json and by the golden
 * record; and a release's templates never change under the same version.
 *
 * The second check keeps a ledger, test/golden/release-fingerprints.json: for each version, one
 * SHA-256 over everything the templates render for the golden presets, every supported
 * Dockerfile and a route, rendered with a fixed stand-in version so the fingerprint depends on the
 * templates only. A template change makes the current version's fingerprint differ: the test fails
 * until the version is bumped (package.json, CHANGELOG.md), and then
 *   UPDATE_GOLDEN=1 npx vitest run test/golden
 * adds the new version's fingerprint. It never rewrites a fingerprint a version already has.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { renderRoute, routeNames } from '../../src/render/route.js';
import { REPO } from '../helpers/cli.js';
import { GOLDEN_DIR, readPreset, updateRequested } from '../helpers/golden.js';
import { label, SUPPORTED } from '../helpers/matrix.js';
import { defaultAnswers, GOLDEN_PRESETS, TEST_VERSION } from '../helpers/presets.js';

const LEDGER = join(GOLDEN_DIR, 'release-fingerprints.json');
/** Not a release: stands in for the version, so only the templates move the fingerprint. */
const STAND_IN = '0.0.0-fingerprint';

/** The fingerprint of what the templates render today. */
function templatesFingerprint(): string {
  const hash = createHash('sha256');
  const add = (name: string, files: ReadonlyMap<string, string>) => {
    for (const [path, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      hash.update(`${name}\0${path}\0${Buffer.byteLength(content)}\0`).update(content);
    }
  };
  for (const [preset, { answers }] of Object.entries(GOLDEN_PRESETS)) add(`preset ${preset}`, renderService(answers, STAND_IN));
  for (const combo of SUPPORTED) add(`dockerfile ${label(combo)}`, new Map([['Dockerfile', renderService(defaultAnswers(combo), STAND_IN).get('Dockerfile')!]]));
  add('route orders', renderRoute(routeNames('orders')));
  return hash.digest('hex');
}

const readLedger = (): Record<string, string> => (existsSync(LEDGER) ? (JSON.parse(readFileSync(LEDGER, 'utf8')) as Record<string, string>) : {});

const current = templatesFingerprint();
const update = updateRequested();
if (update && readLedger()[TEST_VERSION] === undefined) {
  writeFileSync(LEDGER, `${JSON.stringify({ ...readLedger(), [TEST_VERSION]: current }, null, 2)}\n`);
}

/** The version of the first release section of CHANGELOG.md ("## [x.y.z] - date"). */
function changelogTop(): string | undefined {
  const text = readFileSync(join(REPO, 'CHANGELOG.md'), 'utf8');
  return /^## \[([^\]]+)\]/m.exec(text)?.[1];
}

describe('the release version', () => {
  it('is named by the top entry of CHANGELOG.md', () => {
    expect(changelogTop(), `CHANGELOG.md's first "## [version]" section must be package.json's version ${TEST_VERSION}`).toBe(TEST_VERSION);
  });

  it("is package-lock.json's own version too (both fields)", () => {
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { version: string; packages: Record<string, { version?: string }> };
    expect([lock.version, lock.packages['']?.version]).toEqual([TEST_VERSION, TEST_VERSION]);
  });

  // Not while UPDATE_GOLDEN=1 has golden.test.ts rewrite the snapshots (in another worker, at the same time).
  it.skipIf(update)('is the one the golden records were produced by (regenerate them after a bump)', () => {
    for (const preset of Object.keys(GOLDEN_PRESETS)) {
      const record = JSON.parse(readPreset(preset).snapshots.get('.pyservice.json')!) as { version: string };
      expect(record.version, `test/golden/${preset}/.pyservice.json.snap: run UPDATE_GOLDEN=1 npx vitest run test/golden and review the diff`).toBe(TEST_VERSION);
    }
  });

  it('has a templates fingerprint, and the templates still render it (else: bump the version)', () => {
    const recorded = readLedger()[TEST_VERSION];
    expect(recorded, `test/golden/release-fingerprints.json has no fingerprint for ${TEST_VERSION}: run UPDATE_GOLDEN=1 npx vitest run test/golden`).toBeDefined();
    expect(
      current,
      `the templates render differently from what ${TEST_VERSION} rendered: a template change needs a new version (package.json, package-lock.json, CHANGELOG.md), then UPDATE_GOLDEN=1 npx vitest run test/golden`,
    ).toBe(recorded);
  });
});
