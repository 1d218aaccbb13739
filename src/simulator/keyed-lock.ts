// In-process mutual exclusion by key, so a duplicate check and the insert after it never interleave across awaits.

/** Runs critical sections one at a time per key; different keys run concurrently. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      // The last holder cleans up, so the map does not grow with every uniqueId ever seen.
      if (this.tails.get(key) === tail) {
        this.tails.delete(key);
      }
    };
  }

  /** Holds every key while `fn` runs; keys are taken in sorted order so two callers cannot deadlock. */
  async with<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const key of [...new Set(keys)].sort()) {
        releases.push(await this.acquire(key));
      }
      return await fn();
    } finally {
      for (const release of releases.reverse()) {
        release();
      }
    }
  }
}
