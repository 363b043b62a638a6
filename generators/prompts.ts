/**
 * Interactive questions, generated from the option table. Only options not
 * given as flags are asked; incompatible choices are shown disabled with the
 * reason. Loaded lazily: only a terminal session pays for the prompt library.
 */
import confirm from '@inquirer/confirm';
import input from '@inquirer/input';
import select from '@inquirer/select';
import { whyDisabled } from './compat.js';
import { authorFromGit, nameFromDirectory } from './defaults.js';
import { CHOICE_KEYS, DEFAULT_DIRECTORY, OPTIONS, PROMPT_ORDER, STATIC_DEFAULTS, type Answers, type ChoiceKey, type OptionKey } from './options.js';

export interface PromptHooks {
  /** Called once the directory is known, so a refused target stops the questions early. */
  readonly afterDirectory?: (directory: string) => Promise<void>;
  readonly poetryAvailable: boolean;
}

const validator = (key: OptionKey) => (raw: string) => {
  const result = OPTIONS[key].parse(raw);
  return result.ok ? true : result.problem;
};

function parsed<T>(key: OptionKey, raw: string): T {
  const result = OPTIONS[key].parse(raw);
  if (!result.ok) throw new Error(result.problem); // validated by the prompt already
  return result.value as T;
}

export async function askMissing(given: Partial<Answers>, hooks: PromptHooks): Promise<Partial<Answers>> {
  const answers: Partial<Answers> = { ...given };
  const set = <K extends OptionKey>(key: K, value: Answers[K]) => {
    answers[key] = value;
  };
  for (const key of PROMPT_ORDER) {
    if (answers[key] !== undefined) {
      if (key === 'directory') await hooks.afterDirectory?.(answers.directory!);
      continue;
    }
    const def = OPTIONS[key];
    switch (key) {
      case 'directory': {
        const raw = await input({ message: def.message!, default: answers.name ?? DEFAULT_DIRECTORY, validate: validator(key) });
        set('directory', parsed(key, raw));
        await hooks.afterDirectory?.(answers.directory!);
        break;
      }
      case 'name': {
        const fromDir = nameFromDirectory(answers.directory!);
        const raw = await input({
          message: def.message!,
          default: fromDir.name ?? fromDir.suggestion,
          validate: validator(key),
        });
        set('name', parsed(key, raw));
        break;
      }
      case 'description': {
        set('description', parsed(key, await input({ message: def.message!, default: STATIC_DEFAULTS.description, validate: validator(key) })));
        break;
      }
      case 'author': {
        const author = authorFromGit();
        const fallback = author ? (author.email ? `${author.name} <${author.email}>` : author.name) : '';
        set('author', parsed(key, await input({ message: def.message!, default: fallback, validate: validator(key) })));
        break;
      }
      case 'port': {
        set('port', parsed(key, await input({ message: def.message!, default: String(STATIC_DEFAULTS.port), validate: validator(key) })));
        break;
      }
      case 'git': {
        set('git', await confirm({ message: def.message!, default: STATIC_DEFAULTS.git }));
        break;
      }
      case 'install': {
        if (!hooks.poetryAvailable) break;
        set('install', await confirm({ message: def.message!, default: true }));
        break;
      }
      default: {
        const choiceKey = key as ChoiceKey;
        if (!CHOICE_KEYS.includes(choiceKey)) break;
        await askChoice(choiceKey, answers);
      }
    }
  }
  return answers;
}

async function askChoice(key: ChoiceKey, answers: Partial<Answers>) {
  const def = OPTIONS[key];
  const choices = def.choices.map((choice) => {
    const reason = whyDisabled(key, choice.value as never, answers);
    return {
      value: choice.value,
      name: answers.python ? choice.label.replace('X', answers.python) : choice.label,
      description: choice.hint,
      disabled: reason ? `(${reason})` : false,
    };
  });
  const preferred = STATIC_DEFAULTS[key] as string;
  const enabled = choices.filter((c) => c.disabled === false);
  const fallback = enabled.find((c) => c.value === preferred) ?? enabled[0];
  const value = await select({ message: def.message!, choices, default: fallback?.value });
  (answers as Record<string, unknown>)[key] = value;
}
