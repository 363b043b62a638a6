/** What the user reads after a run: the end screen, the dry-run tree, the JSON summary. */
import { relative } from 'node:path';
import type { ServicePlan } from '../../generators/service.js';
import { toolStatus } from '../io/tool-check.js';
import { TOOLS, type Tool } from '../model/tools.js';
import { cdCommand } from '../render/escape.js';
import { jsonText, visible } from '../model/text.js';
import { bold, cyan, dim, green, red, yellow } from './ui.js';
import { terminalWidth, twoColumns, wrap } from './width.js';

export interface Outcome {
  readonly plan: ServicePlan;
  readonly dryRun: boolean;
  /** Lines from the actions (git, install). */
  readonly notes: readonly string[];
  /** Follow-up actions that failed, and how. */
  readonly failures: readonly { readonly type: string; readonly error: string }[];
}

/** The target as the user would type it from here. */
function shownPath(target: string): string {
  const rel = relative(process.cwd(), target);
  return rel === '' ? '.' : rel;
}

/** Tools the next steps need that are not usable here (not on PATH, or Poetry older than 2): the same for a dry run. */
export function missingTools(): Tool[] {
  return Object.values(TOOLS).filter((tool) => !toolStatus(tool).usable);
}

/** The commands to run next, in the order a user runs them: install, test, run, then the image. */
export function nextSteps(outcome: Outcome): string[] {
  const { plan, failures } = outcome;
  const where = shownPath(plan.target);
  const installed = plan.answers.install && !failures.some((f) => f.type === 'pyservice:install');
  return [
    ...(where === '.' ? [] : [cdCommand(where)]),
    ...(installed ? [] : ['make install']),
    'make test',
    'make run',
    'make docker-build docker-run',
  ];
}

/** The commands that change the project later, shown on the end screen. */
const LATER: readonly (readonly [string, string])[] = [
  ['npx create-pyservice add route NAME', 'router, service, schemas and tests'],
  ['npx create-pyservice docker', 'change runtime, Python, server, port'],
  ['npx create-pyservice@latest update', 'a newer release, merged with your edits'],
];

const STEP_NOTES: Readonly<Record<string, (outcome: Outcome) => string>> = {
  'make install': () => 'poetry install: dependencies and dev tools',
  'make test': () => 'pytest',
  'make run': (o) => `development server: http://127.0.0.1:${o.plan.answers.port}/docs`,
  'make docker-build docker-run': () => 'build the image and run it',
};

/** The files of the user's that the write replaces (--force, or "write into it" in the interview), by path. */
export function replacedFiles(plan: ServicePlan): string[] {
  return plan.files.filter((f) => f.action === 'overwrite').map((f) => f.path);
}

/** The replaced files, each by path on a line of its own (the count is on the line above). */
function replacedList(replaced: readonly string[], dryRun: boolean): string[] {
  if (replaced.length === 0) return [];
  const heading = dryRun ? `${yellow('Would replace')} (nothing else in the directory is touched):` : `${yellow('Replaced')} (your previous versions are gone):`;
  return [`  ${heading}`, ...replaced.map((path) => `    ${path}`)];
}

function fileTree(plan: ServicePlan): string[] {
  return plan.files.map(({ path, bytes, action }) => {
    const tag = action === 'overwrite' ? yellow(' (replaces yours)') : '';
    return `  ${path.padEnd(32)} ${dim(`${bytes} B`.padStart(8))}${tag}`;
  });
}

export function reportJson(outcome: Outcome): string {
  const { plan, dryRun, notes, failures } = outcome;
  const summary = {
    ok: failures.length === 0,
    dryRun,
    directory: plan.target,
    answers: plan.answers,
    files: plan.files,
    // The user's files replaced (a dry run: that would be), by path; also marked "overwrite" in files.
    replaced: replacedFiles(plan),
    notes,
    ...(failures.length > 0 ? { error: failures.map((f) => f.error).join('\n') } : {}),
    nextSteps: nextSteps(outcome),
    missingTools: missingTools().map((tool) => tool.command),
  };
  return `${jsonText(summary)}\n`;
}

export function reportText(outcome: Outcome): string {
  const { plan, dryRun, notes, failures } = outcome;
  const where = visible(shownPath(plan.target));
  const replaced = replacedFiles(plan);
  if (dryRun) {
    const replacing = replaced.length > 0 ? `; ${replaced.length} of yours would be replaced` : '';
    return `${[`${bold('Dry run')}: would write ${plan.files.length} files to ${cyan(where)} (nothing written${replacing})`, ...replacedList(replaced, true), ...fileTree(plan)].join('\n')}\n`;
  }
  const width = terminalWidth();
  const place = where === plan.answers.name ? '' : ` in ${cyan(where)}`;
  const lines = [
    '',
    `${green('✔')} Created ${bold(plan.answers.name)}${place}: ${plan.files.length} files${replaced.length > 0 ? ` (${replaced.length} of yours replaced)` : ''}`,
    ...replacedList(replaced, false),
    ...notes.flatMap((note) => wrap(`  ${dim('•')} `, visible(note), width, 4)),
    ...failures.flatMap((f) => wrap(`  ${red('✖')} `, visible(f.error.split('\n')[0]!), width, 4)),
    '',
    failures.length > 0 ? 'Next steps (the project is written; see the error below):' : 'Next steps:',
  ];
  const paint = { left: cyan, right: dim };
  lines.push(...twoColumns(nextSteps(outcome).map((step) => [step, STEP_NOTES[step]?.(outcome) ?? ''] as const), width, paint));
  lines.push('', 'Later, inside the project (your edits are kept):', ...twoColumns(LATER, width, paint));
  for (const tool of missingTools()) {
    lines.push(
      '',
      ...wrap(`${yellow('!')} `, `${toolStatus(tool).problem}: make ${tool.targets.join(', ')} need ${tool.what}.`, width, 2),
      `  Get it with${tool.install.length > 1 ? ' one of' : ''}:`,
      ...tool.install.map((line) => `    ${line}`),
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
