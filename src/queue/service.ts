// The queue registry of one process: its queues (producers), the workers it runs, and a shutdown that closes workers before queues.
import { performance } from 'node:perf_hooks';
import { DelayedError, Queue, UnrecoverableError, Worker } from 'bullmq';
import { failFast } from './job-errors.js';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CaseChecker } from '../certification/case-checker.js';
import { KihError } from '../core/kih-error.js';
import { NO_LOG } from '../core/log.js';
import type { Logger } from '../core/log.js';
import type { Database } from '../store/database.js';
import { addEvent } from '../store/records.js';
import { redisConnection, throttledErrors } from './connection.js';
import type { ConnectionRole } from './connection.js';
import { checkPrefix, DEFAULT_PREFIX, jobId, jobPriority, QUEUE_NAMES } from './names.js';
import type { QueueKind } from './names.js';
import type { ServiceMetrics } from './metrics.js';
import { execRecordJob } from './record-queue.js';
import type { Enqueue, JobDataByQueue, StageContext } from './stage-context.js';
import type { Senders, StageValidator } from './stage-services.js';
import { execSubmitJob } from './submit-queue.js';
import { execValidateJob } from './validate-queue.js';
import { DEFAULT_VERIFY_TIMING, execVerifyJob } from './verify-queue.js';
import type { VerifyTiming } from './verify-queue.js';

export interface ServiceOptions {
  readonly redisUrl: string;
  /** BullMQ key prefix; tests give each run its own. */
  readonly prefix?: string;
  readonly db: Database;
  readonly actor: string;
  /** Connection behaviour; default worker, or producer when `work` is empty. */
  readonly role?: ConnectionRole;
  /** Queues this process works on; default all four; empty: a producer only. */
  readonly work?: readonly QueueKind[];
  readonly concurrency?: Partial<Record<QueueKind, number>>;
  readonly validator?: StageValidator;
  readonly senders?: Senders;
  readonly caseChecker?: CaseChecker;
  /** Attempts per job (default validate 3, submit 5, record 5, verify 5) and the first backoff (default 2 s, doubling). */
  readonly attempts?: Partial<Record<QueueKind, number>>;
  readonly backoffMs?: number;
  /** The verify stage's window for a registration that lags, and its re-check spacing (default 600 s; 10 s doubling to 120 s). */
  readonly verify?: Partial<VerifyTiming>;
  /** Default 30 s: a job whose lock is not renewed for this long is handed to another worker. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** Where queues, workers and every job write their lines; default silent. */
  readonly log?: Logger;
  /** The process's metrics: jobs, documents, submissions, and the queues' depth at scrape. */
  readonly metrics?: ServiceMetrics;
}

export interface Service {
  readonly enqueue: Enqueue;
  readonly queues: Readonly<Record<QueueKind, Queue>>;
  readonly workers: readonly Worker[];
  readonly db: Database;
  readonly actor: string;
  readonly prefix: string;
  /** The producer connection every queue of this process shares. */
  readonly producer: Redis;
  readonly log: Logger;
  readonly metrics?: ServiceMetrics;
  /** A new connection for a worker (blocking calls need their own), closed with the registry. */
  workerConnection(): Redis;
  /** Adds another queue (the regress queue) and its worker to the registry, so one close ends them all in order. */
  attach(queue: Queue, worker?: Worker): void;
  /** Logs a queue's or worker's 'error' events (BullMQ emits them instead of throwing; unheard they end the process). */
  watch(emitter: Queue | Worker, queue: string): void;
  /** Stops taking jobs, lets active ones finish until the deadline (then hands them back), closes queues and connections. */
  close(deadlineMs?: number): Promise<void>;
}

const DEFAULT_ATTEMPTS: Readonly<Record<QueueKind, number>> = { validate: 3, submit: 5, record: 5, verify: 5 };
/** Validation is CPU work on threads; submission and verification wait on the network; recording is a few statements. */
const DEFAULT_CONCURRENCY: Readonly<Record<QueueKind, number>> = { validate: 2, submit: 8, record: 8, verify: 8 };
const KINDS: readonly QueueKind[] = ['validate', 'submit', 'record', 'verify'];

/** What a job's log line says about its result: statuses and classes only, never document content. */
function resultFields(result: unknown): Record<string, unknown> {
  if (result === null || typeof result !== 'object') {
    return {};
  }
  const r = result as Record<string, unknown>;
  const keep = ['status', 'next', 'validatedNow', 'outcome', 'class', 'how', 'recordedNow', 'check'];
  return Object.fromEntries(keep.filter((k) => r[k] !== undefined).map((k) => [`result.${k}`, r[k]]));
}

export function startService(options: ServiceOptions): Service {
  const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
  const log = options.log ?? NO_LOG;
  const metrics = options.metrics;
  const watch = (emitter: Queue | Worker, queue: string): void => {
    const what = emitter instanceof Worker ? 'worker' : 'queue';
    // Connection trouble reaches these events too, once per reconnect: throttled like the connections' own.
    const errors = throttledErrors(log.child({ queue }), 'error', `${what} error`);
    (emitter as { on(event: 'error', listener: (err: Error) => void): unknown }).on('error', errors.log);
  };
  const connections: Redis[] = [];
  // A producer-only process (a command) fails fast when Redis is down; workers wait out reconnects.
  const role = options.role ?? (options.work?.length === 0 ? 'producer' : 'worker');
  const connection = (r: ConnectionRole = role): Redis => {
    const c = redisConnection(options.redisUrl, r, prefix, log);
    connections.push(c);
    return c;
  };
  const producer = connection();
  const attempts = { ...DEFAULT_ATTEMPTS, ...options.attempts };
  const queues = Object.fromEntries(
    KINDS.map((kind) => [
      kind,
      new Queue(QUEUE_NAMES[kind], {
        connection: producer,
        prefix,
        defaultJobOptions: {
          attempts: attempts[kind],
          backoff: { type: 'exponential', delay: options.backoffMs ?? 2_000, jitter: 0.5 },
          // Records live in PostgreSQL; Redis keeps only enough for operators to look at.
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 14 * 24 * 3600 },
        },
      }),
    ])
  ) as Record<QueueKind, Queue>;
  for (const [kind, q] of Object.entries(queues)) {
    watch(q, QUEUE_NAMES[kind as QueueKind]);
  }
  metrics?.watchQueues(Object.values(queues));

  const enqueue: Enqueue = async (kind, data) => {
    try {
      await queues[kind].add(kind, data, { jobId: jobId(kind, data.runId, data.seq), priority: jobPriority(data.seq) });
    } catch (err) {
      throw new KihError(
        'STORE_ERR_QUEUE',
        `Cannot add a ${kind} job: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err }
      );
    }
  };
  const ctx: StageContext = {
    db: options.db,
    actor: options.actor,
    enqueue,
    ...(options.validator ? { validator: options.validator } : {}),
    ...(options.senders ? { senders: options.senders } : {}),
    ...(options.caseChecker ? { caseChecker: options.caseChecker } : {}),
    ...((options.work ?? KINDS).includes('record') ? { recordInline: true } : {}),
    ...(metrics ? { metrics } : {}),
  };

  const verifyTiming: VerifyTiming = { ...DEFAULT_VERIFY_TIMING, ...options.verify };
  const lastAttempt = (job: Job): boolean => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const processors: {
    [K in QueueKind]: (job: Job<JobDataByQueue[K]>, jobCtx: StageContext, token?: string) => Promise<unknown>;
  } = {
    validate: (job, jobCtx) => execValidateJob(jobCtx, job.data),
    submit: (job, jobCtx) => execSubmitJob(jobCtx, job.data, { lastAttempt: lastAttempt(job) }),
    record: (job, jobCtx) => execRecordJob(jobCtx, job.data),
    verify: async (job, jobCtx, token) => {
      const result = await execVerifyJob(jobCtx, job.data, { lastAttempt: lastAttempt(job), timing: verifyTiming });
      if (result.how === 'recheck') {
        // The same job waits in BullMQ's delayed set for its next check, rather than a new job per
        // check: its id stays verify-<run>-<seq> throughout, so a re-delivered submit job adding it
        // again is still a no-op, and there is never more than one check of a document pending. The
        // delay does not use up an attempt; the checks are counted from the run's events.
        await job.moveToDelayed(Date.now() + (result.delayMs ?? verifyTiming.recheckMs), token);
        jobCtx.log?.info(
          { outcome: 'delayed', check: result.check, delayMs: result.delayMs },
          'not registered yet; checked again later'
        );
        throw new DelayedError();
      }
      return result;
    },
  };

  const attachedQueues: Queue[] = [];
  const workers = (options.work ?? KINDS).map((kind) => {
    const processor = processors[kind] as (job: Job, jobCtx: StageContext, token?: string) => Promise<unknown>;
    const worker = new Worker(
      QUEUE_NAMES[kind],
      async (job: Job, token?: string) => {
        const data = job.data as { runId?: string; seq?: number };
        const jobLog = log.child({
          queue: QUEUE_NAMES[kind],
          jobId: job.id,
          runId: data.runId,
          seq: data.seq,
          attempt: job.attemptsMade + 1,
        });
        const started = performance.now();
        const seconds = (): number => (performance.now() - started) / 1000;
        try {
          const result = await processor(job, { ...ctx, log: jobLog }, token);
          const duration = seconds();
          metrics?.jobSeconds.observe({ queue: QUEUE_NAMES[kind], outcome: 'completed' }, duration);
          jobLog.info(
            { outcome: 'completed', durationMs: Math.round(duration * 1000), ...resultFields(result) },
            'job done'
          );
          return result;
        } catch (err) {
          if (err instanceof DelayedError) {
            // Waiting in the delayed set for its next step: not a failure.
            metrics?.jobSeconds.observe({ queue: QUEUE_NAMES[kind], outcome: 'delayed' }, seconds());
            throw err;
          }
          const decided = failFast(err);
          const final = decided instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          const outcome = final ? 'failed' : 'retry';
          const duration = seconds();
          metrics?.jobSeconds.observe({ queue: QUEUE_NAMES[kind], outcome }, duration);
          // A retry is expected trouble (a busy repository, a database restart); a job that gives up needs a person.
          const fields = { outcome, durationMs: Math.round(duration * 1000), err };
          if (final) {
            jobLog.error(fields, 'job failed');
          } else {
            jobLog.warn(fields, 'job failed; BullMQ retries it');
          }
          throw decided;
        }
      },
      {
        // A worker's blocking calls must wait out reconnects, whatever the producer does.
        connection: connection('worker'),
        prefix,
        concurrency: options.concurrency?.[kind] ?? DEFAULT_CONCURRENCY[kind],
        ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
        ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
      }
    );
    watch(worker, QUEUE_NAMES[kind]);
    // A job whose worker died (or blocked its event loop past the lock): it runs again, maybe on another worker.
    worker.on('stalled', (stalledId: string) => {
      log.warn({ queue: QUEUE_NAMES[kind], jobId: stalledId }, 'job stalled; it goes back to the queue');
    });
    // A job that gave up is visible in the run's history with its reason, not only in Redis.
    worker.on('failed', (job: Job | undefined, err: Error) => {
      const data = job?.data as { runId?: string; seq?: number } | undefined;
      const final =
        job !== undefined && (err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1));
      if (final && data?.runId !== undefined) {
        addEvent(
          options.db,
          data.runId,
          data.seq ?? null,
          'job-failed',
          { queue: kind, reason: err.message },
          options.actor
        ).catch((eventErr: unknown) => {
          log.error(
            { err: eventErr, queue: QUEUE_NAMES[kind], jobId: job.id, runId: data.runId, seq: data.seq },
            'cannot record the job-failed event'
          );
        });
      }
    });
    return worker;
  });

  return {
    enqueue,
    queues,
    workers,
    db: options.db,
    actor: options.actor,
    prefix,
    producer,
    log,
    ...(metrics ? { metrics } : {}),
    workerConnection: () => connection('worker'),
    watch,
    attach(queue: Queue, worker?: Worker): void {
      attachedQueues.push(queue);
      if (worker) {
        workers.push(worker);
      }
    },
    async close(deadlineMs = 30_000): Promise<void> {
      let late = false;
      // Workers first: while one finishes, its job may still add the next stage's job to a queue.
      await Promise.all(
        workers.map(async (w) => {
          let timer: NodeJS.Timeout | undefined;
          const deadline = new Promise<'late'>((resolve) => {
            timer = setTimeout(() => {
              resolve('late');
            }, deadlineMs);
          });
          const closing = w.close().then(() => 'closed' as const);
          const closed = await Promise.race([closing, deadline]);
          clearTimeout(timer);
          if (closed === 'late') {
            // That close goes on in the background and fails once the connections are dropped
            // below: expected at this point, so it is a debug line, not a warning.
            closing.catch((err: unknown) => {
              log.debug({ err, queue: w.name }, 'worker close after the shutdown deadline ended with an error');
            });
            // Active jobs are handed back: their locks lapse and another worker takes them (stalled
            // recovery). Not by awaiting w.close(true): BullMQ answers a second close with the first
            // one, which waits for the active jobs however long they take. The connections are
            // dropped below instead, so nothing of those jobs reaches Redis any more.
            late = true;
          }
        })
      );
      await Promise.all([...Object.values(queues), ...attachedQueues].map((q) => q.close()));
      await Promise.all(
        connections.map((c) => {
          if (late) {
            c.disconnect();
            return Promise.resolve();
          }
          return c.quit().then(
            () => undefined,
            (err: unknown) => {
              // Already closed or unreachable: nothing is lost by dropping the socket.
              log.debug({ err }, 'Redis QUIT failed; disconnecting');
              c.disconnect();
            }
          );
        })
      );
    },
  };
}
