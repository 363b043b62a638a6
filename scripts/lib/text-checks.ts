/** Checks every generated text file must pass, whatever its language. */

export interface TextProblem {
  readonly path: string;
  readonly line: number;
  readonly problem: string;
}

const RULES: readonly { test: (line: string, path: string) => boolean; problem: string }[] = [
  { test: (line) => /<%|%>/.test(line), problem: 'leftover template tag' },
  { test: (line) => /\bundefined\b/.test(line), problem: '"undefined" (a missing template value)' },
  { test: (line) => /(?<!\/dev\/)\bnull\b/.test(line), problem: '"null" (a missing template value)' },
  { test: (line) => /\[object Object\]|\bNaN\b/.test(line), problem: 'a stringified JavaScript value' },
  { test: (line) => /\b(TODO|FIXME|XXX)\b/.test(line), problem: 'a TODO marker' },
  { test: (line) => /[ \t]+$/.test(line), problem: 'trailing whitespace' },
  { test: (line, path) => !/(^|\/)Makefile$/.test(path) && line.includes('\t'), problem: 'a tab outside a Makefile' },
  { test: (line) => /\r/.test(line), problem: 'a carriage return (CRLF line ending)' },
];

export function textProblems(files: ReadonlyMap<string, string>): TextProblem[] {
  const problems: TextProblem[] = [];
  for (const [path, content] of files) {
    if (content.length > 0 && !content.endsWith('\n')) problems.push({ path, line: 0, problem: 'no final newline' });
    if (content.endsWith('\n\n')) problems.push({ path, line: 0, problem: 'blank lines at the end' });
    content.split('\n').forEach((line, index) => {
      for (const rule of RULES) if (rule.test(line, path)) problems.push({ path, line: index + 1, problem: rule.problem });
    });
  }
  return problems;
}

/** Makefile recipe lines must start with a tab (make says "missing separator" otherwise). */
export function makefileProblems(makefile: string): string[] {
  const problems: string[] = [];
  let inRule = false;
  makefile.split('\n').forEach((line, index) => {
    if (/^[A-Za-z0-9_.-]+( [A-Za-z0-9_.-]+)*:([^=]|$)/.test(line)) inRule = true;
    // Conditional directives may sit between recipe lines: make reads them, they are not recipe lines.
    else if (/^(ifeq|ifneq|ifdef|ifndef|else|endif)\b/.test(line)) return;
    else if (line.trim() === '' || line.startsWith('#')) inRule = line.trim() === '' ? false : inRule;
    else if (inRule && !line.startsWith('\t')) problems.push(`line ${index + 1}: recipe line not indented with a tab`);
  });
  return problems;
}
