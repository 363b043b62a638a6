/**
 * `add route`'s edit of app/main.py on the files users really have after
 * months: exploded imports with comments, aliases, CRLF or mixed endings, a
 * BOM, tabs, no final newline, semicolons, continuations, docstrings that
 * mention the anchors... Each one is registered three times (a name sorting
 * first, in the middle, last); every result must keep every byte of the
 * input (it is a subsequence of the output), keep the file's line endings, and
 * be valid Python for the real parser (python3's ast, all files in one run);
 * the usual layouts must also stay clean for the real ruff (lint and format).
 * What cannot be edited safely is refused: one line naming app/main.py and
 * the line, and what to do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { registerRouter } from '../../src/render/route-register.js';
import { RouteError } from '../../src/render/route.js';
import { ruffCheck } from '../../scripts/lib/ruff.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const service = renderService(defaultAnswers(), TEST_VERSION);
const pristine = service.get('app/main.py')!;
const IMPORT = 'from app.routes import health, items\n';
const INCLUDES = '    app.include_router(health.router)\n    app.include_router(items.router)\n';

/** pristine with `from` replaced by `to`, checking that `from` was there. */
function edited(from: string | RegExp, to: string | ((match: string) => string), text = pristine): string {
  const out = typeof to === 'string' ? text.replace(from, to) : text.replace(from, to);
  if (out === text) throw new Error(`test setup: ${String(from)} not found`);
  return out;
}
const crlf = (text: string) => text.replace(/\n/g, '\r\n');

interface Handled {
  readonly main: string;
  /** Substrings the result of registering `orders` must contain. */
  readonly contains?: readonly string[];
  /** The result of registering orders, accounts and zoo must pass ruff check and ruff format --check. */
  readonly ruff?: boolean;
  /** Every byte kept (false only where a one-liner is wrapped as ruff format would). */
  readonly keepsBytes?: boolean;
}

const handled: Record<string, Handled> = {
  'the pristine file': { main: pristine, contains: ['from app.routes import health, items, orders\n', '    app.include_router(orders.router)\n    # pyservice:routers'], ruff: true },
  'CRLF line endings': {
    main: crlf(pristine),
    contains: ['from app.routes import health, items, orders\r\n', 'app.include_router(items.router)\r\n    app.include_router(orders.router)\r\n    # pyservice:routers'],
    ruff: true,
  },
  'CRLF and a BOM': { main: `\uFEFF${crlf(pristine)}`, contains: ['\uFEFF"""', 'app.include_router(orders.router)\r\n'] },
  'CR line endings (old Mac)': { main: pristine.replace(/\n/g, '\r'), contains: ['import health, items, orders\r', 'include_router(orders.router)\r'] },
  'mixed endings: the import line and create_app()\'s last lines in CRLF, the rest LF (new lines take their neighbours\' CRLF)': {
    main: edited(/ {4}app\.include_router\(health[^]*?return app\n/, (m: string) => crlf(m), edited(IMPORT, crlf(IMPORT))),
    contains: ['import health, items, orders\r\n', 'app.include_router(items.router)\r\n    app.include_router(orders.router)\r\n    # pyservice:routers'],
  },
  'mixed endings: neighbours that disagree (the new line takes the dominant LF)': {
    main: edited(/( {4}# pyservice:routers.*)\n/, '$1\r\n'),
    contains: ['app.include_router(items.router)\n    app.include_router(orders.router)\n    # pyservice:routers'],
  },
  'no newline at the end of the file': { main: pristine.replace(/\n$/, ''), contains: ['raise AttributeError(f"module {__name__!r} has no attribute {name!r}")'] },
  'tab indentation': {
    main: pristine.replace(/^( {4})+/gm, (spaces) => '\t'.repeat(spaces.length / 4)),
    contains: ['\tapp.include_router(items.router)\n\tapp.include_router(orders.router)\n\t# pyservice:routers'],
  },
  'an exploded import with comments after names and on their own lines, trailing comma': {
    main: edited(IMPORT, 'from app.routes import (\n    # liveness and readiness\n    health,  # no auth\n    items,  # the example\n)\n'),
    contains: ['    health,  # no auth\n    items,  # the example\n    orders,\n)'],
    ruff: true,
  },
  'an exploded import without trailing comma': {
    main: edited(IMPORT, 'from app.routes import (\n    health,\n    items  # the example\n)\n'),
    contains: ['    items,  # the example\n    orders\n)'],
  },
  'the closing parenthesis on the last name line': {
    main: edited(IMPORT, 'from app.routes import (\n    health,\n    items)\n'),
    contains: ['    items,\n    orders)\n'],
  },
  'the closing parenthesis after a trailing comma on the last name line': {
    main: edited(IMPORT, 'from app.routes import (\n    health,\n    items,)\n'),
    contains: ['    items,\n    orders,)\n'],
  },
  'several names per line in parentheses': {
    main: edited(IMPORT, 'from app.routes import (\n    health, items,\n)\n'),
    contains: ['    health, items, orders,\n)'],
  },
  'parentheses on one line': { main: edited(IMPORT, 'from app.routes import (health, items)\n'), contains: ['from app.routes import (health, items, orders)\n'] },
  'an aliased member': {
    main: edited('app.include_router(items.router)', 'app.include_router(item_routes.router)', edited(IMPORT, 'from app.routes import health, items as item_routes\n')),
    contains: ['from app.routes import health, items as item_routes, orders\n'],
  },
  'an aliased member in an exploded import with comments': {
    main: edited(
      'app.include_router(items.router)',
      'app.include_router(item_routes.router)',
      edited(IMPORT, 'from app.routes import (\n    health,\n    # renamed: clashes with a local\n    items as item_routes,\n)\n'),
    ),
    contains: ['    health,\n    # renamed: clashes with a local\n    items as item_routes,\n    orders,\n)'],
  },
  'a module imported as `import app.routes.items as y` beside the from-import': {
    main: edited('app.include_router(items.router)', 'app.include_router(y.router)', edited(IMPORT, 'import app.routes.items as y\nfrom app.routes import health\n')),
    contains: ['from app.routes import health, orders\n'],
  },
  'only other forms: `from app.routes.health import router`, `import app.routes.items as y`': {
    main: edited(
      INCLUDES,
      '    app.include_router(health_router)\n    app.include_router(y.router)\n',
      edited(IMPORT, 'import app.routes.items as y\nfrom app.routes.health import router as health_router\n'),
    ),
    contains: ['import app.routes.items as y\nfrom app.routes import orders\nfrom app.routes.health import router as health_router\n'],
  },
  'a semicolon after the import': { main: edited(IMPORT, 'from app.routes import health, items; import os\n'), contains: ['from app.routes import health, items, orders; import os\n'] },
  'a statement before the import on its line, and semicolon-joined registrations above the anchor': {
    main: edited(INCLUDES, '    app.include_router(health.router); app.include_router(items.router)\n', edited(IMPORT, 'import os; from app.routes import health, items\n')),
    contains: ['import os; from app.routes import health, items, orders\n', 'app.include_router(items.router)\n    app.include_router(orders.router)\n'],
  },
  'a star import beside the explicit one': {
    main: edited(IMPORT, `from app.routes import *  # noqa: F403\n${IMPORT}`),
    contains: ['from app.routes import *  # noqa: F403\nfrom app.routes import health, items, orders\n'],
  },
  'a backslash continuation': {
    main: edited(IMPORT, 'from app.routes import health, \\\n    items\n'),
    contains: ['from app.routes import health, \\\n    items, orders\n'],
  },
  'a trailing comment on the one-line import': {
    main: edited(IMPORT, 'from app.routes import health, items  # noqa: F401 - routers\n'),
    contains: ['from app.routes import health, items, orders  # noqa: F401 - routers\n'],
  },
  'a docstring and strings that mention the anchors, a commented-out import': {
    main: edited(
      IMPORT,
      `${IMPORT}\n# from app.routes import admin\nNOTE = """\nfrom app.routes import nothing\n    # pyservice:routers\n"""\nTAG = f"{'# pyservice:routers'!r:>{20}} ( [ {{"\n`,
    ),
    contains: ['from app.routes import health, items, orders\n', '\nfrom app.routes import nothing\n    # pyservice:routers\n"""'],
  },
  'a relative import (from .routes)': { main: edited(IMPORT, 'from .routes import health, items\n'), contains: ['from .routes import health, items, orders\n'] },
  'a typing-only import in `if TYPE_CHECKING:` beside the real one': {
    main: edited(IMPORT, `${IMPORT}from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.routes import stubs\n`),
    contains: ['from app.routes import health, items, orders\n', '    from app.routes import stubs\n'],
  },
  'the app renamed inside create_app()': {
    main: edited(INCLUDES, `    api = app\n${INCLUDES.replace(/app\.include/g, 'api.include')}`),
    contains: ['    api.include_router(items.router)\n    api.include_router(orders.router)\n'],
  },
  'the anchor with words after it, and without a space after #': {
    main: edited(/# pyservice:routers.*/, '#pyservice:routers -- keep this line'),
    contains: ['    app.include_router(orders.router)\n    #pyservice:routers -- keep this line'],
  },
  'an unsorted import (a name the user added at the end)': {
    main: edited(IMPORT, 'from app.routes import items, health, admin\n'),
    contains: ['from app.routes import items, health, admin, orders\n'],
  },
  'a long one-line import: wrapped as ruff format would': {
    main: edited(IMPORT, 'from app.routes import aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbb, cccccccccc, health, items\n'),
    contains: ['from app.routes import (\n    aaaaaaaaaaaaaaaaaaaa,\n    bbbbbbbbbbbbbbbbbbbbbbbb,\n    cccccccccc,\n    health,\n    items,\n    orders,\n)\n'],
    keepsBytes: false,
  },
  'the anchor inside an `if` in create_app()': {
    main: edited(
      /    app\.include_router\(items\.router\)\n {4}# pyservice:routers.*\n/,
      '    if settings.app_name:\n        app.include_router(items.router)\n        # pyservice:routers\n',
    ),
    contains: ['        app.include_router(items.router)\n        app.include_router(orders.router)\n        # pyservice:routers\n'],
  },
  'the anchor at column 0 inside create_app() (a comment\'s indentation means nothing to Python)': {
    main: edited(/^ {4}# pyservice:routers/m, '# pyservice:routers'),
    contains: ['    app.include_router(items.router)\n    app.include_router(orders.router)\n# pyservice:routers'],
  },
  'the anchor right under a block opener, not indented into it': {
    main: edited(/^ {4}# pyservice:routers.*\n/m, '    if settings.app_name:\n    # pyservice:routers\n        pass\n'),
    contains: ['    if settings.app_name:\n        app.include_router(orders.router)\n    # pyservice:routers\n        pass\n'],
  },
  'own-line comments above a name that sorts after ours (they stay with it)': {
    main: edited(IMPORT, 'from app.routes import (\n    health,\n    items,\n    # the users resource\n    # (kept for the docs)\n    users,\n)\n'),
    contains: ['    items,\n    orders,\n    # the users resource\n    # (kept for the docs)\n    users,\n'],
  },
};

function isSubsequence(small: string, big: string): boolean {
  let i = 0;
  for (let j = 0; j < big.length && i < small.length; j++) if (big[j] === small[i]) i++;
  return i === small.length;
}

const endings = (text: string) => new Set(text.match(/\r\n|\r|\n/g) ?? []);

/** Results of every case, parsed by python3's ast at the end, in one run. */
const toParse = new Map<string, string>();
const dir = mkdtempSync(join(tmpdir(), 'route-register-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('registerRouter on the main.py files users have', () => {
  it.each(Object.entries(handled))('%s', (label, { main, contains = [], ruff = false, keepsBytes = true }) => {
    const steps = ['orders', 'accounts', 'zoo'];
    let text = main;
    for (const name of steps) {
      const next = registerRouter(text, name);
      if (keepsBytes || name !== 'orders') expect(isSubsequence(text, next), `${name}: a byte of the input is gone`).toBe(true);
      expect(next).toContain(`include_router(${name}.router)`);
      // The file's line endings and nothing else; the first line and the BOM as they were.
      expect([...endings(next)].sort()).toEqual([...endings(main)].sort());
      expect(next.startsWith(text.slice(0, 20))).toBe(true);
      expect(next.endsWith(text.slice(-20))).toBe(true);
      if (name === 'orders') for (const part of contains) expect(next).toContain(part);
      toParse.set(`${label} + ${name}`, next);
      text = next;
    }
    if (ruff) expect(ruffCheck(new Map([...service, ['app/main.py', text]]))).toEqual([]);
  });

  // The same edits on every combination of the file-wide traits and a few import layouts.
  const layouts = [
    IMPORT,
    'from app.routes import (\n    health,  # c\n    items,\n)\n',
    'from app.routes import (\n    # c\n    health,\n    items\n)\n',
    'from app.routes import (\n    health,\n    items)\n',
    'from app.routes import (health,\n                        items)\n',
    'from app.routes import health, \\\n    items  # c\n',
  ];
  const traits = {
    ending: [(t: string) => t, crlf, (t: string) => t.replace(/\n/g, '\r')],
    indent: [(t: string) => t, (t: string) => t.replace(/^( {4})+/gm, (spaces) => '\t'.repeat(spaces.length / 4))],
    bom: [(t: string) => t, (t: string) => `\uFEFF${t}`],
    last: [(t: string) => t, (t: string) => t.replace(/\n$/, '')],
  };
  const combinations = layouts.flatMap((layout, l) =>
    traits.ending.flatMap((ending, e) =>
      traits.indent.flatMap((indent, i) =>
        traits.bom.flatMap((bom, b) => traits.last.map((last, n) => ({ label: `layout ${l}, ending ${e}, indent ${i}, bom ${b}, last ${n}`, main: bom(ending(indent(last(pristine.replace(IMPORT, layout))))) }))),
      ),
    ),
  );

  it(`keeps every byte and the endings on ${combinations.length} combinations of endings, indentation, BOM, final newline and import layout`, () => {
    for (const { label, main } of combinations) {
      let text = main;
      for (const name of ['orders', 'accounts', 'zoo']) {
        const next = registerRouter(text, name);
        expect(isSubsequence(text, next), `${label} + ${name}`).toBe(true);
        expect([...endings(next)].sort(), `${label} + ${name}`).toEqual([...endings(main)].sort());
        expect(next.endsWith(text.slice(-10)), `${label} + ${name}`).toBe(true);
        toParse.set(`${label} + ${name}`, next);
        text = next;
      }
    }
  });

  it('every result is valid Python (python3 ast.parse)', () => {
    expect(toParse.size).toBe((Object.keys(handled).length + combinations.length) * 3);
    const file = join(dir, 'sources.json');
    writeFileSync(file, JSON.stringify(Object.fromEntries(toParse)));
    const script = [
      'import ast, json, sys',
      'bad = {}',
      'for label, source in json.load(open(sys.argv[1], encoding="utf-8")).items():',
      '    try:',
      '        ast.parse(source.encode("utf-8"))',
      '    except SyntaxError as error:',
      '        bad[label] = f"line {error.lineno}: {error.msg}"',
      'print(json.dumps(bad))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({});
  });
});

/** 1-based line of the first line containing `marker`. */
const lineOf = (text: string, marker: string) => text.split(/\r\n|\r|\n/).findIndex((l) => l.includes(marker)) + 1;

const refused: Record<string, { main: string; line?: string; why: RegExp }> = {
  'our name aliased onto another module': { main: edited(IMPORT, 'from app.routes import health, items as orders\n'), line: 'items as orders', why: /the name "orders" is already imported there/ },
  'our module already imported under an alias': { main: edited(IMPORT, `${IMPORT}from app.routes import orders as o\n`), line: 'orders as o', why: /route "orders" is already imported there \(as o\)/ },
  'our module imported as `import app.routes.orders as o`': { main: edited(IMPORT, `${IMPORT}import app.routes.orders as o\n`), line: 'app.routes.orders', why: /already imported there \(from app.routes.orders\)/ },
  'our module imported as `from app.routes.orders import router`': { main: edited(IMPORT, `${IMPORT}from app.routes.orders import router\n`), line: 'app.routes.orders', why: /already imported there/ },
  'the name imported from elsewhere': { main: edited(IMPORT, `from shop import orders\n${IMPORT}`), line: 'shop', why: /"orders" is already imported there, and the route's module would shadow it/ },
  'the name defined at the top level': { main: edited('\n\n@cache\n', '\n\norders = []\n\n\n@cache\n'), line: 'orders = []', why: /"orders" is already defined there/ },
  'a function of that name': { main: edited('\n\n@cache\n', '\n\ndef orders():\n    pass\n\n\n@cache\n'), line: 'def orders', why: /already defined there/ },
  'a router of that name registered by hand without the import': {
    main: edited(INCLUDES, `${INCLUDES}    app.include_router(orders.router, prefix="/v1")\n`),
    line: 'orders.router',
    why: /"orders.router" is already used there/,
  },
  'a star import': { main: edited(IMPORT, 'from app.routes import *\n'), line: 'import *', why: /"from app.routes import \*" does not say which route modules it imports; write them out/ },
  'the import only inside `if TYPE_CHECKING:`': {
    main: edited(IMPORT, 'from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from app.routes import health, items\n'),
    line: 'import health',
    why: /inside a block \("if TYPE_CHECKING:"\).*move the import to the top level/,
  },
  'the import only inside a one-line `if`': { main: edited(IMPORT, 'if True: from app.routes import health, items\n'), line: 'if True', why: /inside a block/ },
  'no routers import at all': { main: edited(IMPORT, ''), why: /has no "from app.routes import \.\.\." line.*put it back/ },
  'no anchor': { main: edited(/^.*# pyservice:routers.*\n/m, ''), why: /has no comment "# pyservice:routers" inside create_app\(\)/ },
  'the anchor twice': { main: edited('    return app\n', '    # pyservice:routers\n    return app\n'), why: /is on 2 lines \(49, 50\).*keep only the one/ },
  'the anchor after code on a line': {
    main: edited(/ {4}# pyservice:routers.*\n {4}return app\n/, '    return app  # pyservice:routers\n'),
    line: 'return app',
    why: /must be on a line of its own between statements/,
  },
  'the anchor inside a call': { main: edited('        lifespan=lifespan,\n', '        lifespan=lifespan,\n        # pyservice:routers\n', edited(/^.*# pyservice:routers.*\n/m, '')), line: '# pyservice', why: /must be on a line of its own/ },
  'the anchor between the end of create_app() and the module code, indented like neither': {
    main: edited(/^ {4}# pyservice:routers.*\n {4}return app\n/m, '    return app\n  # pyservice:routers\n'),
    line: '# pyservice',
    why: /not indented like the statements around it/,
  },
  'a string that is never closed': { main: edited('version=__version__,', 'version="__version__,'), line: 'version=', why: /cannot be read as Python \(a string is not closed\)/ },
  'a parenthesis that is never closed': { main: edited(IMPORT, 'from app.routes import (health, items\n'), line: 'import (health', why: /cannot be read as Python \("\(" is not closed\)/ },
};

describe('registerRouter refuses what it cannot edit safely', () => {
  it.each(Object.entries(refused))('%s', (_label, { main, line, why }) => {
    let error: unknown;
    try {
      registerRouter(main, 'orders');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RouteError);
    const message = (error as RouteError).message;
    expect(message).toMatch(why);
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^app\/main\.py[: ]/);
    expect(message).toMatch(/(then run the command again|choose another name)$/);
    if (line) expect(message.startsWith(`app/main.py:${lineOf(main, line)}: `), message).toBe(true);
  });
});

describe('registerRouter on damaged files (seeded mutations of the pristine main.py)', () => {
  const PIECES = ['(', ')', '#', '"', "'", '\\', ':', ';', ',', ' as x', '\n', '\r\n', '\t', '    ', 'if True:\n', '"""', 'f"{', '}', '.', 'items', ' # pyservice:routers\n', 'from app.routes import zz\n', 'import app.routes.zz as q\n'];

  it('never fails otherwise than with a one-line RouteError, and keeps valid Python valid', () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const results: Record<string, [string, string]> = {};
    const unexpected: string[] = [];
    for (let k = 0; k < 3000; k++) {
      let text = pristine;
      for (let j = 1 + random(3); j > 0; j--) {
        const at = random(text.length);
        text = random(3) === 0 ? text.slice(0, at) + text.slice(at + 1 + random(5)) : text.slice(0, at) + PIECES[random(PIECES.length)] + text.slice(at);
      }
      try {
        results[k] = [text, registerRouter(text, 'orders')];
      } catch (error) {
        if (!(error instanceof RouteError) || !/^app\/main\.py[: ][^\n]*$/.test(error.message)) unexpected.push(`${String(error)}\n${text}`);
      }
    }
    expect(unexpected).toEqual([]);
    const file = join(dir, 'mutations.json');
    writeFileSync(file, JSON.stringify(results));
    const script = [
      'import ast, json, sys',
      'bad = []',
      'for key, (before, after) in json.load(open(sys.argv[1], encoding="utf-8")).items():',
      '    try:',
      '        ast.parse(before.encode("utf-8"))',
      '    except SyntaxError:',
      '        continue',
      '    try:',
      '        ast.parse(after.encode("utf-8"))',
      '    except SyntaxError as error:',
      '        bad.append(f"{key}: line {error.lineno}: {error.msg}")',
      'print(json.dumps(bad))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([]);
    expect(Object.keys(results).length).toBeGreaterThan(1000);
  });
});
