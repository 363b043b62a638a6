/**
 * What to run after `add route`, `add db`, `docker` or `update` changed a project (pure: plan → steps).
 * Each step names the command and why, from the files the plan writes: a changed
 * pyproject.toml needs a new poetry.lock before anything installs or builds; a changed
 * Python needs a new .venv; a changed Dockerfile (or what the image copies) needs a
 * rebuilt image; a new route has a URL to try.
 */
import type { LivingPlan } from '../project/living.js';
import { routeNames } from '../render/route.js';

export interface NextStep {
  /** What to run. */
  readonly run: string;
  /** Why, in a few words. */
  readonly why: string;
}

/** Files the image is built from beyond app/ (a change to one of them needs a rebuild). */
const IMAGE_INPUTS = new Set(['Dockerfile', '.dockerignore', 'gunicorn_config.py', 'pyproject.toml']);

/** The steps after `plan` was applied, in the order to run them (empty when nothing needs doing). */
export function stepsAfter(plan: LivingPlan): NextStep[] {
  const written = new Set(plan.files.filter((f) => f.action !== 'keep').map((f) => f.path));
  const steps: NextStep[] = [];
  if (plan.command === 'add route') {
    const port = plan.next.answers.port;
    for (const route of plan.next.routes.filter((r) => !plan.from.routes.includes(r))) {
      steps.push({ run: 'make run', why: `then open http://127.0.0.1:${port}${routeNames(route).urlPrefix} (and /docs)` });
    }
    steps.push({ run: 'make test', why: "the route's own tests and the rest" });
    return steps;
  }
  const pythonChanged = plan.from.answers.python !== plan.next.answers.python;
  if (written.has('pyproject.toml')) steps.push({ run: 'make lock', why: 'pyproject.toml changed: make poetry.lock again, commit it' });
  if (pythonChanged || written.has('pyproject.toml')) {
    steps.push({ run: 'make install', why: pythonChanged ? `Python is now ${plan.next.answers.python}: Poetry makes a new .venv` : 'install what the new lock says' });
  }
  if (plan.command === 'add db') {
    if (plan.next.answers.compose) steps.push({ run: 'make db-up', why: 'start PostgreSQL (Docker Compose), then cp .env.example .env for DATABASE_URL' });
    steps.push({ run: 'make migrate', why: 'create the tables (alembic upgrade head)' });
    steps.push({ run: 'DATABASE_URL=... make test', why: 'the tests run on the database DATABASE_URL names (see .env.example)' });
  } else if ([...written].some((path) => path.startsWith('app/') || path.startsWith('tests/') || path === 'pyproject.toml')) steps.push({ run: 'make test', why: 'the tests on the changed code' });
  if ([...written].some((path) => IMAGE_INPUTS.has(path) || path.startsWith('app/'))) steps.push({ run: 'make docker-build', why: 'rebuild the image: what it is built from changed' });
  return steps;
}
