// Failed authentications per client address per minute, so guessing keys costs the guesser a 429 instead of us a lookup each.
import type { Redis } from 'ioredis';
import { KihError } from '../core/kih-error.js';

export interface AuthFailures {
  /** True when the address has used up its failures for this minute. */
  blocked(address: string): Promise<boolean>;
  /** Counts one failure (a wrong key header or login). */
  count(address: string): Promise<void>;
}

const WINDOW_MS = 60_000;
/** The in-process table forgets everything past this many addresses rather than grow without end. */
const MAX_ADDRESSES = 100_000;

/** In Redis (shared by every server process, keys under the service's prefix), else in this process. */
export function authFailures(limit: number, redis?: Redis, prefix = 'kih'): AuthFailures {
  if (redis) {
    const keyOf = (address: string): string => `${prefix}:auth-failures:${address}`;
    // Redis down is the service being unavailable (503, retry), as for the queues, not a server fault.
    const unavailable = (err: unknown): KihError =>
      new KihError('STORE_ERR_QUEUE', 'The failed-authentication counters in Redis are not reachable.', {
        cause: err,
      });
    return {
      async blocked(address) {
        try {
          return Number((await redis.get(keyOf(address))) ?? 0) >= limit;
        } catch (err) {
          throw unavailable(err);
        }
      },
      async count(address) {
        const key = keyOf(address);
        try {
          const n = await redis.incr(key);
          if (n === 1) {
            await redis.pexpire(key, WINDOW_MS);
          }
        } catch (err) {
          throw unavailable(err);
        }
      },
    };
  }
  const table = new Map<string, { n: number; until: number }>();
  const current = (address: string, now: number): { n: number; until: number } | undefined => {
    const entry = table.get(address);
    if (entry && entry.until <= now) {
      table.delete(address);
      return undefined;
    }
    return entry;
  };
  return {
    blocked(address) {
      return Promise.resolve((current(address, Date.now())?.n ?? 0) >= limit);
    },
    count(address) {
      const now = Date.now();
      const entry = current(address, now);
      if (entry) {
        entry.n++;
      } else {
        if (table.size >= MAX_ADDRESSES) {
          table.clear();
        }
        table.set(address, { n: 1, until: now + WINDOW_MS });
      }
      return Promise.resolve();
    },
  };
}
