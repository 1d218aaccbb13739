// Long-running commands (`kih simulator`, `kih worker`) end on SIGINT, SIGTERM or the caller's abort signal.
import { once } from 'node:events';

/** Resolves on SIGINT, SIGTERM or the caller's signal, whichever comes first. */
export function stopRequested(signal: AbortSignal | undefined): { promise: Promise<string>; dispose: () => void } {
  const controller = new AbortController();
  const waits = [
    once(process, 'SIGINT', { signal: controller.signal }).then(() => 'SIGINT'),
    once(process, 'SIGTERM', { signal: controller.signal }).then(() => 'SIGTERM'),
    ...(signal ? [once(signal, 'abort', { signal: controller.signal }).then(() => 'abort')] : []),
  ];
  return {
    // The losers reject with AbortError on dispose; nobody waits for them.
    promise: Promise.race(waits.map((w) => w.catch(() => new Promise<string>(() => undefined)))),
    dispose: () => {
      controller.abort();
    },
  };
}
