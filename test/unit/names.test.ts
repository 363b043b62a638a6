import { describe, expect, it } from 'vitest';
import { checkName, normalizeName, suggestName } from '../../src/model/names.js';

describe('distribution names', () => {
  it.each([
    ['My_API', 'my-api'],
    ['my.api', 'my-api'],
    ['a__b--c..d', 'a-b-c-d'],
    ['Service2', 'service2'],
    ['x', 'x'],
  ])('normalises %s to %s (PEP 503)', (raw, normalised) => {
    expect(normalizeName(raw)).toBe(normalised);
    expect(checkName(raw)).toEqual({ ok: true, name: normalised });
  });

  const INVALID = "not a valid Python distribution name: use ASCII letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  it.each([
    ['', 'empty'],
    ['-api', INVALID],
    ['api-', INVALID],
    ['my api', INVALID],
    ['api!', INVALID],
    ['é', INVALID],
    ['$(touch x)', INVALID],
    ['a"b', INVALID],
    [`a${'b'.repeat(100)}`, 'longer than 100 characters'],
  ])('refuses %j: it is %s', (raw, problem) => {
    expect(checkName(raw)).toEqual({ ok: false, problem });
  });

  it('accepts a name of exactly 100 characters', () => {
    const name = `a${'b'.repeat(99)}`;
    expect(checkName(name)).toEqual({ ok: true, name });
  });

  it.each(['fastapi', 'FastAPI', 'pydantic_settings', 'uvicorn', 'pytest', 'ruff'])(
    'refuses %s, a dependency of the generated project',
    (raw) => {
      const normalised = raw.toLowerCase().replace('_', '-');
      expect(checkName(raw)).toEqual({
        ok: false,
        problem: `the name of one of the project's own dependencies (${normalised}); Poetry would refuse it`,
      });
    },
  );

  it('suggests a valid name from a directory name', () => {
    expect(suggestName('My Project!')).toBe('my-project');
    expect(suggestName('  __weird__ name  ')).toBe('weird-name');
    expect(suggestName('!!!')).toBeUndefined();
  });
});
