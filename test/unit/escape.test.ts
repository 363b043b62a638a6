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
import { cdCommand, dockerfileString, jsonArray, makeWord, markdownText, pyString, shellWord, tomlArray, tomlString } from '../../generators/escape.js';
import { directoryProblem } from '../../generators/text.js';
import { NASTY } from '../helpers/nasty.js';

describe('tomlString', () => {
  it.each(NASTY)('round-trips %j through a TOML parser', (value) => {
    const doc = parseToml(`key = ${tomlString(value)}\nafter = 1\n`);
    expect(doc).toEqual({ key: value, after: 1 });
  });

  it('writes arrays of strings', () => {
    expect(parseToml(`a = ${tomlArray(['x"', 'y\n'])}`)).toEqual({ a: ['x"', 'y\n'] });
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
    const result = spawnSync('python3', ['-c', program], { input: JSON.stringify(literals), encoding: 'utf8' });
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
    for (const name of names) {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      for (const shell of ['sh', 'bash']) {
        const result = spawnSync(shell, ['-c', `${cdCommand(name)} && pwd`], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: root, CDPATH: '' } });
        expect(result.stderr, `${shell}: ${name}`).toBe('');
        expect(result.stdout, `${shell}: ${name}`).toBe(`${dir}\n`);
      }
    }
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('stays short for plain names', () => {
    expect(cdCommand('my-api')).toBe('cd my-api');
    expect(cdCommand('-x')).toBe('cd ./-x');
  });
});

describe('shellWord', () => {
  it.each(NASTY)('is one literal word for sh: %j', (value) => {
    const result = spawnSync('sh', ['-c', `printf '%s' ${shellWord(value)}`], { encoding: 'utf8' });
    expect(result.stdout).toBe(value);
  });

  it('leaves plainly safe words unquoted', () => {
    expect(shellWord('my-api')).toBe('my-api');
    expect(shellWord('app.main:app')).toBe('app.main:app');
  });
});

describe('makeWord', () => {
  const singleLine = NASTY.filter((v) => !/[\r\n]/.test(v));

  it.each(singleLine)('survives make and the shell unchanged: %j', (value) => {
    const dir = mkdtempSync(join(tmpdir(), 'pyservice-make-'));
    writeFileSync(join(dir, 'Makefile'), `X ?= ${makeWord(value)}\nall:\n\t@printf '%s' $(X)\n`);
    const result = spawnSync('make', ['-s', '-C', dir], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(value);
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
