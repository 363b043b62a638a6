/**
 * The tools a generated project needs on the developer's machine: how to
 * check each and how to get it. The end screen, the generated Makefile (a
 * missing tool fails with this advice in one line) and the generated README's
 * prerequisites all read it from here.
 */
export interface Tool {
  /** The command on PATH. */
  readonly command: string;
  /** What is needed, in words. */
  readonly what: string;
  /** A command that shows whether it is there (and its version). */
  readonly check: string;
  /** How to get it: one line each, most common first. */
  readonly install: readonly string[];
  /** The make targets that need it (the ones the next steps name). */
  readonly targets: readonly string[];
}

export const TOOLS = {
  poetry: {
    command: 'poetry',
    what: 'Poetry 2',
    check: 'poetry --version',
    // The two ways python-poetry.org/docs documents: pipx, or the official installer script.
    install: ['pipx install poetry', 'curl -sSL https://install.python-poetry.org | python3 -'],
    targets: ['install', 'test', 'run'],
  },
  docker: {
    command: 'docker',
    what: 'Docker with BuildKit',
    check: 'docker buildx version',
    // Docker Engine 23 and Docker Desktop build with BuildKit by default.
    install: ['https://docs.docker.com/engine/install/'],
    targets: ['docker-build', 'docker-run'],
  },
} as const satisfies Record<string, Tool>;


/** One line, without commas (it is a make function argument): the tool is missing, and how to get it. */
export function missingToolAdvice(tool: Tool): string {
  const ways = tool.install.map((line) => (line.startsWith('https://') ? `see ${line}` : `run "${line}"`));
  return `${tool.command} is not on PATH; ${tool.what} is needed: ${ways.join(' or ')}`;
}
