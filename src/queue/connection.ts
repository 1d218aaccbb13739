// Redis connections for BullMQ: workers block and must retry for ever; producers fail fast so an API can answer 503.
import { Redis } from 'ioredis';
import { KihError } from '../errors/kih-error.js';

export type ConnectionRole = 'worker' | 'producer';

export function checkRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KihError('STORE_ERR_CONFIG', 'REDIS_URL is not a URL (redis://host:port).');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new KihError('STORE_ERR_CONFIG', `REDIS_URL must be redis://… or rediss://…, not ${parsed.protocol}//…`);
  }
  return parsed;
}

/**
 * BullMQ requires `maxRetriesPerRequest: null` on worker connections (a blocking call must wait
 * out a reconnect); a producer keeps ioredis' bounded retries and no offline queue, so a call
 * made while Redis is down fails instead of hanging.
 */
export function redisConnection(url: string, role: ConnectionRole): Redis {
  checkRedisUrl(url);
  const redis = new Redis(url, {
    lazyConnect: false,
    ...(role === 'worker' ? { maxRetriesPerRequest: null } : { enableOfflineQueue: false, maxRetriesPerRequest: 3 }),
  });
  // Reconnects are ioredis' job; an unhandled 'error' event would end the process.
  redis.on('error', () => undefined);
  return redis;
}
