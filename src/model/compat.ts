/**
 * THE compatibility table: which combinations of choices are refused, and why.
 * The CLI checks it (all violations at once), the prompts use it to disable
 * choices with the reason, and the tests enumerate every valid preset from it.
 */
import { IMAGE_KEYS, OPTIONS, type Answers, type ImageKey } from './options.js';
import { POETRY_PLUGIN_EXPORT, pluginExportFor, VERSIONS } from './versions.js';

type Choices = Pick<Answers, ImageKey>;
/** What the checks read: the choices, and the Poetry the image pins (for the export plugin). */
type Checked = Partial<Choices & Pick<Answers, 'poetryVersion'>>;

export interface CompatRule {
  /** The rule applies when every key here has one of the listed values. */
  readonly when: { readonly [K in ImageKey]?: readonly Choices[K][] };
  /** ... and then `key` must have one of `allowed`. */
  readonly require: { readonly key: ImageKey; readonly allowed: readonly string[] };
  readonly reason: string;
  readonly suggestion: string;
}

export const COMPAT_RULES: readonly CompatRule[] = [
  {
    when: { runtime: ['distroless'] },
    require: { key: 'python', allowed: [VERSIONS.distrolessPython] },
    reason:
      "gcr.io/distroless/python3-debian13 contains Debian's Python 3.13 only, and a virtualenv runs only on the interpreter version it was built for",
    suggestion: `use --python ${VERSIONS.distrolessPython}, or --runtime slim`,
  },
  {
    when: { runtime: ['distroless'] },
    require: { key: 'deps', allowed: ['venv'] },
    reason: 'the wheels strategy installs with pip in the runtime image, and distroless has no pip (nor a shell)',
    suggestion: 'use --deps venv, or --runtime slim',
  },
];

export interface CompatViolation {
  readonly rule: Pick<CompatRule, 'reason' | 'suggestion'>;
  /** One readable line: which flags clash, why, and what to do. */
  readonly message: string;
}

const describe = (rule: CompatRule, answers: Partial<Choices>): string => {
  const parts = [
    ...Object.keys(rule.when).map((k) => `--${OPTIONS[k as ImageKey].flag} ${answers[k as ImageKey]}`),
    `--${OPTIONS[rule.require.key].flag} ${answers[rule.require.key]}`,
  ];
  return `${parts.join(' with ')} is not possible: ${rule.reason}; ${rule.suggestion}`;
};

/**
 * Rules broken by the answers known so far. A rule is judged only once every
 * key it mentions is known, so this works on partial answers (flags, prompts).
 */
export function compatViolations(answers: Checked): CompatViolation[] {
  const table = COMPAT_RULES.filter((rule) => {
    const whenKeys = Object.keys(rule.when) as ImageKey[];
    const known = [...whenKeys, rule.require.key].every((k) => answers[k] !== undefined);
    if (!known) return false;
    const applies = whenKeys.every((k) => (rule.when[k] as readonly string[]).includes(answers[k] as string));
    return applies && !rule.require.allowed.includes(answers[rule.require.key] as string);
  }).map((rule) => ({ rule, message: describe(rule, answers) }));
  return [...table, ...pluginExportViolations(answers)];
}

/**
 * `--deps wheels` installs poetry-plugin-export beside the pinned Poetry: the
 * generator picks the newest release that accepts that Poetry, and refuses a
 * Poetry no known release accepts (its `pip install` could not resolve).
 */
function pluginExportViolations({ deps, poetryVersion }: Checked): CompatViolation[] {
  if (deps !== 'wheels' || poetryVersion === undefined || pluginExportFor(poetryVersion) !== undefined) return [];
  const known = POETRY_PLUGIN_EXPORT.map((p) => `${p.version} needs Poetry >=${p.poetry.min},<${p.poetry.below}`).join('; ');
  const rule = {
    reason: `no poetry-plugin-export release known to this generator installs with Poetry ${poetryVersion} (${known})`,
    suggestion: `use --poetry-version ${VERSIONS.poetry}, or --deps venv`,
  };
  return [{ rule, message: `--deps wheels with --poetry-version ${poetryVersion} is not possible: ${rule.reason}; ${rule.suggestion}` }];
}

/** Why `value` cannot be chosen for `key` given the other answers, or undefined if it can. */
export function whyDisabled<K extends ImageKey>(key: K, value: Choices[K], known: Partial<Choices>): string | undefined {
  const violation = compatViolations({ ...known, [key]: value })[0];
  return violation ? violation.rule.reason : undefined;
}

/** Every valid combination of the choice options, in table order. */
export function validCombinations(): Choices[] {
  let combos: Partial<Choices>[] = [{}];
  for (const key of IMAGE_KEYS) {
    const values = OPTIONS[key].choices.map((c) => c.value);
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [key]: value })));
  }
  return (combos as Choices[]).filter((combo) => compatViolations(combo).length === 0);
}
