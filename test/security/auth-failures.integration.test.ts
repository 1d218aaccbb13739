// Failed authentications per address in real Redis: shared across processes, forgotten after the window; Redis down is STORE_ERR_QUEUE (503), not a pass.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { authFailures } from '../../src/http/auth-failures.js';
import { REDIS_URL } from '../queue/helpers.js';

const redis = new Redis(REDIS_URL);
const prefix = `t-auth-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) {
    await redis.del(...keys);
  }
  await redis.quit();
});

describe('authFailures in Redis', () => {
  it('counts per address under the service prefix, so two server processes share one count', async () => {
    const first = authFailures(2, redis, prefix);
    const second = authFailures(2, redis, prefix);
    await first.count('198.51.100.1');
    expect(await second.blocked('198.51.100.1')).toBe(false);
    await second.count('198.51.100.1');
    expect(await first.blocked('198.51.100.1')).toBe(true);
    expect(await first.blocked('198.51.100.2')).toBe(false);
    // The count lapses with its window instead of blocking the address for ever.
    expect(await redis.pttl(`${prefix}:auth-failures:198.51.100.1`)).toBeGreaterThan(0);
  });

  it('Redis not reachable is STORE_ERR_QUEUE, so the answer is 503 rather than a request let through', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on('error', () => {
      // The refused connection is what this test is about; the assertions below check how it surfaces.
    });
    try {
      const f = authFailures(2, down, prefix);
      await expect(f.blocked('198.51.100.1')).rejects.toMatchObject({ code: 'STORE_ERR_QUEUE' });
      await expect(f.count('198.51.100.1')).rejects.toMatchObject({ code: 'STORE_ERR_QUEUE' });
    } finally {
      down.disconnect();
    }
  });
});
