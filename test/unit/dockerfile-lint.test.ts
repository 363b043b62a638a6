/**
 * Our Dockerfile rules (scripts/lib/dockerfile-lint.ts) and the dockerfile-utils validator behind
 * lintDockerfile. Each rule's failing case is a Dockerfile we generate, broken the way a template
 * edit could break it, so each test fails if its rule goes; BuildKit's own checks are not
 * re-implemented (npm run verify runs them for real), so they are not tested here.
 */
import { describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { lintDockerfile } from '../../scripts/lib/dockerfile-lint.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

const generated = (overrides: Parameters<typeof defaultAnswers>[0] = {}) => renderService(defaultAnswers(overrides), TEST_VERSION).get('Dockerfile')!;
const SLIM = generated();
const DISTROLESS = generated({ runtime: 'distroless', python: '3.13' });
const WHEELS = generated({ deps: 'wheels', server: 'gunicorn' });

/** `text` with `from` replaced by `to`; throws when `from` is not there, so a template change cannot silently void a case. */
function edit(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`not in the generated Dockerfile: ${String(from)}`);
  return changed;
}

/** 1-based line of the first line containing `needle`. */
const lineWith = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

const rulesOf = (text: string) => lintDockerfile(text).map((finding) => `${finding.line} ${finding.rule}`);

const SLIM_RUNTIME = 'FROM python:3.14-slim-trixie AS runtime';
/** The first stage: Python and Poetry, which the builder is built on. */
const BUILDER = 'FROM python:3.14-slim-trixie AS poetry';
const DISTROLESS_BUILDER = 'FROM python:3.13-slim-trixie AS poetry';
const WHEELS_KEY = 'COPY --from=builder /wheels/requirements.lock.txt /opt/venv/requirements.lock.txt\n';
const DISTROLESS_RUNTIME = 'FROM gcr.io/distroless/python3-debian13:nonroot AS runtime';
const HEALTHCHECK = /HEALTHCHECK [^\n]*\\\n[^\n]*\n/;

it('finds nothing in the Dockerfiles we generate', () => {
  for (const text of [SLIM, DISTROLESS, WHEELS]) expect(lintDockerfile(text)).toEqual([]);
});

interface RuleCase {
  rule: string;
  why: string;
  bad: string;
  /** The lines the findings name. */
  lines: number[];
}

const RULE_CASES: RuleCase[] = [
  {
    rule: 'PS001',
    why: 'builder python:3.14 (the default), runtime python:3.13',
    bad: edit(SLIM, SLIM_RUNTIME, 'FROM python:3.13-slim-trixie AS runtime'),
    lines: [lineWith(SLIM, BUILDER)],
  },
  {
    rule: 'PS001',
    why: 'a python:3.12 builder under distroless python3-debian13 (Python 3.13)',
    bad: edit(DISTROLESS, DISTROLESS_BUILDER, 'FROM python:3.12-slim-trixie AS poetry'),
    lines: [lineWith(DISTROLESS, DISTROLESS_BUILDER)],
  },
  {
    rule: 'PS007',
    why: 'the Python named through an ARG in both FROMs (Dependabot cannot update it)',
    bad: edit(edit(SLIM, BUILDER, 'ARG PYTHON_VERSION=3.14\nFROM python:${PYTHON_VERSION}-slim-trixie AS poetry'), SLIM_RUNTIME, 'FROM python:${PYTHON_VERSION}-slim-trixie AS runtime'),
    lines: [lineWith(SLIM, BUILDER) + 1, lineWith(SLIM, SLIM_RUNTIME) + 1],
  },
  {
    rule: 'PS007',
    why: 'the distroless runtime named through an ARG',
    bad: edit(edit(DISTROLESS, DISTROLESS_RUNTIME, 'FROM ${RUNTIME} AS runtime'), '# syntax=docker/dockerfile:1\n', '# syntax=docker/dockerfile:1\nARG RUNTIME=gcr.io/distroless/python3-debian13:nonroot\n'),
    lines: [lineWith(DISTROLESS, DISTROLESS_RUNTIME) + 1],
  },
  {
    rule: 'PS008',
    why: 'the wheels install bind-mounts the builder with no COPY of what it installs first (buildah #6609)',
    bad: edit(WHEELS, WHEELS_KEY, ''),
    lines: [lineWith(WHEELS, 'RUN --mount=type=bind') - 1],
  },
  {
    rule: 'PS008',
    why: 'the COPY that keys the install comes from outside the mounted directory',
    bad: edit(WHEELS, WHEELS_KEY, 'COPY --from=builder /src/pyproject.toml /opt/venv/pyproject.toml\n'),
    lines: [lineWith(WHEELS, 'RUN --mount=type=bind')],
  },
  { rule: 'PS002', why: 'no # syntax= line', bad: edit(SLIM, '# syntax=docker/dockerfile:1\n', ''), lines: [1] },
  { rule: 'PS003', why: 'no HEALTHCHECK', bad: edit(SLIM, HEALTHCHECK, ''), lines: [lineWith(SLIM, SLIM_RUNTIME)] },
  { rule: 'PS003', why: 'HEALTHCHECK NONE', bad: edit(SLIM, HEALTHCHECK, 'HEALTHCHECK NONE\n'), lines: [lineWith(SLIM, 'HEALTHCHECK')] },
  { rule: 'PS004', why: 'no EXPOSE', bad: edit(SLIM, /EXPOSE \d+\n/, ''), lines: [lineWith(SLIM, SLIM_RUNTIME)] },
  {
    rule: 'PS005',
    why: 'the whole context copied before poetry sync',
    bad: edit(SLIM, 'COPY pyproject.toml poetry.lock* ./', 'COPY . .'),
    lines: [lineWith(SLIM, 'COPY pyproject.toml')],
  },
  { rule: 'PS006', why: 'no USER on slim', bad: edit(SLIM, /USER \S+\n/, ''), lines: [lineWith(SLIM, SLIM_RUNTIME)] },
  { rule: 'PS006', why: 'USER root', bad: edit(SLIM, /USER \S+\n/, 'USER 0:0\n'), lines: [lineWith(SLIM, 'USER ')] },
  {
    rule: 'PS006',
    why: 'distroless :debug (root) without USER',
    bad: edit(edit(DISTROLESS, DISTROLESS_RUNTIME, 'FROM gcr.io/distroless/python3-debian13:debug AS runtime'), /USER \S+\n/g, ''),
    lines: [lineWith(DISTROLESS, 'FROM gcr.io/distroless')],
  },
  { rule: 'DL3006', why: 'an untagged base image', bad: edit(SLIM, BUILDER, 'FROM python AS poetry'), lines: [lineWith(SLIM, BUILDER)] },
  {
    rule: 'DL3007',
    why: 'python:latest in both stages',
    bad: edit(edit(SLIM, BUILDER, 'FROM python:latest AS poetry'), SLIM_RUNTIME, 'FROM python:latest AS runtime'),
    lines: [lineWith(SLIM, BUILDER), lineWith(SLIM, SLIM_RUNTIME)],
  },
  { rule: 'DL3013', why: 'Poetry not pinned', bad: edit(SLIM, '"poetry==${POETRY_VERSION}"', 'poetry'), lines: [lineWith(SLIM, 'pip install "poetry') - 1] },
  {
    rule: 'DL3042',
    why: 'the builder\'s pip install without a pip cache mount',
    bad: edit(SLIM, 'RUN --mount=type=cache,target=/root/.cache/pip \\\n', 'RUN '),
    lines: [lineWith(SLIM, 'pip install "poetry') - 1],
  },
  {
    rule: 'DL3042',
    why: 'the wheels runtime installing without --no-cache-dir',
    bad: edit(WHEELS, '--no-cache-dir ', ''),
    lines: [lineWith(WHEELS, 'RUN --mount=type=bind')],
  },
];

describe.each(RULE_CASES)('$rule: $why', ({ rule, bad, lines }) => {
  it(`is reported on line ${lines.join(', ')}, and nothing else is`, () => {
    expect(rulesOf(bad)).toEqual(lines.map((line) => `${line} ${rule}`));
  });
});

describe('our rules in detail', () => {
  it('PS001 compares after substituting global ARG defaults, and trusts distroless debian13 to be 3.13', () => {
    expect(rulesOf(edit(SLIM, SLIM_RUNTIME, 'FROM python:3.14.0-slim AS runtime'))).toEqual([]);
    expect(rulesOf(edit(DISTROLESS, DISTROLESS_RUNTIME, 'FROM gcr.io/distroless/python3-debian12:nonroot AS runtime'))).toEqual([`${lineWith(DISTROLESS, DISTROLESS_BUILDER)} PS001`]);
    // An ARG in FROM is PS007, but PS001 still compares what it resolves to.
    const viaArg = `ARG PY=3.13\n${edit(SLIM, SLIM_RUNTIME, 'FROM python:${PY}-slim-trixie AS runtime')}`;
    expect(rulesOf(viaArg).map((r) => r.split(' ')[1]).sort()).toEqual(['PS001', 'PS002', 'PS007']);
  });

  it('PS008 knows a stage by index as by name, reports a mount of any earlier stage, and leaves image mounts alone', () => {
    const byIndex = edit(WHEELS, 'RUN --mount=type=bind,from=builder,', 'RUN --mount=from=1,');
    expect(rulesOf(byIndex)).toEqual([]);
    expect(rulesOf(edit(byIndex, WHEELS_KEY, '')).map((r) => r.split(' ')[1])).toEqual(['PS008']);
    const wholeStage = edit(edit(WHEELS, WHEELS_KEY, ''), 'source=/wheels,target=/wheels', 'target=/wheels');
    expect(rulesOf(wholeStage).map((r) => r.split(' ')[1])).toEqual(['PS008']);
    expect(rulesOf(edit(edit(WHEELS, WHEELS_KEY, ''), 'from=builder,source=/wheels', 'from=python:3.14-slim-trixie,source=/usr'))).toEqual([]);
  });

  it('PS002 accepts any docker/dockerfile:1.x, on the first line only', () => {
    expect(rulesOf(edit(SLIM, 'docker/dockerfile:1\n', 'docker/dockerfile:1.19\n'))).toEqual([]);
    expect(rulesOf(edit(SLIM, 'docker/dockerfile:1\n', 'docker/dockerfile:0.9\n'))).toEqual(['1 PS002']);
    expect(rulesOf(`# a comment\n${SLIM}`)).toEqual(['1 PS002']);
  });

  it('PS003, PS004 and PS006 judge the final image, which inherits from the stage it is built on', () => {
    const onStage = edit(SLIM, SLIM_RUNTIME, 'FROM builder AS runtime');
    expect(rulesOf(onStage)).toEqual([]);
    const inheritedOnly = `${edit(edit(edit(SLIM, HEALTHCHECK, ''), /EXPOSE \d+\n/, ''), /USER \S+\n/, '')}FROM builder AS final\n`;
    expect(rulesOf(inheritedOnly).map((r) => r.split(' ')[1])).toEqual(['PS003', 'PS004', 'PS006']);
    expect(rulesOf(`${SLIM}FROM runtime AS final\n`)).toEqual([]);
  });

  it('PS005 ignores COPY --from and a context copy after the dependency install', () => {
    expect(rulesOf(edit(SLIM, 'COPY app ./app', 'COPY . .'))).toEqual([]);
    expect(rulesOf(edit(DISTROLESS, 'COPY --from=venv-distroless /app/.venv /app/.venv', 'COPY --from=venv-distroless . .'))).toEqual([]);
  });

  it('DL3013 accepts pins, requirement files and local paths, and finds unpinned names among options', () => {
    const withPip = (command: string) => edit(SLIM, 'pip install "poetry==${POETRY_VERSION}"', command);
    const pinned = [
      'pip install "poetry==${POETRY_VERSION}" "poetry-plugin-export==1.9.0"',
      'pip install --no-index --find-links /wheels --requirement /wheels/requirements.txt',
      'pip --python /opt/venv/bin/python install -r requirements.txt',
      'python -m pip install -c constraints.txt poetry',
      'pip install . ./dist/app-1.0-py3-none-any.whl',
      "pip install 'poetry>=2,<3'",
    ];
    for (const command of pinned) expect(rulesOf(withPip(command)), command).toEqual([]);
    const unpinned = ['python3 -m pip install poetry', 'pip install --find-links /wheels poetry', '/opt/venv/bin/pip3 install -U pip', 'PIP_NO_CACHE_DIR=1 pip install poetry'];
    for (const command of unpinned) expect(rulesOf(withPip(command)).map((r) => r.split(' ')[1]), command).toEqual(['DL3013']);
  });

  it('DL3042 accepts PIP_NO_CACHE_DIR and a cache mount on the pip cache only', () => {
    const noMount = edit(SLIM, 'RUN --mount=type=cache,target=/root/.cache/pip \\\n', 'RUN ');
    expect(rulesOf(edit(noMount, 'PIP_DISABLE_PIP_VERSION_CHECK=1', 'PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1'))).toEqual([]);
    expect(rulesOf(edit(noMount, 'pip install "poetry', 'PIP_NO_CACHE_DIR=true pip install "poetry'))).toEqual([]);
    expect(rulesOf(edit(SLIM, 'target=/root/.cache/pip \\', 'target=/root/.cache/pypoetry \\')).map((r) => r.split(' ')[1])).toEqual(['DL3042']);
  });

  it('DL3006 ignores scratch and digests, and does not take a registry port for a tag', () => {
    expect(rulesOf(edit(SLIM, BUILDER, 'FROM python@sha256:0123456789abcdef AS poetry'))).toEqual([]);
    expect(rulesOf(edit(SLIM, BUILDER, 'FROM localhost:5000/python AS poetry')).map((r) => r.split(' ')[1])).toEqual(['DL3006']);
  });
});

describe('dockerfile-utils validator', () => {
  it.each([
    ['a lower-case instruction', edit(SLIM, 'WORKDIR /app', 'workdir /app'), 'CASING_INSTRUCTION'],
    ['a HEALTHCHECK duration without a unit', edit(SLIM, '--interval=10s', '--interval=10'), 'FLAG_MISSING_DURATION'],
    ['an unknown COPY flag', edit(SLIM, 'COPY --from=builder', 'COPY --form=builder'), 'UNKNOWN_COPY_FLAG'],
    ['two CMD in the final stage', `${SLIM}CMD ["true"]\n`, 'MULTIPLE_INSTRUCTIONS'],
  ])('reports %s', (_what, text, code) => {
    expect(lintDockerfile(text).map((finding) => finding.rule)).toContain(`dockerfile-utils/${code}`);
  });
});

// The harness's reference Dockerfiles (../shared/harness/sample), copied verbatim.
const SAMPLE_DOCKERFILE = `# syntax=docker/dockerfile:1
# A: Poetry venv built on python:3.13-slim, copied into python:3.13-slim.
ARG PYTHON_VERSION=3.13
FROM python:\${PYTHON_VERSION}-slim AS builder
ARG POETRY_VERSION=2.1.2
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 POETRY_VIRTUALENVS_IN_PROJECT=true
RUN --mount=type=cache,target=/root/.cache/pip pip install "poetry==\${POETRY_VERSION}"
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN --mount=type=cache,target=/root/.cache/pypoetry poetry sync -n --only main --no-root --compile

FROM python:\${PYTHON_VERSION}-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH="/app/.venv/bin:$PATH"
RUN useradd --system --uid 10001 --no-create-home app
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY app ./app
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \\
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
`;

const SAMPLE_DISTROLESS = `# syntax=docker/dockerfile:1
# B: Poetry venv re-pointed at Debian's /usr/bin/python3.13, run on distroless :nonroot.
FROM python:3.13-slim AS builder
ARG POETRY_VERSION=2.1.2
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 POETRY_VIRTUALENVS_IN_PROJECT=true
RUN --mount=type=cache,target=/root/.cache/pip pip install "poetry==\${POETRY_VERSION}"
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN --mount=type=cache,target=/root/.cache/pypoetry poetry sync -n --only main --no-root --compile
# A venv only works with the same interpreter at the same path: distroless has
# Python 3.13 at /usr/bin/python3.13, so the venv is re-pointed there (after
# installing, since the builder itself has no /usr/bin/python3.13 on the real image).
RUN sed -i -e 's#^home = .*#home = /usr/bin#' \\
           -e 's#^executable = .*#executable = /usr/bin/python3.13#' /app/.venv/pyvenv.cfg \\
 && ln -sf /usr/bin/python3.13 /app/.venv/bin/python3.13 \\
 && ln -sf python3.13 /app/.venv/bin/python3 \\
 && ln -sf python3.13 /app/.venv/bin/python

FROM gcr.io/distroless/python3-debian13:nonroot
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY app ./app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \\
  CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
ENTRYPOINT ["/app/.venv/bin/python", "-m", "uvicorn"]
CMD ["app.main:app", "--host", "0.0.0.0", "--port", "8000"]
`;

const SAMPLE_WHEELS = `# syntax=docker/dockerfile:1
# C: poetry export -> pip wheel in the builder; the runtime installs the wheels
# from a bind mount (no wheel files left in a layer).
FROM python:3.13-slim AS builder
ARG POETRY_VERSION=2.1.2
ARG POETRY_PLUGIN_EXPORT_VERSION=1.9.0
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install "poetry==\${POETRY_VERSION}" "poetry-plugin-export==\${POETRY_PLUGIN_EXPORT_VERSION}"
WORKDIR /src
COPY pyproject.toml poetry.lock ./
RUN --mount=type=cache,target=/root/.cache/pip \\
    poetry export -f requirements.txt --only main -o /tmp/requirements.txt \\
 && pip wheel --no-deps -w /wheels -r /tmp/requirements.txt \\
 && cp /tmp/requirements.txt /wheels/requirements.txt

FROM python:3.13-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH="/opt/venv/bin:$PATH"
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \\
    python -m venv /opt/venv \\
 && /opt/venv/bin/pip install --no-cache-dir --no-index --find-links /wheels -r /wheels/requirements.txt
RUN useradd --system --uid 10001 --no-create-home app
WORKDIR /app
COPY app ./app
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \\
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
`;

const SAMPLE_DISTROLESS_DEBIAN = `# syntax=docker/dockerfile:1
# D: Debian 13 builder with Debian's own python3.13 (the interpreter distroless
# has, at the same path), venv copied into distroless :nonroot.
FROM debian:trixie-slim AS builder
ARG POETRY_VERSION=2.1.2
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3-venv \\
 && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 POETRY_VIRTUALENVS_IN_PROJECT=true
RUN --mount=type=cache,target=/root/.cache/pip \\
    python3 -m venv /opt/poetry && /opt/poetry/bin/pip install "poetry==\${POETRY_VERSION}"
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN --mount=type=cache,target=/root/.cache/pypoetry \\
    python3 -m venv /app/.venv && /opt/poetry/bin/poetry sync -n --only main --no-root --compile

FROM gcr.io/distroless/python3-debian13:nonroot
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY app ./app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \\
  CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
ENTRYPOINT ["/app/.venv/bin/python", "-m", "uvicorn"]
CMD ["app.main:app", "--host", "0.0.0.0", "--port", "8000"]
`;

const SAMPLE_BROKEN_DISTROLESS = `# syntax=docker/dockerfile:1
# NEGATIVE CASE (selftest expects this to FAIL): the second article's bug. The venv made
# on python:3.13-slim points at /usr/local/bin/python3.13, which distroless does not have,
# so the container cannot start ("exec /app/.venv/bin/python: no such file").
FROM python:3.13-slim AS builder
ARG POETRY_VERSION=2.1.2
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 POETRY_VIRTUALENVS_IN_PROJECT=true
RUN --mount=type=cache,target=/root/.cache/pip pip install "poetry==\${POETRY_VERSION}"
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN --mount=type=cache,target=/root/.cache/pypoetry poetry sync -n --only main --no-root

FROM gcr.io/distroless/python3-debian13:nonroot
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY app ./app
EXPOSE 8000
ENTRYPOINT ["/app/.venv/bin/python", "-m", "uvicorn"]
CMD ["app.main:app", "--host", "0.0.0.0", "--port", "8000"]
`;

describe('sample Dockerfiles', () => {
  it.each([
    // Names its Python through an ARG in both FROMs, which Dependabot cannot update.
    ['Dockerfile', SAMPLE_DOCKERFILE, [{ rule: 'PS007', line: 4 }, { rule: 'PS007', line: 12 }]],
    ['Dockerfile.distroless', SAMPLE_DISTROLESS, []],
    // Bind-mounts the builder's wheels with nothing content-keyed before: podman reuses the install (buildah #6609).
    ['Dockerfile.wheels', SAMPLE_WHEELS, [{ rule: 'PS008', line: 19 }]],
    ['Dockerfile.distroless-debian', SAMPLE_DISTROLESS_DEBIAN, []],
    // Its real bug (a venv pointing at /usr/local/bin/python3.13, absent from distroless) is a
    // path problem the versions cannot show; only the missing HEALTHCHECK is visible here.
    ['Dockerfile.broken-distroless', SAMPLE_BROKEN_DISTROLESS, [{ rule: 'PS003', line: 13 }]],
  ])('%s', (_name, text, expected) => {
    expect(lintDockerfile(text).map(({ rule, line }) => ({ rule, line }))).toEqual(expected);
  });
});
