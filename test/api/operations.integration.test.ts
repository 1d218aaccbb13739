// Operations on real servers: /healthz, /readyz (ready; PostgreSQL unreachable; migrations behind), /metrics with its keys, the request log line, a worker's health port.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHealthServer } from '../../src/cli/health-server.js';
import { buildServer } from '../../src/http/server.js';
import { createCertification } from '../../src/store/certification-service.js';
import { loadProtocols } from '../../src/certification/protocol.js';
import { redisConnection } from '../../src/queue/connection.js';
import { createMetrics } from '../../src/queue/metrics.js';
import { readinessProbe } from '../../src/queue/readiness.js';
import { openDatabase } from '../../src/store/database.js';
import type { Database } from '../../src/store/database.js';
import { migrate, MIGRATIONS } from '../../src/store/migrations.js';
import { dropTestDatabase, testDatabase } from '../helpers/database.js';
import { logBuffer } from '../helpers/log-buffer.js';
import { REDIS_URL } from '../queue/helpers.js';
import { call, startHarness, waitForDocument, xmlUpload, freshCopy } from './harness.js';
import type { Harness } from './harness.js';

const METRICS_KEY = 'm'.repeat(40);
const logs = logBuffer('info');
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    label: 'operations',
    vendors: ['acme'],
    logger: logs.logger,
    operations: { metricsKey: Buffer.from(METRICS_KEY) },
  });
}, 60_000);

afterAll(async () => {
  await h.close();
});

function basic(password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}` };
}

/** A server over `db` with only what /readyz needs (no workers, no queues of its own). */
async function readyzOf(db: Database): Promise<{ status: number; body: Record<string, unknown> }> {
  const redis = redisConnection(REDIS_URL, 'server', 't-readyz');
  const app = await buildServer({
    db,
    enqueue: () => Promise.resolve(),
    certification: createCertification(loadProtocols(), 'sim'),
    limits: { maxFileBytes: 1024, maxFiles: 1, maxTotalBytes: 1024, requestsPerMinute: 100, failedAuthPerMinute: 100 },
    sessionSecret: Buffer.alloc(32, 1),
    actor: 'readyz-test',
    operations: { readiness: readinessProbe(db, redis) },
  });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${url}/readyz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } finally {
    await app.close();
    redis.disconnect();
  }
}

describe('health and readiness', () => {
  it('/healthz and /readyz answer without a key; ready with PostgreSQL, Redis and current migrations', async () => {
    expect((await call(h, 'GET', '/healthz')).json()).toEqual({ ok: true });
    const ready = await call(h, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({
      ready: true,
      checks: { postgres: { ok: true }, redis: { ok: true }, migrations: { ok: true } },
    });
  });

  it('is not ready when PostgreSQL cannot be reached', async () => {
    const db = openDatabase({ url: 'postgres://postgres@127.0.0.1:1/test', schema: 'kih' });
    try {
      const { status, body } = await readyzOf(db);
      expect(status).toBe(503);
      expect(body).toMatchObject({
        ready: false,
        checks: { postgres: { ok: false }, migrations: { ok: false }, redis: { ok: true } },
      });
    } finally {
      await db.close();
    }
  });

  it('is not ready while migrations are behind, and ready once they are applied', async () => {
    const db = testDatabase('readyz');
    try {
      const behind = await readyzOf(db);
      expect(behind.status).toBe(503);
      expect(behind.body).toMatchObject({
        ready: false,
        checks: { postgres: { ok: true }, migrations: { ok: false, pending: MIGRATIONS.map((m) => m.id) } },
      });
      await migrate(db, MIGRATIONS.slice(0, 1));
      expect((await readyzOf(db)).body).toMatchObject({
        checks: { migrations: { ok: false, pending: MIGRATIONS.slice(1).map((m) => m.id) } },
      });
      await migrate(db);
      expect((await readyzOf(db)).status).toBe(200);
    } finally {
      await dropTestDatabase(db);
    }
  });
});

describe('/metrics', () => {
  it('needs a MedCom key or the metrics key, and counts documents, findings, jobs, queues and requests', async () => {
    const upload = await xmlUpload(h, h.key('acme'), freshCopy('dk-phmr-1.3/valid/weight.xml'), '?name=weight.xml');
    expect(upload.status).toBe(202);
    const id = (upload.json<{ documents: { id: string }[] }>().documents[0] ?? { id: '' }).id;
    expect((await waitForDocument(h, h.key('acme'), id)).state).toBe('done');

    expect((await call(h, 'GET', '/metrics')).status).toBe(401);
    expect((await call(h, 'GET', '/metrics', { key: h.key('acme') })).status).toBe(403);
    expect((await call(h, 'GET', '/metrics', { headers: basic('x'.repeat(40)) })).status).toBe(401);
    const byAdmin = await call(h, 'GET', '/metrics', { key: h.key('admin') });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = (await call(h, 'GET', '/metrics', { headers: basic(METRICS_KEY) })).text;
    expect(text).toMatch(/^kih_documents_validated_total\{profile="dk-phmr-1\.3",verdict="valid"\} 1$/m);
    expect(text).toMatch(/^kih_job_duration_seconds_count\{queue="kih-validate",outcome="completed"\} 1$/m);
    expect(text).toMatch(/^kih_job_duration_seconds_count\{queue="kih-record",outcome="completed"\} 1$/m);
    expect(text).toMatch(/^kih_stage_duration_seconds_count\{stage="validation"\} 1$/m);
    expect(text).toMatch(/^kih_queue_jobs\{queue="kih-validate",state="waiting"\} 0$/m);
    expect(text).toMatch(/^kih_http_requests_total\{method="POST",route="\/api\/v1\/documents",status="202"\} 1$/m);
    expect(text).toMatch(/^kih_http_requests_total\{method="GET",route="\/metrics",status="401"\} \d+$/m);
  }, 90_000);
});

describe('the request log', () => {
  it('one line per request with method, route, status, duration, vendor and request id', async () => {
    const answer = await call(h, 'GET', '/api/v1/documents', {
      key: h.key('acme'),
      headers: { 'x-request-id': 'probe-4711' },
    });
    expect(answer.headers.get('x-request-id')).toBe('probe-4711');
    const line = logs.lines().find((l) => l.reqId === 'probe-4711' && l.msg === 'request');
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/api/v1/documents',
      status: answer.status,
      vendorId: 'acme',
    });
    expect(typeof line?.durationMs).toBe('number');
    expect(logs.lines().filter((l) => l.reqId === 'probe-4711')).toHaveLength(1);
  });
});

describe("a worker's health port", () => {
  it('serves /healthz, /readyz and /metrics without authentication', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const redis = redisConnection(REDIS_URL, 'server', 't-health');
    const health = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      readiness: readinessProbe(h.db, redis),
      metrics,
      log: logs.logger,
    });
    try {
      metrics.jobSeconds.observe({ queue: 'kih-validate', outcome: 'completed' }, 0.2);
      expect(await (await fetch(`${health.url}/healthz`)).json()).toEqual({ ok: true });
      const ready = await fetch(`${health.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true });
      const text = await (await fetch(`${health.url}/metrics`)).text();
      expect(text).toMatch(/^kih_job_duration_seconds_count\{queue="kih-validate",outcome="completed"\} 1$/m);
      expect((await fetch(`${health.url}/other`)).status).toBe(404);
    } finally {
      await health.close();
      redis.disconnect();
    }
  });
});
