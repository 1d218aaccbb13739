// The regress queue: the nightly job scheduler (one per deployment, whatever the number of workers) and the worker that runs regression jobs in steps.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DelayedError, Queue, UnrecoverableError, Worker } from 'bullmq';
import { failFast } from './job-errors.js';
import type { Job } from 'bullmq';
import { KihError } from '../core/kih-error.js';
import type { Service } from './service.js';
import { checkRegressions, startRegressions } from './regress-job.js';
import type { RegressContext, RegressJobData, RegressProgress } from './regress-job.js';
import { REGRESSION_TIME_ZONE } from '../config/regression-settings.js';
import type { RegressionSettings } from '../config/regression-settings.js';

export const REGRESS_QUEUE = 'kih-regress';
/** Fixed: every worker upserts the same scheduler, so there is one schedule and one job per firing. */
export const NIGHTLY_SCHEDULER_ID = 'kih-nightly-regression';

export interface RegressionServiceOptions {
  readonly settings: RegressionSettings;
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
    const cron = /cron|pattern|invalid/i.test(message);
    throw new KihError(
      cron ? 'CONFIG_ERR_INVALID' : 'STORE_ERR_QUEUE',
      `Cannot register the nightly regression schedule "${settings.schedule}": ${message}`,
      { cause: err, ...(cron ? { path: 'regression.schedule' } : {}) }
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

/**
 * The regress queue inside a process's queue registry: on its connections, its runs' documents
 * queued with its enqueue, closed by its close (workers before queues) like the stage queues.
 */
export async function startRegressionService(
  service: Service,
  options: RegressionServiceOptions
): Promise<RegressionService> {
  const queue = new Queue<RegressJobData>(REGRESS_QUEUE, { connection: service.producer, prefix: service.prefix });
  service.watch(queue as Queue, REGRESS_QUEUE);
  const ctx: RegressContext = {
    db: service.db,
    actor: service.actor,
    enqueue: service.enqueue,
    settings: options.settings,
    ...(options.metadataSettings ? { metadataSettings: options.metadataSettings } : {}),
  };
  if (options.register !== false) {
    try {
      await registerNightlySchedule(queue, options.settings);
    } catch (err) {
      await queue.close();
      throw err;
    }
  }
  let worker: Worker<RegressJobData> | undefined;
  if (options.work !== false) {
    worker = new Worker<RegressJobData>(
      REGRESS_QUEUE,
      async (job, token) => {
        const jobLog = service.log.child({ queue: REGRESS_QUEUE, jobId: job.id, attempt: job.attemptsMade + 1 });
        const started = performance.now();
        const durationMs = (): number => Math.round(performance.now() - started);
        try {
          const progress = await processRegressJob(job, token, ctx);
          service.metrics?.jobSeconds.observe({ queue: REGRESS_QUEUE, outcome: 'completed' }, durationMs() / 1000);
          jobLog.info({ outcome: 'completed', durationMs: durationMs() }, 'job done');
          return progress;
        } catch (err) {
          if (err instanceof DelayedError) {
            // Waiting for its runs between looks: a step, not a failure.
            service.metrics?.jobSeconds.observe({ queue: REGRESS_QUEUE, outcome: 'delayed' }, durationMs() / 1000);
            jobLog.debug({ outcome: 'delayed', durationMs: durationMs() }, 'job waits for its runs');
            throw err;
          }
          const decided = failFast(err);
          const outcome =
            decided instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
              ? 'failed'
              : 'retry';
          service.metrics?.jobSeconds.observe({ queue: REGRESS_QUEUE, outcome }, durationMs() / 1000);
          const fields = { outcome, durationMs: durationMs(), err };
          if (outcome === 'failed') {
            jobLog.error(fields, 'job failed');
          } else {
            jobLog.warn(fields, 'job failed; BullMQ retries it');
          }
          throw decided;
        }
      },
      {
        connection: service.workerConnection(),
        prefix: service.prefix,
        concurrency: 1,
        ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
        ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
      }
    );
    service.watch(worker as Worker, REGRESS_QUEUE);
  }
  service.attach(queue as Queue, worker as Worker | undefined);
  return {
    queue,
    ...(worker ? { worker } : {}),
    async runNow(corpora?: readonly string[]): Promise<string> {
      const jobId = `manual-${randomUUID()}`;
      await queue.add('manual', { trigger: 'manual', ...(corpora ? { corpora } : {}) }, { ...JOB_OPTIONS, jobId });
      return jobId;
    },
    /** Closes this queue early (the registry's close would too); its connections stay the registry's. */
    async close(): Promise<void> {
      await worker?.close();
      await queue.close();
    },
  };
}
