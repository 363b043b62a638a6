/** The checkers the structure tests and verify rely on must be able to fail. */
import { describe, expect, it } from 'vitest';
import { ruffCheck } from '../../scripts/lib/ruff.js';
import { makefileProblems, textProblems } from '../../scripts/lib/text-checks.js';

const pyproject = `[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "I", "S"]

[tool.ruff.lint.per-file-ignores]
"tests/**" = ["S101"]
`;

describe('ruffCheck', () => {
  it('reports lint findings and unformatted files, applying per-file-ignores by path', () => {
    const problems = ruffCheck(
      new Map([
        ['pyproject.toml', pyproject],
        ['app/a.py', 'import os\n'],
        ['app/b.py', 'x  =  1\n'],
        ['app/c.py', 'assert True\n'],
        ['tests/test_c.py', 'assert True\n'],
        ['app/d.py', 'def f(:\n'],
      ]),
    );
    const summary = problems.map((p) => `${p.path} ${p.code}`);
    expect(summary).toContain('app/a.py F401');
    expect(summary).toContain('app/b.py format');
    expect(summary).toContain('app/c.py S101');
    expect(summary.filter((s) => s.startsWith('tests/'))).toEqual([]);
    // An unparsable file is reported by both halves, not skipped.
    expect(summary.filter((s) => s.startsWith('app/d.py '))).toEqual(['app/d.py invalid-syntax', 'app/d.py invalid-syntax', 'app/d.py format']);
  });

  it('passes clean code', () => {
    expect(ruffCheck(new Map([['pyproject.toml', pyproject], ['app/ok.py', 'x = 1\n']]))).toEqual([]);
  });
});

describe('textProblems', () => {
  it.each([
    ['leftover <%- tag %>\n', 'leftover template tag'],
    ['name = undefined\n', '"undefined" (a missing template value)'],
    ['author: null\n', '"null" (a missing template value)'],
    ['# TODO later\n', 'a TODO marker'],
    ['trailing \n', 'trailing whitespace'],
    ['no newline', 'no final newline'],
    ['x\n\n', 'blank lines at the end'],
    ['\tindented\n', 'a tab outside a Makefile'],
  ])('flags %j', (content, problem) => {
    expect(textProblems(new Map([['f.txt', content]])).map((p) => p.problem)).toContain(problem);
  });

  it('allows tabs in Makefiles and passes clean text', () => {
    expect(textProblems(new Map([['Makefile', 'all:\n\techo ok\n'], ['a.py', 'x = 1\n']]))).toEqual([]);
  });
});

describe('makefileProblems', () => {
  it('flags recipe lines indented with spaces', () => {
    expect(makefileProblems('all: ## x\n    echo no\n')).toEqual(['line 2: recipe line not indented with a tab']);
    expect(makefileProblems('X ?= 1\nall:\n\techo ok\n\nclean:\n\trm -f x\n')).toEqual([]);
  });

  it('accepts conditional directives between recipe lines, and still checks the recipe lines', () => {
    expect(makefileProblems('lock:\nifeq ($(X),)\n\tpoetry lock\nelse\n\tdocker build .\nendif\n')).toEqual([]);
    expect(makefileProblems('lock:\nifeq ($(X),)\n  poetry lock\nendif\n')).toEqual(['line 3: recipe line not indented with a tab']);
  });
});
