// The HTTP server: Fastify with the JSON API under /api/v1 and the server-rendered pages, sharing auth, limits and errors.
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Certification } from '../store/certification-service.js';
import type { Enqueue } from '../queue/stage-context.js';
import type { Database } from '../store/database.js';
import { renderErrorPage } from './pages/error-page.js';
import { registerPages } from './routes-pages.js';
import type { ApiLimits, TrustProxy } from '../config/api-config.js';
import { toApiError } from './api-errors.js';
import { authenticate, authorize } from './auth.js';
import { authFailures } from './auth-failures.js';
import type { AuthFailures } from './auth-failures.js';
import { refuseOversizedUploads } from './read-uploads.js';
import { refuseUnread } from './refuse-unread.js';
import { BODY_LIMIT, fastifyTrustProxy, routeBodyLimits } from './request-limits.js';
import { collectOpenApi } from './openapi.js';
import { registerOperations, requestId } from './operations.js';
import type { OperationsOptions } from './operations.js';
import { registerAdminRoutes } from './routes-admin.js';
import { registerCertificationRoutes } from './routes-certification.js';
import { registerDocumentRoutes } from './routes-documents.js';
import type { MonitoringAlerts } from './monitoring-alerts.js';

export interface ApiOptions {
  readonly db: Database;
  readonly enqueue: Enqueue;
  readonly certification: Certification;
  readonly limits: ApiLimits;
  readonly sessionSecret: Buffer;
  readonly secureCookies?: boolean;
  /** Who writes the records (host and pid of the server). */
  readonly actor: string;
  /** Rate-limit counters in Redis, shared by every server process; absent: per process. */
  readonly redis?: Redis;
  /** The service's Redis key prefix, which the counters' keys start with (default kih). */
  readonly redisPrefix?: string;
  /** Behind a reverse proxy: which proxies' X-Forwarded-For sets request.ip (default: none). */
  readonly trustProxy?: TrustProxy;
  /** The process's logger (pino); absent: silent. Requests are logged one line each by operations.ts. */
  readonly logger?: FastifyBaseLogger;
  /** Readiness, metrics and the metrics key for /readyz and /metrics. */
  readonly operations?: OperationsOptions;
  /** The monitoring pages' thresholds and their log lines; default: the default thresholds, logged to `logger`. */
  readonly monitoring?: MonitoringAlerts;
}

/** Everything a route module needs. */
export interface RouteContext extends ApiOptions {
  readonly app: FastifyInstance;
  readonly failures: AuthFailures;
}

/** application/xml, text/xml and application/<anything>+xml (e.g. hl7-cda+xml), with parameters such as charset. */
const XML_TYPES = /^(application\/([a-z0-9.-]+\+)?xml|text\/xml)\s*(;.*)?$/i;

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts, which the session check must refuse.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export async function buildServer(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    genReqId: requestId,
    // Fastify's two lines per request give way to operations.ts's one, which knows the vendor.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    trustProxy: fastifyTrustProxy(options.trustProxy),
  });
  const openapi = collectOpenApi(app);
  const prefix = options.redisPrefix ?? 'kih';
  const failures = authFailures(options.limits.failedAuthPerMinute, options.redis, prefix);
  app.addHook('onRoute', routeBodyLimits(options.limits));

  app.addContentTypeParser(
    XML_TYPES,
    { parseAs: 'buffer', bodyLimit: options.limits.maxFileBytes },
    (_req, body, done) => {
      done(null, body);
    }
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    }
  );
  await app.register(multipart, {
    limits: {
      fileSize: options.limits.maxFileBytes,
      files: options.limits.maxFiles,
      fields: 10,
      parts: options.limits.maxFiles + 10,
      fieldSize: 1024,
    },
  });

  // Authentication, the upload size check and the rate limit all run onRequest: before any body is read.
  app.addHook('onRequest', authenticate(options.db, options.sessionSecret, failures));
  app.addHook('onRequest', refuseOversizedUploads(options.limits));
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    max: options.limits.requestsPerMinute,
    timeWindow: 60_000,
    ...(options.redis ? { redis: options.redis, nameSpace: `${prefix}:rate:` } : {}),
    keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => {
      const err = new Error(`More than ${context.max} requests a minute with this key; retry in ${context.after}.`);
      return Object.assign(err, { statusCode: 429 });
    },
  });
  app.addHook('preHandler', authorize);

  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/api/')) {
      // A route's own header wins: the standalone reports set a CSP that lets their inline style apply.
      for (const [k, v] of Object.entries(PAGE_HEADERS)) {
        if (!reply.hasHeader(k)) {
          reply.header(k, v);
        }
      }
    } else {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('cache-control', 'no-store');
    }
  });

  app.setErrorHandler(async (err, request, reply) => {
    const { status, body } = toApiError(err);
    // Refused before or part-way through the body: close rather than read the rest.
    refuseUnread(request, reply);
    if (status >= 500 && body.error.code === 'API_ERR_INTERNAL') {
      request.log.error({ err }, 'request failed');
    }
    if (request.url.startsWith('/api/')) {
      return reply.status(status).type('application/json').send(body);
    }
    return reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(renderErrorPage(request, status, body.error));
  });
  app.setNotFoundHandler(async (request, reply) => {
    const body = {
      error: { code: 'API_ERR_NOT_FOUND', message: `No ${request.method} ${request.url.split('?')[0]}.` },
    };
    if (request.url.startsWith('/api/')) {
      return reply.status(404).type('application/json').send(body);
    }
    return reply
      .status(404)
      .type('text/html; charset=utf-8')
      .send(renderErrorPage(request, 404, body.error));
  });

  const ctx: RouteContext = { ...options, app, failures };
  registerOperations(app, options.operations ?? {});
  registerDocumentRoutes(ctx);
  registerCertificationRoutes(ctx);
  registerAdminRoutes(ctx);
  registerPages(ctx);
  app.get(
    '/api/v1/openapi.json',
    { config: { access: 'none', openapi: { summary: 'This description (OpenAPI 3.1)' } } },
    () => Promise.resolve(openapi.document())
  );
  return app;
}
