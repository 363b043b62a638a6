/**
 * The Dockerfile checks that run without a builder (npm test, and npm run verify on every
 * combination). Who checks what (README, "What checks the Dockerfile"):
 *
 * - BuildKit's own build checks (FromAsCasing, UndefinedVar, JSONArgsRecommended,
 *   SecretsUsedInArgOrEnv, ...) run for real in `npm run verify` (harness lint.sh), so they are
 *   not re-implemented here;
 * - the maintained `dockerfile-utils` validator (the VS Code Docker extension's) checks the
 *   syntax: instruction casing, arguments, flags and their values, durations, JSON in single
 *   quotes, empty continuation lines, duplicate stage names, repeated CMD/ENTRYPOINT/HEALTHCHECK;
 * - the rules below are ours: what our multi-stage Poetry images need and no maintained tool
 *   checks (PS...), and the few hadolint rules (DL...) that can fire on what we generate
 *   (hadolint itself is neither on npm nor in Debian 12).
 *
 * Every finding names the line where its instruction starts (1-based).
 */
import { validate, ValidationCode, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { posix } from 'node:path';
import { Add, Copy, DockerfileParser, Env, From, Run, type Dockerfile, type Flag, type Instruction } from 'dockerfile-ast';

export interface LintFinding {
  /** `PS00n`/`DL30nn` for our rules, `dockerfile-utils/<CODE>` for the validator's. */
  rule: string;
  line: number;
  message: string;
}

/** Lints one Dockerfile; findings are sorted by line, then rule id. */
export function lintDockerfile(text: string): LintFinding[] {
  const findings = [...validatorFindings(text), ...ourFindings(DockerfileParser.parse(text))];
  return findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}

// ---------------------------------------------------------------------------------------------
// dockerfile-utils: every check it has, as an error.

const ALL_VALIDATOR_CHECKS: Required<ValidatorSettings> = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

function validatorFindings(text: string): LintFinding[] {
  return validate(text, ALL_VALIDATOR_CHECKS).map((diagnostic) => ({
    rule: `dockerfile-utils/${typeof diagnostic.code === 'number' ? (ValidationCode[diagnostic.code] ?? diagnostic.code) : String(diagnostic.code)}`,
    line: diagnostic.range.start.line + 1,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
  }));
}

// ---------------------------------------------------------------------------------------------
// Images and stages

interface ImageRef {
  /** Repository, registry included: `gcr.io/distroless/python3-debian13`. */
  name: string;
  tag: string | null;
  digest: string | null;
}

function parseImageRef(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const digest = at < 0 ? null : ref.slice(at + 1);
  const rest = at < 0 ? ref : ref.slice(0, at);
  // A colon before the last slash belongs to a registry port (localhost:5000/app).
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, tag: null, digest };
}

const formatImage = (image: ImageRef) => `${image.name}${image.tag === null ? '' : `:${image.tag}`}`;

/** major.minor of an official `python:` image tag (3.13.2-slim → 3.13), or null. */
function pythonImageVersion(image: ImageRef): string | null {
  const name = image.name.replace(/^(docker\.io\/|index\.docker\.io\/)/, '').replace(/^library\//, '');
  if (name !== 'python' || image.tag === null) return null;
  const match = /^(\d+)(\.\d+)?/.exec(image.tag);
  return match ? `${match[1] ?? ''}${match[2] ?? ''}` : null;
}

/** The Python a distroless python3 image runs: Debian's python3 of that release. */
const DISTROLESS_PYTHON: Readonly<Record<string, string>> = {
  'gcr.io/distroless/python3-debian11': '3.9',
  'gcr.io/distroless/python3-debian12': '3.11',
  'gcr.io/distroless/python3-debian13': '3.13',
};

interface Stage {
  /** 1-based line of the FROM. */
  line: number;
  /** Lower-cased, as BuildKit compares stage names. */
  name: string | null;
  /** The base image with global ARG defaults substituted; null when FROM names a stage or a value is unknown. */
  image: ImageRef | null;
  parent: Stage | null;
  instructions: Instruction[];
}

const lineOf = (instruction: Instruction) => instruction.getRange().start.line + 1;

/** `$NAME`/`${NAME}` replaced by global ARG defaults (all a FROM line can see); null if one is unknown. */
function substituteGlobals(text: string, globals: ReadonlyMap<string, string | null>): string | null {
  let known = true;
  const out = text.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, braced: string | undefined, bare: string | undefined) => {
    const value = globals.get(braced ?? bare ?? '');
    if (value === undefined || value === null) known = false;
    return value ?? '';
  });
  return known ? out : null;
}

function stagesOf(dockerfile: Dockerfile): Stage[] {
  const globals = new Map<string, string | null>();
  for (const arg of dockerfile.getInitialARGs()) {
    for (const property of arg.getProperties()) {
      const raw = property.getValue();
      globals.set(property.getName(), raw === null ? null : substituteGlobals(raw, globals));
    }
  }
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction instanceof From) {
      const resolved = substituteGlobals(instruction.getImage() ?? '', globals);
      const parent = resolved === null ? null : (stages.find((stage) => stage.name === resolved.toLowerCase()) ?? null);
      stages.push({
        line: lineOf(instruction),
        name: instruction.getBuildStage()?.toLowerCase() ?? null,
        image: resolved === null || parent ? null : parseImageRef(resolved),
        parent,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The stage and the stages it is built FROM, nearest first: what its image config inherits. */
function lineage(stage: Stage): Stage[] {
  const chain: Stage[] = [];
  for (let current: Stage | null = stage; current; current = current.parent) chain.push(current);
  return chain;
}

/** The last instruction with this keyword the stage's image config ends up with. */
function lastInherited(stage: Stage, keyword: string): Instruction | null {
  for (const current of lineage(stage)) {
    const found = current.instructions.filter((i) => i.getKeyword() === keyword).at(-1);
    if (found) return found;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Shell commands of a RUN (enough to find `pip install` and its arguments)

/** Splits a shell script into simple commands (on `&&`, `||`, `|`, `;`, `&`, newlines) of unquoted words. */
function shellCommands(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script.charAt(i);
    if (ch === "'" || ch === '"') {
      const end = script.indexOf(ch, i + 1);
      const stop = end < 0 ? script.length : end;
      word += script.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (ch === '\\' && i + 1 < script.length) {
      if (script.charAt(i + 1) !== '\n') {
        word += script.charAt(i + 1);
        inWord = true;
      }
      i++;
    } else if (' \t\r'.includes(ch)) {
      endWord();
    } else if ('\n;&|'.includes(ch)) {
      endCommand();
    } else {
      word += ch;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

/** pip's options that take a value (as `--name value` or `-x value`), global and `install`. */
const PIP_VALUE_OPTIONS = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-f', '--find-links', '-i', '--index-url',
  '--extra-index-url', '-t', '--target', '--prefix', '--root', '--src', '--platform', '--python-version',
  '--implementation', '--abi', '--no-binary', '--only-binary', '--progress-bar', '--proxy', '--trusted-host',
  '--upgrade-strategy', '--cache-dir', '--log', '--retries', '--timeout', '--exists-action', '--cert',
  '--client-cert', '--config-settings', '--python', '--root-user-action', '--report', '--group',
]);

interface PipInstall {
  /** Package arguments (positionals after `install`). */
  packages: string[];
  options: Set<string>;
  /** `NAME=value` words before the command. */
  env: Map<string, string>;
}

/** A simple command without its leading `NAME=value` assignments. */
function withoutAssignments(command: readonly string[]): { env: Map<string, string>; words: string[] } {
  const env = new Map<string, string>();
  let i = 0;
  for (; i < command.length && /^[A-Za-z_]\w*=/.test(command[i] ?? ''); i++) {
    const [name = '', ...value] = (command[i] ?? '').split('=');
    env.set(name, value.join('='));
  }
  return { env, words: command.slice(i) };
}

/** `pip [global options] install ...` / `python -m pip install ...`, or null. */
function pipInstall(command: readonly string[]): PipInstall | null {
  const { env, words } = withoutAssignments(command);
  const program = (words[0] ?? '').replace(/^.*\//, '');
  let rest: string[];
  if (/^pip[\d.]*$/.test(program)) rest = words.slice(1);
  else if (/^python[\d.]*$/.test(program) && words[1] === '-m' && words[2] === 'pip') rest = words.slice(3);
  else return null;
  const options = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] ?? '';
    if (word.startsWith('-')) {
      const name = word.split('=')[0] ?? word;
      options.add(name);
      if (!word.includes('=') && PIP_VALUE_OPTIONS.has(name)) i++;
    } else {
      positionals.push(word);
    }
  }
  if (positionals[0] !== 'install') return null;
  return { packages: positionals.slice(1), options, env };
}

/** A `pip install` argument naming an index package without a version (hadolint accepts any operator). */
function isUnpinned(pkg: string): boolean {
  return !/[=<>~!]=?/.test(pkg) && !pkg.includes('/') && !pkg.startsWith('.') && !/\.(whl|tar\.gz|zip)$/.test(pkg);
}

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);

/** `poetry install`/`poetry sync`/`pip install`: a step that installs the dependencies. */
function isDependencyInstall(command: readonly string[]): boolean {
  const { words } = withoutAssignments(command);
  const poetry = /(^|\/)poetry$/.test(words[0] ?? '') && ['install', 'sync'].includes(words[1] ?? '') && !words.includes('--only-root');
  return poetry || pipInstall(words) !== null;
}

// ---------------------------------------------------------------------------------------------
// Our rules

type Report = (rule: string, line: number, message: string) => void;

function ourFindings(dockerfile: Dockerfile): LintFinding[] {
  const findings: LintFinding[] = [];
  const report: Report = (rule, line, message) => findings.push({ rule, line, message });
  checkSyntaxDirective(dockerfile, report);
  const stages = stagesOf(dockerfile);
  const final = stages.at(-1);
  for (const stage of stages) {
    checkImageTag(stage, report);
    checkRuns(stage, report);
    checkStageMounts(stage, stages, report);
  }
  checkLiteralFroms(dockerfile, report);
  if (final) {
    checkPythonVersions(stages, final, report);
    checkFinalStage(final, report);
  }
  return findings;
}

/** PS002: `# syntax=docker/dockerfile:1` (or a 1.x pin) on the first line. */
function checkSyntaxDirective(dockerfile: Dockerfile, report: Report): void {
  const directive = dockerfile.getDirectives().find((d) => d.getName().toLowerCase() === 'syntax');
  const value = directive?.getValue().replace(/^docker\.io\//, '') ?? '';
  const frontend = 'docker/dockerfile:1';
  const pinned = value.startsWith(frontend) && ['', '.', '-', '@'].includes(value.charAt(frontend.length));
  if (directive?.getRange().start.line !== 0 || !pinned) {
    report('PS002', 1, `The first line should be the parser directive "# syntax=${frontend}", so the build uses the current stable Dockerfile frontend (cache mounts, build checks)`);
  }
}

/**
 * PS007: every FROM names its image (or stage) literally. Dependabot and other updaters cannot
 * update `FROM python:${PYTHON_VERSION}-slim` (dependabot-core#2057): the Python version would stay
 * wherever the ARG default was written.
 */
function checkLiteralFroms(dockerfile: Dockerfile, report: Report): void {
  for (const from of dockerfile.getFROMs()) {
    const image = from.getImage() ?? '';
    if (!image.includes('$')) continue;
    report('PS007', lineOf(from), `FROM ${image} names its image through an ARG, which Dependabot cannot update; write the image literally (e.g. FROM python:3.14-slim-trixie), the same Python in builder and runtime`);
  }
}

/** The value of one option of a `--mount=...` flag (`src` and `dst` are aliases). */
function mountOption(flag: Flag, ...names: string[]): string | undefined {
  for (const name of names) {
    const option = flag.getOption(name);
    if (option) return option.getValue() ?? '';
  }
  return undefined;
}

/** `/a/b/` → `/a/b`; relative paths are taken from the root, as a stage's paths are. */
const absolute = (path: string) => posix.normalize(`/${path}`).replace(/(.)\/$/, '$1');

/**
 * PS008: podman's buildah (1.28 in Debian 12; fixed upstream only in 2026-05, buildah #6609) keys a
 * `RUN --mount=type=bind,from=<stage>` layer by its text only and reuses it whatever the stage now
 * holds: a rebuilt image keeps the dependencies of an older lock. The stage must first COPY --from
 * that stage something under the mounted directory (what the RUN installs, e.g. the exported
 * requirements with hashes): a COPY's cache key is its content, so a change re-runs the RUN.
 */
function checkStageMounts(stage: Stage, stages: readonly Stage[], report: Report): void {
  const earlier = stages.slice(0, stages.indexOf(stage));
  const copied: { from: Stage; sources: string[] }[] = [];
  // An earlier stage, by name or by index (`from=0`); null for an image or an unknown name.
  const stageOf = (ref: string): Stage | null =>
    (/^\d+$/.test(ref) ? earlier[Number(ref)] : earlier.find((s) => s.name === ref.toLowerCase())) ?? null;
  for (const instruction of stage.instructions) {
    if (instruction instanceof Copy) {
      const from = instruction.getFlags().find((flag) => flag.getName() === 'from')?.getValue();
      const source = from ? stageOf(from) : null;
      const sources = (instruction.getArgumentsContent() ?? '').trim().split(/\s+/).slice(0, -1);
      if (source) copied.push({ from: source, sources: sources.map(absolute) });
    } else if (instruction instanceof Run) {
      for (const flag of instruction.getFlags()) {
        if (flag.getName() !== 'mount' || (mountOption(flag, 'type') ?? 'bind') !== 'bind') continue;
        const from = mountOption(flag, 'from');
        const source = from ? stageOf(from) : null;
        if (!from || !source) continue;
        const mounted = absolute(mountOption(flag, 'source', 'src') ?? '/');
        const keyed = copied.some((copy) => copy.from === source && copy.sources.some((src) => mounted === '/' || src === mounted || src.startsWith(`${mounted}/`)));
        if (!keyed) {
          report('PS008', lineOf(instruction), `RUN --mount=type=bind,from=${from} is reused from podman's cache whatever stage '${from}' now holds (buildah #6609): COPY --from=${from} what it installs from ${mounted} (e.g. the requirements with hashes) before this RUN, so a changed lock re-runs it`);
        }
      }
    }
  }
}

/** DL3006/DL3007: every base image has an explicit tag other than `latest` (or a digest). */
function checkImageTag({ image, line }: Stage, report: Report): void {
  if (!image || image.name === 'scratch' || image.digest !== null) return;
  if (image.tag === null) report('DL3006', line, `Always tag the version of an image explicitly (${image.name})`);
  else if (image.tag === 'latest') report('DL3007', line, `Using latest is prone to errors if the image will ever update; pin a version of ${image.name}`);
}

/** DL3013, DL3042, PS005: what the RUN instructions of one stage install, and how. */
function checkRuns(stage: Stage, report: Report): void {
  let pipNoCacheEnv = false;
  let contextCopies: Instruction[] = [];
  for (const instruction of stage.instructions) {
    if (instruction instanceof Env) {
      const value = instruction.getProperties().find((p) => p.getName() === 'PIP_NO_CACHE_DIR')?.getValue();
      if (value !== undefined) pipNoCacheEnv = TRUTHY.has((value ?? '').toLowerCase());
    } else if (instruction instanceof Copy || instruction instanceof Add) {
      const fromStage = instruction.getFlags().some((flag) => flag.getName() === 'from');
      const sources = (instruction.getArgumentsContent() ?? '').trim().split(/\s+/).slice(0, -1);
      if (!fromStage && sources.some((src) => src === '.' || src === './')) contextCopies.push(instruction);
    } else if (instruction instanceof Run) {
      const line = lineOf(instruction);
      const pipCacheMounted = instruction
        .getFlags()
        .some((flag) => flag.getName() === 'mount' && flag.getOption('type')?.getValue() === 'cache' && /\.cache\/pip\/?$/.test((flag.getOption('target') ?? flag.getOption('dst') ?? flag.getOption('destination'))?.getValue() ?? ''));
      const commands = shellCommands(instruction.getArgumentsContent() ?? '');
      for (const pip of commands.map(pipInstall)) {
        if (!pip) continue;
        const byFile = ['-r', '--requirement', '-c', '--constraint'].some((option) => pip.options.has(option));
        const unpinned = byFile ? [] : pip.packages.filter(isUnpinned);
        if (unpinned.length > 0) report('DL3013', line, `Pin versions in pip: use <package>==<version> or a requirements file (${unpinned.join(', ')})`);
        if (!pip.options.has('--no-cache-dir') && !pipNoCacheEnv && !TRUTHY.has((pip.env.get('PIP_NO_CACHE_DIR') ?? '').toLowerCase()) && !pipCacheMounted) {
          report('DL3042', line, 'Avoid keeping the pip cache in the layer: use pip install --no-cache-dir, or a --mount=type=cache for /root/.cache/pip');
        }
      }
      if (commands.some(isDependencyInstall)) {
        for (const copy of contextCopies) {
          report('PS005', lineOf(copy), `The whole build context is copied before dependencies are installed (RUN on line ${line}): every source change invalidates the dependency layer; copy pyproject.toml and poetry.lock, install, then copy the code`);
        }
        contextCopies = [];
      }
    }
  }
}

/**
 * PS001: a venv made in one stage and copied into another only runs on the interpreter version
 * that created it. Every python: stage must match the runtime's version: a distroless python3
 * final stage's Debian python3, else the final stage's own python: image, else the last python: stage.
 */
function checkPythonVersions(stages: Stage[], final: Stage, report: Report): void {
  const python = stages.flatMap((stage) => {
    const version = stage.image ? pythonImageVersion(stage.image) : null;
    return stage.image && version !== null ? [{ stage, image: stage.image, version }] : [];
  });
  const root = lineage(final).at(-1)!;
  const distroless = root.image ? DISTROLESS_PYTHON[root.image.name] : undefined;
  let reference: { version: string; label: string };
  if (distroless !== undefined && root.image) {
    reference = { version: distroless, label: `the final stage's ${root.image.name} (Python ${distroless})` };
  } else {
    const anchor = python.find((entry) => entry.stage === root) ?? python.at(-1);
    if (!anchor) return;
    const where = anchor.stage.name === null ? 'the final stage' : `stage '${anchor.stage.name}'`;
    reference = { version: anchor.version, label: `${formatImage(anchor.image)} in ${where}` };
  }
  for (const { stage, image, version } of python) {
    if (version === reference.version) continue;
    report('PS001', stage.line, `${formatImage(image)} (Python ${version}) does not match ${reference.label}: a venv only runs on the same interpreter version it was created with`);
  }
}

/** PS003 HEALTHCHECK, PS004 EXPOSE, PS006 non-root USER: what the final image's config must say. */
function checkFinalStage(final: Stage, report: Report): void {
  const healthcheck = lastInherited(final, 'HEALTHCHECK');
  if (healthcheck === null) {
    report('PS003', final.line, 'The final stage has no HEALTHCHECK, so Docker cannot tell a hung service from a healthy one');
  } else if (/^\s*NONE\b/i.test(healthcheck.getArgumentsContent() ?? '')) {
    report('PS003', lineOf(healthcheck), 'The final stage disables its HEALTHCHECK (HEALTHCHECK NONE)');
  }
  if (lastInherited(final, 'EXPOSE') === null) {
    report('PS004', final.line, 'The final stage has no EXPOSE documenting the port the service listens on');
  }
  const user = lastInherited(final, 'USER');
  const root = lineage(final).at(-1)!.image;
  // distroless :nonroot images already run as uid 65532.
  const nonrootBase = root !== null && root.name.startsWith('gcr.io/distroless/') && (root.tag ?? '').includes('nonroot');
  if (user === null) {
    if (!nonrootBase) report('PS006', final.line, 'The final stage sets no USER, so the container runs as root');
  } else if (/^(root|0)(:|$)/.test((user.getArgumentsContent() ?? '').trim())) {
    report('PS006', lineOf(user), 'The last USER of the final stage is root');
  }
}
