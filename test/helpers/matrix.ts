/**
 * The oracle for the compatibility table, written out by hand (as
 * cookiecutter-django keeps its list of supported combinations): every
 * combination of --python, --runtime, --deps and --server, supported or not,
 * and for the unsupported ones why. It is deliberately NOT computed from
 * src/model/compat.ts or the option table, which it checks.
 *
 * Adding a choice (a Python version, a runtime, ...) makes test/unit/compat.test.ts
 * fail until its combinations are listed here, each one decided by a person.
 */

export interface Combination {
  readonly python: '3.11' | '3.12' | '3.13' | '3.14' | '3.15';
  readonly runtime: 'slim' | 'distroless';
  readonly deps: 'venv' | 'wheels';
  readonly server: 'uvicorn' | 'gunicorn';
}

const c = (python: Combination['python'], runtime: Combination['runtime'], deps: Combination['deps'], server: Combination['server']): Combination => ({
  python,
  runtime,
  deps,
  server,
});

/** The 22 combinations that must render, lint clean, build and run. */
export const SUPPORTED: readonly Combination[] = [
  // python:X-slim-trixie exists for every Python we offer; venv and wheels both work on it.
  c('3.11', 'slim', 'venv', 'uvicorn'),
  c('3.11', 'slim', 'venv', 'gunicorn'),
  c('3.11', 'slim', 'wheels', 'uvicorn'),
  c('3.11', 'slim', 'wheels', 'gunicorn'),
  c('3.12', 'slim', 'venv', 'uvicorn'),
  c('3.12', 'slim', 'venv', 'gunicorn'),
  c('3.12', 'slim', 'wheels', 'uvicorn'),
  c('3.12', 'slim', 'wheels', 'gunicorn'),
  c('3.13', 'slim', 'venv', 'uvicorn'),
  c('3.13', 'slim', 'venv', 'gunicorn'),
  c('3.13', 'slim', 'wheels', 'uvicorn'),
  c('3.13', 'slim', 'wheels', 'gunicorn'),
  c('3.14', 'slim', 'venv', 'uvicorn'),
  c('3.14', 'slim', 'venv', 'gunicorn'),
  c('3.14', 'slim', 'wheels', 'uvicorn'),
  c('3.14', 'slim', 'wheels', 'gunicorn'),
  c('3.15', 'slim', 'venv', 'uvicorn'),
  c('3.15', 'slim', 'venv', 'gunicorn'),
  c('3.15', 'slim', 'wheels', 'uvicorn'),
  c('3.15', 'slim', 'wheels', 'gunicorn'),
  // gcr.io/distroless/python3-debian13 has Debian 13's Python 3.13 and no pip: a venv built on 3.13 only.
  c('3.13', 'distroless', 'venv', 'uvicorn'),
  c('3.13', 'distroless', 'venv', 'gunicorn'),
];

/**
 * Why a combination is refused: `clash` is how the message must name the
 * flags, `because` a phrase its reason must contain, `fix` what it must suggest.
 */
export const REASONS = {
  distrolessPython: {
    clash: (combo: Combination) => `--runtime distroless with --python ${combo.python}`,
    because: 'Python 3.13 only',
    fix: 'use --python 3.13, or --runtime slim',
  },
  distrolessWheels: {
    clash: (_combo: Combination) => '--runtime distroless with --deps wheels',
    because: 'no pip',
    fix: 'use --deps venv, or --runtime slim',
  },
} as const;

export type Reason = keyof typeof REASONS;

export interface Refused {
  readonly combination: Combination;
  readonly reasons: readonly Reason[];
}

const r = (combination: Combination, ...reasons: Reason[]): Refused => ({ combination, reasons });

/** The 18 combinations that must be refused, each with every reason that applies. */
export const UNSUPPORTED: readonly Refused[] = [
  // Distroless carries only Debian's Python 3.13; a venv runs only on the interpreter it was built for.
  r(c('3.11', 'distroless', 'venv', 'uvicorn'), 'distrolessPython'),
  r(c('3.11', 'distroless', 'venv', 'gunicorn'), 'distrolessPython'),
  r(c('3.12', 'distroless', 'venv', 'uvicorn'), 'distrolessPython'),
  r(c('3.12', 'distroless', 'venv', 'gunicorn'), 'distrolessPython'),
  r(c('3.14', 'distroless', 'venv', 'uvicorn'), 'distrolessPython'),
  r(c('3.14', 'distroless', 'venv', 'gunicorn'), 'distrolessPython'),
  r(c('3.15', 'distroless', 'venv', 'uvicorn'), 'distrolessPython'),
  r(c('3.15', 'distroless', 'venv', 'gunicorn'), 'distrolessPython'),
  // The wheels strategy runs pip in the runtime image; distroless has no pip (nor a shell).
  r(c('3.13', 'distroless', 'wheels', 'uvicorn'), 'distrolessWheels'),
  r(c('3.13', 'distroless', 'wheels', 'gunicorn'), 'distrolessWheels'),
  // Both at once.
  r(c('3.11', 'distroless', 'wheels', 'uvicorn'), 'distrolessPython', 'distrolessWheels'),
  r(c('3.11', 'distroless', 'wheels', 'gunicorn'), 'distrolessPython', 'distrolessWheels'),
  r(c('3.12', 'distroless', 'wheels', 'uvicorn'), 'distrolessPython', 'distrolessWheels'),
  r(c('3.12', 'distroless', 'wheels', 'gunicorn'), 'distrolessPython', 'distrolessWheels'),
  r(c('3.14', 'distroless', 'wheels', 'uvicorn'), 'distrolessPython', 'distrolessWheels'),
  r(c('3.14', 'distroless', 'wheels', 'gunicorn'), 'distrolessPython', 'distrolessWheels'),
  r(c('3.15', 'distroless', 'wheels', 'uvicorn'), 'distrolessPython', 'distrolessWheels'),
  r(c('3.15', 'distroless', 'wheels', 'gunicorn'), 'distrolessPython', 'distrolessWheels'),
];

/** "3.13 slim venv uvicorn": how tests name a combination. */
export const label = (combo: Combination): string => `${combo.python} ${combo.runtime} ${combo.deps} ${combo.server}`;
