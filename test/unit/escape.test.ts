/**
 * Each escaping function is checked by the real consumer of its language:
 * a TOML parser, CPython, sh, GNU make, a Dockerfile parser and a Markdown renderer.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { cdCommand, dockerfileString, jsonArray, makeWord, markdownText, PYTHON_KEYWORDS, pyDocText, pyIdentifier, pyString, shellWord, tomlArray, tomlString, yamlString } from '../../src/render/escape.js';
import { directoryProblem } from '../../src/model/text.js';
import { NASTY } from '../helpers/nasty.js';
import { pythonPath } from '../helpers/checks.js';

/**
 * Run `run` once over all `values` (each output ended by a NUL byte) and hand
 * out each value's output; when that run fails as a whole (a broken value can
 * spoil the rest), return undefined so each test runs its own value alone and
 * the failure points at the value that broke.
 */
function batched(values: readonly string[], run: (values: readonly string[]) => { stdout: string; stderr: string }) {
  let outputs: string[] | null | undefined;
  return (index: number): { stdout: string; stderr: string } | undefined => {
    if (outputs === undefined) {
      const result = run(values);
      const parts = result.stdout.split('\0');
      outputs = result.stderr === '' && parts.length === values.length + 1 && parts.at(-1) === '' ? parts : null;
    }
    return outputs === null ? undefined : { stdout: outputs[index]!, stderr: '' };
  };
}

describe('tomlString', () => {
  it.each(NASTY)('round-trips %j through a TOML parser', (value) => {
    const doc = parseToml(`key = ${tomlString(value)}\nafter = 1\n`);
    expect(doc).toEqual({ key: value, after: 1 });
  });

  it('writes arrays of strings', () => {
    expect(parseToml(`a = ${tomlArray(['x"', 'y\n'])}`)).toEqual({ a: ['x"', 'y\n'] });
  });
});

describe('yamlString', () => {
  it.each(NASTY)('round-trips %j through a YAML 1.2 parser, on one line', (value) => {
    const text = `key: ${yamlString(value)}\nafter: 1\n`;
    const doc = parseDocument(text, { strict: true, prettyErrors: false });
    expect(doc.errors).toEqual([]);
    expect(doc.warnings).toEqual([]);
    expect(doc.toJS()).toEqual({ key: value, after: 1 });
    expect(text.split('\n')).toHaveLength(3);
  });
});

describe('pyString', () => {
  it('evaluates to the exact value in CPython, as one expression', () => {
    const literals = NASTY.map(pyString);
    const program = [
      'import ast, json, sys',
      'literals = json.load(sys.stdin)',
      // literal_eval refuses anything that is not a single literal: no injection possible.
      'print(json.dumps([ast.literal_eval(x) for x in literals]))',
    ].join('\n');
    const result = spawnSync(pythonPath(), ['-c', program], { input: JSON.stringify(literals), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([...NASTY]);
  });

  it('picks the quotes ruff format would, so generated code needs no reformatting', () => {
    const ruff = createRequire(import.meta.url)('@astral-sh/ruff-wasm-nodejs') as typeof import('@astral-sh/ruff-wasm-nodejs');
    const workspace = new ruff.Workspace({ 'line-length': 1000 }, ruff.PositionEncoding.Utf16);
    for (const value of [...NASTY, 'only "double"', "only 'single'", `"two" "double" 'one'`]) {
      const source = `x = ${pyString(value)}\n`;
      expect(workspace.format(source), value).toBe(source);
    }
  });

  it('keeps each literal on one source line', () => {
    for (const value of NASTY) expect(pyString(value)).not.toMatch(/[\n\r\u2028]/);
  });
});

describe('cdCommand', () => {
  it('enters every directory name we accept, in sh and bash, running nothing', () => {
    const root = mkdtempSync(join(tmpdir(), 'pyservice-cd-'));
    const names = [
      ...NASTY.filter((n) => directoryProblem(n) === undefined),
      '-starts-with-dash',
      '--',
      '-',
      '~tilde',
      '*glob?[a]',
      '!bang',
      'a b',
      '#hash',
      '{brace,x}',
      'semi;colon&amp|pipe',
      'nested/dir with space',
    ];
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) mkdirSync(join(root, name), { recursive: true });
    // One shell per kind: each name's cd runs in a subshell of its own, its output ended by a NUL byte.
    const script = names.map((name) => `(${cdCommand(name)} && pwd); printf '\\000'`).join('\n');
    for (const shell of ['sh', 'bash']) {
      const result = spawnSync(shell, ['-c', script], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: root, CDPATH: '' } });
      expect(result.stderr, shell).toBe('');
      const outputs = result.stdout.split('\0');
      expect(outputs.pop()).toBe('');
      names.forEach((name, index) => expect(outputs[index], `${shell}: ${name}`).toBe(`${join(root, name)}\n`));
      expect(outputs).toHaveLength(names.length);
    }
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('stays short for plain names', () => {
    expect(cdCommand('my-api')).toBe('cd my-api');
    expect(cdCommand('-x')).toBe('cd ./-x');
  });
});

describe('shellWord', () => {
  const printOne = (value: string) => spawnSync('sh', ['-c', `printf '%s' ${shellWord(value)}`], { encoding: 'utf8' });
  const printAll = batched(NASTY, (values) => {
    const script = values.map((value) => `printf '%s' ${shellWord(value)}; printf '\\000'`).join('\n');
    return spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  });

  it.each(NASTY.map((value, index) => [value, index] as const))('is one literal word for sh: %j', (value, index) => {
    expect(printAll(index) ?? printOne(value)).toMatchObject({ stdout: value, stderr: '' });
  });

  it('leaves plainly safe words unquoted', () => {
    expect(shellWord('my-api')).toBe('my-api');
    expect(shellWord('app.main:app')).toBe('app.main:app');
  });
});

describe('makeWord', () => {
  const singleLine = NASTY.filter((v) => !/[\r\n]/.test(v));
  const make = (values: readonly string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'pyservice-make-'));
    const makefile = values.map((value, i) => `X${i} ?= ${makeWord(value)}\nt${i}:\n\t@printf '%s' $(X${i})\n\t@printf '\\000'\n`).join('');
    writeFileSync(join(dir, 'Makefile'), makefile);
    return spawnSync('make', ['-s', '-C', dir, ...values.map((_, i) => `t${i}`)], { encoding: 'utf8' });
  };
  const printAll = batched(singleLine, make);
  const printOne = (value: string) => {
    const result = make([value]);
    return { stdout: result.stdout.replace(/\0$/, ''), stderr: result.stderr };
  };

  it.each(singleLine.map((value, index) => [value, index] as const))('survives make and the shell unchanged: %j', (value, index) => {
    expect(printAll(index) ?? printOne(value)).toMatchObject({ stdout: value, stderr: '' });
  });

  it('refuses line breaks, which a make variable cannot hold', () => {
    expect(() => makeWord('a\nb')).toThrow(/line break/);
  });
});

describe('dockerfileString', () => {
  it.each(NASTY)('stays one quoted word with no variable expansion: %j', (value) => {
    const quoted = dockerfileString(value);
    expect(quoted).not.toMatch(/[\n\r]/);
    // Unescaped, it reads back as the value (control characters become spaces).
    const inner = quoted.slice(1, -1).replace(/\\(.)/g, '$1');
    expect(inner).toBe(value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' '));
    // No unescaped quote or dollar remains inside.
    expect(quoted.slice(1, -1)).not.toMatch(/(^|[^\\])(\\\\)*["$]/);
  });
});

describe('markdownText', () => {
  const md = new MarkdownIt({ html: true });
  const decode = (html: string) =>
    html
      .replace(/<\/?p>\n?/g, '')
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .trimEnd();

  it.each([...NASTY, '- list', '1. ordered', '# heading', '> quote', '**bold** _em_ [link](x) ![img](y) <b>html</b>', 'a | b'])(
    'renders as the literal text: %j',
    (value) => {
      const rendered = md.render(markdownText(value));
      expect(rendered).not.toMatch(/<(?!\/?p>)[a-z]/i); // no element other than the paragraph
      expect(decode(rendered)).toBe(value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim());
    },
  );
});

describe('jsonArray', () => {
  it('is valid JSON with the exact strings', () => {
    expect(JSON.parse(jsonArray(['python', '-m', 'app', 'a"b']))).toEqual(['python', '-m', 'app', 'a"b']);
  });
});

describe('pyIdentifier and pyDocText', () => {
  it('accepts only names CPython accepts (keywords of every supported Python refused)', () => {
    const candidates = ['orders', 'order_lines', 'v2', '_x', 'class', 'match', 'type', '2fast', 'a-b', 'é', 'a b', ''];
    const program = [
      'import json, keyword, sys',
      'names = json.load(sys.stdin)',
      'print(json.dumps([n.isidentifier() and n.isascii() and not keyword.iskeyword(n) and not keyword.issoftkeyword(n) for n in names]))',
    ].join('\n');
    const result = spawnSync('python3', ['-c', program], { input: JSON.stringify(candidates), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const cpython = JSON.parse(result.stdout) as boolean[];
    const ours = candidates.map((name) => {
      try {
        return pyIdentifier(name) === name;
      } catch {
        return false;
      }
    });
    // Never accept what this CPython refuses; refuse beyond it only the (soft) keywords of other versions.
    candidates.forEach((name, i) => {
      if (ours[i]) expect(cpython[i], name).toBe(true);
      if (cpython[i] && !ours[i]) expect(PYTHON_KEYWORDS.has(name), name).toBe(true);
    });
    expect(ours.slice(0, 4)).toEqual([true, true, true, true]);
  });

  it('keeps any text inside a docstring, as one line', () => {
    const docstrings = NASTY.map((value) => `"""${pyDocText(value)}"""`);
    const program = [
      'import ast, json, sys',
      'print(json.dumps([ast.literal_eval(x) for x in json.load(sys.stdin)]))',
    ].join('\n');
    const result = spawnSync('python3', ['-c', program], { input: JSON.stringify(docstrings), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const values = JSON.parse(result.stdout) as string[];
    values.forEach((value, i) => {
      expect(value).not.toMatch(/[\n\r]/);
      expect(value).toBe(pyDocText(NASTY[i]!));
    });
  });
});
