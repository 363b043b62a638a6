/**
 * `pyservice add route NAME`: what a route is (name rules, the names derived
 * from it), its files (templates/route/, the shape of the `items` example),
 * and its registration in app/main.py at two stable anchors:
 * - the `from app.routes import ...` line, which gets the new module in the
 *   order ruff's isort wants (so the file stays lint-clean);
 * - the `# pyservice:routers` comment, above which `app.include_router(...)`
 *   is inserted (so a router the user registered by hand stays where it is).
 * The registration itself (a careful edit of the user's file) is in
 * route-register.ts; this module keeps the member order it shares with the
 * templates' own imports.
 */
import { templateFiles } from './template-source.js';
import { quoted } from '../model/text.js';
import { PYTHON_KEYWORDS, pyDocText, pyIdentifier, pyString } from './escape.js';
import { DetailedError } from '../model/errors.js';

/** Longest route name: every generated line then fits ruff's 100 columns. */
export const ROUTE_NAME_MAX = 24;
export const MAIN_PY = 'app/main.py';
/** The registration anchor the service template puts in app/main.py. */
export const ROUTERS_ANCHOR = '# pyservice:routers';

/** A problem with what the user asked for (exit 2). */
export class RouteError extends DetailedError {}

/** Names the generated modules import or define: a route's derived names must not shadow them. */
const TAKEN_CLASSES = new Set(['Annotated', 'APIRouter', 'Depends', 'HTTPException', 'Request', 'Service', 'BaseModel', 'Field', 'TestClient', 'LookupError']);
/** Names bound in app/main.py, where the route's module name is imported. */
const TAKEN_IN_MAIN = new Set([
  'app', 'create_app', 'lifespan', 'settings', 'asynccontextmanager', 'AsyncIterator', 'FastAPI', 'Settings', 'get_settings', 'ItemService',
]);
/** app.state attributes the service template already uses. */
const TAKEN_STATE = new Set(['item_service', 'settings']);

export interface RouteNames {
  /** Module name and URL resource: `order_lines`. */
  readonly name: string;
  /** One of them: `order_line`. */
  readonly singular: string;
  /** The model class: `OrderLine`. */
  readonly model: string;
  /** `/order-lines`. */
  readonly urlPrefix: string;
  /** Where the app keeps the route's service: `order_lines_service`. */
  readonly stateAttribute: string;
}

/** English plural → singular for the usual endings; only names classes and variables. */
export function singularOf(name: string): string {
  if (/[^aeiou]ies$/.test(name) && name.length > 4) return `${name.slice(0, -3)}y`;
  if (/(?:ss|x|ch|sh)es$/.test(name)) return name.slice(0, -2);
  if (/[^su]s$/.test(name) && !/is$/.test(name) && name.length > 2) return name.slice(0, -1);
  return name;
}

const pascal = (snake: string) =>
  snake
    .split('_')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');

/** Check a route name and derive the others, or say exactly why it cannot be one. */
export function routeNames(raw: string): RouteNames {
  const name = raw.trim();
  const problem = (what: string) => new RouteError(`route name ${quoted(raw)} ${what}`);
  if (name.length === 0) throw problem('is empty: give the resource a name such as orders');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw problem('is not a valid Python identifier: use lower-case ASCII letters, digits and _, starting with a letter (e.g. orders, order_lines)');
  }
  if (PYTHON_KEYWORDS.has(name)) throw problem('is a Python keyword; choose another name');
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    throw problem(`must be a lower-case module name (PEP 8), starting with a letter: try ${name.toLowerCase().replace(/^_+/, '') || 'orders'}`);
  }
  if (name.length > ROUTE_NAME_MAX) throw problem(`is longer than ${ROUTE_NAME_MAX} characters`);
  if (TAKEN_IN_MAIN.has(name)) throw problem(`would shadow "${name}" in app/main.py; choose another name`);
  const singular = singularOf(name);
  const model = pascal(singular);
  for (const cls of [model, `${model}Create`, `${model}Service`, `${model}NotFoundError`]) {
    if (TAKEN_CLASSES.has(cls)) throw problem(`would name a class ${cls}, which the generated modules already import; choose another name`);
  }
  const stateAttribute = `${name}_service`;
  if (TAKEN_STATE.has(stateAttribute)) throw problem(`would use app.state.${stateAttribute}, which the items example already uses; choose another name`);
  return { name, singular, model, urlPrefix: `/${name.replace(/_/g, '-')}`, stateAttribute };
}

/** The route's own files: path → content (pure; app/main.py is changed by registerRouter). */
export function renderRoute(names: RouteNames): Map<string, string> {
  const context = { ...names, py: pyString, pyIdent: pyIdentifier, pyDoc: pyDocText, importFrom, pyDef };
  const files = new Map<string, string>();
  for (const template of templateFiles('route')) {
    files.set(template.path.replace(/\.ejs$/, '').replace('[name]', names.name), template.render(context));
  }
  return files;
}

/** Paths a route's files take (to refuse a name whose files exist). */
export const routePaths = (name: string): string[] => [...renderRoute(routeNames(name)).keys()];

// ------------------------------------------------------------ imports

/** ruff's isort member order: constants, classes, then the rest, each in natural order. */
function isortKey(name: string): [number, string] {
  const type = name.length > 1 && name === name.toUpperCase() ? 0 : /^[A-Z]/.test(name) ? 1 : 2;
  return [type, name.toLowerCase()];
}

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function sortMembers(names: readonly string[]): string[] {
  return [...names].sort((a, b) => {
    const [ta, ka] = isortKey(a);
    const [tb, kb] = isortKey(b);
    if (ta !== tb) return ta - tb;
    // isort compares character by character ('_' before letters), numbers by value.
    const byChar = natural.compare(ka.replace(/_/g, '\u0001'), kb.replace(/_/g, '\u0001'));
    return byChar !== 0 ? byChar : a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * `from MODULE import A, B` laid out as ruff format and isort want it: sorted,
 * on one line when it fits in 100 columns, else one member per line.
 */
export function importFrom(module: string, members: readonly string[], exploded = false): string {
  const sorted = sortMembers(members.map(pyIdentifier));
  const oneLine = `from ${module.split('.').map(pyIdentifier).join('.')} import ${sorted.join(', ')}`;
  if (!exploded && oneLine.length <= 100) return oneLine;
  return `from ${module} import (\n${sorted.map((m) => `    ${m},\n`).join('')})`;
}

/** A `def` line laid out as ruff format does when it is too long: the parameters on their own line(s). */
export function pyDef(head: string, params: readonly string[], tail: string): string {
  const oneLine = `${head}(${params.join(', ')})${tail}`;
  if (oneLine.length <= 100) return oneLine;
  const inner = `    ${params.join(', ')}`;
  if (inner.length <= 100) return `${head}(\n${inner}\n)${tail}`;
  return `${head}(\n${params.map((p) => `    ${p},\n`).join('')})${tail}`;
}
