/**
 * Every setting the generated project documents has an effect: each variable in
 * README's configuration table and in .env.example is read by the file the
 * table names (a pydantic-settings field used as `settings.<field>`, or an
 * `os.environ.get("VAR"` in gunicorn_config.py), and every settings field is documented.
 */
import { describe, expect, it } from 'vitest';
import { renderService } from '../../src/render/render.js';
import { defaultAnswers, TEST_VERSION } from '../helpers/presets.js';

interface Row {
  readonly variable: string;
  readonly readBy: string[];
}

function configurationTable(readme: string): Row[] {
  const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  const lines = section.split('\n').filter((line) => line.startsWith('| `'));
  return lines.map((line) => {
    const cells = line.split('|').map((cell) => cell.trim());
    return { variable: cells[1]!.replace(/`/g, ''), readBy: [...(cells[4] ?? '').matchAll(/`([\w/.]+\.py)`/g)].map((m) => m[1]!) };
  });
}

describe.each(['uvicorn', 'gunicorn'] as const)('%s server', (server) => {
  const files = renderService(defaultAnswers({ server }), TEST_VERSION);
  const rows = configurationTable(files.get('README.md')!);
  const fields = [...files.get('app/core/config.py')!.matchAll(/^ {4}(\w+): /gm)].map((m) => m[1]!);

  it('documents every settings field and every .env.example variable', () => {
    const documented = rows.map((r) => r.variable);
    expect(documented.length).toBeGreaterThan(3);
    expect(fields.map((f) => f.toUpperCase()).filter((v) => !documented.includes(v))).toEqual([]);
    const example = [...files.get('.env.example')!.matchAll(/^#? ?([A-Z_]+)=/gm)].map((m) => m[1]!);
    expect(example.filter((v) => !documented.includes(v))).toEqual([]);
  });

  it.each(rows.map((r) => [r.variable, r] as const))('%s is read where README says', (variable, row) => {
    expect(row.readBy.length, `${variable} names no file that reads it`).toBeGreaterThan(0);
    const field = variable.toLowerCase();
    for (const path of row.readBy) {
      const code = files.get(path);
      expect(code, `${path} is not generated`).toBeDefined();
      const viaSettings = fields.includes(field) && code!.includes(`settings.${field}`);
      const viaEnvironment = code!.includes(`os.environ.get('${variable}'`) || code!.includes(`os.environ.get("${variable}"`);
      expect(viaSettings || viaEnvironment, `${path} does not read ${variable}`).toBe(true);
    }
  });
});

describe("the generated README's later commands (issue #22, item 8)", () => {
  it('names add route, docker and update, each as a command this package runs, with --dry-run --diff', () => {
    const readme = renderService(defaultAnswers({}), TEST_VERSION).get('README.md')!;
    const section = readme.split('## Changing the project later')[1]?.split('\n## ')[0] ?? '';
    for (const command of ['npx create-pyservice add route ', 'npx create-pyservice docker ', 'npx create-pyservice@latest update']) expect(section).toContain(command);
    expect(section).toContain('--dry-run --diff');
  });
});
