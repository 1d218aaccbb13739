// Says on stderr that a Schematron rule file is being compiled for SaxonJS, when that is slow enough to look like a hang.
import type { Writable } from 'node:stream';
import type { SefCompileEvent } from '../schematron/index.js';
import { ruleFileName } from '../validation/rule-sets.js';

/** A compile this long without a word looks like a hang on a terminal (a large rule file takes a minute). */
export const COMPILE_NOTICE_DELAY_MS = 1000;

export interface CompileNoticeOptions {
  /** Announce every compile at once, and its time when it ends. */
  readonly verbose: boolean;
  /** stderr is a terminal someone watches (and progress output is not turned off). */
  readonly terminal: boolean;
  readonly delayMs?: number;
}

/**
 * A listener for `onSefCompile`. On a terminal it announces a compile still running after
 * `delayMs`, and then its end; a compile that blocks the thread (a document handed over mid-run)
 * is announced at once, since no timer can fire until it is over. With `verbose`, every compile
 * is announced at once, terminal or not. Otherwise (a pipe, a log) it says nothing.
 */
export function compileNotice(
  stream: Writable,
  options: CompileNoticeOptions
): (file: string, event: SefCompileEvent) => void {
  const delayMs = options.delayMs ?? COMPILE_NOTICE_DELAY_MS;
  const running = new Map<string, { timer?: NodeJS.Timeout; shown: boolean }>();
  return (file, event) => {
    const name = ruleFileName(file);
    if (event.phase === 'start') {
      const state: { timer?: NodeJS.Timeout; shown: boolean } = { shown: false };
      const show = (): void => {
        state.shown = true;
        stream.write(`kih: compiling ${name} for SaxonJS…\n`);
      };
      if (options.verbose || (options.terminal && event.sync)) {
        show();
      } else if (options.terminal) {
        state.timer = setTimeout(show, delayMs);
        // A pending notice must not keep the process alive.
        state.timer.unref();
      }
      running.set(file, state);
      return;
    }
    const state = running.get(file);
    running.delete(file);
    clearTimeout(state?.timer);
    if (state?.shown === true) {
      const seconds = (event.ms / 1000).toFixed(1);
      stream.write(
        event.ok
          ? `kih: compiled ${name} for SaxonJS in ${seconds} s\n`
          : `kih: compiling ${name} for SaxonJS failed after ${seconds} s\n`
      );
    }
  };
}
