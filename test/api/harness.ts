// Test harness: the real HTTP server on 127.0.0.1 with real PostgreSQL, Redis, queue workers and the KIH simulator as the formal-test target.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/http/server.js';
import type { ApiOptions } from '../../src/http/server.js';
import type { ApiLimits } from '../../src/config/api-config.js';
import type { QueueKind } from '../../src/config/service-config.js';
import { createCaseChecker } from '../../src/certification/case-checker.js';
import { createCertification } from '../../src/store/certification-service.js';
import { loadProtocols } from '../../src/certification/protocol.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { ProcessLogger } from '../../src/cli/logger.js';
import { createMetrics } from '../../src/queue/metrics.js';
import type { ServiceMetrics } from '../../src/queue/metrics.js';
import { readinessProbe } from '../../src/queue/readiness.js';
import { startService } from '../../src/queue/service.js';
import type { Service } from '../../src/queue/service.js';
import { settingsFrom } from '../../src/config/load-config.js';
import { createSenders } from '../../src/queue/stage-services.js';
import { openValidator } from '../../src/validation/validator.js';
import type { Senders, StageValidator } from '../../src/queue/stage-services.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import { addAdminKey, addVendorKey } from '../../src/store/access.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { dropTestDatabase, testDatabase } from '../helpers/database.js';
import { REDIS_URL, simulatorSettings, testPrefix } from '../queue/helpers.js';

export const SAMPLES = path.join(PACKAGE_ROOT, 'samples');

export function sample(file: string): Buffer {
  return readFileSync(path.join(SAMPLES, file));
}

/** A valid sample with a fresh document id, so the repository takes it as a new document. */
export function freshCopy(file: string): Buffer {
  const text = sample(file).toString('utf8');
  const id = `00000000-0000-4000-8000-${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`;
  const changed = text.replace(/(<id root="1\.2\.208\.184" extension=")[^"]+"/, `$1${id}"`);
  if (changed === text) {
    throw new Error(`${file}: no MedCom document id`);
  }
  return Buffer.from(changed, 'utf8');
}

export interface Harness {
  readonly url: string;
  readonly db: Database;
  readonly app: FastifyInstance;
  readonly sim: ProjectSimulator;
  readonly service: Service;
  /** With `operations`: the process's metrics, as /metrics shows them. */
  readonly metrics?: ServiceMetrics;
  /** 'admin' or a vendor id. */
  key(name: string): string;
  addVendor(id: string): Promise<string>;
  /** Starts the kih-verify worker later (a harness started without it): the checks queued so far run now. */
  startVerifier(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly label: string;
  readonly vendors?: readonly string[];
  readonly limits?: Partial<ApiLimits>;
  /** false: no workers (uploads stay queued); a list: workers for those queues only. */
  readonly workers?: boolean | readonly QueueKind[];
  /** Rate-limit counters in Redis, the client address behind a proxy. */
  readonly server?: Partial<Pick<ApiOptions, 'redis' | 'redisPrefix' | 'trustProxy' | 'monitoring'>>;
  /** The logger of server, queues and workers (a buffer in tests); default silent. */
  readonly logger?: ProcessLogger;
  /** Metrics and readiness: /metrics (a MedCom key, or this metrics key) and /readyz. */
  readonly operations?: { readonly metricsKey?: Buffer };
}

const ALL_QUEUES: readonly QueueKind[] = ['validate', 'submit', 'record', 'verify'];

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const db = testDatabase(options.label);
  await migrate(db);
  const sim = await startProjectSimulator({ storeDir: mkdtempSync(path.join(tmpdir(), `kih-${options.label}-`)) });
  const protocols = loadProtocols();
  const work: readonly QueueKind[] =
    options.workers === false ? [] : Array.isArray(options.workers) ? options.workers : ALL_QUEUES;
  const workers = work.length > 0;
  const log = options.logger;
  const metrics = options.operations ? createMetrics({ defaultMetrics: false, ...(log ? { log } : {}) }) : undefined;
  const observed = { ...(log ? { log } : {}), ...(metrics ? { metrics } : {}) };
  let validator: StageValidator | undefined;
  let senders: Senders | undefined;
  if (workers) {
    validator = await openValidator({ threads: 1 });
    senders = createSenders(settingsFrom(simulatorSettings(sim), undefined), observed);
  }
  const prefix = testPrefix(options.label);
  const service = startService({
    redisUrl: REDIS_URL,
    prefix,
    db,
    actor: `${options.label}-test`,
    role: 'server',
    work,
    backoffMs: 20,
    ...(validator ? { validator } : {}),
    ...(senders ? { senders } : {}),
    ...(workers ? { caseChecker: await createCaseChecker(protocols.values()) } : {}),
    ...observed,
  });
  const app = await buildServer({
    db,
    enqueue: service.enqueue,
    certification: createCertification(protocols, 'sim'),
    limits: {
      maxFileBytes: 256 * 1024,
      maxFiles: 10,
      maxTotalBytes: 1024 * 1024,
      requestsPerMinute: 10_000,
      failedAuthPerMinute: 1_000,
      ...options.limits,
    },
    sessionSecret: Buffer.alloc(32, 7),
    actor: `${options.label}-server`,
    ...options.server,
    ...(log ? { logger: log } : {}),
    ...(metrics
      ? {
          operations: {
            metrics,
            readiness: readinessProbe(db, service.producer, log),
            ...(options.operations?.metricsKey ? { metricsKey: options.operations.metricsKey } : {}),
          },
        }
      : {}),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  let verifier: Service | undefined;
  const keys = new Map<string, string>();
  keys.set('admin', await addAdminKey(db, 'alice', 'test'));
  const addVendor = async (id: string): Promise<string> => {
    const key = await addVendorKey(db, id, `${id.toUpperCase()} Health`, 'test');
    keys.set(id, key);
    return key;
  };
  for (const v of options.vendors ?? []) {
    await addVendor(v);
  }
  return {
    url,
    db,
    app,
    sim,
    service,
    ...(metrics ? { metrics } : {}),
    key(name: string): string {
      const k = keys.get(name);
      if (!k) {
        throw new Error(`no key for ${name}`);
      }
      return k;
    },
    addVendor,
    startVerifier(): void {
      if (!senders || work.includes('verify')) {
        throw new Error('startVerifier: the harness has no senders, or verifies already');
      }
      verifier ??= startService({
        redisUrl: REDIS_URL,
        prefix,
        db,
        actor: `${options.label}-verifier`,
        role: 'worker',
        work: ['verify'],
        backoffMs: 20,
        senders,
        ...observed,
      });
    },
    async close(): Promise<void> {
      await app.close();
      await verifier?.close(5_000);
      await service.close(5_000);
      await senders?.close();
      await validator?.close();
      await sim.close();
      await dropTestDatabase(db);
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as the shape the test expects (tests then assert on it). */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it asserts
  json<T = Record<string, unknown>>(): T;
}

export async function call(
  h: Harness,
  method: string,
  urlPath: string,
  options: { key?: string; body?: BodyInit; type?: string; headers?: Record<string, string> } = {}
): Promise<Answer> {
  const res = await fetch(h.url + urlPath, {
    method,
    redirect: 'manual',
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.type ? { 'content-type': options.type } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as Answer.json
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

export function xmlUpload(h: Harness, key: string, bytes: Buffer, query = ''): Promise<Answer> {
  return call(h, 'POST', `/api/v1/documents${query}`, { key, body: new Uint8Array(bytes), type: 'application/xml' });
}

/** Polls the upload until its state is done. */
export async function waitForDocument(
  h: Harness,
  key: string,
  id: string,
  timeoutMs = 60_000
): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const a = await call(h, 'GET', `/api/v1/documents/${id}`, { key });
    const body = a.json();
    if (body.state === 'done' || Date.now() > until) {
      return body;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
