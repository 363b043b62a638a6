import { describe, expect, it } from 'vitest';
import { checkName, normalizeName, suggestName } from '../../generators/names.js';

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

  it.each(['', '-api', 'api-', 'my api', 'api!', 'é', '$(touch x)', 'a"b', `a${'b'.repeat(100)}`])(
    'refuses %j with a reason',
    (raw) => {
      const result = checkName(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem.length).toBeGreaterThan(4);
    },
  );

  it.each(['fastapi', 'FastAPI', 'pydantic_settings', 'uvicorn', 'pytest', 'ruff'])(
    'refuses %s, a dependency of the generated project',
    (raw) => {
      const result = checkName(raw);
      expect(result).toMatchObject({ ok: false });
      if (!result.ok) expect(result.problem).toContain('dependencies');
    },
  );

  it('suggests a valid name from a directory name', () => {
    expect(suggestName('My Project!')).toBe('my-project');
    expect(suggestName('  __weird__ name  ')).toBe('weird-name');
    expect(suggestName('!!!')).toBeUndefined();
  });
});
