// Failed authentications per address: counted per minute in this process or in Redis; Redis down is STORE_ERR_QUEUE (503), not a pass.
import { describe, expect, it, jest } from '@jest/globals';
import type { Redis } from 'ioredis';
import { authFailures } from '../../src/http/auth-failures.js';

describe('authFailures in this process', () => {
  it('blocks an address at the limit, not another one, and forgets it after a minute', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const f = authFailures(2);
      await f.count('198.51.100.1');
      expect(await f.blocked('198.51.100.1')).toBe(false);
      await f.count('198.51.100.1');
      expect(await f.blocked('198.51.100.1')).toBe(true);
      expect(await f.blocked('198.51.100.2')).toBe(false);
      jest.setSystemTime(1_000_000 + 60_001);
      expect(await f.blocked('198.51.100.1')).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('authFailures in Redis', () => {
  it('Redis not reachable is STORE_ERR_QUEUE, so the answer is 503 rather than a request let through', async () => {
    const down = new Error('connect ECONNREFUSED');
    const redis = {
      get: () => Promise.reject(down),
      incr: () => Promise.reject(down),
    } as unknown as Redis;
    const f = authFailures(2, redis, 'p');
    await expect(f.blocked('198.51.100.1')).rejects.toMatchObject({ code: 'STORE_ERR_QUEUE', cause: down });
    await expect(f.count('198.51.100.1')).rejects.toMatchObject({ code: 'STORE_ERR_QUEUE' });
  });
});
