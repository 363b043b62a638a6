/**
 * One escaping function per target language. Every value that comes from a
 * user reaches a generated file through exactly one of these (templates use
 * `<%- fn(value) %>`, never `<%=`, which HTML-escapes).
 */

const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');

/** Backslash escapes shared by TOML and Python for the common control characters. */
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escapeControl = (c: string) => SHORT_ESCAPES[c] ?? `\\u${hex4(c)}`;

/** Control characters, DEL, and the Unicode line/paragraph separators. */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A TOML basic string, quotes included: `"a \"b\""`. */
export function tomlString(value: string): string {
  const body = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(UNSAFE_CHARS, escapeControl);
  return `"${body}"`;
}

/** A TOML array of strings on one line: `["a", "b"]`. */
export function tomlArray(values: readonly string[]): string {
  return `[${values.map(tomlString).join(', ')}]`;
}

/**
 * A Python string literal, quotes included, that evaluates to `value` exactly.
 * Quotes are chosen as ruff format would (double, unless that needs more escapes),
 * so generated code is already formatted.
 */
export function pyString(value: string): string {
  const doubles = (value.match(/"/g) ?? []).length;
  const singles = (value.match(/'/g) ?? []).length;
  const quote = doubles > singles ? "'" : '"';
  const body = value
    .replace(/\\/g, '\\\\')
    .replace(new RegExp(quote, 'g'), `\\${quote}`)
    .replace(UNSAFE_CHARS, escapeControl);
  return `${quote}${body}${quote}`;
}

/** One POSIX shell word: left alone when it is plainly safe, else single-quoted. */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A `cd` command that enters `path` when pasted into a POSIX shell, whatever
 * the name: quoted so that `$(…)`, backticks and spaces stay literal, and
 * `./`-prefixed when it starts with `-` so that cd does not read it as an option.
 */
export function cdCommand(path: string): string {
  return `cd ${shellWord(path.startsWith('-') ? `./${path}` : path)}`;
}

/**
 * A value in a Makefile variable or recipe, which make passes to the shell:
 * shell-quoted first, then `$` doubled so make does not expand it. Newlines
 * cannot be represented in a make variable and are refused.
 */
export function makeWord(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('a Makefile value cannot contain a line break');
  return shellWord(value).replace(/\$/g, '$$$$').replace(/#/g, '\\#');
}

/**
 * A Dockerfile double-quoted word (LABEL/ENV values): backslash, quote and `$`
 * escaped so the builder neither ends the string nor expands variables; control
 * characters (which would end the instruction) become spaces.
 */
export function dockerfileString(value: string): string {
  const body = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\$/g, '\\$')
    .replace(UNSAFE_CHARS, ' ');
  return `"${body}"`;
}

/** Text inside a Dockerfile comment: one line, whatever it contains. */
export function dockerfileComment(value: string): string {
  return value.replace(UNSAFE_CHARS, ' ');
}

/**
 * Inline Markdown text: characters that Markdown or HTML could interpret are
 * backslash-escaped (a leading list, heading or quote marker too) and line
 * breaks become spaces, so the value renders as the literal text.
 */
export function markdownText(value: string): string {
  return value
    .replace(UNSAFE_CHARS, ' ')
    .replace(/[\\`*_[\]<>|!~&]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+#>=]|\d+[.)])/, (_m, space: string, marker: string) =>
      `${space}${marker.replace(/[-+#>=.)]/, (c) => `\\${c}`)}`,
    );
}

/** Characters a YAML double-quoted scalar must escape besides the controls: BOM and non-characters. */
const YAML_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/**
 * A YAML double-quoted scalar, quotes included: backslash and quote escaped,
 * every control or line-separator character as a `\uXXXX` escape, so the value
 * is read back exactly and stays on one line.
 */
export function yamlString(value: string): string {
  const body = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(YAML_UNSAFE, (c) => `\\u${hex4(c)}`);
  return `"${body}"`;
}

/** A JSON array of strings, the exec form of Dockerfile CMD/ENTRYPOINT/HEALTHCHECK. */
export function jsonArray(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
}

/** Python's keywords and soft keywords (3.11–3.15), which cannot be, or should not be, names. */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal',
  'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type', '_',
]);

/**
 * A Python identifier (module, class, function or attribute name). Identifiers
 * cannot be quoted, so this checks instead of escaping: an ASCII name that is
 * not a keyword, or it throws (names are validated before rendering).
 */
export function pyIdentifier(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) || PYTHON_KEYWORDS.has(value)) {
    throw new Error(`not a Python identifier: ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Text inside a Python docstring or comment: one line, no backslash (which
 * would start an escape), no quote (which could end the docstring).
 */
export function pyDocText(value: string): string {
  return value.replace(UNSAFE_CHARS, ' ').replace(/\\/g, '/').replace(/"/g, "'");
}
