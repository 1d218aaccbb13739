// Service settings from the environment (REDIS_URL, DATABASE_URL, KIH_*), checked at start so a typo fails at once and not inside a job.
import { invalidSetting } from './invalid-setting.js';

/** The service's queues, in pipeline order (verify runs beside record, after a stored submission). */
export type QueueKind = 'validate' | 'submit' | 'record' | 'verify';

export const DEFAULT_PREFIX = 'kih';
export const DEFAULT_SCHEMA = 'kih';

export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_{}-]{1,64}$/.test(prefix)) {
    invalidSetting('KIH_QUEUE_PREFIX', `A queue prefix is 1-64 letters, digits, "_", "-" or braces: "${prefix}"`);
  }
  return prefix;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema name goes into every connection's search_path, so only a plain identifier is taken. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    invalidSetting('KIH_DB_SCHEMA', `The database schema name "${schema}" is not a plain lower-case identifier.`);
  }
  return schema;
}

/** A URL setting of one of `protocols`; `example` shows the expected form. */
function urlSetting(name: string, text: string, protocols: readonly string[], example: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    invalidSetting(name, `${name} is not a URL (${example}).`);
  }
  if (!protocols.includes(url.protocol)) {
    invalidSetting(name, `${name} must be ${protocols.map((p) => `${p}//…`).join(' or ')}, not ${url.protocol}//…`);
  }
  return url;
}

export function checkDatabaseUrl(text: string): URL {
  return urlSetting('DATABASE_URL', text, ['postgres:', 'postgresql:'], 'postgres://user@host:port/database');
}

export function checkRedisUrl(text: string): URL {
  return urlSetting('REDIS_URL', text, ['redis:', 'rediss:'], 'redis://host:port');
}

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
  /** Certification protocol files (KIH_PROTOCOLS_DIR); absent: the package's certification/. */
  readonly protocolsDir?: string;
  /** Findings kept per stage of one document (KIH_MAX_FINDINGS). */
  readonly maxFindingsPerStage: number;
  /** Time budget of one document on its validation thread (KIH_DOCUMENT_TIME_LIMIT_MS). */
  readonly documentTimeLimitMs: number;
  /** How long after its submission a document the registry does not know yet is checked again (KIH_VERIFY_WAIT_SECONDS). */
  readonly verifyWaitMs: number;
  /** The first wait before such a re-check; it doubles per check, up to VERIFY_RECHECK_MAX_MS (KIH_VERIFY_RECHECK_SECONDS). */
  readonly verifyRecheckMs: number;
}

export const DEFAULT_MAX_FINDINGS = 1000;
export const DEFAULT_DOCUMENT_TIME_LIMIT_MS = 30_000;
/** A registration in the national registry can lag the repository's Success by minutes. */
export const DEFAULT_VERIFY_WAIT_SECONDS = 600;
export const DEFAULT_VERIFY_RECHECK_SECONDS = 10;
/** Re-checks never wait longer than this between two checks (unless the first wait is set longer). */
export const VERIFY_RECHECK_MAX_MS = 120_000;

export const SERVICE_ENV = {
  REDIS_URL: 'Redis for the queues (default redis://127.0.0.1:6379)',
  DATABASE_URL: 'PostgreSQL for the records (required)',
  KIH_DB_SCHEMA: `schema of the records (default ${DEFAULT_SCHEMA})`,
  KIH_QUEUE_PREFIX: `BullMQ key prefix (default ${DEFAULT_PREFIX})`,
  KIH_CONFIG: 'settings file with targets and metadata',
  KIH_QUEUES: 'queues this worker takes (default validate,submit,record,verify)',
  KIH_CONCURRENCY: 'jobs at once per queue (default validate=2×threads,submit=8,record=8,verify=8)',
  KIH_VALIDATION_THREADS: 'validation threads (default 2)',
  KIH_SHUTDOWN_DEADLINE_MS: 'wait for active jobs on SIGTERM (default 30000)',
  KIH_LOCK_DURATION_MS: "a job's lock; a dead worker's jobs are taken over after it lapses (default 30000)",
  KIH_STALLED_INTERVAL_MS: 'how often workers look for such jobs (default 30000)',
  KIH_PROTOCOLS_DIR: 'directory of certification protocol files (default certification/ of the package)',
  KIH_MAX_FINDINGS: `findings kept per stage of one document; one notice counts the rest (default ${DEFAULT_MAX_FINDINGS})`,
  KIH_DOCUMENT_TIME_LIMIT_MS: `time budget of one document on its validation thread (default ${DEFAULT_DOCUMENT_TIME_LIMIT_MS})`,
  KIH_VERIFY_WAIT_SECONDS: `how long after its submission a document the registry does not know yet is checked again; 0: not found is final at once (default ${DEFAULT_VERIFY_WAIT_SECONDS})`,
  KIH_VERIFY_RECHECK_SECONDS: `first wait before such a re-check, doubling per check up to ${VERIFY_RECHECK_MAX_MS / 1000} s (default ${DEFAULT_VERIFY_RECHECK_SECONDS})`,
} as const;

const KINDS: readonly QueueKind[] = ['validate', 'submit', 'record', 'verify'];

function isKind(value: string): value is QueueKind {
  return (KINDS as readonly string[]).includes(value);
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    invalidSetting(name, `${name} takes a whole number of at least 1: "${text}"`);
  }
  return n;
}

/** Whole seconds from 0 to a day, as milliseconds. */
function seconds(name: string, text: string, min: number): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(n) || n < min || n > 86_400) {
    invalidSetting(name, `${name} takes whole seconds from ${min} to 86400: "${text}"`);
  }
  return n * 1000;
}

export function parseQueues(text: string): QueueKind[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !isKind(n));
  if (names.length === 0 || unknown.length > 0) {
    invalidSetting('KIH_QUEUES', `Queues are some of ${KINDS.join(', ')}: "${text}"`);
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
      invalidSetting('KIH_CONCURRENCY', `Concurrency is queue=n for ${KINDS.join(', ')}: "${part}"`);
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
    invalidSetting(
      'DATABASE_URL',
      'DATABASE_URL is not set; service mode keeps its records in PostgreSQL (e.g. postgres://user@127.0.0.1:5432/kih).'
    );
  }
  checkDatabaseUrl(databaseUrl);
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  checkRedisUrl(redisUrl);
  const settingsFile = overrides.config ?? env.KIH_CONFIG;
  return {
    redisUrl,
    databaseUrl,
    schema: checkSchemaName(env.KIH_DB_SCHEMA ?? DEFAULT_SCHEMA),
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
    ...(env.KIH_PROTOCOLS_DIR ? { protocolsDir: env.KIH_PROTOCOLS_DIR } : {}),
    maxFindingsPerStage: positive('KIH_MAX_FINDINGS', env.KIH_MAX_FINDINGS ?? String(DEFAULT_MAX_FINDINGS)),
    documentTimeLimitMs: positive(
      'KIH_DOCUMENT_TIME_LIMIT_MS',
      env.KIH_DOCUMENT_TIME_LIMIT_MS ?? String(DEFAULT_DOCUMENT_TIME_LIMIT_MS)
    ),
    verifyWaitMs: seconds(
      'KIH_VERIFY_WAIT_SECONDS',
      env.KIH_VERIFY_WAIT_SECONDS ?? String(DEFAULT_VERIFY_WAIT_SECONDS),
      0
    ),
    verifyRecheckMs: seconds(
      'KIH_VERIFY_RECHECK_SECONDS',
      env.KIH_VERIFY_RECHECK_SECONDS ?? String(DEFAULT_VERIFY_RECHECK_SECONDS),
      1
    ),
  };
}
