/**
 * Fitting what we print to the terminal: its width (80 when not a terminal), the visible
 * length of a coloured string, cutting a value with an ellipsis, and two-column rows that
 * put the second column on its own line when both do not fit.
 */

/** Columns to fit: the terminal's width, 80 when not a terminal; never below `floor`. */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout, floor = 40): number {
  const columns = stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0 ? stream.columns : 80;
  return Math.max(floor, columns);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Length as the terminal shows it (colour codes take no column). */
export const visibleLength = (text: string): number => [...text.replace(ANSI, '')].length;

/** `text` (no colour codes) cut to `max` columns, the cut marked with an ellipsis. */
export function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * Rows of `indent + left + gap + right`, the left column padded to its widest entry. A right
 * column that would pass `width` is wrapped at spaces under its own column while that column
 * starts in the left half; else the table reflows: each right column goes on the lines under
 * its left one, indented by 4 more. The left column is never cut (it is what to type).
 */
export function twoColumns(rows: readonly (readonly [string, string])[], width: number, paint: { left?: (s: string) => string; right?: (s: string) => string } = {}, indent = 2, gap = 3): string[] {
  const left = paint.left ?? ((s: string) => s);
  const right = paint.right ?? ((s: string) => s);
  // A row without a right column (`cd DIR`) does not widen the left one.
  const column = Math.max(0, ...rows.filter(([, r]) => r !== '').map(([l]) => visibleLength(l)));
  const pad = ' '.repeat(indent);
  const start = indent + column + gap;
  const hanging = start <= width / 2;
  const fits = hanging || rows.every(([, r]) => r === '' || start + visibleLength(r) <= width);
  return rows.flatMap(([l, r]) => {
    if (r === '') return [`${pad}${left(l)}`];
    if (fits) {
      const [first = '', ...more] = wrap('', r, width - start, 0);
      return [`${pad}${left(l + ' '.repeat(column - visibleLength(l)))}${' '.repeat(gap)}${right(first)}`, ...more.map((line) => `${' '.repeat(start)}${right(line)}`)];
    }
    return [`${pad}${left(l)}`, ...wrap(`${pad}    `, r, width).map((line) => right(line))];
  });
}

/**
 * Wrap `text` at spaces to `width` columns, the first line after `first`,
 * the others indented by `indent`. Bracketed defaults ("[default: …]") are
 * kept whole where they fit on a line; no word is ever split.
 */
export function wrap(first: string, text: string, width: number, indent = first.length): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of units(text, width - indent)) {
    const candidate = empty ? `${line}${word}` : `${line} ${word}`;
    if (!empty && visibleLength(candidate) > width) {
      lines.push(line.trimEnd());
      line = `${' '.repeat(indent)}${word}`;
    } else line = candidate;
    empty = false;
  }
  lines.push(line.trimEnd());
  return lines;
}

/** Words, except that a "[default: …]" that fits in `max` columns stays one unit. */
function units(text: string, max: number): string[] {
  return text
    .split(/(\[default: [^\]]*\])/)
    .flatMap((part) => (part.startsWith('[default:') && part.length <= max ? [part] : part.split(' ')))
    .filter((word) => word.length > 0);
}

