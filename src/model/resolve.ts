/**
 * Answers without asking: every value not given takes its default from the
 * option table (static, or derived from the answers before it), then the
 * table's checks and the compatibility table judge the whole. The prompts use
 * the same functions for the values they do not ask.
 */
import { compatViolations } from './compat.js';
import { flagOf, OPTION_KEYS, TABLE, type Answers, type Known, type Machine, type OptionKey, type Parsed } from './options.js';

/** Store `value` under `key` (typed per key). */
export function setAnswer<K extends OptionKey>(answers: Partial<Answers>, key: K, value: Answers[K]): void {
  answers[key] = value;
}

/** The default of `key` given the answers known so far. */
export function defaultOf<K extends OptionKey>(key: K, known: Partial<Answers>, machine: Machine): Parsed<Answers[K]> {
  const def = TABLE[key].default;
  if ('value' in def) return { ok: true, value: def.value };
  const view: Known = known;
  return def.derive(view, machine);
}

/** Why the default of `key` cannot be used, as an error naming the flag to pass. */
function defaultProblem(key: OptionKey, problem: { problem: string; suggestion?: string }): string {
  const flag = flagOf(key);
  return `${flag}: ${problem.problem}; pass ${flag} ${problem.suggestion ?? TABLE[key].valueName ?? 'VALUE'}`;
}

/** Fill in `keys` not given (in table order); errors name the flag to pass. */
export function fillDefaults(given: Partial<Answers>, machine: Machine, keys: readonly OptionKey[]): { answers: Partial<Answers>; errors: string[] } {
  const answers: Partial<Answers> = { ...given };
  const errors: string[] = [];
  const fill = <K extends OptionKey>(key: K) => {
    if (answers[key] !== undefined) return;
    const result = defaultOf(key, answers, machine);
    if (result.ok) setAnswer(answers, key, result.value);
    else errors.push(defaultProblem(key, result));
  };
  for (const key of keys) fill(key);
  return { answers, errors };
}

/** Problems of a complete set of answers: the table's machine checks and the compatibility rules. */
export function answerProblems(answers: Partial<Answers>, machine: Machine): string[] {
  const problems: string[] = [];
  const check = <K extends OptionKey>(key: K) => {
    const value = answers[key];
    const rule = TABLE[key].check;
    const problem = value !== undefined && rule ? rule(value, machine) : undefined;
    if (problem) problems.push(`${flagOf(key)}: ${problem}`);
  };
  for (const key of OPTION_KEYS) check(key);
  return [...problems, ...compatViolations(answers).map((v) => v.message)];
}

/** Is every one of `keys` present? Narrows the partial record accordingly. */
export function isComplete<K extends OptionKey>(answers: Partial<Answers>, keys: readonly K[]): answers is Partial<Answers> & Pick<Answers, K> {
  return keys.every((key) => answers[key] !== undefined);
}
