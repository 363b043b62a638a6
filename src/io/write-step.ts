/**
 * The named steps of a write (write.ts), and the hook a test gives the writer
 * to act at one of them: `writeFiles(..., { onStep })` in process, or
 * `installStepHook` for a whole process (test/helpers/fault-cli.ts, which then
 * runs the CLI). The shipped CLI installs none and reads nothing from the
 * environment for it: the bundle has no fault injection (test/cli/bundle.test.ts).
 */
export type Step = 'claim' | 'stage' | 'move' | 'commit';
export type StepHook = (step: Step) => void;

let installed: StepHook | undefined;

/** For tests only: every write of this process calls `hook` at each step. */
export function installStepHook(hook: StepHook | undefined): void {
  installed = hook;
}

export const installedStepHook = (): StepHook | undefined => installed;
