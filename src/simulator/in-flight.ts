// Requests that may still store a document, by uniqueId, so "is it stored?" is answered only once they have decided.

/**
 * A client whose answer was lost asks the query endpoint before sending again. If the request
 * it gave up on is still being processed, "absent" would be wrong a moment later and the re-send
 * would store the document twice; so the query waits for such requests first.
 */
export class InFlight {
  private readonly pending = new Map<string, Set<Promise<unknown>>>();

  /** Runs `fn` as a request that may store these uniqueIds. */
  async during<T>(uniqueIds: readonly string[], fn: () => Promise<T>): Promise<T> {
    const run = fn();
    const keys = [...new Set(uniqueIds)];
    for (const key of keys) {
      let set = this.pending.get(key);
      if (!set) {
        set = new Set();
        this.pending.set(key, set);
      }
      set.add(run);
    }
    try {
      return await run;
    } finally {
      for (const key of keys) {
        const set = this.pending.get(key);
        set?.delete(run);
        if (set?.size === 0) {
          this.pending.delete(key);
        }
      }
    }
  }

  /** Resolves when no request for this uniqueId is in flight, or after `maxWaitMs` (a query never hangs). */
  async settled(uniqueId: string, maxWaitMs: number): Promise<void> {
    const set = this.pending.get(uniqueId);
    if (!set || set.size === 0) {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
    });
    try {
      await Promise.race([Promise.allSettled([...set]).then(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
