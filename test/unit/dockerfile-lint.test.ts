/**
 * The Dockerfile linter: one failing and one passing Dockerfile per rule, the details of each
 * family of rules, and the reference Dockerfiles of the test harness (inlined below, so these
 * tests do not depend on ../shared).
 */
import { describe, expect, it } from 'vitest';
import { lintDockerfile, type LintFinding } from '../../scripts/lib/dockerfile-lint.js';

const SYNTAX = '# syntax=docker/dockerfile:1';
const HEALTHCHECK = `HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]`;
const CMD = 'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]';
/** What a compliant final stage ends with. */
const TAIL = ['USER 10001', 'EXPOSE 8000', HEALTHCHECK, CMD];

const dockerfile = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** A compliant single-stage service: FROM is line 2 and `body` starts on line 3. */
const service = (...body: string[]): string => dockerfile(SYNTAX, 'FROM python:3.13-slim', ...body, ...TAIL);

const aptInstall = (packages: string): string =>
  `RUN apt-get update && apt-get install -y --no-install-recommends ${packages} && rm -rf /var/lib/apt/lists/*`;

function linesOf(text: string, rule: string): number[] {
  return lintDockerfile(text)
    .filter((finding) => finding.rule === rule)
    .map((finding) => finding.line);
}

function rulesOf(text: string): string[] {
  return lintDockerfile(text).map((finding) => finding.rule);
}

interface RuleCase {
  rule: string;
  bad: string;
  /** The line the finding must name in `bad`. */
  line: number;
  /** Triggers no rule at all, so it also guards against false positives of the others. */
  good: string;
}

const RULE_CASES: RuleCase[] = [
  {
    rule: 'JSONArgsRecommended',
    bad: dockerfile(SYNTAX, 'FROM python:3.13-slim', 'USER 10001', 'EXPOSE 8000', HEALTHCHECK, 'CMD uvicorn app.main:app'),
    line: 6,
    good: service(),
  },
  {
    rule: 'FromAsCasing',
    bad: dockerfile(SYNTAX, 'FROM python:3.13-slim as builder', 'FROM builder', ...TAIL),
    line: 2,
    good: dockerfile(SYNTAX, 'FROM python:3.13-slim AS builder', 'from builder as runtime', ...TAIL),
  },
  {
    rule: 'SecretsUsedInArgOrEnv',
    bad: service('ARG POETRY_VERSION=2.1.2', 'ENV API_KEY=abc123'),
    line: 4,
    good: service('ARG POETRY_VERSION=2.1.2', 'ENV PIP_DISABLE_PIP_VERSION_CHECK=1 KEYBOARD=us MONKEY=1 PUBLIC_KEY=abc'),
  },
  {
    rule: 'UndefinedVar',
    bad: service('COPY app ${APP_DIR}'),
    line: 3,
    good: service('ARG APP_DIR=/app', 'COPY app ${APP_DIR}', 'ENV PATH="/app/.venv/bin:$PATH"', 'RUN echo "${ONLY_THE_SHELL_KNOWS}"'),
  },
  {
    rule: 'StageNameCasing',
    bad: dockerfile(SYNTAX, 'FROM python:3.13-slim AS Builder', 'FROM Builder', ...TAIL),
    line: 2,
    good: dockerfile(SYNTAX, 'FROM python:3.13-slim AS builder', 'FROM builder AS runtime', ...TAIL),
  },
  {
    rule: 'DuplicateStageName',
    bad: dockerfile(SYNTAX, 'FROM python:3.13-slim AS build', 'FROM python:3.13-slim AS build', ...TAIL),
    line: 3,
    good: dockerfile(SYNTAX, 'FROM python:3.13-slim AS build', 'FROM python:3.13-slim AS runtime', ...TAIL),
  },
  {
    rule: 'MaintainerDeprecated',
    bad: service('MAINTAINER dev@example.com'),
    line: 3,
    good: service('LABEL org.opencontainers.image.authors="dev@example.com"'),
  },
  {
    rule: 'WorkdirRelativePath',
    bad: service('WORKDIR app'),
    line: 3,
    good: service('WORKDIR /app', 'WORKDIR src'),
  },
  {
    rule: 'MultipleInstructionsDisallowed',
    bad: dockerfile(SYNTAX, 'FROM python:3.13-slim', 'USER 10001', 'EXPOSE 8000', HEALTHCHECK, 'CMD ["python", "-m", "http.server"]', CMD),
    line: 6,
    good: service(),
  },
  {
    rule: 'DL3006',
    bad: dockerfile(SYNTAX, 'FROM python AS builder', 'FROM builder', ...TAIL),
    line: 2,
    good: dockerfile(SYNTAX, 'FROM python:3.13-slim AS builder', 'FROM builder AS runtime', ...TAIL),
  },
  {
    rule: 'DL3007',
    bad: dockerfile(SYNTAX, 'FROM python:latest', ...TAIL),
    line: 2,
    good: service(),
  },
  {
    rule: 'DL3008',
    bad: service(aptInstall('curl')),
    line: 3,
    good: service(aptInstall('curl=8.14.1-2')),
  },
  {
    rule: 'DL3015',
    bad: service('RUN apt-get update && apt-get install -y curl=8.14.1-2 && rm -rf /var/lib/apt/lists/*'),
    line: 3,
    good: service(aptInstall('curl=8.14.1-2')),
  },
  {
    rule: 'DL3009',
    bad: service('RUN apt-get update && apt-get install -y --no-install-recommends curl=8.14.1-2'),
    line: 3,
    good: service(aptInstall('curl=8.14.1-2')),
  },
  {
    rule: 'DL3027',
    bad: service('RUN apt install -y curl'),
    line: 3,
    good: service(aptInstall('curl=8.14.1-2')),
  },
  {
    rule: 'DL3013',
    bad: service('RUN pip install --no-cache-dir requests'),
    line: 3,
    good: service('RUN pip install --no-cache-dir "requests==2.32.3" -r requirements.txt --find-links /wheels ./vendor/pkg.whl .'),
  },
  {
    rule: 'DL3042',
    bad: service('RUN pip install "requests==2.32.3"'),
    line: 3,
    good: service('RUN --mount=type=cache,target=/root/.cache/pip pip install "requests==2.32.3"'),
  },
  {
    rule: 'DL3002',
    bad: dockerfile(SYNTAX, 'FROM python:3.13-slim', 'USER 10001', 'RUN id', 'USER root', 'EXPOSE 8000', HEALTHCHECK, CMD),
    line: 5,
    good: service(),
  },
  {
    rule: 'DL3020',
    bad: service('ADD app /app/app'),
    line: 3,
    good: service('ADD vendor.tar.gz /opt/vendor/', 'COPY app /app/app'),
  },
  {
    rule: 'DL4006',
    bad: service('RUN curl -fsSL https://example.com/install.sh | sh'),
    line: 3,
    good: service('SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'RUN curl -fsSL https://example.com/install.sh | sh'),
  },
  {
    rule: 'PS001',
    bad: dockerfile(SYNTAX, 'FROM python:3.12-slim AS builder', 'FROM python:3.13-slim AS runtime', ...TAIL),
    line: 2,
    good: dockerfile(SYNTAX, 'ARG PYTHON_VERSION=3.13', 'FROM python:${PYTHON_VERSION}-slim-trixie AS builder', 'FROM python:3.13-slim AS runtime', ...TAIL),
  },
  {
    rule: 'PS002',
    bad: dockerfile('FROM python:3.13-slim', ...TAIL),
    line: 1,
    good: service(),
  },
  {
    rule: 'PS003',
    bad: dockerfile(SYNTAX, 'FROM python:3.13-slim', 'USER 10001', 'EXPOSE 8000', CMD),
    line: 2,
    good: service(),
  },
  {
    rule: 'PS004',
    bad: dockerfile(SYNTAX, 'FROM python:3.13-slim', 'USER 10001', HEALTHCHECK, CMD),
    line: 2,
    good: service(),
  },
  {
    rule: 'PS005',
    bad: service('WORKDIR /app', 'COPY . .', 'RUN pip install --no-cache-dir -r requirements.txt'),
    line: 4,
    good: service(
      'WORKDIR /app',
      'RUN --mount=type=cache,target=/root/.cache/pip pip install "poetry==2.1.2"',
      'COPY pyproject.toml poetry.lock ./',
      'RUN poetry install --no-root',
      'COPY . .',
      'RUN poetry install --only-root',
    ),
  },
];

describe.each(RULE_CASES)('$rule', ({ rule, bad, line, good }) => {
  it(`reports line ${line} of a Dockerfile that breaks it`, () => {
    expect(linesOf(bad, rule)).toEqual([line]);
  });

  it('reports nothing at all on a compliant Dockerfile', () => {
    expect(lintDockerfile(good)).toEqual([]);
  });
});

describe('BuildKit check rules', () => {
  it('wants JSON arguments for ENTRYPOINT and HEALTHCHECK CMD too, not for HEALTHCHECK NONE', () => {
    const text = service('ENTRYPOINT uvicorn', 'HEALTHCHECK --interval=30s \\', '  CMD curl -f http://localhost:8000/ || exit 1');
    expect(linesOf(text, 'JSONArgsRecommended')).toEqual([3, 4]);
    expect(linesOf(service('HEALTHCHECK NONE'), 'JSONArgsRecommended')).toEqual([]);
  });

  it('accepts shell-form CMD after a SHELL instruction, as BuildKit does', () => {
    const text = dockerfile(SYNTAX, 'FROM python:3.13-slim', 'SHELL ["/bin/bash", "-c"]', 'USER 10001', 'EXPOSE 8000', HEALTHCHECK, 'CMD exec uvicorn app.main:app');
    expect(linesOf(text, 'JSONArgsRecommended')).toEqual([]);
  });

  it('checks FROM/AS casing only when FROM itself is consistently cased', () => {
    expect(linesOf(dockerfile('from python:3.13-slim AS builder'), 'FromAsCasing')).toEqual([1]);
    expect(linesOf(dockerfile('From python:3.13-slim as builder'), 'FromAsCasing')).toEqual([]);
  });

  it.each(['API_KEY', 'SECRET_KEY', 'DB_PASSWORD', 'GITHUB_TOKEN', 'auth', 'npm-token', 'AWS_CREDENTIALS', 'APIKEY'])(
    'treats %s as a secret name',
    (name) => {
      expect(linesOf(service(`ARG ${name}`), 'SecretsUsedInArgOrEnv')).toEqual([3]);
      expect(linesOf(service(`ENV ${name}=x`), 'SecretsUsedInArgOrEnv')).toEqual([3]);
    },
  );

  it.each(['MONKEY', 'KEYBOARD', 'POETRY_VERSION', 'PUBLIC_KEY', 'TOKEN_FILE', 'PASSWORDLESS', 'AUTHOR'])(
    'does not treat %s as a secret name',
    (name) => {
      expect(linesOf(service(`ARG ${name}=x`), 'SecretsUsedInArgOrEnv')).toEqual([]);
    },
  );

  it('checks global ARGs for secret names', () => {
    expect(linesOf(dockerfile(SYNTAX, 'ARG PYPI_TOKEN', 'FROM python:3.13-slim', ...TAIL), 'SecretsUsedInArgOrEnv')).toEqual([2]);
  });

  describe('UndefinedVar', () => {
    it('sees global ARGs in FROM lines only, until a stage re-declares them', () => {
      const text = dockerfile(
        SYNTAX,
        'ARG PYTHON_VERSION=3.13',
        'ARG APP_HOME=/app',
        'FROM python:${PYTHON_VERSION}-slim',
        'WORKDIR ${APP_HOME}',
        'ARG APP_HOME',
        'COPY app ${APP_HOME}/app',
        ...TAIL,
      );
      expect(linesOf(text, 'UndefinedVar')).toEqual([5]);
      expect(lintDockerfile(text).find((finding) => finding.rule === 'UndefinedVar')?.message).toContain('$APP_HOME');
    });

    it('flags undefined variables in FROM, including in flags', () => {
      expect(linesOf(dockerfile(SYNTAX, 'FROM python:${PY}-slim', ...TAIL), 'UndefinedVar')).toEqual([2]);
      expect(linesOf(dockerfile(SYNTAX, 'FROM --platform=$PLATFORM python:3.13-slim', ...TAIL), 'UndefinedVar')).toEqual([2]);
      expect(linesOf(dockerfile(SYNTAX, 'FROM --platform=$BUILDPLATFORM python:3.13-slim', ...TAIL), 'UndefinedVar')).toEqual([]);
    });

    it('knows PATH, HOME, HOSTNAME and the predefined build args', () => {
      const text = service('ENV PATH="/opt/venv/bin:$PATH" CACHE=$HOME/.cache', 'LABEL host=$HOSTNAME arch=${TARGETARCH} proxy=${https_proxy}');
      expect(linesOf(text, 'UndefinedVar')).toEqual([]);
    });

    it('does not check RUN, CMD or other instructions a shell expands', () => {
      const text = dockerfile(
        SYNTAX,
        'FROM python:3.13-slim',
        'RUN pip install --no-cache-dir "poetry==${POETRY_VERSION}"',
        'USER 10001',
        'EXPOSE 8000',
        'HEALTHCHECK CMD ["sh", "-c", "curl -f http://localhost:$PORT/"]',
        'CMD ["sh", "-c", "exec uvicorn --port $PORT"]',
      );
      expect(linesOf(text, 'UndefinedVar')).toEqual([]);
    });

    it('checks ENV, ARG defaults, COPY flags, WORKDIR, USER, EXPOSE and LABEL', () => {
      const text = service('ENV A=$UNDEF_A', 'ARG B=${UNDEF_B:-x}', 'COPY --chown=$UNDEF_C app /app', 'WORKDIR /srv/$UNDEF_D', 'USER $UNDEF_E', 'EXPOSE $UNDEF_F', 'LABEL g=$UNDEF_G');
      expect(linesOf(text, 'UndefinedVar')).toEqual([3, 4, 5, 6, 7, 8, 9]);
    });

    it('expands all values of one ENV before setting any of its keys', () => {
      expect(linesOf(service('ENV A=1 B=$A'), 'UndefinedVar')).toEqual([3]);
      expect(linesOf(service('ENV A=1', 'ENV B=$A'), 'UndefinedVar')).toEqual([]);
    });

    it('ignores single-quoted and escaped dollars', () => {
      expect(linesOf(service(`ENV A='$NOT_A_VAR' B=\\$NOR_THIS`), 'UndefinedVar')).toEqual([]);
    });

    it('inherits ENV from a stage used as the base, but not ARG', () => {
      const text = dockerfile(SYNTAX, 'FROM python:3.13-slim AS base', 'ENV APP_HOME=/app', 'ARG BUILD_ONLY=1', 'FROM base', 'WORKDIR $APP_HOME', 'LABEL b=$BUILD_ONLY', ...TAIL);
      expect(linesOf(text, 'UndefinedVar')).toEqual([7]);
    });
  });

  it('names the lower-cased stage in DuplicateStageName, as stage names are case-insensitive', () => {
    const text = dockerfile(SYNTAX, 'FROM python:3.13-slim AS build', 'FROM python:3.13-slim AS BUILD', ...TAIL);
    expect(linesOf(text, 'DuplicateStageName')).toEqual([3]);
  });

  it('resolves WORKDIR variables before deciding whether the path is relative', () => {
    expect(linesOf(service('ARG APP_HOME=/app', 'WORKDIR $APP_HOME'), 'WorkdirRelativePath')).toEqual([]);
    expect(linesOf(service('ARG APP_HOME=app', 'WORKDIR $APP_HOME'), 'WorkdirRelativePath')).toEqual([4]);
  });

  it('reports each overridden ENTRYPOINT and HEALTHCHECK, per stage', () => {
    const text = dockerfile(
      SYNTAX,
      'FROM python:3.13-slim AS builder',
      'CMD ["a"]',
      'FROM python:3.13-slim',
      'ENTRYPOINT ["a"]',
      'ENTRYPOINT ["b"]',
      HEALTHCHECK,
      ...TAIL,
    );
    expect(linesOf(text, 'MultipleInstructionsDisallowed')).toEqual([5, 7]);
  });
});

describe('hadolint rules', () => {
  it('never emits DL3025 or DL4000, which duplicate JSONArgsRecommended and MaintainerDeprecated', () => {
    const rules = rulesOf(service('MAINTAINER dev@example.com', 'ENTRYPOINT uvicorn'));
    expect(rules).toContain('JSONArgsRecommended');
    expect(rules).toContain('MaintainerDeprecated');
    expect(rules).not.toContain('DL3025');
    expect(rules).not.toContain('DL4000');
  });

  it('DL3006 resolves global ARG defaults in the image and ignores scratch, stages and digests', () => {
    expect(linesOf(dockerfile(SYNTAX, 'ARG BASE=python', 'FROM ${BASE}', ...TAIL), 'DL3006')).toEqual([3]);
    expect(linesOf(dockerfile(SYNTAX, 'ARG BASE=python:3.13-slim', 'FROM ${BASE}', ...TAIL), 'DL3006')).toEqual([]);
    expect(linesOf(dockerfile(SYNTAX, 'FROM scratch', ...TAIL), 'DL3006')).toEqual([]);
    expect(linesOf(dockerfile(SYNTAX, 'FROM python@sha256:0123456789abcdef', ...TAIL), 'DL3006')).toEqual([]);
    // The colon of a registry port is not a tag.
    expect(linesOf(dockerfile(SYNTAX, 'FROM localhost:5000/python', ...TAIL), 'DL3006')).toEqual([2]);
  });

  it('DL3007 accepts :latest pinned by digest', () => {
    expect(linesOf(dockerfile(SYNTAX, 'FROM python:latest@sha256:0123456789abcdef', ...TAIL), 'DL3007')).toEqual([]);
  });

  it('DL3008 and DL3015 look at every apt-get install, whatever the option order', () => {
    const text = service('RUN apt-get update && apt-get -y -o Dpkg::Options::=--force-confold install curl git=1:2.47.2-0.1 \\', ' && rm -rf /var/lib/apt/lists/*');
    const findings = lintDockerfile(text);
    expect(findings.filter((finding) => finding.rule === 'DL3008').map((finding) => finding.message)).toEqual([expect.stringContaining('(curl)')]);
    expect(linesOf(text, 'DL3015')).toEqual([3]);
    expect(linesOf(service('RUN apt-get install -y -o APT::Install-Recommends=false curl=1 && rm -rf /var/lib/apt/lists/*'), 'DL3015')).toEqual([]);
  });

  it('DL3009 accepts a cache mount for /var/lib/apt instead of removing the lists', () => {
    const text = service('RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt \\', '    apt-get update && apt-get install -y --no-install-recommends curl=8.14.1-2');
    expect(linesOf(text, 'DL3009')).toEqual([]);
  });

  it('DL3013 finds unpinned packages among options, requirement files and local paths', () => {
    const pinned = [
      'pip install --no-cache-dir "poetry==${POETRY_VERSION}"',
      'pip install --no-cache-dir -r requirements.txt',
      'pip install --no-cache-dir --requirement requirements.txt',
      'pip install --no-cache-dir -c constraints.txt flask',
      'pip install --no-cache-dir --no-index --find-links /wheels -r /wheels/requirements.txt',
      'pip install --no-cache-dir . ./dist/app-1.0-py3-none-any.whl',
      'pip install --no-cache-dir "uvicorn[standard]>=0.30,<1" "git+https://github.com/encode/httpx@0.28.1"',
      'pip install --no-cache-dir -Ur requirements.txt',
    ];
    for (const command of pinned) expect(linesOf(service(`RUN ${command}`), 'DL3013'), command).toEqual([]);
    const unpinned = [
      'python3 -m pip install --no-cache-dir flask',
      'pip install --no-cache-dir --find-links /wheels flask',
      '/opt/venv/bin/pip3 install --no-cache-dir --upgrade pip',
      // Unquoted, ">" is a redirection: pip only sees "flask".
      'pip install --no-cache-dir flask>=3',
    ];
    for (const command of unpinned) expect(linesOf(service(`RUN ${command}`), 'DL3013'), command).toEqual([3]);
  });

  it('DL3042 accepts --no-cache-dir, PIP_NO_CACHE_DIR and a cache mount for ~/.cache/pip only', () => {
    expect(linesOf(service('RUN pip install --no-cache-dir "flask==3.1.0"'), 'DL3042')).toEqual([]);
    expect(linesOf(service('ENV PIP_NO_CACHE_DIR=1', 'RUN pip install "flask==3.1.0"'), 'DL3042')).toEqual([]);
    expect(linesOf(service('RUN PIP_NO_CACHE_DIR=true pip install "flask==3.1.0"'), 'DL3042')).toEqual([]);
    expect(linesOf(service('RUN --mount=type=cache,target=/root/.cache/pypoetry pip install "flask==3.1.0"'), 'DL3042')).toEqual([3]);
    expect(linesOf(service('RUN pip wheel -w /wheels "flask==3.1.0"'), 'DL3042')).toEqual([]);
  });

  it('DL3002 wants a USER in the final stage, unless the base is a distroless :nonroot image', () => {
    expect(linesOf(dockerfile(SYNTAX, 'FROM python:3.13-slim', 'EXPOSE 8000', HEALTHCHECK, CMD), 'DL3002')).toEqual([2]);
    expect(linesOf(dockerfile(SYNTAX, 'FROM gcr.io/distroless/python3-debian13:nonroot', 'EXPOSE 8000', HEALTHCHECK, CMD), 'DL3002')).toEqual([]);
    expect(linesOf(dockerfile(SYNTAX, 'FROM gcr.io/distroless/python3-debian13', 'EXPOSE 8000', HEALTHCHECK, CMD), 'DL3002')).toEqual([2]);
    expect(linesOf(dockerfile(SYNTAX, 'FROM python:3.13-slim', 'USER 0:0', 'EXPOSE 8000', HEALTHCHECK, CMD), 'DL3002')).toEqual([3]);
    // Only the final stage matters, and it inherits the USER of a stage it is built on.
    expect(linesOf(dockerfile(SYNTAX, 'FROM python:3.13-slim AS base', 'USER 10001', 'FROM base', 'EXPOSE 8000', HEALTHCHECK, CMD), 'DL3002')).toEqual([]);
    expect(linesOf(dockerfile(SYNTAX, 'FROM python:3.13-slim AS builder', 'USER root', 'FROM python:3.13-slim', ...TAIL), 'DL3002')).toEqual([]);
  });

  it('DL3020 accepts ADD for URLs and local tar archives', () => {
    expect(linesOf(service('ADD https://example.com/tool.tar.gz /opt/', 'ADD deps.tgz /opt/'), 'DL3020')).toEqual([]);
    expect(linesOf(service('ADD ["requirements.txt", "/app/"]'), 'DL3020')).toEqual([3]);
  });

  it('DL4006 ignores ||, quoted bars and exec form, and sees pipes in here-documents', () => {
    expect(linesOf(service(`RUN test -f /x || echo 'a|b' | tr a b`), 'DL4006')).toEqual([3]);
    expect(linesOf(service(`RUN test -f /x || sed -e 's|a|b|' /y`), 'DL4006')).toEqual([]);
    expect(linesOf(service('RUN ["python", "-c", "print(1 | 2)"]'), 'DL4006')).toEqual([]);
    expect(linesOf(service('RUN <<EOF', 'set -e', 'curl -fsSL https://example.com | sh', 'EOF'), 'DL4006')).toEqual([3]);
    expect(linesOf(service('SHELL ["/bin/bash", "-euxo", "pipefail", "-c"]', 'RUN a | b'), 'DL4006')).toEqual([]);
    expect(linesOf(service('SHELL ["/bin/bash", "-c"]', 'RUN a | b'), 'DL4006')).toEqual([4]);
  });

  it('DL3027 is about apt itself, not apt-get or apt-cache', () => {
    expect(linesOf(service('RUN apt-cache policy curl'), 'DL3027')).toEqual([]);
    expect(linesOf(service('RUN apt-get update && apt upgrade -y && rm -rf /var/lib/apt/lists/*'), 'DL3027')).toEqual([3]);
  });
});

describe('project rules', () => {
  const distrolessRuntime = ['FROM gcr.io/distroless/python3-debian13:nonroot', 'COPY --from=builder /app/.venv /app/.venv', 'EXPOSE 8000', HEALTHCHECK, CMD];

  it('PS001: a python:3.12 builder under a python:3.13 runtime', () => {
    const findings = lintDockerfile(dockerfile(SYNTAX, 'FROM python:3.12-slim AS builder', 'FROM python:3.13-slim AS runtime', ...TAIL));
    expect(findings).toEqual([{ rule: 'PS001', line: 2, message: expect.stringContaining('a venv only runs on the same interpreter version') }]);
  });

  it('PS001: a python:3.13 builder under distroless python3-debian13 is fine', () => {
    expect(linesOf(dockerfile(SYNTAX, 'FROM python:3.13-slim AS builder', ...distrolessRuntime), 'PS001')).toEqual([]);
  });

  it('PS001: a python:3.12 builder under distroless python3-debian13 is not', () => {
    const findings = lintDockerfile(dockerfile(SYNTAX, 'FROM python:3.12-slim AS builder', ...distrolessRuntime));
    expect(findings).toEqual([{ rule: 'PS001', line: 2, message: expect.stringContaining('a venv only runs on the same interpreter version') }]);
    expect(findings[0]?.message).toContain('Python 3.13');
  });

  it('PS001 compares versions after substituting global ARG defaults', () => {
    const text = (version: string) =>
      dockerfile(SYNTAX, `ARG PYTHON_VERSION=${version}`, 'FROM python:${PYTHON_VERSION}-slim-trixie AS builder', 'FROM python:3.13.2-slim AS runtime', ...TAIL);
    expect(linesOf(text('3.13'), 'PS001')).toEqual([]);
    expect(linesOf(text('3.12'), 'PS001')).toEqual([3]);
  });

  it('PS002 accepts any docker/dockerfile:1.x syntax, on the first line only', () => {
    expect(linesOf(dockerfile('# syntax=docker/dockerfile:1.7', 'FROM python:3.13-slim', ...TAIL), 'PS002')).toEqual([]);
    expect(linesOf(dockerfile('# A comment first', SYNTAX, 'FROM python:3.13-slim', ...TAIL), 'PS002')).toEqual([1]);
    expect(linesOf(dockerfile('# syntax=docker/dockerfile:0.9', 'FROM python:3.13-slim', ...TAIL), 'PS002')).toEqual([1]);
  });

  it('PS003 counts the final stage only, and HEALTHCHECK NONE as none', () => {
    const builderOnly = dockerfile(SYNTAX, 'FROM python:3.13-slim AS builder', HEALTHCHECK, 'FROM python:3.13-slim', 'USER 10001', 'EXPOSE 8000', CMD);
    expect(linesOf(builderOnly, 'PS003')).toEqual([4]);
    expect(linesOf(service('HEALTHCHECK NONE').replace(`${HEALTHCHECK}\n`, ''), 'PS003')).toEqual([3]);
  });

  it('PS005 covers COPY . <dir> before poetry install, not COPY --from or installing only the project', () => {
    expect(linesOf(service('COPY . /app', 'RUN cd /app && poetry install --no-root'), 'PS005')).toEqual([3]);
    expect(linesOf(service('COPY --from=builder . .', 'RUN poetry sync'), 'PS005')).toEqual([]);
    expect(linesOf(service('COPY . .', 'RUN pip install --no-cache-dir --no-deps .'), 'PS005')).toEqual([]);
  });
});

describe('output', () => {
  it('sorts findings by line, then rule id, with 1-based lines', () => {
    const findings: LintFinding[] = lintDockerfile(dockerfile('FROM python', 'MAINTAINER me', 'CMD run'));
    expect(findings.map((finding) => `${finding.line} ${finding.rule}`)).toEqual([
      '1 DL3002',
      '1 DL3006',
      '1 PS002',
      '1 PS003',
      '1 PS004',
      '2 MaintainerDeprecated',
      '3 JSONArgsRecommended',
    ]);
  });

  it('handles an empty file', () => {
    expect(rulesOf('')).toEqual(['PS002']);
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
    ['Dockerfile', SAMPLE_DOCKERFILE, []],
    ['Dockerfile.distroless', SAMPLE_DISTROLESS, []],
    ['Dockerfile.wheels', SAMPLE_WHEELS, []],
    // Debian's python3-venv is installed without a version pin: a correct DL3008.
    ['Dockerfile.distroless-debian', SAMPLE_DISTROLESS_DEBIAN, [{ rule: 'DL3008', line: 6 }]],
    // Its real bug (a venv pointing at /usr/local/bin/python3.13, absent from distroless) is a
    // path problem the versions cannot show; only the missing HEALTHCHECK is visible here.
    ['Dockerfile.broken-distroless', SAMPLE_BROKEN_DISTROLESS, [{ rule: 'PS003', line: 13 }]],
  ])('%s', (_name, text, expected) => {
    expect(lintDockerfile(text).map(({ rule, line }) => ({ rule, line }))).toEqual(expected);
  });
});
