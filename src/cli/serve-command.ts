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
import { loadServiceSettings } from '../config/load-config.js';
import { startService } from '../queue/service.js';
import { createSenders } from '../queue/stage-services.js';
import { openValidator } from '../validation/validator.js';
import type { Senders, StageValidator } from '../queue/stage-services.js';
import { openDatabase } from '../store/database.js';
import { migrate } from '../store/migrations.js';
import { EXIT } from './io.js';
import type { CliIo } from './io.js';
import { stopRequested } from './stop-signal.js';

export const SERVE_USAGE = `Usage: kih serve [options]

Serves the API (/api/v1, described at /api/v1/openapi.json) and the web pages for vendors and
MedCom. Uploads are stored in PostgreSQL and queued in Redis for the workers (kih worker), or
for workers in this process with --with-workers. Stops on SIGTERM or SIGINT.

Options:
      --host <addr>     address to listen on (default 127.0.0.1, KIH_HTTP_HOST)
      --port <n>        port (default 8080, KIH_HTTP_PORT; 0 picks a free one)
      --with-workers    also run the validate, submit and record workers here
      --threads <n>     validation threads with --with-workers (default 2)
  -c, --config <file>   settings file with targets (the formal-test target must be in it or built in)
  -h, --help            this help

Environment:
${Object.entries({ ...SERVICE_ENV, ...API_ENV })
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
  const actor = `server ${hostname()} ${process.pid}`;
  const stop = stopRequested(io.signal);
  const db = openDatabase({ url: config.databaseUrl, schema: config.schema });
  const rateRedis = redisConnection(config.redisUrl, 'server', `${config.prefix}-rate`);
  let validator: StageValidator | undefined;
  let senders: Senders | undefined;
  let sweep: NodeJS.Timeout | undefined;
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
      senders = createSenders(settings);
    }
    const service = startService({
      redisUrl: config.redisUrl,
      prefix: config.prefix,
      db,
      actor,
      role: 'server',
      work: withWorkers ? config.queues : [],
      concurrency: { validate: 2 * config.threads, ...config.concurrency },
      ...(validator ? { validator } : {}),
      ...(senders ? { senders } : {}),
      ...(withWorkers ? { caseChecker: checker } : {}),
    });
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
    });
    const address = await app.listen({ host: api.host, port: api.port });
    io.stderr.write(
      `kih serve: ${address} (API ${address}/api/v1, OpenAPI ${address}/api/v1/openapi.json)${withWorkers ? ' with workers' : ''}; records in schema ${config.schema}, queues ${config.prefix}, formal test → ${api.formalTarget}\n`
    );
    const runSweep = (): void => {
      sweepPendingEnqueues(db, service.enqueue, actor).catch(() => undefined);
    };
    runSweep();
    sweep = setInterval(runSweep, SWEEP_MS);
    const why = await stop.promise;
    io.stderr.write(`kih serve: ${why}: closing\n`);
    clearInterval(sweep);
    await app.close();
    await service.close(config.shutdownDeadlineMs);
    io.stderr.write('kih serve: stopped\n');
    return EXIT.ok;
  } finally {
    clearInterval(sweep);
    stop.dispose();
    await senders?.close();
    // The jobs are finished or handed back by now (after the shutdown deadline): a document still
    // on a thread belongs to a job another worker will take, so nothing waits for it.
    await validator?.close({ now: true });
    rateRedis.disconnect();
    await db.close();
  }
}
