// Redis connections for BullMQ: workers block and must retry for ever; producers fail fast so an API can answer 503.
import { checkRedisUrl } from '../config/service-config.js';
import { Redis } from 'ioredis';

/** `server`: a long-running producer (the HTTP server) that reconnects for ever but fails each command fast. */
export type ConnectionRole = 'worker' | 'producer' | 'server';

const PRODUCER_RECONNECTS = 5;

export { checkRedisUrl };

/**
 * BullMQ requires `maxRetriesPerRequest: null` on worker connections (a blocking call must wait
 * out a reconnect); a producer (a command) reconnects a few times and then fails, so a call made
 * while Redis is down ends with an error instead of hanging.
 */
export function redisConnection(url: string, role: ConnectionRole, name?: string): Redis {
  checkRedisUrl(url);
  const redis = new Redis(url, {
    lazyConnect: false,
    // Named after the queue prefix, so operators (and the fault tests) can tell this service's connections apart.
    ...(name !== undefined ? { connectionName: name } : {}),
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null }
      : role === 'server'
        ? { maxRetriesPerRequest: 2 }
        : {
            maxRetriesPerRequest: 3,
            // A command gives up after a few seconds instead of waiting for Redis for ever.
            retryStrategy: (times: number) => (times > PRODUCER_RECONNECTS ? null : 250 * times),
          }),
  });
  // Reconnects are ioredis' job; an unhandled 'error' event would end the process.
  redis.on('error', () => undefined);
  return redis;
}
