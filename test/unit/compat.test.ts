/**
 * The compatibility table (src/model/compat.ts) against the hand-written
 * oracle in test/helpers/matrix.ts: every combination, supported or refused
 * and why, decided by a person rather than computed from the table.
 */
import { describe, expect, it } from 'vitest';
import { compatViolations, validCombinations, whyDisabled } from '../../src/model/compat.js';
import { OPTIONS } from '../../src/model/options.js';
import { label, REASONS, SUPPORTED, UNSUPPORTED } from '../helpers/matrix.js';

const labels = (combos: readonly Parameters<typeof label>[0][]) => combos.map(label).sort();

describe('the oracle', () => {
  it('decides every combination of the offered choices exactly once', () => {
    const offered = (key: 'python' | 'runtime' | 'deps' | 'server') => OPTIONS[key].choices.map((c) => c.value as string);
    const all: string[] = [];
    for (const python of offered('python'))
      for (const runtime of offered('runtime'))
        for (const deps of offered('deps')) for (const server of offered('server')) all.push(`${python} ${runtime} ${deps} ${server}`);
    const decided = [...labels(SUPPORTED), ...labels(UNSUPPORTED.map((r) => r.combination))];
    expect(new Set(decided).size).toBe(decided.length);
    expect(decided.sort()).toEqual(all.sort());
    expect([SUPPORTED.length, UNSUPPORTED.length]).toEqual([22, 18]);
  });
});

describe('compatibility table', () => {
  it('allows exactly the supported combinations', () => {
    expect(labels(validCombinations())).toEqual(labels(SUPPORTED));
  });

  it.each(SUPPORTED.map((combo) => [label(combo), combo] as const))('accepts %s', (_label, combo) => {
    expect(compatViolations(combo)).toEqual([]);
  });

  it.each(UNSUPPORTED.map((refused) => [label(refused.combination), refused] as const))(
    'refuses %s, naming the flags, the reason and a fix for each problem',
    (_label, { combination, reasons }) => {
      const messages = compatViolations(combination).map((v) => v.message);
      expect(messages).toHaveLength(reasons.length);
      reasons.forEach((reason, index) => {
        const { clash, because, fix } = REASONS[reason];
        const message = messages[index]!;
        expect(message.startsWith(`${clash(combination)} is not possible: `), message).toBe(true);
        expect(message).toContain(because);
        expect(message.endsWith(`; ${fix}`), message).toBe(true);
      });
    },
  );

  it('judges a rule only when all of its keys are known (partial answers from flags)', () => {
    expect(compatViolations({ runtime: 'distroless' })).toEqual([]);
    expect(compatViolations({ python: '3.11' })).toEqual([]);
    expect(compatViolations({ runtime: 'distroless', python: '3.11' })).toHaveLength(1);
  });

  it('tells prompts why a choice is disabled', () => {
    expect(whyDisabled('runtime', 'distroless', { python: '3.12' })).toContain(REASONS.distrolessPython.because);
    expect(whyDisabled('runtime', 'distroless', { python: '3.13' })).toBeUndefined();
    expect(whyDisabled('deps', 'wheels', { runtime: 'distroless', python: '3.13' })).toContain(REASONS.distrolessWheels.because);
    expect(whyDisabled('deps', 'wheels', { runtime: 'slim', python: '3.12' })).toBeUndefined();
    expect(whyDisabled('python', '3.14', { runtime: 'distroless' })).toContain(REASONS.distrolessPython.because);
    expect(whyDisabled('python', '3.13', { runtime: 'distroless' })).toBeUndefined();
  });
});
