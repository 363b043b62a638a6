/**
 * Untrusted text stays inert: which answers we refuse (control characters,
 * terminal escapes, bidirectional overrides, bytes that were not UTF-8) and
 * how a value is shown back to the user (every invisible character made
 * visible), so nothing a user typed or a file name we list can drive the
 * terminal.
 */

/** C0 controls (ESC included), DEL, C1 controls, and the Unicode line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Bidirectional embeddings, overrides and isolates ("Trojan Source", CVE-2021-42574). */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
/** What Node puts in place of bytes that are not valid UTF-8 (argv, terminal input). */
const REPLACEMENT = '\ufffd';

const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/g;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The text with every control, escape and bidirectional character shown as an
 * escape (`\x1b`, `\u202e`): safe to print to a terminal, and what you see is
 * what was given.
 */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => {
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `"value"` for a message, made visible. */
export const quoted = (text: string) => `"${visible(text)}"`;

/**
 * What is wrong with a one-line text answer, or undefined. Shared by every
 * text answer (description, author, directory).
 */
export function textProblem(text: string): string | undefined {
  const control = CONTROL.exec(text);
  if (control) {
    return control[0] === '\u001b'
      ? 'contains a terminal escape sequence (ESC); type plain text'
      : `contains a line break or control character (${codePoint(control[0])}); keep it to one line of plain text`;
  }
  const bidi = BIDI.exec(text);
  if (bidi) {
    return `contains a bidirectional-override character (${codePoint(bidi[0])}), which can make text display differently from what it is; remove it`;
  }
  return undefined;
}

/** Most file systems limit one path component to 255 bytes, and Linux a path to 4096. */
const NAME_MAX = 255;
const PATH_MAX = 4095;

/** What is wrong with a target directory as typed, or undefined. */
export function directoryProblem(raw: string): string | undefined {
  if (raw.length === 0 || raw.trim().length === 0) return 'is empty';
  if (raw.includes('\0')) return 'contains a NUL character';
  const text = textProblem(raw);
  if (text) return text;
  if (raw.includes(REPLACEMENT)) {
    return 'is not valid UTF-8 (or contains U+FFFD, which stands in for bytes that are not); use a name in UTF-8';
  }
  if (raw !== raw.trim()) {
    return `${raw.trimStart() !== raw ? 'starts' : 'ends'} with a space, which is easy to miss and to mistype later; remove it`;
  }
  for (const part of raw.split('/')) {
    const bytes = Buffer.byteLength(part);
    if (bytes > NAME_MAX) return `has a name of ${bytes} bytes ("${visible(part.slice(0, 20))}…"); file systems allow at most ${NAME_MAX}`;
  }
  const bytes = Buffer.byteLength(raw);
  if (bytes > PATH_MAX) return `is ${bytes} bytes long; paths are limited to ${PATH_MAX}`;
  return undefined;
}

/**
 * JSON for stdout: JSON.stringify escapes C0 controls but leaves C1 controls,
 * line separators and bidirectional overrides raw; they are escaped too, so the
 * output stays inert in a terminal (and is the same JSON value).
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
