/**
 * The real machine the option table's defaults look at (model/option-types.ts's
 * Machine): a terminal or not, Poetry, the user's git settings. Everything is
 * probed lazily and at most once, so a run that never needs a fact never pays
 * for the process or file read behind it.
 */
import { GIT_KEYS, type Machine } from '../model/option-types.js';
import { TOOLS } from '../model/tools.js';
import { gitConfigValues } from './git-config.js';
import { toolStatus } from './tool-check.js';

/** `hasPoetry` decides "available" (default: Poetry 2 usable on PATH); the problem is always the real one. */
export function realMachine(interactive: boolean, hasPoetry: () => boolean = () => toolStatus(TOOLS.poetry).usable): Machine {
  let poetry: boolean | undefined;
  let problem: { text: string | undefined } | undefined;
  let git: Map<string, string> | undefined;
  return {
    interactive,
    poetryAvailable: () => (poetry ??= hasPoetry()),
    poetryProblem: () => (problem ??= { text: toolStatus(TOOLS.poetry).problem }).text,
    // The git settings a default reads, all from one git process, on first use.
    gitConfig: (key) => (git ??= gitConfigValues(GIT_KEYS)).get(key),
  };
}
