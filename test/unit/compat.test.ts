import { describe, expect, it } from 'vitest';
import { COMPAT_RULES, compatViolations, validCombinations, whyDisabled } from '../../generators/compat.js';
import { OPTIONS } from '../../generators/options.js';

describe('compatibility table', () => {
  it('allows 22 combinations: 5 pythons × 2 deps × 2 servers on slim, and 2 servers on distroless', () => {
    const combos = validCombinations();
    expect(combos).toHaveLength(5 * 2 * 2 + 2);
    expect(combos.filter((c) => c.runtime === 'distroless')).toEqual([
      { python: '3.13', runtime: 'distroless', deps: 'venv', server: 'uvicorn' },
      { python: '3.13', runtime: 'distroless', deps: 'venv', server: 'gunicorn' },
    ]);
  });

  it('refuses distroless with any Python but 3.13, naming both flags, the reason and a fix', () => {
    for (const python of OPTIONS.python.choices.map((c) => c.value).filter((v) => v !== '3.13')) {
      const [violation, ...rest] = compatViolations({ runtime: 'distroless', python });
      expect(rest).toEqual([]);
      expect(violation?.message).toBe(
        `--runtime distroless with --python ${python} is not possible: ${COMPAT_RULES[0]!.reason}; use --python 3.13, or --runtime slim`,
      );
    }
  });

  it('refuses distroless with wheels (no pip in the runtime)', () => {
    const messages = compatViolations({ runtime: 'distroless', deps: 'wheels' }).map((v) => v.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^--runtime distroless with --deps wheels is not possible: .*no pip/);
  });

  it('reports every violation at once', () => {
    expect(compatViolations({ runtime: 'distroless', deps: 'wheels', python: '3.11', server: 'uvicorn' })).toHaveLength(2);
  });

  it('judges a rule only when all of its keys are known (partial answers from flags)', () => {
    expect(compatViolations({ runtime: 'distroless' })).toEqual([]);
    expect(compatViolations({ python: '3.11' })).toEqual([]);
  });

  it('tells prompts why a choice is disabled', () => {
    expect(whyDisabled('runtime', 'distroless', { python: '3.12' })).toContain("Python 3.13 only");
    expect(whyDisabled('runtime', 'distroless', { python: '3.13' })).toBeUndefined();
    expect(whyDisabled('deps', 'wheels', { runtime: 'distroless', python: '3.13' })).toContain('no pip');
    expect(whyDisabled('python', '3.14', { runtime: 'distroless' })).toBeDefined();
    expect(whyDisabled('python', '3.13', { runtime: 'distroless' })).toBeUndefined();
  });
});
