import { describe, expect, it } from 'vitest';
import { realMachine } from '../../src/io/machine.js';
import { CHOICE_KEYS, defaultHelp, IMAGE_KEYS, OPTIONS, RECORDED_KEYS, STATIC_DEFAULTS, TABLE, type OptionDef, type OptionKey } from '../../src/model/options.js';
import { compatViolations } from '../../src/model/compat.js';
import { defaultOf, fillDefaults } from '../../src/model/resolve.js';
import { VERSIONS } from '../../src/model/versions.js';

const parse = (key: OptionKey, raw: string) => OPTIONS[key].parse(raw);

describe('option table', () => {
  it('gives every option except the directory a unique flag', () => {
    const flags = (Object.keys(OPTIONS) as OptionKey[]).filter((k) => k !== 'directory').map((k) => OPTIONS[k].flag);
    expect(new Set(flags).size).toBe(flags.length);
    expect(flags).toEqual(['name', 'description', 'author', 'runtime', 'python', 'deps', 'server', 'port', 'poetry-version', 'ci', 'compose', 'db', 'git', 'install']);
  });

  it('gives every option that a terminal session may ask a prompt text, and none to flag-only ones', () => {
    for (const key of Object.keys(OPTIONS) as OptionKey[]) expect(TABLE[key].message !== undefined, key).toBe(TABLE[key].stage !== 'never');
  });

  it('asks the core questions in table order: directory, image (with its Python), dependencies, server', () => {
    const core = (Object.keys(OPTIONS) as OptionKey[]).filter((k) => TABLE[k].stage === 'core');
    expect(core).toEqual(['directory', 'runtime', 'python', 'deps', 'server']);
    expect(TABLE.runtime.with).toBe('python');
  });

  it('does not compile an option that does not say when it is asked, or how it reads in the summary', () => {
    const parse = (raw: string) => ({ ok: true as const, value: raw });
    // @ts-expect-error: `stage` is required (a new option cannot be silently skipped by the interview)
    const noStage: OptionDef<string> = { kind: 'string', help: 'h', title: 't', parse, default: { value: '' }, recorded: false };
    // @ts-expect-error: `title` is required
    const noTitle: OptionDef<string> = { kind: 'string', help: 'h', stage: 'customise', parse, default: { value: '' }, recorded: false };
    // @ts-expect-error: `kind` must be one the interview has an asker for
    const newKind: OptionDef<string> = { kind: 'date', help: 'h', title: 't', stage: 'customise', parse, default: { value: '' }, recorded: false };
    expect([noStage, noTitle, newKind].map((d) => d.help)).toEqual(['h', 'h', 'h']);
  });

  it('combines exactly the core choices (the ones that shape the image) in the compatibility table', () => {
    const core = CHOICE_KEYS.filter((k) => TABLE[k].stage === 'core');
    expect([...IMAGE_KEYS]).toEqual(core);
  });

  it('records the answers that shape the project, not the run-time switches', () => {
    expect(RECORDED_KEYS).toEqual(['name', 'description', 'author', 'runtime', 'python', 'deps', 'server', 'port', 'poetryVersion', 'ci', 'compose', 'db']);
  });

  it('reads each default in --help off the default itself', () => {
    expect(defaultHelp('port')).toBe('8000');
    expect(defaultHelp('git')).toBe('yes');
    expect(defaultHelp('poetryVersion')).toBe(VERSIONS.poetry);
    expect(defaultHelp('name')).toBe("the directory's name");
  });

  it('has static defaults that parse and are compatible with each other', () => {
    for (const key of CHOICE_KEYS) {
      const value = (STATIC_DEFAULTS as Partial<Record<OptionKey, unknown>>)[key];
      if (typeof value === 'string') expect(parse(key, value)).toEqual({ ok: true, value });
    }
    expect(compatViolations(STATIC_DEFAULTS)).toEqual([]);
  });

  it('defaults to Python 3.14 on slim and to 3.13, the only Python distroless ships, on distroless', () => {
    const machine = realMachine(false, () => false);
    expect(defaultOf('python', { runtime: 'slim' }, machine)).toEqual({ ok: true, value: '3.14' });
    expect(defaultOf('python', { runtime: 'distroless' }, machine)).toEqual({ ok: true, value: '3.13' });
    expect(fillDefaults({}, machine, ['runtime', 'python']).answers).toEqual({ runtime: 'slim', python: '3.14' });
    expect(compatViolations(fillDefaults({ runtime: 'distroless' }, machine, ['python', 'deps', 'server']).answers)).toEqual([]);
    expect(defaultHelp('python')).toBe('3.14; 3.13 with --runtime distroless (its only Python)');
  });

  it('parses choices strictly and lists what is allowed', () => {
    expect(parse('python', '3.12')).toEqual({ ok: true, value: '3.12' });
    expect(parse('python', '3.10')).toEqual({ ok: false, problem: '"3.10" is not one of: 3.11, 3.12, 3.13, 3.14, 3.15 (Python 3.10 reached end of life in October 2026)' });
    expect(parse('python', '3.16')).toEqual({ ok: false, problem: '"3.16" is not one of: 3.11, 3.12, 3.13, 3.14, 3.15' });
    expect(parse('runtime', 'alpine')).toMatchObject({ ok: false, problem: expect.stringContaining('slim, distroless') });
  });

  it.each([
    ['8000', 8000],
    ['1', 1],
    ['65535', 65535],
  ])('accepts port %s', (raw, port) => expect(parse('port', raw)).toEqual({ ok: true, value: port }));

  it.each([
    ['0', '0 is outside 1–65535'],
    ['65536', '65536 is outside 1–65535'],
    ...['-1', '80.5', 'http', '', '1e3', '0x50'].map((raw) => [raw, `"${raw}" is not a whole number from 1 to 65535`]),
  ])('refuses port %j: %s', (raw, problem) => expect(parse('port', raw!)).toEqual({ ok: false, problem }));

  it('parses authors as "Name <email>" or "Name", and "" as none', () => {
    expect(parse('author', 'Ada Lovelace <ada@example.org>')).toEqual({ ok: true, value: { name: 'Ada Lovelace', email: 'ada@example.org' } });
    expect(parse('author', 'Ada')).toEqual({ ok: true, value: { name: 'Ada' } });
    expect(parse('author', '')).toEqual({ ok: true, value: null });
    expect(parse('author', 'Ada <not-an-email>')).toEqual({ ok: false, problem: '"not-an-email" is not an email address' });
    expect(parse('author', '<ada@example.org>')).toEqual({ ok: false, problem: '"<ada@example.org>" is not of the form "Name <email>" (or just "Name")' });
    expect(parse('author', 'Ada\n<ada@example.org>')).toEqual({
      ok: false,
      problem: 'contains a line break or control character (U+000A); keep it to one line of plain text',
    });
  });

  it('keeps descriptions to one line', () => {
    expect(parse('description', '  Billing API  ')).toEqual({ ok: true, value: 'Billing API' });
    expect(parse('description', 'two\nlines')).toMatchObject({ ok: false, problem: expect.stringContaining('one line') });
    expect(parse('description', '   ')).toEqual({ ok: false, problem: 'is empty: describe the service in one line' });
    expect(parse('description', 'x'.repeat(301))).toEqual({ ok: false, problem: 'is 301 characters long; keep it to one line of at most 300' });
    expect(parse('description', 'x'.repeat(300))).toEqual({ ok: true, value: 'x'.repeat(300) });
    expect(parse('description', 'Quotes " \' `$(rm -rf /)` %> are fine')).toMatchObject({ ok: true });
  });

  it('requires Poetry 2 or newer as a release version', () => {
    expect(parse('poetryVersion', '2.1.2')).toEqual({ ok: true, value: '2.1.2' });
    expect(parse('poetryVersion', '2.5')).toEqual({ ok: true, value: '2.5' });
    expect(parse('poetryVersion', '1.8.3')).toMatchObject({ ok: false, problem: expect.stringContaining('too old') });
    expect(parse('poetryVersion', 'latest')).toEqual({ ok: false, problem: '"latest" is not a release version such as 2.5.1' });
    expect(parse('poetryVersion', '2.1.2; rm -rf /')).toEqual({ ok: false, problem: '"2.1.2; rm -rf /" is not a release version such as 2.5.1' });
  });
});
