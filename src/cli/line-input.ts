/**
 * A one-line text prompt (the @inquirer/input interaction: default shown dim,
 * Tab to take it, Enter to validate and answer) that stays fast and inert:
 *
 * - A paste arrives as one keypress per character, and both readline and
 *   @inquirer/core measure the whole line on every keypress (cursor position),
 *   while @inquirer/input also re-renders it: pasting 10,000 characters took
 *   minutes (quadratic). Here the line is capped as it is typed (MAX_LENGTH,
 *   far above any valid answer, which the validators then refuse with the
 *   reason), the cursor position of a plain-ASCII line is computed directly
 *   instead of by scanning it for escapes and wide characters, and the screen
 *   is drawn once per burst of input (setImmediate).
 * - The typed value is shown with control, escape and bidirectional characters
 *   made visible, so a pasted escape sequence cannot drive the terminal.
 */
import type { Interface } from 'node:readline';
import { createPrompt, isBackspaceKey, isEnterKey, isTabKey, makeTheme, useEffect, useKeypress, usePrefix, useRef, useState } from '@inquirer/core';
import { visible } from '../model/text.js';

/** Longer than any answer we accept at the prompt; what is typed beyond it is dropped. */
const MAX_LENGTH = 1000;

export interface LineInputConfig {
  readonly message: string;
  readonly default?: string;
  readonly validate?: (value: string) => boolean | string | Promise<boolean | string>;
}

export default createPrompt<string, LineInputConfig>((config, done) => {
  const theme = makeTheme({});
  const [status, setStatus] = useState<'idle' | 'loading' | 'done'>('idle');
  const [defaultValue = '', setDefaultValue] = useState<string | undefined>(config.default);
  const [error, setError] = useState<string | undefined>(undefined);
  const [value, setValue] = useState('');
  const line = useRef('');
  const cut = useRef(false);
  const pending = useRef<NodeJS.Immediate | undefined>(undefined);
  const prefix = usePrefix({ status, theme });

  useEffect((inquirerReadline) => {
    const rl = inquirerReadline as unknown as Interface & { line: string; cursor: number; getPrompt(): string };
    const measure = rl.getCursorPos.bind(rl);
    rl.getCursorPos = () => {
      const before = rl.getPrompt() + rl.line.slice(0, rl.cursor);
      const columns = (rl as unknown as { columns?: number }).columns;
      // What readline computes, for the common case, without its per-character loop.
      if (!columns || !/^[\x20-\x7e]*$/.test(before)) return measure();
      return { rows: Math.floor(before.length / columns), cols: before.length % columns };
    };
  }, []);

  useKeypress(async (key, rl) => {
    if (status !== 'idle') return;
    if (isEnterKey(key)) {
      if (pending.current) clearImmediate(pending.current);
      pending.current = undefined;
      const answer = line.current || defaultValue;
      setStatus('loading');
      const verdict = config.validate ? await config.validate(answer) : true;
      if (verdict === true) {
        setValue(answer);
        setStatus('done');
        done(answer);
        return;
      }
      // readline cleared its line on Enter: give the text back so it can be corrected.
      rl.write(line.current);
      setValue(line.current);
      const why = verdict || 'You must provide a valid value';
      setError(cut.current ? `${why} (the input stops at ${MAX_LENGTH} characters: the rest was dropped)` : why);
      setStatus('idle');
    } else if (isBackspaceKey(key) && !line.current && !rl.line) {
      setDefaultValue(undefined);
    } else if (isTabKey(key) && !line.current) {
      setDefaultValue(undefined);
      rl.clearLine(0);
      rl.write(defaultValue);
      line.current = defaultValue;
      setValue(defaultValue);
    } else {
      const editable = rl as unknown as { line: string; cursor: number };
      if (editable.line.length > MAX_LENGTH) {
        // Keep readline's own line short too: it is measured on every keypress.
        editable.line = editable.line.slice(0, MAX_LENGTH);
        editable.cursor = Math.min(editable.cursor, MAX_LENGTH);
        cut.current = true;
      } else if (editable.line.length < MAX_LENGTH) {
        cut.current = false;
      }
      line.current = rl.line;
      // Draw once per burst: a paste of n characters is n keypresses but one render.
      pending.current ??= setImmediate(() => {
        pending.current = undefined;
        setValue(line.current);
        setError(undefined);
      });
    }
  });

  const message = theme.style.message(config.message, status);
  const shown = status === 'done' ? theme.style.answer(visible(value)) : visible(value);
  const hint = defaultValue && status !== 'done' && !value ? theme.style.defaultAnswer(visible(defaultValue)) : undefined;
  return [[prefix, message, hint, shown].filter((part) => part !== undefined).join(' '), error ? theme.style.error(error) : ''];
});
