/**
 * What `pyservice add route` writes, checked by the real consumers: ruff (lint
 * and format with the project's own settings, so isort's order too); the
 * generated project's tests run on real Python in `npm run verify`.
 */
import { describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { renderRoute, routeNames, RouteError, ROUTE_NAME_MAX, singularOf, sortMembers } from '../../src/render/route.js';
import { registerRouter } from '../../src/render/route-register.js';
import { ruffCheck } from '../../scripts/lib/ruff.js';
import { textProblems } from '../../scripts/lib/text-checks.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const service = renderService(defaultAnswers(), TEST_VERSION);
const mainPy = service.get('app/main.py')!;

/** The service plus the given routes, registered one after another. */
function withRoutes(names: string[]): Map<string, string> {
  const files = new Map(service);
  for (const name of names) {
    for (const [path, content] of renderRoute(routeNames(name))) files.set(path, content);
    files.set('app/main.py', registerRouter(files.get('app/main.py')!, name));
  }
  return files;
}

describe('route names', () => {
  it.each([
    ['orders', 'order', 'Order', '/orders'],
    ['order_lines', 'order_line', 'OrderLine', '/order-lines'],
    ['categories', 'category', 'Category', '/categories'],
    ['addresses', 'address', 'Address', '/addresses'],
    ['status', 'status', 'Status', '/status'],
    ['inventory', 'inventory', 'Inventory', '/inventory'],
    ['v2_items', 'v2_item', 'V2Item', '/v2-items'],
  ])('%s → %s, %s, %s', (name, singular, model, prefix) => {
    expect(routeNames(name)).toMatchObject({ name, singular, model, urlPrefix: prefix });
    expect(singularOf(name)).toBe(singular);
  });

  it.each([
    ['', /is empty/],
    ['2fast', /not a valid Python identifier/],
    ['order-lines', /not a valid Python identifier/],
    ['ordérs', /not a valid Python identifier/],
    ['class', /Python keyword/],
    ['match', /Python keyword/],
    ['Orders', /lower-case module name.*try orders/],
    ['_orders', /lower-case module name/],
    ['app', /shadow "app" in app\/main.py/],
    ['settings', /shadow/],
    ['requests', /class Request, which the generated modules already import/],
    ['fields', /class Field/],
    ['services', /class Service/],
    ['item', /app.state.item_service/],
    ['a'.repeat(ROUTE_NAME_MAX + 1), /longer than 24/],
  ])('refuses %j', (name, why) => {
    expect(() => routeNames(name)).toThrow(RouteError);
    expect(() => routeNames(name)).toThrow(why);
  });
});

describe('registerRouter', () => {
  it('imports in isort order and registers above the anchor, keeping what is there', () => {
    const once = registerRouter(mainPy, 'orders');
    expect(once).toContain('from app.routes import health, items, orders\n');
    expect(once).toMatch(/app\.include_router\(items\.router\)\n {4}app\.include_router\(orders\.router\)\n {4}# pyservice:routers/);
    const twice = registerRouter(once, 'accounts');
    expect(twice).toContain('from app.routes import accounts, health, items, orders\n');
    expect(twice).toMatch(/include_router\(orders\.router\)\n {4}app\.include_router\(accounts\.router\)\n {4}# pyservice:routers/);
  });

  it('survives the user moving things around: own routers, a moved anchor', () => {
    const edited = mainPy
      .replace('from app.routes import health, items', 'from app.routes import health, items, mine')
      .replace('    app.include_router(items.router)\n', '    app.include_router(items.router)\n    app.include_router(mine.router, prefix="/v1")\n');
    const result = registerRouter(edited, 'orders');
    expect(result).toContain('from app.routes import health, items, mine, orders\n');
    expect(result).toContain('app.include_router(mine.router, prefix="/v1")\n    app.include_router(orders.router)\n    # pyservice:routers');
  });

  it('refuses without its anchors, naming them, and a name already imported', () => {
    expect(() => registerRouter(mainPy.replace(/^.*# pyservice:routers.*\n/m, ''), 'orders')).toThrow(/no comment "# pyservice:routers"/);
    expect(() => registerRouter(mainPy.replace('from app.routes import health, items\n', ''), 'orders')).toThrow(/from app.routes import/);
    expect(() => registerRouter(mainPy, 'items')).toThrow(/already imported/);
  });

  it('sorts members as ruff does (natural order, _ before letters)', () => {
    expect(sortMembers(['item10', 'item2', 'b', 'a_b', 'ab', 'health'])).toEqual(['a_b', 'ab', 'b', 'health', 'item2', 'item10']);
  });
});

describe('generated route files', () => {
  const names = ['orders', 'accounts', 'order_lines', 'item2', 'item10', 'status', 'x'.repeat(ROUTE_NAME_MAX), 'categories', 'zebras', 'a_b'];
  const files = withRoutes(names);

  it('pass ruff check and ruff format --check, main.py included (many routes: the import wraps)', () => {
    expect(files.get('app/main.py')).toContain('from app.routes import (\n    a_b,\n');
    expect(ruffCheck(files)).toEqual([]);
  });

  it('keep a wrapped import wrapped when more routes come', () => {
    const more = registerRouter(files.get('app/main.py')!, 'zzz');
    expect(more).toContain('    zebras,\n    zzz,\n)');
    expect(ruffCheck(new Map([...files, ['app/main.py', more]]))).toEqual([]);
  });

  it('have no template leftovers, undefined, TODOs or trailing whitespace', () => {
    expect(textProblems(files)).toEqual([]);
  });

  it('have the shape of the items example', () => {
    const route = renderRoute(routeNames('orders'));
    expect([...route.keys()].sort()).toEqual(['app/routes/orders.py', 'app/schemas/orders.py', 'app/services/orders.py', 'tests/test_orders.py']);
    expect(route.get('app/routes/orders.py')).toContain('router = APIRouter(prefix="/orders", tags=["orders"])');
    expect(route.get('app/services/orders.py')).toContain('class OrderService:');
    expect(route.get('app/schemas/orders.py')).toContain('class Order(OrderCreate):');
  });
});
