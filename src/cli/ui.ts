/** Terminal output: colours (honouring NO_COLOR / FORCE_COLOR), errors, a spinner. */
import { writeErr } from './output.js';
import { visible } from '../model/text.js';

const useColor = (stream: NodeJS.WriteStream) =>
  process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : !process.env.NO_COLOR && stream.isTTY === true && process.env.TERM !== 'dumb';

const paint = (code: string) => (text: string, stream: NodeJS.WriteStream = process.stdout) =>
  useColor(stream) ? `\u001b[${code}m${text}\u001b[0m` : text;

export const bold = paint('1');
export const dim = paint('2');
export const red = paint('31');
export const green = paint('32');
export const yellow = paint('33');
export const cyan = paint('36');

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2, cancelled: 130 } as const;

/** An error the user can fix (exit 2) or a failure of ours or a tool's (exit 1); never a stack trace. */
export class CliError extends Error {
  constructor(
    readonly lines: string[],
    readonly exitCode: number,
    readonly details: string[] = [],
  ) {
    super(lines.join('\n'));
  }
}

/** Error lines on stderr; user values inside them are shown with control characters made visible. */
export function printErrors(lines: string[], details: string[] = []): void {
  for (const line of lines) writeErr(`${red('error', process.stderr)}: ${visible(line)}\n`);
  for (const detail of details) writeErr(`  ${visible(detail)}\n`);
}

/** A spinner on stderr in a terminal; plain start/end lines otherwise. */
export function spinner(text: string) {
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  const tty = process.stderr.isTTY === true;
  let i = 0;
  const timer = tty
    ? setInterval(() => writeErr(`\r${cyan(frames[i++ % frames.length]!, process.stderr)} ${text}`), 80)
    : undefined;
  if (!tty) writeErr(`${text}...\n`);
  const stop = (mark: string, message: string) => {
    if (timer) clearInterval(timer);
    writeErr(`${tty ? '\r\u001b[2K' : ''}${mark} ${message}\n`);
  };
  return {
    succeed: (message = text) => stop(green('✔', process.stderr), message),
    fail: (message = text) => stop(red('✖', process.stderr), message),
  };
}
