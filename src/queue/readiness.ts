// Is this process ready for work: PostgreSQL answers, its schema has this release's migrations, Redis answers.
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { isKihError } from '../core/kih-error.js';
import { NO_LOG } from '../core/log.js';
import type { Logger } from '../core/log.js';
import type { Database } from '../store/database.js';
import { migrationStatus } from '../store/migrations.js';

/** A probe answers within this, or the check fails (a hanging dependency is not ready). */
export const CHECK_TIMEOUT_MS = 2_000;

export interface CheckResult {
  readonly ok: boolean;
  readonly ms: number;
  /** Short and safe to show to anyone (a code or a one-line reason); details go to the log. */
  readonly error?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: {
    readonly postgres: CheckResult;
    readonly migrations: CheckResult & { readonly pending?: readonly number[]; readonly unknown?: readonly number[] };
    readonly redis: CheckResult;
  };
}

async function timed<T>(
  what: string,
  work: () => Promise<T>
): Promise<{ value?: T; result: CheckResult; err?: unknown }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      work(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`${what}: no answer in ${CHECK_TIMEOUT_MS} ms`));
        }, CHECK_TIMEOUT_MS);
      }),
    ]);
    return { value, result: { ok: true, ms: Math.round(performance.now() - started) } };
  } catch (err) {
    const error = isKihError(err) ? err.code : err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { result: { ok: false, ms: Math.round(performance.now() - started), error }, err };
  } finally {
    clearTimeout(timer);
  }
}

export interface ReadinessProbe {
  check(): Promise<Readiness>;
}

/**
 * The readiness of a process on `db` and `redis`. A failed check is logged when it starts failing
 * (warn, with the error) and when it recovers (info), not on every probe.
 */
export function readinessProbe(db: Database, redis: Redis, log: Logger = NO_LOG): ReadinessProbe {
  const failing = new Set<string>();
  const note = (name: string, result: CheckResult, err?: unknown, extra: Record<string, unknown> = {}): void => {
    if (!result.ok && !failing.has(name)) {
      failing.add(name);
      log.warn({ check: name, err, ...extra }, `not ready: ${name}`);
    } else if (result.ok && failing.delete(name)) {
      log.info({ check: name }, `ready again: ${name}`);
    }
  };
  return {
    async check(): Promise<Readiness> {
      const [pg, rd] = await Promise.all([
        timed('PostgreSQL', () => migrationStatus(db)),
        timed('Redis', () => redis.ping()),
      ]);
      note('postgres', pg.result, pg.err);
      note('redis', rd.result, rd.err);
      const status = pg.value;
      const migrations = status
        ? {
            ok: status.current,
            ms: pg.result.ms,
            ...(status.current
              ? {}
              : {
                  error: status.unknown.length > 0 ? 'a newer release migrated the database' : 'migrations pending',
                  pending: status.pending,
                  unknown: status.unknown,
                }),
          }
        : { ok: false, ms: pg.result.ms, error: 'PostgreSQL not reachable' };
      if (status) {
        note('migrations', migrations, undefined, { pending: status.pending, unknown: status.unknown });
      }
      return {
        ready: pg.result.ok && rd.result.ok && migrations.ok,
        checks: { postgres: pg.result, migrations, redis: rd.result },
      };
    },
  };
}
