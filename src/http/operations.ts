// What operators see of `kih serve`: one log line and metrics per request, /healthz, /readyz, and /metrics behind a MedCom key or the metrics key.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import type { ServiceMetrics } from '../queue/metrics.js';
import type { ReadinessProbe } from '../queue/readiness.js';
import { apiError } from './api-errors.js';

export interface OperationsOptions {
  /** /readyz asks it; absent: /readyz answers like /healthz (a server without its own dependencies, in tests). */
  readonly readiness?: ReadinessProbe;
  /** The process's metrics; absent: no /metrics and no request metrics. */
  readonly metrics?: ServiceMetrics;
  /** The password of HTTP Basic auth for /metrics (any user name), besides a MedCom key or session. */
  readonly metricsKey?: Buffer;
}

/** A caller's (a proxy's) request id is kept when it is short and plain, so lines can be joined across hops. */
const GIVEN_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Fastify's `genReqId`: the caller's X-Request-Id when it is plain, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && GIVEN_ID.test(given) ? given : randomUUID();
}

function basicPassword(header: string | undefined): Buffer | undefined {
  if (!header?.startsWith('Basic ')) {
    return undefined;
  }
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : Buffer.from(decoded.slice(colon + 1), 'utf8');
}

function mayReadMetrics(request: FastifyRequest, key: Buffer | undefined): boolean {
  if (request.principal?.kind === 'admin') {
    return true;
  }
  const given = basicPassword(request.headers.authorization);
  return key !== undefined && given !== undefined && given.length === key.length && timingSafeEqual(given, key);
}

/** The route's template (`/api/v1/documents/:id`), so labels stay few whatever the ids; `unmatched` for 404s. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/** The request log line and metrics; registered before the routes so every route has them. */
export function registerOperations(app: FastifyInstance, options: OperationsOptions): void {
  const registry = options.metrics?.registry;
  const requests = registry
    ? new Counter({
        name: 'kih_http_requests_total',
        help: 'HTTP requests by method, route template and status',
        labelNames: ['method', 'route', 'status'] as const,
        registers: [registry],
      })
    : undefined;
  const seconds = registry
    ? new Histogram({
        name: 'kih_http_request_duration_seconds',
        help: 'HTTP request time by method and route template',
        labelNames: ['method', 'route'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      })
    : undefined;

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // One line per request, after the answer: who (vendor or MedCom user, never a key), what, how it ended, how long.
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    const durationMs = Math.round(reply.elapsedTime * 10) / 10;
    requests?.inc({ method: request.method, route, status: String(status) });
    seconds?.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    const p = request.principal;
    const fields = {
      method: request.method,
      route,
      status,
      durationMs,
      ...(p?.kind === 'vendor' ? { vendorId: p.vendorId } : p?.kind === 'admin' ? { admin: p.name } : {}),
    };
    if (status >= 500) {
      request.log.warn(fields, 'request');
    } else {
      request.log.info(fields, 'request');
    }
  });

  const open = { access: 'none' as const, rateLimit: false as const };
  app.get('/healthz', { config: open }, () => Promise.resolve({ ok: true }));
  app.get('/readyz', { config: open }, async (_request, reply) => {
    if (!options.readiness) {
      return { ready: true };
    }
    const readiness = await options.readiness.check();
    return reply.status(readiness.ready ? 200 : 503).send(readiness);
  });
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', { config: open }, async (request, reply) => {
      if (!mayReadMetrics(request, options.metricsKey)) {
        if (request.principal) {
          throw apiError('API_ERR_FORBIDDEN', 'Metrics need a MedCom key or the metrics key.');
        }
        reply.header('www-authenticate', 'Basic realm="kih metrics"');
        throw apiError('API_ERR_AUTH', 'Metrics need a MedCom key or the metrics key (HTTP Basic).');
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
}
