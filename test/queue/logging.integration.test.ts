// What the queue layer used to swallow is logged: queue and worker 'error' events (once per repeated message), a Redis connection that fails.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { redisConnection } from '../../src/queue/connection.js';
import { startService } from '../../src/queue/service.js';
import type { Service } from '../../src/queue/service.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { dropTestDatabase, testDatabase } from '../helpers/database.js';
import { logBuffer } from '../helpers/log-buffer.js';
import { REDIS_URL, testPrefix } from './helpers.js';

const logs = logBuffer('debug');
let db: Database;
let service: Service;

beforeAll(async () => {
  db = testDatabase('logging');
  await migrate(db);
  service = startService({
    redisUrl: REDIS_URL,
    prefix: testPrefix('logging'),
    db,
    actor: 'logging-test',
    work: ['record'],
    log: logs.logger,
  });
});

afterAll(async () => {
  await service.close(1_000);
  await dropTestDatabase(db);
});

describe('queue errors are log lines', () => {
  it("a queue's and a worker's 'error' events: one error line each, a repeat of the same message held back", () => {
    service.queues.validate.emit('error', new Error('Connection is closed.'));
    service.queues.validate.emit('error', new Error('Connection is closed.'));
    const worker = service.workers[0];
    expect(worker).toBeDefined();
    worker?.emit('error', new Error('Missing lock for job record-1'));
    const errors = logs.lines().filter((l) => l.level === 50);
    expect(errors).toEqual([
      expect.objectContaining({
        msg: 'queue error',
        queue: 'kih-validate',
        repeats: 0,
        err: expect.objectContaining({ message: 'Connection is closed.', stack: expect.stringMatching(/^Error: /) }),
      }),
      expect.objectContaining({
        msg: 'worker error',
        queue: 'kih-record',
        err: expect.objectContaining({ message: 'Missing lock for job record-1' }),
      }),
    ]);
  });

  it('a Redis connection that cannot connect is a warning, not silence', async () => {
    const redis = redisConnection('redis://127.0.0.1:1', 'producer', 't-logging-refused', logs.logger);
    try {
      const until = Date.now() + 5_000;
      while (!logs.lines().some((l) => l.msg === 'Redis connection error') && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(logs.lines().find((l) => l.msg === 'Redis connection error')).toMatchObject({
        level: 40,
        redis: 't-logging-refused',
        err: { message: expect.stringContaining('ECONNREFUSED') },
      });
    } finally {
      redis.disconnect();
    }
  });
});
