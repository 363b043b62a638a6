/**
 * The Dockerfile's top lines do not depend on the choices (issue #22, item 11): people add their
 * own lines there (an ARG, a comment), and a line that `pyservice docker` rewrites next to them
 * made every such edit a conflict. What changes with the choices sits with the lines that change
 * anyway (the FROMs, EXPOSE).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { runCli, sandbox } from '../helpers/cli.js';
import { SUPPORTED } from '../helpers/matrix.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const head = (dockerfile: string) => dockerfile.split('\n').slice(0, 4).join('\n');

describe("the Dockerfile's header", () => {
  it('is the same for every combination and port (only the name is in it)', () => {
    const heads = new Set<string>();
    for (const combo of SUPPORTED) {
      for (const port of [8000, 9123]) heads.add(head(renderService(defaultAnswers({ ...combo, port }), TEST_VERSION).get('Dockerfile')!));
    }
    expect([...heads]).toHaveLength(1);
    expect([...heads][0]).toMatch(/^# syntax=docker\/dockerfile:1\n/);
  });

  it('an edit under it survives pyservice docker changing runtime, Python and port, with no conflict', async () => {
    const { cwd, home } = sandbox();
    expect((await runCli(['svc', '--yes'], { cwd, env: { HOME: home, GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@b.c', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@b.c' } })).code).toBe(0);
    const dir = join(cwd, 'svc');
    const path = join(dir, 'Dockerfile');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.splice(3, 0, '# Team note: images are pushed by the release job.');
    writeFileSync(path, lines.join('\n'));
    const changed = await runCli(['docker', '--runtime', 'distroless', '--port', '9000', '--yes'], { cwd: dir, env: { HOME: home } });
    expect(changed.code, changed.stdout + changed.stderr).toBe(0);
    const after = readFileSync(path, 'utf8');
    expect(after).not.toContain('<<<<<<<');
    expect(after.split('\n')[3]).toBe('# Team note: images are pushed by the release job.');
    expect(after).toContain('gcr.io/distroless/python3-debian13:nonroot');
    expect(after).toMatch(/^EXPOSE 9000$/m);
  });
});
