// `kih worker`: runs the service's queue workers (validate → submit → record, and verify) until SIGTERM/SIGINT, then shuts down without losing a job.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { openProtocols } from '../certification/open-case-checker.js';
import { KihError } from '../core/kih-error.js';
import { SERVICE_ENV } from '../config/service-config.js';
import { OPERATIONS_ENV, readOperationsConfig } from '../config/operations-config.js';
import { redisConnection } from '../queue/connection.js';
import { createMetrics } from '../queue/metrics.js';
import { readinessProbe } from '../queue/readiness.js';
import { loadServiceSettings } from '../config/load-config.js';
import { startRegressionService } from '../queue/regress-queue.js';
import { startService } from '../queue/service.js';
import { createSenders } from '../queue/stage-services.js';
import { openValidator } from '../validation/validator.js';
import type { Senders, StageValidator } from '../queue/stage-services.js';
import { openDatabase } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import { startHealthServer } from './health-server.js';
import type { HealthServer } from './health-server.js';
import { EXIT } from './io.js';
import { createLogger } from './logger.js';
import type { CliIo } from './io.js';
import { stopRequested } from './stop-signal.js';

export const WORKER_USAGE = `Usage: kih worker [options]

Runs the service's workers: validate (the project's validator on threads), submit (to the
run's target, never twice), record (the certification record) and verify (a stored document
checked at the target's registry and repository, again later while its registration lags), on
BullMQ queues in Redis with the records in PostgreSQL. Start as many as you like, on any machine that reaches both.
Stops on SIGTERM or SIGINT: takes no new jobs, lets active ones finish within the deadline and
hands back the rest.

Options:
      --queues <list>       queues to take, e.g. validate,submit (default all)
      --concurrency <list>  jobs at once per queue (default validate=2×threads,submit=8,record=8,verify=8)
      --threads <n>         validation threads (default 2)
      --health-port <n>     serve /healthz, /readyz and /metrics on this port (KIH_HEALTH_PORT; 0 picks one)
  -c, --config <file>       settings file with targets and metadata; with a "regression" section the
                            worker also registers the nightly regression schedule and runs its jobs
  -h, --help                this help

Environment (and KIH_PROTOCOLS_DIR: the certification protocols, default certification/):
${Object.entries({ ...SERVICE_ENV, ...OPERATIONS_ENV })
  .map(([k, v]) => `  ${k.padEnd(25)} ${v}`)
  .join('\n')}

Exit status: 0 stopped by a signal, 2 configuration or start error.`;

export async function workerCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      queues: { type: 'string' },
      concurrency: { type: 'string' },
      threads: { type: 'string' },
      'health-port': { type: 'string' },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(WORKER_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 0) {
    throw new KihError('CLI_ERR_USAGE', `kih worker takes no arguments, got "${positionals.join(' ')}".`);
  }
  const { service: config, settings } = await loadServiceSettings(io.env, {
    ...(values.queues !== undefined ? { queues: values.queues } : {}),
    ...(values.concurrency !== undefined ? { concurrency: values.concurrency } : {}),
    ...(values.threads !== undefined ? { threads: values.threads } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
  });
  const ops = readOperationsConfig(io.env, {
    ...(values['health-port'] !== undefined ? { healthPort: values['health-port'] } : {}),
  });
  const log = createLogger({ level: ops.logLevel, format: ops.logFormat, stream: io.stdout, base: { role: 'worker' } });
  const metrics = createMetrics({ log });
  const actor = `worker ${hostname()} ${process.pid}`;
  const stop = stopRequested(io.signal);
  const db = openDatabase({ url: config.databaseUrl, schema: config.schema, log });
  // Its own fail-fast connection: a readiness probe must not queue PINGs behind a worker's endless reconnects.
  const probeRedis = redisConnection(config.redisUrl, 'server', `${config.prefix}-health`, log);
  let validator: StageValidator | undefined;
  let senders: Senders | undefined;
  let health: HealthServer | undefined;
  try {
    await migrate(db);
    const regressionSettings = settings.regression;
    validator = config.queues.includes('validate')
      ? await openValidator({
          // Never on this process's event loop (it must answer SIGTERM and keep job locks), and
          // every document within its budget.
          threads: config.threads,
          offThread: true,
          timeLimitMs: config.documentTimeLimitMs,
          maxFindingsPerStage: config.maxFindingsPerStage,
        })
      : undefined;
    senders =
      config.queues.includes('submit') || config.queues.includes('verify')
        ? createSenders(settings, { log, metrics })
        : undefined;
    // Test cases are checked where documents are validated; a broken protocol file stops the worker at start.
    const caseChecker = config.queues.includes('validate')
      ? (await openProtocols(config.protocolsDir)).checker
      : undefined;
    const service = startService({
      redisUrl: config.redisUrl,
      prefix: config.prefix,
      db,
      actor,
      work: config.queues,
      // Two validate jobs per thread keep each thread fed while the other job reads or writes records.
      concurrency: { validate: 2 * config.threads, ...config.concurrency },
      ...(config.lockDurationMs !== undefined ? { lockDurationMs: config.lockDurationMs } : {}),
      ...(config.stalledIntervalMs !== undefined ? { stalledIntervalMs: config.stalledIntervalMs } : {}),
      verify: { waitMs: config.verifyWaitMs, recheckMs: config.verifyRecheckMs },
      ...(validator ? { validator } : {}),
      ...(senders ? { senders } : {}),
      ...(caseChecker ? { caseChecker } : {}),
      log,
      metrics,
    });
    // With a regression section, every worker registers the (one) nightly schedule and takes regression jobs.
    const regression = regressionSettings
      ? await startRegressionService(service, {
          settings: regressionSettings,
          // Metadata a manifest expects is derived with the settings its corpus would be submitted with.
          metadataSettings: (target) => settings.metadataFor(settings.target(target ?? 'local')),
          ...(config.lockDurationMs !== undefined ? { lockDurationMs: config.lockDurationMs } : {}),
          ...(config.stalledIntervalMs !== undefined ? { stalledIntervalMs: config.stalledIntervalMs } : {}),
        }).catch(async (err: unknown) => {
          await service.close(0);
          throw err;
        })
      : undefined;
    if (ops.healthPort !== undefined) {
      health = await startHealthServer({
        host: ops.healthHost,
        port: ops.healthPort,
        readiness: readinessProbe(db, probeRedis, log),
        metrics,
        log,
      });
    }
    const queues = [...config.queues, ...(regression ? ['regress'] : [])];
    log.info({ actor, queues, prefix: config.prefix, schema: config.schema, health: health?.url }, 'worker started');
    io.stderr.write(
      `kih worker: ${actor}: ${queues.join(', ')} on ${new URL(config.redisUrl).host} (prefix ${config.prefix}), records in schema ${config.schema}${health ? `, health ${health.url}` : ''}\n`
    );
    const why = await stop.promise;
    io.stderr.write(`kih worker: ${why}: finishing active jobs (up to ${config.shutdownDeadlineMs} ms)\n`);
    // One registry: the regress worker closes with the stage workers, before every queue.
    log.info({ reason: why }, 'worker stopping');
    await service.close(config.shutdownDeadlineMs);
    log.info({}, 'worker stopped');
    io.stderr.write('kih worker: stopped\n');
    return EXIT.ok;
  } finally {
    stop.dispose();
    await health?.close();
    probeRedis.disconnect();
    await senders?.close();
    // The jobs are finished or handed back by now (after the shutdown deadline): a document still
    // on a thread belongs to a job another worker will take, so nothing waits for it.
    await validator?.close({ now: true });
    await db.close();
  }
}
