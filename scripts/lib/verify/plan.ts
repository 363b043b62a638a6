/**
 * The check units of `npm run verify`, each with an id (what PATTERN and --list name), one line of
 * what it proves, the inputs that decide its result (cache.ts builds its key from them) and the
 * units it needs. Runner: select by pattern (plus what the selection needs), then for each unit in
 * order, replay it when its key passed before (cache.ts), else run it and store it if it passed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { validCombinations } from '../../../src/model/compat.js';
import { PYTHON_VERSIONS, VERSIONS } from '../../../src/model/versions.js';
import { matches } from './args.js';
import { restorePipSaving, badCases, makeLockWithoutPoetry, pipSaving, type PipSaving } from './bad-cases.js';
import { hashFiles, sha256, type UnitCache } from './cache.js';
import { capturing, defaults, ENGINE_LABEL, ENGINES, enginesOf, hardenedRunsOf, LOG_DIR, projectFacts, presetId, pythonNote, record, replay, type Choices, type Preset, type ProjectFacts } from './context.js';
import { buildkitLint, imageChecks, noLockBuild, plantSecrets } from './image.js';
import { addDatabase, dbEngines, dbImageChecks, dbPresets, freshDatabase } from './db.js';
import { dependencyAdded } from './deps-added.js';
import { projectChecks, staticChecks } from './project.js';
import { hardenedRun, startIntervalCheck } from './runtime.js';
import { timed } from './times.js';
import { generatedTrees, typeCheckGenerated } from './typecheck.js';

/**
 * Every preset is built, run and tested for real: every valid combination at
 * Python 3.13 (distroless exists only there) and at the default Python, and the
 * default preset at every other offered version.
 */
export function presets(): Preset[] {
  const full = (python: string) => python === VERSIONS.distrolessPython || python === defaults.python;
  const list: Preset[] = validCombinations()
    .filter((c) => full(c.python))
    .map((choices) => ({ id: presetId(choices), choices, note: pythonNote(choices.python) }));
  for (const python of PYTHON_VERSIONS) {
    if (full(python)) continue;
    const choices = { ...defaults, python };
    list.push({ id: presetId(choices), choices, note: pythonNote(python) });
  }
  // The newest Python runs gunicorn too (its uvicorn-worker pair differs from 3.13's; issue #19).
  const newest = PYTHON_VERSIONS[PYTHON_VERSIONS.length - 1]!;
  if (!full(newest)) {
    const choices = { ...defaults, python: newest, server: 'gunicorn' as const };
    list.push({ id: presetId(choices), choices, note: pythonNote(newest) });
  }
  return list;
}

/** What a unit can ask of the run: scaffolded projects (made once, on first use) and a work directory. */
export interface RunContext {
  readonly work: string;
  /** The preset's project: its directory and rendered files (undefined if scaffolding failed). */
  project(choices: Choices): { dir: string; files: Map<string, string> } | undefined;
  /** Hash of what the living flow depends on beyond the verify code: the CLI bundle and the templates. */
  livingInputs(): string;
  /** Run the living flow. */
  living(): Promise<void>;
  /** Scaffold the default project into `dir`, in a git repository (as a user would have it); false if the CLI failed. */
  scaffoldInGit(dir: string): boolean;
}

export interface Unit {
  readonly id: string;
  readonly what: string;
  /** Units that must run (or be reused) before this one. */
  readonly needs?: readonly string[];
  /** The unit-specific inputs of its key; undefined: never reused. Called just before it would run. */
  inputs?(ctx: RunContext): string | undefined;
  /** Run it; what it returns is stored with its records and given to restore() when it is reused. */
  run(ctx: RunContext): Promise<unknown>;
  restore?(data: unknown): void;
  /** The preset its records are about (a stored unit may be replayed under another preset with the same key). */
  readonly preset?: string;
  /** Share one key between units of different presets (identical build contexts built once). */
  readonly sharedKey?: boolean;
}

const filesOf = (ctx: RunContext, choices: Choices) => {
  const project = ctx.project(choices);
  return project ? hashFiles(project.files) : undefined;
};

const needProject = (ctx: RunContext, choices: Choices, id: string) => {
  const project = ctx.project(choices);
  // The static unit records the scaffold itself; the others only say when there is nothing to check.
  if (!project) record(id, 'scaffolded non-interactively', false, 'the CLI failed');
  return project;
};

export function units(): Unit[] {
  const all = presets();
  const combos = validCombinations().map((choices) => ({ id: presetId(choices), choices }));
  const defaultId = presetId(defaults);
  const distroless = { ...defaults, runtime: 'distroless' as const, python: VERSIONS.distrolessPython };
  const list: Unit[] = [
    {
      id: 'matrix',
      what: 'the presets cover every combination the compatibility table allows at 3.13 and the default Python, and every offered Python',
      async run() {
        const expectedFull = validCombinations().filter((c) => c.python === VERSIONS.distrolessPython).length;
        record('matrix', 'presets at Python 3.13 = combinations the compatibility table allows there', all.filter((p) => p.choices.python === VERSIONS.distrolessPython).length === expectedFull, `${expectedFull} runtime × deps × server combinations`);
        const expectedDefault = validCombinations().filter((c) => c.python === defaults.python).length;
        record('matrix', `presets at the default Python ${defaults.python} = combinations allowed there`, all.filter((p) => p.choices.python === defaults.python).length === expectedDefault, `${expectedDefault} combinations`);
        record('matrix', 'every offered Python version is covered', PYTHON_VERSIONS.every((v) => all.some((p) => p.choices.python === v)), PYTHON_VERSIONS.join(', '));
      },
    },
    {
      id: 'pyright',
      what: 'pyright --strict is clean on every distinct generated Python tree, against the libraries of its Python\'s index view',
      inputs: () => sha256(JSON.stringify([...generatedTrees()].map(([key, tree]) => [key, tree.view]))),
      run: (ctx) => timed('pyright', async () => typeCheckGenerated(ctx.work, generatedTrees())),
    },
  ];
  for (const { id, choices } of combos) {
    list.push({
      id: `static:${id}`,
      what: `${id} scaffolds, and passes ruff, our Dockerfile rules and the text checks`,
      inputs: (ctx) => filesOf(ctx, choices),
      run: (ctx) =>
        timed('scaffold + static checks', async () => {
          const project = ctx.project(choices);
          if (record(id, 'scaffolded non-interactively', project !== undefined, project ? '' : 'the CLI failed')) staticChecks(id, project!.files);
        }),
    });
    list.push({
      id: `lint:${id}`,
      what: `${id}'s Dockerfile passes BuildKit's own build checks (harness lint.sh)`,
      inputs: (ctx) => filesOf(ctx, choices),
      async run(ctx) {
        const project = ctx.project(choices);
        if (!project) return record(id, "BuildKit's build checks on the Dockerfile (harness lint.sh)", false, 'not scaffolded');
        const lint = await buildkitLint(project.dir, join(LOG_DIR, `${id}.lint.log`));
        return record(id, "BuildKit's build checks on the Dockerfile (harness lint.sh)", lint.ok, lint.detail);
      },
    });
  }
  for (const preset of all) {
    list.push({
      id: `project:${preset.id}`,
      what: `${preset.id}: the generated tests (-W error, and with a hostile .env and environment), mypy --strict and poetry check pass on its real Python`,
      preset: preset.id,
      inputs: (ctx) => filesOf(ctx, preset.choices),
      async run(ctx) {
        const project = needProject(ctx, preset.choices, preset.id);
        if (!project) return undefined;
        const facts = await projectChecks(preset, project.dir);
        projectFacts.set(preset.id, facts);
        return facts;
      },
      restore: (data) => projectFacts.set(preset.id, data as ProjectFacts),
    });
    for (const engine of enginesOf(preset.choices)) {
      list.push({
        id: `image:${preset.id}:${engine}`,
        what: `${preset.id} built and run by ${ENGINE_LABEL[engine]}: /health, HEALTHCHECK, non-root, cached rebuild, nothing that must not ship`,
        preset: preset.id,
        sharedKey: true,
        inputs: (ctx) => {
          const files = filesOf(ctx, preset.choices);
          return files && sha256(files, engine, String(preset.id === defaultId));
        },
        async run(ctx) {
          const project = needProject(ctx, preset.choices, preset.id);
          if (!project) return;
          plantSecrets(project.dir);
          startIntervalCheck(preset.id, project.files);
          await imageChecks(preset, project.dir, ctx.work, engine);
        },
      });
      if (!hardenedRunsOf(preset.choices).includes(engine)) continue;
      list.push({
        id: `runtime:${preset.id}:${engine}`,
        what: `${preset.id} served by ${ENGINE_LABEL[engine]} with a read-only root and no capabilities: X-Request-ID, JSON logs, HEALTHCHECK, stop with a request in flight`,
        preset: preset.id,
        needs: [`image:${preset.id}:${engine}`],
        inputs: (ctx) => {
          const files = filesOf(ctx, preset.choices);
          return files && sha256(files, engine);
        },
        async run(ctx) {
          const project = needProject(ctx, preset.choices, preset.id);
          if (project) await hardenedRun(preset, project.dir, project.files, engine);
        },
      });
    }
  }
  // The database presets (issue #23): tests, migrations and the image against a real PostgreSQL.
  for (const choices of dbPresets()) {
    const preset: Preset = { id: presetId(choices), choices, note: pythonNote(choices.python) };
    list.push({
      id: `project:${preset.id}`,
      what: `${preset.id}: the generated tests (-W error, hostile .env and environment), mypy --strict, poetry check and the Alembic cycle pass on its real Python against a real PostgreSQL`,
      preset: preset.id,
      inputs: (ctx) => filesOf(ctx, choices),
      async run(ctx) {
        const project = needProject(ctx, choices, preset.id);
        if (!project) return undefined;
        const db = { tests: freshDatabase(`${preset.id}_tests`), migrations: freshDatabase(`${preset.id}_migrations`) };
        const facts = await projectChecks(preset, project.dir, db);
        projectFacts.set(preset.id, facts);
        return facts;
      },
      restore: (data) => projectFacts.set(preset.id, data as ProjectFacts),
    });
    for (const engine of dbEngines(choices)) {
      list.push({
        id: `db-image:${preset.id}:${engine}`,
        what: `${preset.id} built by ${ENGINE_LABEL[engine]}: migrations run by the image, an item survives a container restart, /health/ready 503 while the database is stopped (/health 200), back to 200 after`,
        preset: preset.id,
        needs: [`project:${preset.id}`],
        inputs: (ctx) => {
          const files = filesOf(ctx, choices);
          return files && sha256(files, engine);
        },
        async run(ctx) {
          const project = needProject(ctx, choices, preset.id);
          if (project) await dbImageChecks(preset, project.dir, project.files, engine, ctx.work);
        },
      });
    }
  }
  list.push({
    id: 'add-db',
    what: `${defaultId}: pyservice add db postgres on a generated project, then its tests and alembic check on a real PostgreSQL`,
    inputs: (ctx) => ctx.livingInputs(),
    run: (ctx) => addDatabase(ctx.work, (dir) => ctx.scaffoldInGit(dir)),
  });
  for (const deps of ['wheels', 'venv'] as const) {
    const choices: Choices = { ...defaults, runtime: 'slim', deps };
    const id = presetId(choices);
    for (const engine of ENGINES) {
      list.push({
        id: `deps-added:${id}:${engine}`,
        what: `${id}: a dependency added to the project reaches the image ${ENGINE_LABEL[engine]} rebuilds with its layer cache (buildah #6609)`,
        preset: id,
        inputs: (ctx) => {
          const files = filesOf(ctx, choices);
          return files && sha256(files, engine);
        },
        async run(ctx) {
          const project = needProject(ctx, choices, id);
          if (project) await dependencyAdded(choices, project.dir, ctx.work, engine);
        },
      });
    }
  }
  for (const engine of ENGINES) {
    list.push({
      id: `nolock:${engine}`,
      what: `${defaultId} without poetry.lock builds and runs with ${ENGINE_LABEL[engine]}, saying once that it resolved in the build`,
      inputs: (ctx) => filesOf(ctx, defaults),
      async run(ctx) {
        const project = needProject(ctx, defaults, defaultId);
        if (project) await noLockBuild(project.dir, ctx.work, engine);
      },
    });
  }
  list.push(
    {
      id: 'make-lock',
      what: `${defaultId}: make lock with Docker and no Poetry writes a poetry.lock that passes poetry check --lock`,
      inputs: (ctx) => filesOf(ctx, defaults),
      async run(ctx) {
        const project = needProject(ctx, defaults, defaultId);
        if (project) await timed('make lock', () => makeLockWithoutPoetry(project.dir, ctx.work));
      },
    },
    {
      id: 'bad-cases',
      what: 'known-bad variants fail: venv into distroless unfixed, pip in the venv, mismatched Pythons, a failing test, a deprecation, a type error, lint',
      needs: [`image:${defaultId}:podman`],
      inputs: (ctx) => {
        const [base, dl] = [filesOf(ctx, defaults), filesOf(ctx, distroless)];
        return base && dl && sha256(base, dl);
      },
      async run(ctx) {
        const base = ctx.project(defaults);
        const dl = ctx.project(distroless);
        const dirs = new Map<string, string>();
        if (base) dirs.set(defaultId, base.dir);
        if (dl) dirs.set(presetId(distroless), dl.dir);
        await timed('bad cases', () => badCases(ctx.work, dirs));
        return pipSaving;
      },
      restore: (data) => restorePipSaving(data as PipSaving | undefined),
    },
    {
      id: 'living',
      what: 'a project lived: created, routes added, switched to distroless, edited, updated by the next release; edits kept, tests and image pass',
      inputs: (ctx) => ctx.livingInputs(),
      run: (ctx) => timed('living flow', () => ctx.living()),
    },
  );
  return list;
}

/** The units `patterns` select, in run order, with the units they need. */
export function select(all: readonly Unit[], patterns: readonly string[]): Unit[] {
  const wanted = new Set(all.filter((u) => matches(u.id, patterns)).map((u) => u.id));
  for (const unit of all) if (wanted.has(unit.id)) for (const need of unit.needs ?? []) wanted.add(need);
  return all.filter((u) => wanted.has(u.id));
}

export interface RunSummary {
  ran: number;
  reused: number;
  ranChecks: number;
  reusedChecks: number;
}

/**
 * The unit's cache key: `common` (code, harness, Node), its kind (its id; for units that share
 * builds, the id without the preset: `image::podman`) and its own inputs; undefined: never reused.
 */
export function unitKey(unit: Unit, ctx: RunContext, common: string): string | undefined {
  const inputs = unit.inputs?.(ctx);
  const kind = unit.sharedKey && unit.preset ? unit.id.replace(`:${unit.preset}`, ':') : unit.id;
  return inputs === undefined ? undefined : sha256(common, kind, inputs);
}

/**
 * Run `selected` in order. `common`: the key parts every unit shares (code, harness, Node). A unit
 * whose key the cache holds is replayed; one that runs is stored when all its checks passed.
 */
export async function runUnits(selected: readonly Unit[], ctx: RunContext, cache: UnitCache, common: string): Promise<RunSummary> {
  const summary: RunSummary = { ran: 0, reused: 0, ranChecks: 0, reusedChecks: 0 };
  mkdirSync(ctx.work, { recursive: true });
  for (const unit of selected) {
    const key = unitKey(unit, ctx, common);
    const stored = key === undefined ? undefined : cache.get(key);
    if (stored) {
      replay(stored, stored.id, unit.preset ?? stored.id);
      unit.restore?.(stored.data);
      summary.reused++;
      summary.reusedChecks += stored.records.length;
      continue;
    }
    let data: unknown;
    const made = await capturing(async () => {
      try {
        data = await unit.run(ctx);
      } catch (error) {
        record(unit.preset ?? unit.id, `${unit.id} ran to the end`, false, error instanceof Error ? error.message : String(error));
      }
    });
    summary.ran++;
    summary.ranChecks += made.records.length;
    if (key !== undefined) cache.put(key, { id: unit.preset ?? unit.id, records: made.records, rows: made.rows, ...(data === undefined ? {} : { data }) });
  }
  return summary;
}
