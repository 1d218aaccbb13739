// Redis connections for BullMQ: workers block and must retry for ever; producers fail fast so an API can answer 503.
import { checkRedisUrl } from '../config/service-config.js';
import { Redis } from 'ioredis';
import { NO_LOG } from '../core/log.js';
import type { Logger } from '../core/log.js';

/** `server`: a long-running producer (the HTTP server) that reconnects for ever but fails each command fast. */
export type ConnectionRole = 'worker' | 'producer' | 'server';

const PRODUCER_RECONNECTS = 5;
/** While Redis stays down, ioredis reports every reconnect; the same message is logged again only after this long. */
const REPEAT_AFTER_MS = 30_000;

export { checkRedisUrl };

/**
 * BullMQ requires `maxRetriesPerRequest: null` on worker connections (a blocking call must wait
 * out a reconnect); a producer (a command) reconnects a few times and then fails, so a call made
 * while Redis is down ends with an error instead of hanging.
 */
export function redisConnection(url: string, role: ConnectionRole, name?: string, log: Logger = NO_LOG): Redis {
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
  // Reconnects are ioredis' job (an unhandled 'error' event would end the process); operators see the outage once, and its end.
  const connLog = log.child({ redis: name ?? role });
  const onError = throttledErrors(connLog, 'warn', 'Redis connection error');
  redis.on('error', onError.log);
  redis.on('ready', () => {
    if (onError.reset()) {
      connLog.info({}, 'Redis connection restored');
    }
  });
  return redis;
}

export interface ThrottledErrors {
  readonly log: (err: Error) => void;
  /** Forgets the last error; true when there was one (the trouble is over). */
  reset(): boolean;
}

/**
 * Logs an error event, but the same message again only after REPEAT_AFTER_MS (with how often it
 * repeated meanwhile): a Redis outage is one line every half minute, not one per reconnect.
 */
export function throttledErrors(log: Logger, level: 'warn' | 'error', message: string): ThrottledErrors {
  let last: { message: string; at: number; repeats: number } | undefined;
  return {
    log(err: Error): void {
      const now = Date.now();
      if (last?.message === err.message && now - last.at < REPEAT_AFTER_MS) {
        last.repeats++;
        return;
      }
      const fields = { err, repeats: last?.message === err.message ? last.repeats : 0 };
      if (level === 'error') {
        log.error(fields, message);
      } else {
        log.warn(fields, message);
      }
      last = { message: err.message, at: now, repeats: 0 };
    },
    reset(): boolean {
      const had = last !== undefined;
      last = undefined;
      return had;
    },
  };
}
