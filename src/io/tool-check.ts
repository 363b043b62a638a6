/**
 * Is a tool the generated project needs usable here? A PATH lookup first (no
 * process); only for Poetry, and only when asked, one `poetry --version`:
 * Poetry 1 (Debian's python3-poetry) cannot read the generated pyproject.toml
 * ("'package-mode' was unexpected"), so for us it counts as missing and is never run.
 */
import { spawnSync } from 'node:child_process';
import { onPath } from './post.js';
import type { Tool } from '../model/tools.js';

export interface ToolStatus {
  readonly usable: boolean;
  /** Why not, in words starting with the command: "poetry is not on PATH", "poetry 1.8.2 on PATH is too old". */
  readonly problem?: string;
}

const cache = new Map<string, ToolStatus>();

/** The Poetry version `poetry --version` prints ("Poetry (version 2.1.2)", "Poetry version 1.8.2"), if any. */
export function poetryVersion(output: string): string | undefined {
  return /(\d+\.\d+(?:\.\d+)?(?:[.-]?\w+)?)/.exec(output)?.[1];
}

function probe(tool: Tool): ToolStatus {
  if (!onPath(tool.command)) return { usable: false, problem: `${tool.command} is not on PATH` };
  if (tool.command !== 'poetry') return { usable: true };
  const run = spawnSync('poetry', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  const version = poetryVersion(`${run.stdout ?? ''}`);
  if (run.status !== 0 || version === undefined) return { usable: false, problem: 'poetry on PATH did not report its version ("poetry --version" failed)' };
  if (Number(version.split('.')[0]) < 2) return { usable: false, problem: `poetry ${version} on PATH is too old` };
  return { usable: true };
}

/** The status of `tool`, probed at most once per process and PATH. */
export function toolStatus(tool: Tool): ToolStatus {
  const key = `${tool.command}\0${process.env.PATH ?? ''}`;
  let status = cache.get(key);
  if (!status) cache.set(key, (status = probe(tool)));
  return status;
}
