/**
 * The files a team expects in a new service — CI workflow, compose.yaml,
 * Dependabot, pre-commit, .gitattributes, .editorconfig — checked for every
 * valid combination by their real consumers or maintained validators:
 * actionlint, dclint (Compose Specification schema), git check-attr, the
 * editorconfig library, GNU make; and each one follows the answers.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseEditorconfig } from 'editorconfig';
import { parse as parseToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validCombinations } from '../../src/model/compat.js';
import { renderService, type ProjectAnswers, type RenderedFiles } from '../../src/render/render.js';
import { GITHUB_ACTIONS } from '../../src/model/versions.js';
import { runMake } from '../helpers/checks.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';
import { lintCompose, lintWorkflow } from '../helpers/validators.js';

const root = mkdtempSync(join(tmpdir(), 'pyservice-team-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeTree(name: string, files: RenderedFiles): string {
  const dir = join(root, name);
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const WORKFLOW = '.github/workflows/ci.yml';
const TEAM_FILES = [WORKFLOW, 'compose.yaml', '.github/dependabot.yml', '.pre-commit-config.yaml', '.gitattributes', '.editorconfig'];

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

const byRepo = new Map<string, (typeof GITHUB_ACTIONS)[keyof typeof GITHUB_ACTIONS]>(
  Object.values(GITHUB_ACTIONS).map((a) => [a.repo, a]),
);

describe.each(validCombinations().map((c) => [`${c.python} ${c.runtime} ${c.deps} ${c.server}`, c] as const))('%s', (label, combo) => {
  const answers = defaultAnswers({ ...combo, name: 'team-service', port: 8123, poetryVersion: '2.3.4' });
  const files = renderService(answers, TEST_VERSION);
  const workflow = files.get(WORKFLOW)!;

  it('has a CI workflow that actionlint passes', async () => {
    expect(await lintWorkflow(workflow)).toEqual([]);
  });

  it('runs ruff, mypy and pytest on the chosen Python with the pinned Poetry, and builds the image with a BuildKit cache', () => {
    const doc = parseYaml(workflow);
    expect(doc.permissions).toEqual({ contents: 'read' });
    expect(doc.env.POETRY_VERSION).toBe('2.3.4');
    const steps = (job: string): Step[] => doc.jobs[job].steps;
    for (const job of Object.values<{ permissions?: unknown }>(doc.jobs)) expect(job.permissions).toBeUndefined();

    const python = steps('python');
    expect(python.find((s) => s.uses?.startsWith('actions/setup-python@'))?.with).toMatchObject({
      'python-version-file': '.python-version',
      cache: 'poetry',
    });
    expect(files.get('.python-version')!.trim()).toBe(combo.python);
    expect(python.map((s) => s.run).filter(Boolean)).toEqual([
      'pipx install "poetry==${POETRY_VERSION}"',
      'poetry check --lock --no-interaction',
      'poetry install --no-interaction',
      'make ruff',
      'make typecheck',
      'make test',
    ]);

    const build = steps('docker').find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(build?.with).toMatchObject({ context: '.', 'cache-from': 'type=gha', 'cache-to': 'type=gha,mode=max', push: false });
    expect(doc.jobs.docker.env.IMAGE).toBe('team-service:ci');
  });

  it('cancels an older run of the same pull request only, never a run on the main branch (nor queues main runs behind each other)', () => {
    const doc = parseYaml(workflow);
    expect(doc.concurrency['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
    // Outside pull requests each run has a group of its own: GitHub cancels a *pending* run of a
    // group when another arrives, even with cancel-in-progress false.
    expect(doc.concurrency.group).toBe("ci-${{ github.event_name == 'pull_request' && github.ref || github.run_id }}");
  });

  it('runs the image in CI as production does: read-only root, no capabilities, HEALTHCHECK every second while starting', () => {
    const doc = parseYaml(workflow);
    const smoke = (doc.jobs.docker.steps as Step[]).find((s) => s.run?.includes('docker run'))!.run!;
    const run = smoke.split('\n').slice(0, 2).join(' ').replace(/\\\s+/g, '');
    for (const flag of ['--read-only', '--tmpfs /tmp', '--cap-drop ALL', '--security-opt no-new-privileges', '--health-start-period 30s', '--health-start-interval 1s']) {
      expect(run).toContain(flag);
    }
  });

  it('pins every action to the commit of a released tag and passes only inputs the action declares', () => {
    const doc = parseYaml(workflow);
    const uses = Object.values<{ steps: Step[] }>(doc.jobs).flatMap((job) => job.steps.filter((s) => s.uses));
    expect(uses.length).toBeGreaterThan(0);
    for (const step of uses) {
      const [repo, sha] = step.uses!.split('@') as [string, string];
      const action = byRepo.get(repo);
      expect(action, `${repo} is in GITHUB_ACTIONS`).toBeDefined();
      expect(sha).toBe(action!.sha);
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(workflow).toContain(`${step.uses} # ${action!.tag}`);
      for (const input of Object.keys(step.with ?? {})) expect(action!.inputs as readonly string[]).toContain(input);
    }
  });

  it('has a compose.yaml that passes the Compose Specification schema and dclint', () => {
    expect(lintCompose(files.get('compose.yaml')!)).toEqual([]);
  });

  it('composes the image built here, on the chosen port, with .env optional and the image HEALTHCHECK', () => {
    const compose = parseYaml(files.get('compose.yaml')!);
    expect(compose.name).toBe('team-service');
    const app = compose.services.app;
    expect(app.build).toEqual({ context: '.' });
    expect(app.ports).toEqual(['127.0.0.1:8123:8123']);
    expect(app.environment).toEqual({ HOST: '0.0.0.0', PORT: '8123' });
    expect(app.env_file).toEqual([{ path: '.env', required: false }]);
    // The image's own probe (no test here), every second while starting: the Dockerfile cannot
    // say --start-interval (podman's buildah 1.28 refuses it).
    expect(app.healthcheck).toEqual({ start_period: '30s', start_interval: '1s' });
    expect(files.get('Dockerfile')).toMatch(/^HEALTHCHECK .*\n?.*CMD \[/m);
    expect(files.get('Dockerfile')).toMatch(/^EXPOSE 8123$/m);
  });

  it('runs the service as production should: read-only root, /tmp in memory, no capabilities, no new privileges, an init, 10 s to stop', () => {
    const app = parseYaml(files.get('compose.yaml')!).services.app;
    expect(app.read_only).toBe(true);
    expect(app.tmpfs).toEqual(['/tmp']);
    expect(app.cap_drop).toEqual(['ALL']);
    expect(app.security_opt).toEqual(['no-new-privileges:true']);
    expect(app.init).toBe(true);
    // Docker's default is 10 s too; said explicitly, above the app's 5 s graceful shutdown.
    expect(app.stop_grace_period).toBe('10s');
  });

  it('has the make targets the workflow and compose.yaml rely on, as GNU make reads them', () => {
    // One make run per distinct Makefile (the shared helper), with POETRY/DOCKER given.
    const make = runMake(files, ['ruff', 'typecheck', 'test', 'up', 'down']).dryRun;
    expect(make.stderr).toBe('');
    expect(make.stdout.split('\n')).toEqual([
      'poetry run ruff check .',
      'poetry run ruff format --check .',
      'poetry run mypy',
      'poetry run pytest --cov=app',
      'docker compose up --build --detach --wait',
      'docker compose down',
      '',
    ]);
  });

  it('has pre-commit hooks that run the dev group ruff and mypy through Poetry', () => {
    const config = parseYaml(files.get('.pre-commit-config.yaml')!);
    const devGroup = Object.keys((parseToml(files.get('pyproject.toml')!) as any).tool.poetry.group.dev.dependencies);
    expect(config.minimum_pre_commit_version).toBe('4.4.0');
    expect(config.repos).toHaveLength(1);
    expect(config.repos[0].repo).toBe('local');
    const hooks: { id: string; entry: string; language: string }[] = config.repos[0].hooks;
    expect(hooks.map((h) => h.id)).toEqual(['ruff-check', 'ruff-format', 'mypy']);
    for (const hook of hooks) {
      expect(hook.language).toBe('unsupported');
      const [poetry, run, tool] = hook.entry.split(' ');
      expect([poetry, run]).toEqual(['poetry', 'run']);
      expect(devGroup).toContain(tool);
    }
  });

  it('type-checks strictly with mypy from the dev group, covering every Python file', () => {
    const toml = parseToml(files.get('pyproject.toml')!) as any;
    expect(toml.tool.poetry.group.dev.dependencies.mypy).toBe('>=1.15,<3.0');
    expect(toml.tool.mypy.strict).toBe(true);
    const checked: string[] = toml.tool.mypy.files;
    for (const path of [...files.keys()].filter((p) => p.endsWith('.py'))) {
      expect(checked.some((f) => path === f || path.startsWith(`${f}/`)), path).toBe(true);
    }
  });

  it('has Dependabot watching Poetry, the Dockerfile and the workflow actions', () => {
    const config = parseYaml(files.get('.github/dependabot.yml')!);
    expect(config.version).toBe(2);
    expect(config.updates.map((u: { 'package-ecosystem': string }) => u['package-ecosystem'])).toEqual(['pip', 'docker', 'github-actions']);
    for (const update of config.updates) {
      expect(update.directory).toBe('/');
      expect(update.schedule.interval).toBe('weekly');
    }
  });
});

describe('choices that leave files out', () => {
  const render = (overrides: Partial<ProjectAnswers>) => renderService(defaultAnswers(overrides), TEST_VERSION);

  it('--ci none writes no workflow, and Dependabot does not watch actions', () => {
    const files = render({ ci: 'none' });
    expect(files.has(WORKFLOW)).toBe(false);
    const config = parseYaml(files.get('.github/dependabot.yml')!);
    expect(config.updates.map((u: { 'package-ecosystem': string }) => u['package-ecosystem'])).toEqual(['pip', 'docker']);
    expect(files.get('README.md')).not.toContain('ci.yml');
  });

  it('--no-compose writes no compose.yaml and no up/down targets', () => {
    const files = render({ compose: false });
    expect(files.has('compose.yaml')).toBe(false);
    const dir = writeTree('no-compose', files);
    const make = spawnSync('make', ['-n', 'POETRY=poetry', 'DOCKER=docker', 'up'], { cwd: dir, encoding: 'utf8' });
    expect(make.status).not.toBe(0);
    expect(make.stderr).toContain("No rule to make target 'up'");
    expect(files.get('README.md')).not.toContain('compose.yaml');
  });

  it('the generated README explains every team file it ships, one line each', () => {
    for (const overrides of [{}, { ci: 'none' as const }, { compose: false }]) {
      const files = render(overrides);
      const readme = files.get('README.md')!;
      for (const path of TEAM_FILES) {
        const rows = readme.split('\n').filter((line) => line.startsWith(`| \`${path}\` |`));
        expect(rows, path).toHaveLength(files.has(path) ? 1 : 0);
      }
    }
  });
});

describe('line endings and editor settings, as git and editors read them', () => {
  const files = renderService(defaultAnswers({ server: 'gunicorn' }), TEST_VERSION);
  const dir = writeTree('attributes', files);

  it('.gitattributes makes git check out LF for Python, the Makefile, the Dockerfile and shell scripts', () => {
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    expect(git('init', '--quiet').status).toBe(0);
    const paths = ['app/main.py', 'gunicorn_config.py', 'Makefile', 'Dockerfile', 'scripts/entry.sh', 'pyproject.toml', 'compose.yaml'];
    const result = git('check-attr', 'eol', 'text', '--', ...paths);
    expect(result.stderr).toBe('');
    for (const path of paths) {
      expect(result.stdout).toContain(`${path}: eol: lf\n`);
      expect(result.stdout).toContain(`${path}: text: set\n`);
    }
  });

  it('.editorconfig gives UTF-8, LF, 4-space Python, tab-indented Makefile and 2-space YAML', async () => {
    const at = (path: string) => parseEditorconfig(join(dir, path));
    expect(await at('app/main.py')).toMatchObject({ charset: 'utf-8', end_of_line: 'lf', indent_style: 'space', indent_size: 4 });
    expect(await at('Makefile')).toMatchObject({ indent_style: 'tab', end_of_line: 'lf' });
    expect(await at('compose.yaml')).toMatchObject({ indent_style: 'space', indent_size: 2 });
    expect(await at('.github/workflows/ci.yml')).toMatchObject({ indent_style: 'space', indent_size: 2 });
  });
});

describe('the validators themselves', () => {
  const files = renderService(defaultAnswers(), TEST_VERSION);

  it('actionlint reports a bad permission, an unknown context property and a broken job graph', async () => {
    const workflow = files.get(WORKFLOW)!;
    const broken = workflow
      .replace('contents: read', 'contents: raed')
      .replace('&& github.ref ||', '&& github.reff ||')
      .replace('    name: Docker image\n', '    name: Docker image\n    needs: [lint]\n');
    expect(broken).not.toBe(workflow);
    const findings = await lintWorkflow(broken);
    expect(findings.map((f) => f.rule).sort()).toEqual(['expression', 'job-needs', 'permissions']);
  });

  it('dclint reports a Compose file that breaks the specification', () => {
    const compose = files.get('compose.yaml')!;
    const broken = compose.replace('required: false', 'requird: false');
    expect(broken).not.toBe(compose);
    expect(lintCompose(broken).map((f) => f.rule)).toEqual(['invalid-schema']);
  });
});
