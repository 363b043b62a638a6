/**
 * What the user reads after a run, for every command: creation's end screen, dry-run tree and JSON
 * summary, and the plan, outcome and next steps of the commands on an existing project.
 */
import { relative } from 'node:path';
import type { ServicePlan } from '../../generators/service.js';
import { toolStatus } from '../io/tool-check.js';
import { TOOLS, type Tool } from '../model/tools.js';
import { cdCommand } from '../render/escape.js';
import { jsonText, visible } from '../model/text.js';
import { bold, cyan, dim, green, red, yellow } from './ui.js';
import { terminalWidth, twoColumns, wrap } from './width.js';
import { DOCKER_KEYS } from '../../generators/docker.js';
import { OPTIONS } from '../model/options.js';
import { fileDiff } from '../project/diff.js';
import { visibleFiles, type LivingPlan } from '../project/living.js';
import { describe as describeReason } from '../project/merge.js';
import { stepsAfter } from './command-steps.js';

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

const ACTION_COLOURS = { create: green, update: cyan, merge: cyan, conflict: red, keep: dim, delete: yellow } as const;

function title(plan: LivingPlan): string {
  const name = plan.next.answers.name;
  switch (plan.command) {
    case 'add route':
      return `Adding route ${bold(plan.next.routes.at(-1)!)} to ${bold(name)}`;
    case 'add db':
      return `Adding the database ${bold(plan.next.answers.db)} to ${bold(name)}`;
    case 'docker': {
      const changed = DOCKER_KEYS.filter((k) => plan.from.answers[k] !== plan.next.answers[k]).map(
        (k) => `--${OPTIONS[k].flag} ${plan.from.answers[k]} → ${plan.next.answers[k]}`,
      );
      return `Changing the image choices of ${bold(name)}: ${changed.length > 0 ? changed.join(', ') : 'nothing changes'}`;
    }
    case 'update':
      return `Updating ${bold(name)}: create-pyservice ${plan.from.version} → ${plan.version}`;
  }
}

const diffOf = (plan: LivingPlan, path: string): string => fileDiff(plan.files.find((f) => f.path === path)!);

/** A binary file's conflict has no markers: its new version is beside it. */
function binaryNote(plan: LivingPlan, path: string): string {
  const beside = plan.files.find((f) => f.path === path)?.writeTo;
  return beside ? ` (binary, no markers: yours is untouched, compare it with ${beside})` : '';
}

/** What `add route`, `add db`, `docker` and `update` print: the plan (each file and why), the outcome, the next steps; or the JSON summary. */
export function reportCommand(
  plan: LivingPlan,
  controls: { readonly json: boolean; readonly dryRun: boolean; readonly diff: boolean },
  outcome: { applied: boolean; warning?: string; nothing: boolean },
): string {
  const files = visibleFiles(plan, controls.dryRun);
  const conflicts = files.filter((f) => f.action === 'conflict').map((f) => f.path);
  if (controls.json) {
    const summary = {
      // A plan with conflicts is fine to look at; applied, it needs your hand (exit 1).
      ok: !(outcome.applied && conflicts.length > 0),
      command: plan.command,
      dryRun: controls.dryRun,
      applied: outcome.applied,
      directory: plan.target,
      from: { version: plan.from.version, answers: plan.from.answers, routes: plan.from.routes },
      to: { version: plan.version, answers: plan.next.answers, routes: plan.next.routes },
      files: plan.files.map((f) => ({
        path: f.path,
        action: f.action,
        reason: f.reason,
        description: describeReason(f.reason, controls.dryRun),
        ...(f.conflicts ? { conflicts: f.conflicts } : {}),
        ...(f.writeTo ? { writtenTo: f.writeTo } : {}),
        ...(controls.diff && f.action !== 'keep' ? { diff: diffOf(plan, f.path) } : {}),
      })),
      conflicts,
      nextSteps: outcome.nothing ? [] : stepsAfter(plan),
      ...(outcome.warning ? { warning: outcome.warning } : {}),
    };
    return `${jsonText(summary)}\n`;
  }
  const out: string[] = [title(plan)];
  if (outcome.nothing) out.push(`${green('✔')} Nothing to change: the project is already what create-pyservice ${plan.version} generates for these answers.`);
  else {
    const rows = files.map((f) => [`${ACTION_COLOURS[f.action](f.action.padEnd(8))}  ${f.path}`, `${f.reason}${f.conflicts ? ` (${f.conflicts} conflict${f.conflicts > 1 ? 's' : ''})` : ''}`] as const);
    out.push(...twoColumns(rows, terminalWidth(), { right: dim }, 2, 2));
    const unchanged = plan.files.length - files.length;
    if (unchanged > 0) out.push(dim(`  ${unchanged} other generated file${unchanged > 1 ? 's' : ''} unchanged`));
  }
  if (controls.diff) {
    for (const f of files) {
      if (f.action === 'keep') continue;
      const diff = diffOf(plan, f.path);
      if (diff) out.push('', diff.slice(0, -1)); // its last line break only: the join puts it back
    }
  }
  if (controls.dryRun) out.push('', `${bold('Dry run')}: nothing was changed.`);
  else if (outcome.applied) {
    if (conflicts.length === 0) out.push('', `${green('✔')} Done.`);
    else out.push('', `${yellow('!')} Applied, with conflicts left for you.`);
    if (outcome.warning) out.push(`${yellow('!')} ${outcome.warning}`);
    if (conflicts.length > 0) {
      out.push(
        `${red('✖')} ${conflicts.length} file${conflicts.length > 1 ? 's have' : ' has'} conflicts: resolve the blocks between <<<<<<< yours and >>>>>>> create-pyservice ${plan.version} in:`,
        ...conflicts.map((p) => `    ${p}${binaryNote(plan, p)}`),
      );
    }
  }
  const steps = controls.dryRun || outcome.nothing ? [] : stepsAfter(plan);
  if (steps.length > 0) {
    out.push('', conflicts.length > 0 ? 'Then (after resolving the conflicts):' : 'Next steps:', ...twoColumns(steps.map((s) => [s.run, s.why] as const), terminalWidth(), { left: cyan, right: dim }));
  }
  return `${out.join('\n')}\n`;
}
