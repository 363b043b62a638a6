/**
 * A dependency added to a project reaches the rebuilt image, under each engine (issue #21; buildah
 * #6609: podman reuses a cached `RUN --mount=type=bind,from=builder` install layer whatever the
 * builder stage now produces). A copy of a preset's project is built, a small pure package that
 * both index views serve and the image does not hold is added to pyproject.toml, and the copy is
 * built again keeping the layer cache (`--keep-cache`), as a developer's `docker build` after
 * `poetry add` does. Neither build has a poetry.lock in the project: the harness locks each build
 * context afresh (the second lock holds the new package), which is what the Dockerfile sees after
 * a developer's relock.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_LABEL, LOG_DIR, presetId, record, tail, type Choices, type Engine } from './context.js';
import { engineCli } from './container.js';
import { buildAndRun } from './image.js';

/** mdurl: pure Python, 0.1.2 in both index views (VERSIONS.md), needed by nothing the service installs. */
export const ADDED_DEPENDENCY = { requirement: 'mdurl (>=0.1,<1.0)', module: 'mdurl' } as const;

/** pyproject.toml with `requirement` appended to [project] dependencies (undefined: no such list). */
export function addDependency(pyproject: string, requirement: string): string | undefined {
  const match = /^dependencies = \[\n((?:[ \t]+.*\n)*?)\]/m.exec(pyproject);
  if (!match) return undefined;
  const at = match.index + match[0].length - 1;
  return `${pyproject.slice(0, at)}    "${requirement}",\n${pyproject.slice(at)}`;
}

/** Can the image import `module`? (its own python, no network) */
function imports(engine: Engine, tag: string, module: string): { ok: boolean; detail: string } {
  const [cli, prefix] = engineCli(engine);
  const result = spawnSync(cli, [...prefix, 'run', '--rm', '--network', 'none', ...(engine === 'podman' ? ['--pull=never'] : []), tag, 'python', '-c', `import ${module}`], { encoding: 'utf8', timeout: 120_000 });
  return { ok: result.status === 0, detail: (result.stderr ?? '').trim().split('\n').pop() ?? `exit ${result.status}` };
}

export async function dependencyAdded(choices: Choices, projectDir: string, work: string, engine: Engine): Promise<void> {
  const id = presetId(choices);
  const on = `[${ENGINE_LABEL[engine]}]`;
  const { requirement, module } = ADDED_DEPENDENCY;
  const dir = join(work, `deps-added-${id}-${engine}`, 'service');
  rmSync(dir, { recursive: true, force: true });
  cpSync(projectDir, dir, { recursive: true });
  rmSync(join(dir, 'poetry.lock'), { force: true });
  const tag = `localhost/pyservice-verify/deps-added-${id}:${engine}`;
  const build = (step: string) =>
    // Timed as the phase 'build + run: <engine>' by buildAndRun.
    buildAndRun(engine, dir, ['--keep-cache', '--no-rebuild', '--timeout', '60', '--tag', tag], join(LOG_DIR, `deps-added-${id}.${engine}.${step}.log`));
  const first = await build('first');
  if (!record(id, `${on} dependency added: the project builds and runs before the change`, first.code === 0, first.code ? tail(first.output, 3) : '')) return;
  const before = imports(engine, tag, module);
  if (!record(id, `${on} dependency added: ${module} is not in the image before it is added`, !before.ok, before.ok ? 'it already imports: pick another package' : '')) return;
  const pyproject = addDependency(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), requirement);
  if (!record(id, `${on} dependency added: "${requirement}" added to [project] dependencies`, pyproject !== undefined, pyproject ? '' : 'no dependencies = [ ... ] list in pyproject.toml')) return;
  writeFileSync(join(dir, 'pyproject.toml'), pyproject!);
  const second = await build('second');
  const after = second.code === 0 ? imports(engine, tag, module) : { ok: false, detail: `rebuild failed: ${tail(second.output, 3)}` };
  record(id, `${on} dependency added: after relocking and rebuilding with the layer cache kept, the image imports ${module}`, after.ok, after.ok ? '' : after.detail);
}
