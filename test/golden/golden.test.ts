/**
 * One reviewed directory snapshot per preset (test/golden/<preset>/, each file
 * stored with a `.snap` suffix so tools do not treat it as live code). After an
 * intended template change: `UPDATE_GOLDEN=1 npx vitest run test/golden`, then
 * review the diff like any other code change.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderService } from '../../generators/render.js';
import { GOLDEN_PRESETS, TEST_VERSION } from '../helpers/presets.js';

const GOLDEN_DIR = dirname(fileURLToPath(import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

function readSnapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.snap')) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/').replace(/\.snap$/, '');
    files.set(path, readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

describe.each(Object.entries(GOLDEN_PRESETS))('golden preset %s', (preset, answers) => {
  const dir = join(GOLDEN_DIR, preset);

  it('renders exactly the reviewed snapshot', () => {
    const rendered = renderService(answers, TEST_VERSION);
    if (update) {
      rmSync(dir, { recursive: true, force: true });
      for (const [path, content] of rendered) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, `${path}.snap`), content);
      }
    }
    const snapshot = readSnapshot(dir);
    expect([...rendered.keys()].sort()).toEqual([...snapshot.keys()].sort());
    for (const [path, content] of rendered) expect(content, path).toBe(snapshot.get(path));
  });
});
