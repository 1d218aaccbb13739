// A one-line progress bar on a terminal's stderr for long runs; silent everywhere else.
import type { Writable } from 'node:stream';

export interface Progress {
  tick(): void;
  done(): void;
}

const NOOP: Progress = { tick: () => undefined, done: () => undefined };
const WIDTH = 30;
const REDRAW_MS = 100;

/** Only drawn when the stream is a terminal and the run is long enough to be worth watching. */
export function createProgress(
  stream: Writable & { isTTY?: boolean; columns?: number },
  total: number,
  minTotal = 20
): Progress {
  if (!stream.isTTY || total < minTotal) {
    return NOOP;
  }
  const started = Date.now();
  let count = 0;
  let lastDraw = 0;
  const draw = (): void => {
    const filled = Math.round((count / total) * WIDTH);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(count / seconds) : 0;
    stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${count}/${total} documents, ${rate}/s `);
  };
  return {
    tick() {
      count++;
      const now = Date.now();
      if (now - lastDraw >= REDRAW_MS || count === total) {
        lastDraw = now;
        draw();
      }
    },
    done() {
      stream.write('\r' + ' '.repeat(Math.min(stream.columns ?? 80, 80)) + '\r');
    },
  };
}
