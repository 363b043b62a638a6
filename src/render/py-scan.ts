/**
 * Just enough of Python's tokenizer to edit a user's module the way a careful
 * human would: physical lines with their own endings (LF, CRLF, CR), comments,
 * bracket depth, strings (all prefixes, triple quotes, f-string expressions)
 * kept opaque, and logical lines (brackets, backslash continuations) split
 * into simple statements at `;`. It never rewrites anything: callers insert
 * text at the offsets it reports, so every byte the user wrote stays.
 */

export interface Token {
  readonly kind: 'name' | 'number' | 'string' | 'op';
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Bracket depth before the token. */
  readonly depth: number;
}

export interface Comment {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Only whitespace before it on its line, outside any bracket or statement. */
  readonly betweenStatements: boolean;
}

export interface PhysicalLine {
  readonly start: number;
  /** End of the text, before the line ending. */
  readonly end: number;
  /** '\n', '\r\n', '\r', or '' for a last line without one. */
  readonly eol: string;
}

export interface LogicalLine {
  readonly tokens: readonly Token[];
  /** The whitespace before its first token. */
  readonly indent: string;
  /** 0-based physical line indexes of its first and last line. */
  readonly first: number;
  readonly last: number;
}

export interface Scan {
  readonly text: string;
  readonly lines: readonly PhysicalLine[];
  readonly logical: readonly LogicalLine[];
  readonly comments: readonly Comment[];
  /** 0-based index of the physical line holding `offset`. */
  lineOf(offset: number): number;
}

/** The text cannot be tokenized as Python; `line` is 1-based. */
export class ScanError extends Error {
  constructor(
    readonly line: number,
    readonly what: string,
  ) {
    super(`line ${line}: ${what}`);
  }
}

const NAME = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const NUMBER = /(?:\d[\w.]*|\.\d\w*)/y;
const STRING_PREFIX = /^(?:[rRuUbBfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;
const OPENERS = '([{';
const CLOSERS = ')]}';

export function physicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({ start, end: m.index, eol: m[0] });
    start = m.index + m[0].length;
  }
  if (start < text.length || lines.length === 0) lines.push({ start, end: text.length, eol: '' });
  return lines;
}

export function scanPython(text: string): Scan {
  const lines = physicalLines(text);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lines[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const fail = (offset: number, what: string): never => {
    throw new ScanError(lineOf(offset) + 1, what);
  };

  /** End of the string literal whose quotes start at `q` (prefix already read). */
  const stringEnd = (q: number, prefix: string): number => {
    const quote = text.startsWith(text[q]!.repeat(3), q) ? text[q]!.repeat(3) : text[q]!;
    const formatted = /[fFtT]/.test(prefix);
    let i = q + quote.length;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '\\') i += text.startsWith('\r\n', i + 1) ? 3 : 2;
      else if (text.startsWith(quote, i)) return i + quote.length;
      else if ((c === '\n' || c === '\r') && quote.length === 1) break;
      else if (formatted && c === '{') i = text[i + 1] === '{' ? i + 2 : fieldEnd(i + 1);
      else i += 1;
    }
    return fail(q, 'a string is not closed');
  };

  /** End of an f-string replacement field whose expression starts at `i` (after `{`). */
  const fieldEnd = (i: number): number => {
    let depth = 0;
    let spec = false;
    while (i < text.length) {
      const c = text[i]!;
      if (spec) {
        if (c === '{') i = fieldEnd(i + 1);
        else if (c === '}') return i + 1;
        else i += 1;
        continue;
      }
      const prefixed = /^[rRuUbBfFtT]{1,2}(?=["'])/.exec(text.slice(i, i + 3));
      if (c === '"' || c === "'") i = stringEnd(i, '');
      else if (prefixed && STRING_PREFIX.test(prefixed[0]) && !/[\w]/.test(text[i - 1] ?? '')) i = stringEnd(i + prefixed[0].length, prefixed[0]);
      else if (OPENERS.includes(c)) (depth += 1), (i += 1);
      else if (c === '}' && depth === 0) return i + 1;
      else if (CLOSERS.includes(c)) (depth -= 1), (i += 1);
      else if (c === ':' && depth === 0) (spec = true), (i += 1);
      else i += 1;
    }
    return fail(i, 'an f-string is not closed');
  };

  const logical: LogicalLine[] = [];
  const comments: Comment[] = [];
  let tokens: Token[] = [];
  const brackets: number[] = [];
  let i = 0;
  const endLogical = () => {
    if (tokens.length === 0) return;
    const first = lineOf(tokens[0]!.start);
    const indent = /^[ \t\f]*/.exec(text.slice(lines[first]!.start, tokens[0]!.start))![0];
    logical.push({ tokens, indent, first, last: lineOf(tokens[tokens.length - 1]!.end - 1) });
    tokens = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\f') {
      i += 1;
    } else if (c === '#') {
      let end = i;
      while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end += 1;
      const line = lines[lineOf(i)]!;
      const alone = /^[ \t\f]*$/.test(text.slice(line.start, i));
      comments.push({ text: text.slice(i, end), start: i, end, betweenStatements: alone && brackets.length === 0 && tokens.length === 0 });
      i = end;
    } else if (c === '\n' || c === '\r') {
      if (brackets.length === 0) endLogical();
      i += text.startsWith('\r\n', i) ? 2 : 1;
    } else if (c === '\\') {
      const next = /\r\n|\r|\n/y;
      next.lastIndex = i + 1;
      if (!next.exec(text) && i + 1 < text.length) fail(i, 'a backslash is not at the end of its line');
      i = next.lastIndex > i + 1 ? next.lastIndex : i + 1;
    } else if (c === '"' || c === "'") {
      const end = stringEnd(i, '');
      tokens.push({ kind: 'string', text: text.slice(i, end), start: i, end, depth: brackets.length });
      i = end;
    } else {
      NAME.lastIndex = i;
      NUMBER.lastIndex = i;
      const name = NAME.exec(text);
      const number = name ? null : NUMBER.exec(text);
      if (name) {
        const end = i + name[0].length;
        if (STRING_PREFIX.test(name[0]) && (text[end] === '"' || text[end] === "'")) {
          const stringEnds = stringEnd(end, name[0]);
          tokens.push({ kind: 'string', text: text.slice(i, stringEnds), start: i, end: stringEnds, depth: brackets.length });
          i = stringEnds;
        } else {
          tokens.push({ kind: 'name', text: name[0], start: i, end, depth: brackets.length });
          i = end;
        }
      } else if (number) {
        tokens.push({ kind: 'number', text: number[0], start: i, end: i + number[0].length, depth: brackets.length });
        i += number[0].length;
      } else {
        const depth = brackets.length;
        if (OPENERS.includes(c)) brackets.push(i);
        else if (CLOSERS.includes(c)) {
          const open = brackets.pop();
          if (open === undefined || OPENERS.indexOf(text[open]!) !== CLOSERS.indexOf(c)) fail(i, `"${c}" does not match an opening bracket`);
        }
        tokens.push({ kind: 'op', text: c, start: i, end: i + 1, depth: CLOSERS.includes(c) ? depth - 1 : depth });
        i += 1;
      }
    }
  }
  if (brackets.length > 0) fail(brackets[brackets.length - 1]!, `"${text[brackets[brackets.length - 1]!]}" is not closed`);
  endLogical();
  return { text, lines, logical, comments, lineOf };
}

/** Python's compound statement keywords: a logical line starting with one opens a block. */
export const COMPOUND = new Set(['if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with', 'def', 'class', 'async', 'match', 'case']);

export interface Statement {
  readonly tokens: readonly Token[];
  readonly line: LogicalLine;
  /** Inside a block: an indented line, or the body of a one-line `if x: ...`. */
  readonly nested: boolean;
  /** The first statement of its logical line, nothing before it. */
  readonly startsLine: boolean;
}

/** Split every logical line into simple statements (at `;`, and after a one-line compound header's `:`). */
export function statements(scan: Scan): Statement[] {
  const out: Statement[] = [];
  for (const line of scan.logical) {
    let body = line.tokens;
    let header = false;
    const first = body[0]!;
    if (first.kind === 'name' && COMPOUND.has(first.text) && body[body.length - 1]!.text !== ':') {
      const colon = body.findIndex((t) => t.kind === 'op' && t.text === ':' && t.depth === 0);
      // `match` and `case` are soft keywords: without a header colon this is a plain statement.
      if (colon > 0) {
        body = body.slice(colon + 1);
        header = true;
      }
    }
    let current: Token[] = [];
    let startsLine = !header;
    const flush = () => {
      if (current.length > 0) out.push({ tokens: current, line, nested: header || line.indent !== '', startsLine });
      current = [];
      startsLine = false;
    };
    if (header || !(first.kind === 'name' && COMPOUND.has(first.text) && body[body.length - 1]!.text === ':')) {
      for (const token of body) {
        if (token.kind === 'op' && token.text === ';' && token.depth === 0) flush();
        else current.push(token);
      }
      flush();
    }
  }
  return out;
}
