/** The first words that name a command on an existing project (kept apart so the entry chunk stays small). */
export const COMMAND_WORDS = ['add', 'docker', 'update'] as const;
export const isCommandWord = (word: string | undefined): boolean => (COMMAND_WORDS as readonly (string | undefined)[]).includes(word);
