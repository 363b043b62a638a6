// esbuild plugin: node-plop as create-pyservice uses it, and nothing else.
//
// Every generator is registered with node-plop (setGenerator, setActionType) and
// run by it (getGenerator(name).runActions): that is all of node-plop we use.
// Its prompting (inquirer 9 + rxjs), its Handlebars templating (renderString and
// the built-in add/addMany/modify/append actions, with the change-case and
// title-case helpers, tinyglobby, picomatch and isbinaryfile under them), plopfile
// loading (`load`, through `resolve`) and the package.json lookup for the `pkg`
// helper are not: our questions are asked by @inquirer/prompts before node-plop
// runs, our templates are ejs, compiled at build time (scripts/lib/templates.mjs),
// and our actions are our own action types. Loading those parts cost about half of
// a scaffold's own time, so they are replaced by stand-ins that fail loudly,
// naming what is not bundled, if anything ever calls them.
const STAND_INS = {
  inquirer: {
    what: "node-plop's prompts (inquirer)",
    code: 'export default { registerPrompt() {}, prompt: Object.assign(unavailable, { prompts: {} }) };',
  },
  handlebars: {
    what: "node-plop's Handlebars templates (renderString, the add/addMany/modify/append actions)",
    code: 'export default { registerHelper() {}, registerPartial() {}, compile: unavailable };',
  },
  resolve: {
    what: "node-plop's plopfile loading (plop.load)",
    code: 'export default { sync: unavailable };',
  },
  // The `pkg` helper's property lookup.
  dlv: {
    what: "node-plop's pkg helper",
    code: 'export default unavailable;',
  },
  // The Handlebars helpers (camelCase, titleCase, ...): only templates use them.
  './baked-in-helpers.js': {
    what: "node-plop's Handlebars helpers",
    code: 'export default {};',
  },
  // The built-in actions: they render Handlebars templates.
  './actions/index.js': {
    what: "node-plop's built-in actions (add, addMany, modify, append)",
    code: 'export const add = unavailable, addMany = unavailable, modify = unavailable, append = unavailable;',
  },
  // createRequire serves only the `pkg` helper's package.json lookup (a failed lookup is an empty object).
  'node:module': {
    what: "node-plop's package.json lookup (the pkg helper)",
    code: 'export const createRequire = () => unavailable;',
  },
};

export const nodePlopCore = {
  name: 'node-plop-core',
  setup(build) {
    const names = Object.keys(STAND_INS).map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) =>
      /[\\/]node_modules[\\/]node-plop[\\/]/.test(args.importer) ? { path: args.path, namespace: 'node-plop-stand-in' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'node-plop-stand-in' }, (args) => {
      const { what, code } = STAND_INS[args.path];
      return {
        contents: `function unavailable() { throw new Error(${JSON.stringify(`${what}: not bundled with create-pyservice`)}); }\n${code}\n`,
        loader: 'js',
      };
    });
  },
};
