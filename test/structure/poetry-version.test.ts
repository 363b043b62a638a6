/**
 * One Poetry version per project: the answer (default VERSIONS.poetry) is what the Dockerfile's
 * ARG POETRY_VERSION default, CI's POETRY_VERSION and the README say, in every combination, and
 * no file names another Poetry release. The generated README says how a team bumps it.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validCombinations } from '../../src/model/compat.js';
import { renderService } from '../../src/render/render.js';
import { VERSIONS } from '../../src/model/versions.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const WORKFLOW = '.github/workflows/ci.yml';

/** Every `X.Y.Z` on a line that mentions Poetry (not poetry-plugin-export, which has versions of its own). */
function poetryVersionsIn(files: ReadonlyMap<string, string>): { path: string; line: string; version: string }[] {
  return [...files].flatMap(([path, text]) =>
    text
      .split('\n')
      // Poetry itself: not poetry-core (the build backend) or the Makefile's $(POETRY) command.
      .filter((line) => /poetry/i.test(line.replace(/\$\(POETRY\)/g, '')) && !/poetry[-_]core|plugin[-_]export/i.test(line))
      // X.Y.Z, not part of an address such as 127.0.0.1.
      .flatMap((line) => [...line.matchAll(/(?<![\d.])\d+\.\d+\.\d+(?!\.?\d)/g)].map((m) => ({ path, line, version: m[0] }))),
  );
}

it('the default answer is the version map\'s one Poetry', () => {
  expect(defaultAnswers().poetryVersion).toBe(VERSIONS.poetry);
});

describe.each(
  validCombinations().flatMap((c) => [VERSIONS.poetry, '2.3.4'].map((poetry) => [`${c.python} ${c.runtime} ${c.deps} ${c.server}, Poetry ${poetry}`, c, poetry] as const)),
)('%s', (_label, combo, poetry) => {
  const files = renderService(defaultAnswers({ ...combo, poetryVersion: poetry }), TEST_VERSION);

  it('the Dockerfile ARG default and CI\'s POETRY_VERSION are that one value, and no file names another Poetry', () => {
    expect(files.get('Dockerfile')!.match(/^ARG POETRY_VERSION=(.*)$/gm)).toEqual([`ARG POETRY_VERSION=${poetry}`]);
    const ci = parseYaml(files.get(WORKFLOW)!);
    expect(ci.env.POETRY_VERSION).toBe(poetry);
    const found = poetryVersionsIn(files);
    expect(found.filter((f) => f.path === 'Dockerfile').length).toBeGreaterThan(0);
    expect(found.filter((f) => f.path === WORKFLOW).length).toBeGreaterThan(0);
    expect(found.filter((f) => f.version !== poetry)).toEqual([]);
  });

  it('the README says which lines a team changes to bump Poetry, and then make lock', () => {
    const readme = files.get('README.md')!;
    const bump = readme.slice(readme.indexOf('**Bumping Poetry**'));
    expect(bump.length).toBeLessThan(readme.length);
    const paragraph = bump.slice(0, bump.indexOf('\n\n'));
    expect(paragraph).toContain(`\`ARG POETRY_VERSION=${poetry}\` in the \`Dockerfile\``);
    expect(paragraph).toContain(`\`POETRY_VERSION: "${poetry}"\` in \`.github/workflows/ci.yml\``);
    expect(paragraph.includes('ARG POETRY_PLUGIN_EXPORT_VERSION')).toBe(combo.deps === 'wheels');
    expect(paragraph).toContain('`make lock`');
    // The lines it names are really there.
    expect(files.get('Dockerfile')).toContain(`ARG POETRY_VERSION=${poetry}\n`);
    expect(files.get(WORKFLOW)).toContain(`POETRY_VERSION: "${poetry}"\n`);
  });
});

it('without CI, the README names the Dockerfile line only', () => {
  const files = renderService(defaultAnswers({ ci: 'none' }), TEST_VERSION);
  expect(files.has(WORKFLOW)).toBe(false);
  const readme = files.get('README.md')!;
  const paragraph = readme.slice(readme.indexOf('**Bumping Poetry**')).split('\n\n')[0]!;
  expect(paragraph).toContain('`ARG POETRY_VERSION=');
  expect(paragraph).not.toContain('ci.yml');
});
