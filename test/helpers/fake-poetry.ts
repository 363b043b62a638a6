import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in `poetry` on PATH (Poetry cannot be installed offline here: no PyPI,
 * and Debian's is 1.x). It appends each call's arguments to $HOME/poetry-calls.log,
 * answers --version, then runs `body` (shell) for every other call.
 * Returns the directory to put first on PATH.
 */
export function fakePoetry(home: string, body = ''): string {
  const bin = join(home, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'poetry'),
    `#!/bin/sh\necho "$*" >> "$HOME/poetry-calls.log"\n[ "$1" = --version ] && { echo "Poetry (version 2.1.2)"; exit 0; }\n${body}\n`,
  );
  chmodSync(join(bin, 'poetry'), 0o755);
  return bin;
}
