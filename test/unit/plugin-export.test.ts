/**
 * `--deps wheels` installs poetry-plugin-export beside the pinned Poetry: the
 * plugin version must accept that Poetry, or the builder's first `pip install`
 * cannot resolve. The generator picks one that fits, or refuses the pair.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compatViolations } from '../../src/model/compat.js';
import { renderService } from '../../src/render/render.js';
import { pluginExportFor, VERSIONS } from '../../src/model/versions.js';
import { runCli, sandbox } from '../helpers/cli.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const dockerfileFor = (poetryVersion: string) =>
  renderService(defaultAnswers({ deps: 'wheels', poetryVersion }), TEST_VERSION).get('Dockerfile')!;

describe('poetry-plugin-export for the pinned Poetry', () => {
  it.each([
    ['2.0', '1.9.0'],
    ['2.0.1', '1.9.0'],
    ['2.1', VERSIONS.poetryPluginExport],
    ['2.1.2', VERSIONS.poetryPluginExport],
    [VERSIONS.poetry, VERSIONS.poetryPluginExport],
    ['2.10.0', VERSIONS.poetryPluginExport],
  ])('Poetry %s gets poetry-plugin-export %s', (poetry, plugin) => {
    expect(pluginExportFor(poetry)).toBe(plugin);
    expect(dockerfileFor(poetry)).toContain(`ARG POETRY_PLUGIN_EXPORT_VERSION=${plugin}\n`);
  });

  it('Poetry 2.0.1 with --deps wheels no longer pins 1.10.1, which needs Poetry >= 2.1', () => {
    expect(dockerfileFor('2.0.1')).not.toContain('poetry-plugin-export==1.10.1');
    expect(dockerfileFor('2.0.1')).not.toContain('POETRY_PLUGIN_EXPORT_VERSION=1.10.1');
  });

  it('refuses --deps wheels with a Poetry no known plugin release accepts, with the reason and a fix', () => {
    const [violation, ...rest] = compatViolations({ deps: 'wheels', poetryVersion: '3.0.0' });
    expect(rest).toEqual([]);
    expect(violation?.message).toBe(
      `--deps wheels with --poetry-version 3.0.0 is not possible: no poetry-plugin-export release known to this generator installs with Poetry 3.0.0 (${VERSIONS.poetryPluginExport} needs Poetry >=2.1,<3.0; 1.9.0 needs Poetry >=2.0,<3.0); use --poetry-version ${VERSIONS.poetry}, or --deps venv`,
    );
    expect(compatViolations({ deps: 'venv', poetryVersion: '3.0.0' })).toEqual([]);
    expect(compatViolations({ deps: 'wheels', poetryVersion: '2.0.1' })).toEqual([]);
  });

  it('the CLI refuses the pair with exit 2 and writes nothing', async () => {
    const { cwd, home } = sandbox();
    const result = await runCli(['svc', '--yes', '--deps', 'wheels', '--poetry-version', '3.0.0'], { cwd, env: { HOME: home } });
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining('error: --deps wheels with --poetry-version 3.0.0 is not possible')]);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
