/**
 * Fault injection for tests that need a real process stopped at a chosen step
 * of the writer (src/io/write-step.ts). A spec is `STEP[#n]:ACTION,...`:
 * at the nth (or every) occurrence of STEP (claim, stage, move, commit), ACTION
 * is a signal name (sent to the process itself) or `wait=PATH` (create
 * PATH.reached, then wait until PATH exists, 30 s at most).
 *
 * Spawned CLIs get it through the test-only entry fault-cli.ts (bundled to
 * FAULT_CLI by scripts/build.mjs), which installs the hook and then runs the
 * CLI: the shipped bundle reads no such thing from its environment.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Step, StepHook } from '../../src/io/write-step.js';

/** The environment variable fault-cli.ts reads (and only it). */
export const FAULTS_ENV = 'PYSERVICE_TEST_FAULTS';

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The hook a spec describes (undefined for an empty spec). */
export function faultHook(spec: string | undefined): StepHook | undefined {
  if (!spec) return undefined;
  const rules = spec.split(',').map((rule) => {
    const match = /^(\w+)(?:#(\d+))?:(.+)$/.exec(rule);
    if (!match) throw new Error(`${FAULTS_ENV}: cannot parse "${rule}"`);
    return { step: match[1], nth: match[2] ? Number(match[2]) : undefined, action: match[3]! };
  });
  const seen = new Map<Step, number>();
  return (step) => {
    const n = (seen.get(step) ?? 0) + 1;
    seen.set(step, n);
    for (const rule of rules) {
      if (rule.step !== step || (rule.nth !== undefined && rule.nth !== n)) continue;
      if (rule.action.startsWith('wait=')) {
        const path = rule.action.slice('wait='.length);
        writeFileSync(`${path}.reached`, '');
        for (let waited = 0; !existsSync(path) && waited < 30_000; waited += 10) sleepSync(10);
      } else {
        process.kill(process.pid, rule.action as NodeJS.Signals);
      }
    }
  };
}
