/** `--help`, generated from the option and compatibility tables, wrapped to the terminal's width. */
import { COMPAT_RULES, validCombinations } from '../model/compat.js';
import { CONTROL_FLAGS, defaultHelp, OPTION_KEYS, OPTIONS, TABLE, flagOf, type ChoiceKey } from '../model/options.js';
import { DOCKER_KEYS } from '../../generators/docker.js';
import { GENERATORS } from '../../generators/generator.js';
import type { Command } from '../project/living.js';
import { CONTROLS, SUMMARY, USAGE } from './command-table.js';
import { bold } from './ui.js';
import { terminalWidth, wrap } from './width.js';

/** Width of the flag column; below 80 columns the text goes under the flag instead, indented by STACKED. */
const FLAG_COLUMN = 30;
const STACKED = 6;

/** Columns to wrap to: the terminal's width, 80 when not a terminal; never narrower than 60. */
export const helpWidth = (stream: NodeJS.WriteStream = process.stdout): number => terminalWidth(stream, 60);

/** One flag (or argument) and its text: side by side from 80 columns, the text under the flag below. */
export function entry(flag: string, text: string, width: number): string[] {
  const head = `  ${flag}`;
  if (width < 80) return [head, ...wrap(' '.repeat(STACKED), text, width)];
  if (head.length >= FLAG_COLUMN) return [head, ...wrap(' '.repeat(FLAG_COLUMN), text, width)];
  return wrap(head.padEnd(FLAG_COLUMN), text, width, FLAG_COLUMN);
}

export function helpText(version: string, width = helpWidth()): string {
  const lines = [
    ...wrap('', `${bold('create-pyservice')} ${version} — scaffold a FastAPI + Poetry service with a multi-stage Dockerfile`, width),
    '',
    'Usage:',
    '  npm create pyservice@latest [directory] -- [options]',
    '  create-pyservice [directory] [options]',
    '  pyservice new [directory] [options]',
    '  pyservice add route NAME | add db postgres',
    '  pyservice docker [options] | update',
    '',
    ...wrap('', 'With npm create, put -- before the options: npm keeps the options before it for itself.', width),
    '',
    'Arguments:',
  ];
  for (const key of OPTION_KEYS) {
    const def = TABLE[key];
    if (def.kind !== 'positional') continue;
    lines.push(...entry(def.valueName ?? key, `${def.help} [default: ${defaultHelp(key)}]`, width));
  }
  lines.push('', 'Options:');
  for (const key of OPTION_KEYS) {
    const def = TABLE[key];
    if (def.kind === 'positional') continue;
    const flag = def.kind === 'boolean' ? `${flagOf(key)}, --no-${def.flag}` : `${flagOf(key)} ${def.valueName}`;
    const values = def.choices?.map((c) => c.value) ?? [];
    const named = values.every((value) => def.help.includes(value));
    const choices = values.length > 0 && !named ? ` (${values.join(' | ')})` : '';
    lines.push(...entry(flag, `${def.help}${choices} [default: ${defaultHelp(key)}]`, width));
  }
  for (const def of Object.values(CONTROL_FLAGS)) {
    const flag = 'short' in def ? `-${def.short}, --${def.flag}` : `--${def.flag}`;
    lines.push(...entry(flag, def.help, width));
  }
  lines.push('', ...wrap('', 'Commands (in a generated project; pyservice COMMAND --help for each):', width));
  for (const [name, key] of [
    ['add route NAME', 'route'],
    ['docker [--runtime ...]', 'docker'],
    ['update', 'update'],
  ] as const) {
    lines.push(...entry(name, GENERATORS[key].description, width));
  }
  lines.push('', 'Compatibility:');
  for (const rule of COMPAT_RULES) {
    const when = Object.entries(rule.when).map(([k, v]) => `${flagOf(k as ChoiceKey)} ${(v as string[]).join('|')}`);
    lines.push(...wrap('  ', `${when.join(' ')} needs ${flagOf(rule.require.key)} ${rule.require.allowed.join('|')}: ${rule.reason}`, width, 4));
  }
  lines.push(
    ...wrap('  ', `${validCombinations().length} valid combinations of --python, --runtime, --deps and --server.`, width, 4),
    '',
    'Examples:',
    ...[
      'npm create pyservice@latest my-api',
      'npm create pyservice@latest my-api -- --runtime distroless --yes',
      'npx create-pyservice my-api --yes --runtime distroless --server gunicorn',
      'npx create-pyservice . --name billing --python 3.12 --deps wheels --no-git --yes',
    ].flatMap((example) => wrap('  ', example, width, 4)),
    '',
    'Exit codes: 0 ok, 1 failure, 2 invalid usage, 130 cancelled.',
  );
  return lines.join('\n');
}

/** `pyservice <command> --help`, from the command table (command-table.ts) and the option table. */
export function commandHelp(command: Command, width = helpWidth()): string {
  const lines = [...wrap('', `${bold(`pyservice ${command}`)}: ${SUMMARY[command]}`, width), '', 'Usage:', ...wrap('  ', USAGE[command], width, 4), ...wrap('  ', `npx create-pyservice ${command} ...`, width, 4), ''];
  if (command === 'add route') {
    lines.push('Arguments:', ...entry('NAME', 'the resource: a lower-case Python identifier, not a keyword, not an existing route (asked in a terminal)', width), '');
  }
  if (command === 'add db') lines.push('Arguments:', ...entry('postgres', 'the one database offered (removing one is not: it would take your models and migrations away)', width), '');
  if (command === 'docker') {
    lines.push(...wrap('', 'Options (what is not given keeps its current value; asked in a terminal):', width));
    for (const key of DOCKER_KEYS) {
      const def = OPTIONS[key];
      const values = 'choices' in def && def.choices ? def.choices.map((c) => c.value) : [];
      const choices = values.length > 0 && !values.every((v) => def.help.includes(v)) ? ` (${values.join(' | ')})` : '';
      lines.push(...entry(`--${def.flag} ${def.valueName}`, `${def.help}${choices}`, width));
    }
  }
  for (const def of Object.values(CONTROLS)) {
    const flag = 'short' in def ? `-${def.short}, --${def.flag}` : `--${def.flag}`;
    lines.push(...entry(flag, def.help, width));
  }
  lines.push(
    '',
    ...wrap(
      '',
      'Run it inside a project made by create-pyservice (or a sub-directory). Each file is handled three ways: unchanged by you → replaced; changed only by you → kept; both → merged, with conflict markers (<<<<<<< yours / >>>>>>> create-pyservice) where the changes overlap. Files you deleted stay deleted.',
      width,
    ),
    '',
    ...wrap('', 'Exit codes: 0 ok, 1 failure or conflicts to resolve, 2 invalid usage or not a valid project (nothing written), 130 cancelled.', width),
  );
  return lines.join('\n');
}
