/**
 * A list question: @inquirer/select, with two things fixed for a log that must not lie.
 *
 * - Ctrl-C (and Ctrl-U, or any key that is not a letter to search) no longer moves the
 *   highlight: select's type-to-search took the empty line as a search and jumped to the first
 *   item, so the last frame of a cancelled run read as if the first item had been chosen. Search
 *   is off (select's documented `keybindings: ['vim']` turns it off; j/k then also move).
 * - The question's last frame says what happened: answered (`✔ Message value`, as select
 *   prints it) or cancelled (`✖ Message cancelled (value was highlighted)`): the list is
 *   cleared either way, so it never stays behind with a highlight that means nothing.
 */
import select from '@inquirer/select';
import { bold, cyan, dim, green, red } from './ui.js';
import { writeOut } from './output.js';
import { terminalWidth, wrap } from './width.js';

type SelectConfig<V> = Parameters<typeof select<V>>[0];

/** A choice of `config.choices` by the text select highlights ("❯ NAME"). */
function chosenBy<V>(choices: SelectConfig<V>['choices'], highlighted: string | undefined) {
  if (highlighted === undefined) return undefined;
  const list = choices as readonly { value?: V; name?: string; short?: string }[];
  return list.find((choice) => choice.name !== undefined && highlighted.endsWith(` ${choice.name}`));
}

export default async function choose<V>(config: SelectConfig<V>): Promise<V> {
  let highlighted: string | undefined;
  const theme = {
    keybindings: ['vim'] as const,
    style: {
      highlight: (text: string) => {
        highlighted = text;
        return cyan(text);
      },
    },
  };
  try {
    const value = await select<V>({ ...config, theme: { ...config.theme, ...theme } } as SelectConfig<V>, { clearPromptOnDone: true });
    const list = config.choices as readonly { value?: V; name?: string; short?: string }[];
    const chosen = list.find((choice) => choice.value === value);
    writeOut(`${green('✔')} ${bold(config.message)} ${cyan(chosen?.short ?? chosen?.name ?? String(value))}\n`);
    return value;
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') {
      const at = chosenBy(config.choices, highlighted);
      const what = `cancelled${at?.name ? ` (${at.short ?? at.name} was highlighted)` : ''}`;
      writeOut(`${wrap(`${red('✖')} ${bold(config.message)} `, what, terminalWidth(), 2).map((line, i) => (i === 0 ? line : dim(line))).join('\n')}\n`);
    }
    throw error;
  }
}
