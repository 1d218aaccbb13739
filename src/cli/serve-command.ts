// `kih serve`: the HTTP API and web pages on the service's records and queues, optionally with the workers in the same process.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { API_ENV, readApiConfig } from '../config/api-config.js';
import { sweepPendingEnqueues } from '../http/accept-uploads.js';
import { buildServer } from '../http/server.js';
import { createCertification } from '../store/certification-service.js';
import { openProtocols } from '../certification/open-case-checker.js';
import { KihError } from '../core/kih-error.js';
import { redisConnection } from '../queue/connection.js';
import { SERVICE_ENV } from '../config/service-config.js';
import { OPERATIONS_ENV, readOperationsConfig } from '../config/operations-config.js';
import { createMetrics } from '../queue/metrics.js';
import { readinessProbe } from '../queue/readiness.js';
import { loadServiceSettings } from '../config/load-config.js';
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
import { monitoringAlerts, startMonitoringChecks } from '../http/monitoring-alerts.js';

export const SERVE_USAGE = `Usage: kih serve [options]

Serves the API (/api/v1, described at /api/v1/openapi.json) and the web pages for vendors and
MedCom. Uploads are stored in PostgreSQL and queued in Redis for the workers (kih worker), or
for workers in this process with --with-workers. Stops on SIGTERM or SIGINT.

Options:
      --host <addr>     address to listen on (default 127.0.0.1, KIH_HTTP_HOST)
      --port <n>        port (default 8080, KIH_HTTP_PORT; 0 picks a free one)
      --with-workers    also run the validate, submit, record and verify workers here
      --threads <n>     validation threads with --with-workers (default 2)
      --health-port <n> also serve /healthz, /readyz and /metrics without authentication on this port
                        (KIH_HEALTH_PORT); on the API port /metrics needs a MedCom key or KIH_METRICS_KEY
  -c, --config <file>   settings file with targets (the formal-test target must be in it or built in)
  -h, --help            this help

Environment:
${Object.entries({ ...SERVICE_ENV, ...API_ENV, ...OPERATIONS_ENV })
  .map(([k, v]) => `  ${k.padEnd(25)} ${v}`)
  .join('\n')}

Exit status: 0 stopped by a signal, 2 configuration or start error.`;

const SWEEP_MS = 30_000;

export async function serveCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'with-workers': { type: 'boolean', default: false },
      threads: { type: 'string' },
      'health-port': { type: 'string' },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(SERVE_USAGE + '\n');
    return EXIT.ok;
  }
  if (positionals.length > 0) {
    throw new KihError('CLI_ERR_USAGE', `kih serve takes no arguments, got "${positionals.join(' ')}".`);
  }
  const withWorkers = values['with-workers'];
  const { service: config, settings } = await loadServiceSettings(io.env, {
    ...(values.threads !== undefined ? { threads: values.threads } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
  });
  const api = readApiConfig(io.env, {
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.port !== undefined ? { port: values.port } : {}),
  });
  const ops = readOperationsConfig(io.env, {
    ...(values['health-port'] !== undefined ? { healthPort: values['health-port'] } : {}),
  });
  const log = createLogger({ level: ops.logLevel, format: ops.logFormat, stream: io.stdout, base: { role: 'serve' } });
  const metrics = createMetrics({ log });
  const actor = `server ${hostname()} ${process.pid}`;
  const stop = stopRequested(io.signal);
  const db = openDatabase({ url: config.databaseUrl, schema: config.schema, log });
  const rateRedis = redisConnection(config.redisUrl, 'server', `${config.prefix}-rate`, log);
  const readiness = readinessProbe(db, rateRedis, log);
  let validator: StageValidator | undefined;
  let senders: Senders | undefined;
  let sweep: NodeJS.Timeout | undefined;
  let stopMonitoring = (): void => undefined;
  let health: HealthServer | undefined;
  try {
    await migrate(db);
    const { protocols, checker } = await openProtocols(config.protocolsDir);
    if (withWorkers) {
      validator = await openValidator({
        // Never on this process's event loop (it must answer SIGTERM and keep job locks), and
        // every document within its budget.
        threads: config.threads,
        offThread: true,
        timeLimitMs: config.documentTimeLimitMs,
        maxFindingsPerStage: config.maxFindingsPerStage,
      });
      senders = createSenders(settings, { log, metrics });
    }
    const service = startService({
      redisUrl: config.redisUrl,
      prefix: config.prefix,
      db,
      actor,
      role: 'server',
      work: withWorkers ? config.queues : [],
      concurrency: { validate: 2 * config.threads, ...config.concurrency },
      verify: { waitMs: config.verifyWaitMs, recheckMs: config.verifyRecheckMs },
      ...(validator ? { validator } : {}),
      ...(senders ? { senders } : {}),
      ...(withWorkers ? { caseChecker: checker } : {}),
      log,
      metrics,
    });
    const alerts = monitoringAlerts(settings.monitoring, log);
    const app = await buildServer({
      db,
      enqueue: service.enqueue,
      certification: createCertification(protocols, api.formalTarget),
      limits: api.limits,
      sessionSecret: api.sessionSecret,
      secureCookies: api.secureCookies,
      actor,
      redis: rateRedis,
      redisPrefix: config.prefix,
      trustProxy: api.trustProxy,
      logger: log,
      operations: { readiness, metrics, ...(ops.metricsKey ? { metricsKey: ops.metricsKey } : {}) },
      monitoring: alerts,
    });
    const address = await app.listen({ host: api.host, port: api.port });
    if (ops.healthPort !== undefined) {
      health = await startHealthServer({ host: ops.healthHost, port: ops.healthPort, readiness, metrics, log });
    }
    log.info(
      { actor, address, withWorkers, prefix: config.prefix, schema: config.schema, health: health?.url },
      'server started'
    );
    io.stderr.write(
      `kih serve: ${address} (API ${address}/api/v1, OpenAPI ${address}/api/v1/openapi.json)${withWorkers ? ' with workers' : ''}${health ? `, health ${health.url}` : ''}; records in schema ${config.schema}, queues ${config.prefix}, formal test → ${api.formalTarget}\n`
    );
    const runSweep = (): void => {
      // Uploads stay stored and the next sweep tries again; the log says why this one could not queue them.
      sweepPendingEnqueues(db, service.enqueue, actor).catch((err: unknown) => {
        log.warn({ err }, 'cannot queue pending uploads; retrying in the next sweep');
      });
    };
    runSweep();
    sweep = setInterval(runSweep, SWEEP_MS);
    stopMonitoring = startMonitoringChecks(db, alerts, log, actor);
    const why = await stop.promise;
    io.stderr.write(`kih serve: ${why}: closing\n`);
    log.info({ reason: why }, 'server stopping');
    clearInterval(sweep);
    stopMonitoring();
    await health?.close();
    health = undefined;
    await app.close();
    await service.close(config.shutdownDeadlineMs);
    io.stderr.write('kih serve: stopped\n');
    return EXIT.ok;
  } finally {
    clearInterval(sweep);
    stopMonitoring();
    stop.dispose();
    await health?.close().catch((err: unknown) => {
      log.warn({ err }, 'cannot close the health port');
    });
    await senders?.close();
    // The jobs are finished or handed back by now (after the shutdown deadline): a document still
    // on a thread belongs to a job another worker will take, so nothing waits for it.
    await validator?.close({ now: true });
    rateRedis.disconnect();
    await db.close();
  }
}
