// The regress queue: the nightly job scheduler (one per deployment, whatever the number of workers) and the worker that runs regression jobs in steps.
import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, Worker } from 'bullmq';
import { failFast } from './job-errors.js';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { KihError } from '../core/kih-error.js';
import { redisConnection } from './connection.js';
import { checkPrefix, DEFAULT_PREFIX } from './names.js';
import type { Enqueue } from './stage-context.js';
import type { Database } from '../store/database.js';
import { checkRegressions, startRegressions } from './regress-job.js';
import type { RegressContext, RegressJobData, RegressProgress } from './regress-job.js';
import { REGRESSION_TIME_ZONE } from '../regression/regression-settings.js';
import type { RegressionSettings } from '../regression/regression-settings.js';

export const REGRESS_QUEUE = 'kih-regress';
/** Fixed: every worker upserts the same scheduler, so there is one schedule and one job per firing. */
export const NIGHTLY_SCHEDULER_ID = 'kih-nightly-regression';

export interface RegressionServiceOptions {
  readonly redisUrl: string;
  readonly prefix?: string;
  readonly db: Database;
  readonly actor: string;
  readonly settings: RegressionSettings;
  /** Where the runs' documents are queued (the service's validate queue). */
  readonly enqueue: Enqueue;
  /** Settings for the metadata a manifest expects, per corpus submit target; default: the tool's defaults. */
  readonly metadataSettings?: RegressContext['metadataSettings'];
  /** Run a worker for regression jobs (default true); false: add jobs only. */
  readonly work?: boolean;
  /** Register the nightly schedule from the settings (default true); a command that only adds a job says false. */
  readonly register?: boolean;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

export interface RegressionService {
  readonly queue: Queue<RegressJobData>;
  readonly worker?: Worker<RegressJobData>;
  /** Adds a manual regression job now; returns its job id (the key of its regression rows). */
  runNow(corpora?: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: { age: 30 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;

/**
 * Registers (or updates, or with no schedule removes) the nightly scheduler. Idempotent: any
 * number of workers and restarts leave exactly one scheduler with the configured pattern.
 */
export async function registerNightlySchedule(
  queue: Queue<RegressJobData>,
  settings: RegressionSettings
): Promise<void> {
  try {
    if (settings.schedule === null) {
      await queue.removeJobScheduler(NIGHTLY_SCHEDULER_ID);
      return;
    }
    await queue.upsertJobScheduler(
      NIGHTLY_SCHEDULER_ID,
      { pattern: settings.schedule, tz: REGRESSION_TIME_ZONE },
      { name: 'nightly', data: { trigger: 'schedule' }, opts: JOB_OPTIONS }
    );
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // BullMQ's cron parser rejects what the light check let through.
    throw new KihError(
      /cron|pattern|invalid/i.test(message) ? 'REGRESS_ERR_CONFIG' : 'STORE_ERR_QUEUE',
      `Cannot register the nightly regression schedule "${settings.schedule}": ${message}`,
      { cause: err }
    );
  }
}

/** The processor: `start` queues the runs, then the job waits in BullMQ's delayed set between looks at their progress. */
async function processRegressJob(
  job: Job<RegressJobData>,
  token: string | undefined,
  ctx: Parameters<typeof startRegressions>[0]
): Promise<RegressProgress> {
  const key = job.id ?? `manual-${randomUUID()}`;
  if ((job.data.step ?? 'start') === 'start') {
    await startRegressions(ctx, job.data, key);
    await job.updateData({ ...job.data, step: 'wait' });
  }
  const progress = await checkRegressions(ctx, key);
  await job.updateProgress({ ...progress });
  if (progress.finished) {
    return progress;
  }
  await job.moveToDelayed(Date.now() + ctx.settings.pollMs, token);
  throw new DelayedError();
}

export async function startRegressionService(options: RegressionServiceOptions): Promise<RegressionService> {
  const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
  const connections: Redis[] = [];
  const connection = (role: 'worker' | 'producer'): Redis => {
    const c = redisConnection(options.redisUrl, role, prefix);
    connections.push(c);
    return c;
  };
  // A command (no worker) fails fast when Redis is down; a worker waits out reconnects.
  const queue = new Queue<RegressJobData>(REGRESS_QUEUE, {
    connection: connection(options.work === false ? 'producer' : 'worker'),
    prefix,
  });
  queue.on('error', () => undefined);
  const ctx: RegressContext = {
    db: options.db,
    actor: options.actor,
    enqueue: options.enqueue,
    settings: options.settings,
    ...(options.metadataSettings ? { metadataSettings: options.metadataSettings } : {}),
  };
  let worker: Worker<RegressJobData> | undefined;
  try {
    if (options.register !== false) {
      await registerNightlySchedule(queue, options.settings);
    }
    if (options.work !== false) {
      worker = new Worker<RegressJobData>(
        REGRESS_QUEUE,
        async (job, token) => {
          try {
            return await processRegressJob(job, token, ctx);
          } catch (err) {
            throw failFast(err);
          }
        },
        {
          connection: connection('worker'),
          prefix,
          concurrency: 1,
          ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
          ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
        }
      );
      worker.on('error', () => undefined);
    }
  } catch (err) {
    await queue.close().catch(() => undefined);
    for (const c of connections) {
      c.disconnect();
    }
    throw err;
  }
  return {
    queue,
    ...(worker ? { worker } : {}),
    async runNow(corpora?: readonly string[]): Promise<string> {
      const jobId = `manual-${randomUUID()}`;
      await queue.add('manual', { trigger: 'manual', ...(corpora ? { corpora } : {}) }, { ...JOB_OPTIONS, jobId });
      return jobId;
    },
    async close(): Promise<void> {
      await worker?.close();
      await queue.close();
      await Promise.all(
        connections.map((c) =>
          c.quit().catch(() => {
            c.disconnect();
          })
        )
      );
    },
  };
}
