/**
 * Registering a route's router in app/main.py, as a careful human would edit
 * the file: every byte the user wrote stays (comments, aliases, layout,
 * line endings, BOM, tabs); only our two lines are added:
 * - the module joins the `from app.routes import ...` statement, at its
 *   isort place, in the statement's own layout (one name per line, inline,
 *   parenthesised or continued; a one-liner that would pass 100 columns is
 *   wrapped as `ruff format` would);
 * - `app.include_router(NAME.router)` goes above the `# pyservice:routers`
 *   comment, indented like it, with the receiver the lines above use.
 * A new line takes the line ending of its neighbours (else the file's
 * dominant one). What cannot be edited safely is refused with a RouteError
 * naming the file and line, before anything is written. Pure: used on the
 * pristine render (the base of the next merge) and on the user's file.
 */
import { pyIdentifier } from './escape.js';
import { scanPython, ScanError, statements, type Scan, type Statement, type Token } from './py-scan.js';
import { MAIN_PY, RouteError, ROUTERS_ANCHOR, sortMembers } from './route.js';
import { quoted } from '../model/text.js';

const ANCHOR = /^#[ \t]*pyservice:routers(?![\w:-])/;
const MAX_LINE = 100;

interface Member {
  readonly name: string;
  readonly alias?: string;
  readonly start: number;
  readonly end: number;
  /** The comma right after it, if any. */
  readonly comma?: Token;
}

interface ImportStatement {
  readonly statement: Statement;
  /** `app.routes`, `.routes`, `os.path`, ... */
  readonly module: string;
  readonly kind: 'from' | 'import';
  readonly members: readonly Member[];
  readonly star: boolean;
  readonly open?: Token;
  readonly close?: Token;
  /** The `import` keyword of a from-import. */
  readonly keyword?: Token;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const isOp = (t: Token | undefined, text: string) => t?.kind === 'op' && t.text === text;

/** Read `a.b.c` (with leading dots for relative modules) from tokens[i]. */
function dotted(tokens: readonly Token[], i: number): { module: string; next: number } {
  let module = '';
  while (isOp(tokens[i], '.')) (module += '.'), (i += 1);
  while (tokens[i]?.kind === 'name') {
    module += tokens[i]!.text;
    i += 1;
    if (!isOp(tokens[i], '.') || tokens[i + 1]?.kind !== 'name') break;
    module += '.';
    i += 1;
  }
  return { module, next: i };
}

function parseImport(statement: Statement): ImportStatement | undefined {
  const tokens = statement.tokens;
  const head = tokens[0];
  if (head?.kind !== 'name' || (head.text !== 'import' && head.text !== 'from')) return undefined;
  const members: Member[] = [];
  const readMembers = (i: number, dottedNames: boolean): number => {
    while (i < tokens.length && !isOp(tokens[i], ')')) {
      const { module: name, next } = dottedNames ? dotted(tokens, i) : { module: tokens[i]?.kind === 'name' ? tokens[i]!.text : '', next: i + 1 };
      if (!name) return i;
      const start = tokens[i]!.start;
      let end = tokens[next - 1]!.end;
      i = next;
      let alias: string | undefined;
      if (tokens[i]?.text === 'as' && tokens[i + 1]?.kind === 'name') {
        alias = tokens[i + 1]!.text;
        end = tokens[i + 1]!.end;
        i += 2;
      }
      const comma = isOp(tokens[i], ',') ? tokens[i] : undefined;
      members.push({ name, ...(alias ? { alias } : {}), start, end, ...(comma ? { comma } : {}) });
      if (!comma) break;
      i += 1;
    }
    return i;
  };
  if (head.text === 'import') {
    readMembers(1, true);
    return { statement, module: '', kind: 'import', members, star: false };
  }
  const { module, next } = dotted(tokens, 1);
  const keyword = tokens[next];
  if (keyword?.text !== 'import') return undefined;
  if (isOp(tokens[next + 1], '*')) return { statement, module, kind: 'from', members, star: true, keyword };
  const open = isOp(tokens[next + 1], '(') ? tokens[next + 1] : undefined;
  const end = readMembers(next + (open ? 2 : 1), false);
  const close = open && isOp(tokens[end], ')') ? tokens[end] : undefined;
  return { statement, module, kind: 'from', members, star: false, keyword, ...(open ? { open } : {}), ...(close ? { close } : {}) };
}

const ROUTES = new Set(['app.routes', '.routes']);
const isRoutesSubmodule = (module: string) => /^(?:app)?\.routes\./.test(module);

export function registerRouter(mainPy: string, name: string): string {
  pyIdentifier(name);
  const bom = mainPy.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = mainPy.slice(bom.length);
  let scan: Scan;
  try {
    scan = scanPython(text);
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    throw new RouteError(`${MAIN_PY}:${error.line}: cannot be read as Python (${error.what}); fix the file, then run the command again`);
  }
  const at = (offset: number) => `${MAIN_PY}:${scan.lineOf(offset) + 1}`;
  const all = statements(scan);
  const imports = all.map(parseImport).filter((s): s is ImportStatement => s !== undefined);

  refuseTakenName(scan, all, imports, name, at);
  const edits = [...importEdits(scan, imports, name, at), anchorEdit(scan, name, at)];
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const edit of edits) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return bom + out;
}

/** The route's module name must not be bound in main.py already, in any form. */
function refuseTakenName(scan: Scan, all: readonly Statement[], imports: readonly ImportStatement[], name: string, at: (offset: number) => string): void {
  const routeOf = (module: string) => module.replace(/^(?:app)?\.routes\./, '').split('.')[0];
  for (const imp of imports) {
    const where = at(imp.statement.tokens[0]!.start);
    if (imp.kind === 'from' && ROUTES.has(imp.module)) {
      const same = imp.members.find((m) => m.name === name);
      if (same) throw new RouteError(`${where}: route "${name}" is already imported there${same.alias ? ` (as ${same.alias})` : ''}; remove that import or choose another name`);
    }
    const modules = imp.kind === 'import' ? imp.members.map((m) => m.name) : [imp.module];
    if (modules.some((m) => isRoutesSubmodule(m) && routeOf(m) === name)) {
      throw new RouteError(`${where}: route "${name}" is already imported there (from app.routes.${name}); remove that import or choose another name`);
    }
    const bound = imp.members.find((m) => (m.alias ?? (imp.kind === 'import' ? m.name.split('.')[0] : m.name)) === name);
    if (bound) throw new RouteError(`${where}: the name "${name}" is already imported there, and the route's module would shadow it; choose another name`);
  }
  const defined = (first: Token | undefined) => {
    if (first) throw new RouteError(`${at(first.start)}: "${name}" is already defined there, and the route's module would shadow it; choose another name`);
  };
  for (const statement of all) {
    const [first, second] = statement.tokens;
    if (!statement.nested && first?.text === name && (isOp(second, '=') || isOp(second, ':'))) defined(first);
  }
  for (const line of scan.logical) {
    const t = line.tokens;
    const used = t.findIndex((token, i) => token.text === name && !isOp(t[i - 1], '.') && isOp(t[i + 1], '.') && t[i + 2]?.text === 'router');
    if (used >= 0) {
      throw new RouteError(`${at(t[used]!.start)}: "${name}.router" is already used there, so a router of that name is registered by hand; remove that line or choose another name`);
    }
    const named = t[0]?.text === 'async' ? t[2] : t[1];
    if (line.indent === '' && ['def', 'class'].includes((t[0]?.text === 'async' ? t[1] : t[0])?.text ?? '') && named?.text === name) defined(t[0]);
  }
}

/** Where the file uses a given line ending: the neighbours' if they agree, else the dominant one. */
function eolBefore(scan: Scan, line: number): string {
  const prev = scan.lines[line - 1]?.eol;
  const next = scan.lines[line]?.eol;
  if (prev && (prev === next || !next)) return prev;
  if (next && !prev) return next;
  return dominantEol(scan);
}

function dominantEol(scan: Scan): string {
  const counts = new Map<string, number>();
  for (const line of scan.lines) if (line.eol) counts.set(line.eol, (counts.get(line.eol) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '\n';
}

/** One level of indentation as the file writes it (a tab, or its first indent). */
function indentUnit(scan: Scan): string {
  return scan.logical.find((l) => l.indent !== '')?.indent ?? '    ';
}

const leading = (scan: Scan, line: number) => /^[ \t\f]*/.exec(scan.text.slice(scan.lines[line]!.start, scan.lines[line]!.end))![0];
const startsItsLine = (scan: Scan, offset: number) => /^[ \t\f]*$/.test(scan.text.slice(scan.lines[scan.lineOf(offset)]!.start, offset));
const commentOnly = (scan: Scan, line: number) => /^[ \t\f]*#/.test(scan.text.slice(scan.lines[line]!.start, scan.lines[line]!.end));

/** The edit that adds `name` to the routers import (or a new import line). */
function importEdits(scan: Scan, imports: readonly ImportStatement[], name: string, at: (offset: number) => string): Edit[] {
  const routes = imports.filter((i) => i.kind === 'from' && ROUTES.has(i.module));
  const target = routes.find((i) => !i.star && !i.statement.nested) ?? routes.find((i) => !i.star);
  if (target?.statement.nested) {
    const line = target.statement.line;
    const block = [...scan.logical].reverse().find((l) => l.first < line.first && l.indent.length < line.indent.length) ?? line;
    const header = scan.text.slice(scan.lines[block.first]!.start, scan.lines[block.first]!.end).trim();
    throw new RouteError(
      `${at(target.statement.tokens[0]!.start)}: the "from app.routes import ..." line is inside a block (${quoted(header.length > 60 ? `${header.slice(0, 57)}...` : header)}), where a router imported might not exist when create_app() runs; move the import to the top level of the file, then run the command again`,
    );
  }
  if (target) return [memberEdit(scan, target, name, at)];
  const star = routes.find((i) => i.star);
  if (star) {
    throw new RouteError(`${at(star.statement.tokens[0]!.start)}: "from app.routes import *" does not say which route modules it imports; write them out ("from app.routes import health, items"), then run the command again`);
  }
  // Only other forms (`import app.routes.items as y`, `from app.routes.items import router`): a line of our own beside them.
  const others = imports.filter((i) => !i.statement.nested && (i.kind === 'from' ? isRoutesSubmodule(i.module) : i.members.some((m) => isRoutesSubmodule(m.name))));
  if (others.length > 0) {
    const fromSub = others.find((i) => i.kind === 'from');
    const line = fromSub ? fromSub.statement.line.first : others[others.length - 1]!.statement.line.last + 1;
    const statement = `from app.routes import ${name}`;
    if (line < scan.lines.length) {
      const start = scan.lines[line]!.start;
      return [{ start, end: start, text: `${statement}${eolBefore(scan, line)}` }];
    }
    // After the file's last line: keep it ending as it did (with a line ending, or without one).
    const lastEol = scan.lines[scan.lines.length - 1]!.eol;
    const end = scan.text.length;
    return [{ start: end, end, text: lastEol ? `${statement}${lastEol}` : `${dominantEol(scan)}${statement}` }];
  }
  throw new RouteError(`${MAIN_PY} has no "from app.routes import ..." line, where new routers are imported; put it back (e.g. "from app.routes import health, items"), then run the command again`);
}

/** Add `name` to a from-import's members, at its isort place, in the statement's layout. */
function memberEdit(scan: Scan, target: ImportStatement, name: string, at: (offset: number) => string): Edit {
  const { members, open, close } = target;
  const where = at(target.statement.tokens[0]!.start);
  if (members.length === 0 || (open && !close)) {
    throw new RouteError(`${where}: cannot read the names this "from app.routes import" imports; write it as "from app.routes import health, items", then run the command again`);
  }
  const before = members.find((m) => sortMembers([m.name, name])[0] === name);
  const multiLine = open !== undefined && scan.lineOf(open.start) !== scan.lineOf(close!.start);
  if (before && multiLine && startsItsLine(scan, before.start)) {
    // One name per line: a line of ours above the name (and above the comments that go with it).
    let line = scan.lineOf(before.start);
    while (line - 1 > scan.lineOf(open!.start) && commentOnly(scan, line - 1)) line -= 1;
    const start = scan.lines[line]!.start;
    return { start, end: start, text: `${leading(scan, scan.lineOf(before.start))}${name},${eolBefore(scan, line)}` };
  }
  if (before) return wrapIfLong(scan, target, name, { start: before.start, end: before.start, text: `${name}, ` });
  const last = members[members.length - 1]!;
  const after = last.comma?.end ?? last.end;
  const lastLine = scan.lineOf(last.start);
  if (multiLine && startsItsLine(scan, last.start) && lastLine > scan.lineOf(open!.start)) {
    const indent = leading(scan, lastLine);
    const rest = scan.text.slice(after, scan.lines[lastLine]!.end);
    const closeHere = scan.lineOf(close!.start) === lastLine;
    if (!closeHere && /^[ \t\f]*(?:#.*)?$/.test(rest)) {
      // The closing parenthesis on a line below: a line of ours after the last name.
      const start = scan.lines[lastLine + 1]!.start;
      const line = { start, end: start, text: `${indent}${name}${last.comma ? ',' : ''}${eolBefore(scan, lastLine + 1)}` };
      return last.comma ? line : { start: last.end, end: start, text: `,${scan.text.slice(last.end, start)}${line.text}` };
    }
    if (closeHere) {
      // `    items)`: the parenthesis stays on the last name's line, ours.
      const eol = scan.lines[lastLine]!.eol || dominantEol(scan);
      return { start: after, end: after, text: last.comma ? `${eol}${indent}${name},` : `,${eol}${indent}${name}` };
    }
  }
  return wrapIfLong(scan, target, name, last.comma ? { start: after, end: after, text: ` ${name},` } : { start: last.end, end: last.end, text: `, ${name}` });
}

/**
 * An inline insertion, unless it takes a plain one-line import (no comment,
 * nothing else on the line) past 100 columns: then the statement is laid out
 * one name per line, as `ruff format` would, each name as the user wrote it.
 */
function wrapIfLong(scan: Scan, target: ImportStatement, name: string, edit: Edit): Edit {
  const tokens = target.statement.tokens;
  const first = scan.lineOf(tokens[0]!.start);
  const lastToken = tokens[tokens.length - 1]!;
  const line = scan.lines[first]!;
  const alone = target.statement.line.first === first && target.statement.line.last === first && target.statement.line.tokens.length === tokens.length;
  const lineText = scan.text.slice(line.start, line.end);
  const commented = scan.comments.some((c) => c.start >= line.start && c.end <= line.end);
  if (!alone || commented || lineText.length + edit.text.length <= MAX_LINE) return edit;
  const texts = target.members.map((m) => ({ name: m.name, text: scan.text.slice(m.start, m.end) }));
  const index = texts.findIndex((m) => sortMembers([m.name, name])[0] === name);
  texts.splice(index < 0 ? texts.length : index, 0, { name, text: name });
  const eol = line.eol || dominantEol(scan);
  const unit = indentUnit(scan);
  const head = scan.text.slice(tokens[0]!.start, target.keyword!.end);
  return { start: tokens[0]!.start, end: lastToken.end, text: `${head} (${eol}${texts.map((m) => `${unit}${m.text},${eol}`).join('')})` };
}

/** `app.include_router(name.router)` above the one anchor comment, or a refusal naming the line. */
function anchorEdit(scan: Scan, name: string, at: (offset: number) => string): Edit {
  const anchors = scan.comments.filter((c) => ANCHOR.test(c.text));
  if (anchors.length === 0) {
    throw new RouteError(`${MAIN_PY} has no comment "${ROUTERS_ANCHOR}" inside create_app(), above which new routers are registered; put it back on its own line after your app.include_router(...) lines, then run the command again`);
  }
  if (anchors.length > 1) {
    const lines = anchors.map((a) => scan.lineOf(a.start) + 1).join(', ');
    throw new RouteError(`${MAIN_PY}: the comment "${ROUTERS_ANCHOR}" is on ${anchors.length} lines (${lines}), so where to register the router is ambiguous; keep only the one in create_app(), then run the command again`);
  }
  const anchor = anchors[0]!;
  const line = scan.lineOf(anchor.start);
  if (!anchor.betweenStatements) {
    throw new RouteError(`${at(anchor.start)}: the comment "${ROUTERS_ANCHOR}" must be on a line of its own between statements, where a new line of code can go; move it below your app.include_router(...) lines, then run the command again`);
  }
  const indent = statementIndent(scan, line, leading(scan, line));
  if (indent === undefined) {
    throw new RouteError(`${at(anchor.start)}: the comment "${ROUTERS_ANCHOR}" is not indented like the statements around it, so where a line added there belongs is unclear; indent it like your app.include_router(...) lines, then run the command again`);
  }
  const start = scan.lines[line]!.start;
  return { start, end: start, text: `${indent}${receiver(scan, line, indent)}.include_router(${name}.router)${eolBefore(scan, line)}` };
}

/**
 * The indentation a statement just above physical line `line` takes: the
 * anchor comment's own where a statement there is valid Python, else the
 * block's around it when that is unambiguous (a comment's indentation means
 * nothing to Python), else undefined.
 */
function statementIndent(scan: Scan, line: number, indent: string): string | undefined {
  const stack: string[] = [''];
  let prev: (typeof scan.logical)[number] | undefined;
  let next: (typeof scan.logical)[number] | undefined;
  for (const logical of scan.logical) {
    if (logical.first > line) {
      next = logical;
      break;
    }
    while (stack.length > 1 && !logical.indent.startsWith(stack[stack.length - 1]!)) stack.pop();
    if (logical.indent !== stack[stack.length - 1]) stack.push(logical.indent);
    prev = logical;
  }
  if (!prev) return next === undefined || next.indent === '' ? '' : undefined;
  if (prev.tokens[0]!.text === '@') return undefined;
  if (isOp(prev.tokens[prev.tokens.length - 1], ':')) {
    // The first statement of a block: the block's indentation, which the next statement shows.
    const deeper = next !== undefined && next.indent.startsWith(prev.indent) && next.indent.length > prev.indent.length;
    return deeper ? next!.indent : undefined;
  }
  const level = stack.indexOf(indent);
  const nextLevel = next === undefined ? -1 : stack.indexOf(next.indent);
  if (level >= 0 && (next === undefined || (nextLevel >= 0 && nextLevel <= level))) return indent;
  return next !== undefined && next.indent === prev.indent ? prev.indent : undefined;
}

/** The object the include_router lines above the anchor use (`app` unless the user renamed it). */
function receiver(scan: Scan, line: number, indent: string): string {
  for (const logical of [...scan.logical].reverse()) {
    if (logical.first >= line) continue;
    if (logical.indent.length < indent.length) break;
    const t = logical.tokens;
    const call = t.findIndex((token, i) => token.text === 'include_router' && isOp(t[i - 1], '.') && isOp(t[i + 1], '('));
    if (logical.indent === indent && call > 1 && t.slice(0, call - 1).every((token, i) => (i % 2 === 0 ? token.kind === 'name' : isOp(token, '.')))) {
      return t.slice(0, call - 1).map((token) => token.text).join('');
    }
  }
  return 'app';
}
