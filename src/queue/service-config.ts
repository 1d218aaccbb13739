// Service settings from the environment (REDIS_URL, DATABASE_URL, KIH_*), checked at start so a typo fails at once and not inside a job.
import { KihError } from '../core/kih-error.js';
import { DEFAULT_SCHEMA } from '../store/database.js';
import { checkRedisUrl } from './connection.js';
import { checkPrefix, DEFAULT_PREFIX } from './names.js';
import type { QueueKind } from './names.js';

export interface ServiceConfig {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly schema: string;
  readonly prefix: string;
  /** Settings file with targets and metadata (KIH_CONFIG). */
  readonly settingsFile?: string;
  readonly queues: readonly QueueKind[];
  readonly concurrency: Partial<Record<QueueKind, number>>;
  /** Validation threads per worker process. */
  readonly threads: number;
  /** How long a shutdown waits for active jobs before handing them back. */
  readonly shutdownDeadlineMs: number;
  /** BullMQ job lock and stalled-check interval: how soon a dead worker's jobs go to another one. */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

export const SERVICE_ENV = {
  REDIS_URL: 'Redis for the queues (default redis://127.0.0.1:6379)',
  DATABASE_URL: 'PostgreSQL for the records (required)',
  KIH_DB_SCHEMA: `schema of the records (default ${DEFAULT_SCHEMA})`,
  KIH_QUEUE_PREFIX: `BullMQ key prefix (default ${DEFAULT_PREFIX})`,
  KIH_CONFIG: 'settings file with targets and metadata',
  KIH_QUEUES: 'queues this worker takes (default validate,submit,record)',
  KIH_CONCURRENCY: 'jobs at once per queue (default validate=2×threads,submit=8,record=8)',
  KIH_VALIDATION_THREADS: 'validation threads (default 2)',
  KIH_SHUTDOWN_DEADLINE_MS: 'wait for active jobs on SIGTERM (default 30000)',
  KIH_LOCK_DURATION_MS: "a job's lock; a dead worker's jobs are taken over after it lapses (default 30000)",
  KIH_STALLED_INTERVAL_MS: 'how often workers look for such jobs (default 30000)',
} as const;

const KINDS: readonly QueueKind[] = ['validate', 'submit', 'record'];

function isKind(value: string): value is QueueKind {
  return (KINDS as readonly string[]).includes(value);
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new KihError('STORE_ERR_CONFIG', `${name} takes a whole number of at least 1: "${text}"`);
  }
  return n;
}

export function parseQueues(text: string): QueueKind[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !isKind(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new KihError('STORE_ERR_CONFIG', `Queues are some of ${KINDS.join(', ')}: "${text}"`);
  }
  return [...new Set(names)] as QueueKind[];
}

/** `validate=2,submit=8` → per-queue concurrency. */
export function parseConcurrency(text: string): Partial<Record<QueueKind, number>> {
  const out: Partial<Record<QueueKind, number>> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name = '', value = ''] = part.split('=');
    if (!isKind(name)) {
      throw new KihError('STORE_ERR_CONFIG', `Concurrency is queue=n for ${KINDS.join(', ')}: "${part}"`);
    }
    out[name] = positive(`Concurrency of ${name}`, value);
  }
  return out;
}

/** Environment first, then command-line overrides (already parsed by the caller). */
export function readServiceConfig(
  env: NodeJS.ProcessEnv,
  overrides: Partial<Record<'queues' | 'concurrency' | 'threads' | 'config', string>> = {}
): ServiceConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    throw new KihError(
      'STORE_ERR_CONFIG',
      'DATABASE_URL is not set; service mode keeps its records in PostgreSQL (e.g. postgres://user@127.0.0.1:5432/kih).'
    );
  }
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  checkRedisUrl(redisUrl);
  const settingsFile = overrides.config ?? env.KIH_CONFIG;
  return {
    redisUrl,
    databaseUrl,
    schema: env.KIH_DB_SCHEMA ?? DEFAULT_SCHEMA,
    prefix: checkPrefix(env.KIH_QUEUE_PREFIX ?? DEFAULT_PREFIX),
    ...(settingsFile ? { settingsFile } : {}),
    queues: parseQueues(overrides.queues ?? env.KIH_QUEUES ?? KINDS.join(',')),
    concurrency: parseConcurrency(overrides.concurrency ?? env.KIH_CONCURRENCY ?? ''),
    threads: positive('Validation threads', overrides.threads ?? env.KIH_VALIDATION_THREADS ?? '2'),
    shutdownDeadlineMs: positive('KIH_SHUTDOWN_DEADLINE_MS', env.KIH_SHUTDOWN_DEADLINE_MS ?? '30000'),
    ...(env.KIH_LOCK_DURATION_MS ? { lockDurationMs: positive('KIH_LOCK_DURATION_MS', env.KIH_LOCK_DURATION_MS) } : {}),
    ...(env.KIH_STALLED_INTERVAL_MS
      ? { stalledIntervalMs: positive('KIH_STALLED_INTERVAL_MS', env.KIH_STALLED_INTERVAL_MS) }
      : {}),
  };
}
