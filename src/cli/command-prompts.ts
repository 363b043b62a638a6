/**
 * Questions of the commands that change a project (lazy-loaded, like the
 * creation prompts): the route's name, the image choices (current values as
 * defaults, incompatible ones disabled with the reason; a choice with one possible
 * answer shown as decided, with the reason, as creation does), and the confirmation.
 */
import confirm from '@inquirer/confirm';
import input from './line-input.js';
import select from './list-prompt.js';
import { whyDisabled } from '../model/compat.js';
import { IMAGE_KEYS, OPTIONS, textOf, type Answers } from '../model/options.js';
import type { ProjectAnswers } from '../render/render.js';
import { decided, whyOnly } from './prompts.js';
import { routeNames } from '../render/route.js';

export async function askRouteName(existing: readonly string[]): Promise<string> {
  return input({
    message: 'Route name (the resource, e.g. orders)',
    validate: (raw: string) => {
      try {
        const { name } = routeNames(raw);
        return existing.includes(name) || name === 'items' || name === 'health' ? `route "${name}" already exists` : true;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
}

type ImageKey = (typeof IMAGE_KEYS)[number] | 'port';

/** Ask each image choice not given, in the option table's order; the current value is the default. */
export async function askImageChoices(current: ProjectAnswers, given: Partial<Pick<Answers, ImageKey>>): Promise<Partial<Pick<Answers, ImageKey>>> {
  const answers: Partial<Pick<Answers, ImageKey>> = { ...given };
  const known = () => ({ ...current, ...answers });
  for (const key of IMAGE_KEYS) {
    if (answers[key] !== undefined) continue;
    const def = OPTIONS[key];
    // Judge each value against what is decided so far (given flags and earlier answers), not the old values.
    const settled = Object.fromEntries(IMAGE_KEYS.filter((k) => answers[k] !== undefined).map((k) => [k, answers[k]]));
    const choices = def.choices.map((choice) => {
      const reason = whyDisabled(key, choice.value as never, settled);
      return {
        value: choice.value as string,
        name: `${textOf(choice.label, known())}${choice.value === current[key] ? ' (current)' : ''}`,
        description: textOf(choice.hint, known()),
        disabled: reason ? `(${reason})` : false,
      };
    });
    const enabled = choices.filter((c) => c.disabled === false);
    // One possible answer (distroless: its one Python): decided, with the reason, not asked.
    const only = enabled.length === 1 ? enabled[0] : undefined;
    if (only) {
      decided(def.message!, textOf(def.choices.find((c) => c.value === only.value)!.label, known()), whyOnly(settled, key));
      (answers as Record<string, unknown>)[key] = only.value;
      continue;
    }
    const fallback = enabled.find((c) => c.value === current[key]) ?? enabled[0];
    const value = await select({ message: def.message!, choices, default: fallback?.value });
    (answers as Record<string, unknown>)[key] = value;
  }
  if (answers.port === undefined) {
    const raw = await input({
      message: OPTIONS.port.message!,
      default: String(current.port),
      validate: (text: string) => {
        const parsed = OPTIONS.port.parse(text);
        return parsed.ok ? true : parsed.problem;
      },
    });
    const parsed = OPTIONS.port.parse(raw);
    if (parsed.ok) answers.port = parsed.value;
  }
  // Only what differs from the project counts as given.
  return Object.fromEntries(Object.entries(answers).filter(([key, value]) => current[key as ImageKey] !== value));
}

export async function confirmApply(): Promise<boolean> {
  return confirm({ message: 'Apply these changes?', default: true });
}
