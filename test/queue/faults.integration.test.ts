// Fault tests with real worker processes (dist/worker.js): SIGKILL mid-run, Redis connections dropped, SIGTERM under load; every document recorded once, none sent twice, each stored one verified once.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { untilRunning } from '../helpers/worker-process.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { simulatorTargetSettings } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { startService } from '../../src/queue/service.js';
import type { Service } from '../../src/queue/service.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { dropTestDatabase, TEST_DATABASE_URL, testDatabase } from '../helpers/database.js';
import { corpus, REDIS_URL, testPrefix, waitForRun } from './helpers.js';
import { pathologicalDocument, typicalDocument } from '../helpers/pathological.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kih-faults-'));
let db: Database;
let sim: ProjectSimulator;
let settingsFile: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  db = testDatabase('faults');
  await migrate(db);
  sim = await startProjectSimulator({ storeDir: path.join(dir, 'sim') });
  settingsFile = path.join(dir, 'targets.json');
  writeFileSync(
    settingsFile,
    JSON.stringify({
      targets: {
        sim: {
          ...simulatorTargetSettings(sim.url),
          retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
        },
      },
    })
  );
});

afterEach(() => {
  sim.clearScenarios();
  for (const c of children.splice(0)) {
    c.kill('SIGKILL');
  }
});

afterAll(async () => {
  await sim.close();
  await dropTestDatabase(db);
});

interface WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Starts `node dist/worker.js` (built by npm test and npm run test:integration) and resolves once it has said it is running. */
async function startWorker(prefix: string, extraEnv: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'dist', 'worker.js'), '--config', settingsFile], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: TEST_DATABASE_URL,
      KIH_DB_SCHEMA: db.schema,
      REDIS_URL,
      KIH_QUEUE_PREFIX: prefix,
      KIH_VALIDATION_THREADS: '1',
      KIH_CONCURRENCY: 'validate=2,submit=8,record=8,verify=8',
      KIH_LOCK_DURATION_MS: '2000',
      KIH_STALLED_INTERVAL_MS: '1000',
      ...extraEnv,
    },
  });
  children.push(child);
  return untilRunning(child, 'validate, submit, record, verify');
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const rows = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? -1);
}

async function until(what: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > end) {
      throw new Error('timed out waiting');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every document recorded once; each submitted uniqueId stored exactly once in the simulator. */
async function expectEachOnce(runId: string, total: number, valid: number): Promise<void> {
  const status = await waitForRun(db, runId, 90_000);
  expect(status.done).toBe(total);
  expect(await count(`SELECT count(*) AS n FROM validations WHERE run_id = $1`, [runId])).toBe(total);
  expect(await count(`SELECT count(*) AS n FROM results WHERE run_id = $1`, [runId])).toBe(total);
  const submissions = await db.query<{ unique_id: string; outcome: string }>(
    `SELECT unique_id, outcome FROM submissions WHERE run_id = $1`,
    [runId]
  );
  expect(submissions).toHaveLength(valid);
  expect(submissions.filter((s) => s.outcome !== 'success')).toEqual([]);
  expect(submissions.map((s) => sim.lookup(s.unique_id).length).filter((n) => n !== 1)).toEqual([]);
}

/** Every stored document checked end to end once (the verify queue), whatever happened to the workers. */
async function expectVerifiedOnce(runId: string, valid: number): Promise<void> {
  await until(
    async () => (await count(`SELECT count(*) AS n FROM verifications WHERE run_id = $1`, [runId])) >= valid,
    60_000
  );
  const rows = await db.query<{ outcome: string }>(`SELECT outcome FROM verifications WHERE run_id = $1`, [runId]);
  expect(rows).toHaveLength(valid);
  expect(rows.filter((r) => r.outcome !== 'verified')).toEqual([]);
  expect(await count(`SELECT count(*) AS n FROM events WHERE run_id = $1 AND kind = 'verified'`, [runId])).toBe(valid);
}

/** A producer in this process: enqueues a run for the worker processes. */
async function enqueue(prefix: string, copies: number): Promise<{ runId: string; total: number; valid: number }> {
  const producer: Service = startService({ redisUrl: REDIS_URL, prefix, db, actor: 'fault-test', work: [] });
  try {
    const docs = corpus(copies);
    const { runId, total } = await enqueueRun(
      db,
      producer.enqueue,
      { vendorId: 'vendor-faults', submitTarget: 'sim', documents: docs },
      'fault-test'
    );
    return { runId, total, valid: docs.filter((d) => d.valid).length };
  } finally {
    await producer.close();
  }
}

/** Stores `documents` as one run of `vendorId` and queues them with `producer`; returns the run id. */
async function enqueueDocuments(
  producer: Service,
  vendorId: string,
  documents: readonly { readonly file: string; readonly text: string }[]
): Promise<string> {
  const { runId } = await enqueueRun(
    db,
    producer.enqueue,
    { vendorId, documents: documents.map((d) => ({ file: d.file, bytes: new TextEncoder().encode(d.text) })) },
    'fault-test'
  );
  return runId;
}

describe('faults', () => {
  it('a worker killed with SIGKILL mid-send: another takes over its jobs, asks before re-sending, nothing is lost or sent twice', async () => {
    const prefix = testPrefix('kill');
    sim.pushScenario({ kind: 'slow', delayMs: 400, times: 1_000 });
    const run = await enqueue(prefix, 2);
    const a = await startWorker(prefix);
    // Kill while sends are in flight: claimed, not yet recorded.
    await until(
      async () =>
        (await count(
          `SELECT count(*) AS n FROM submission_claims c LEFT JOIN submissions s ON s.run_id = c.run_id AND s.seq = c.seq
           WHERE c.run_id = $1 AND s.run_id IS NULL`,
          [run.runId]
        )) >= 2
    );
    a.child.kill('SIGKILL');
    expect(await a.exited).toBeNull();
    const inFlight = await count(
      `SELECT count(*) AS n FROM submission_claims c LEFT JOIN submissions s ON s.run_id = c.run_id AND s.seq = c.seq
       WHERE c.run_id = $1 AND s.run_id IS NULL`,
      [run.runId]
    );
    expect(inFlight).toBeGreaterThanOrEqual(2);
    await startWorker(prefix);
    await expectEachOnce(run.runId, run.total, run.valid);
    await expectVerifiedOnce(run.runId, run.valid);
    // The sends the dead worker left half done were settled by asking the simulator first.
    expect(
      await count(`SELECT count(*) AS n FROM events WHERE run_id = $1 AND kind = 'arrival-checked'`, [run.runId])
    ).toBeGreaterThanOrEqual(inFlight);
  }, 120_000);

  it('Redis connections dropped for a few seconds mid-run: the worker reconnects and finishes', async () => {
    const prefix = testPrefix('drop');
    sim.pushScenario({ kind: 'slow', delayMs: 100, times: 1_000 });
    const run = await enqueue(prefix, 2);
    await startWorker(prefix);
    await until(async () => (await count(`SELECT count(*) AS n FROM results WHERE run_id = $1`, [run.runId])) >= 5);
    const admin = new Redis(REDIS_URL);
    let killed = 0;
    try {
      const end = Date.now() + 3_000;
      while (Date.now() < end) {
        const list = (await admin.call('CLIENT', 'LIST')) as string;
        for (const line of list.split('\n')) {
          const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
          if (id && line.includes(` name=${prefix} `)) {
            await admin.call('CLIENT', 'KILL', 'ID', id);
            killed++;
          }
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      admin.disconnect();
    }
    expect(killed).toBeGreaterThan(0);
    await expectEachOnce(run.runId, run.total, run.valid);
    await expectVerifiedOnce(run.runId, run.valid);
  }, 120_000);

  it('SIGTERM under load: the worker finishes within its deadline with exit 0; the rest is finished by the next one', async () => {
    const prefix = testPrefix('term');
    sim.pushScenario({ kind: 'slow', delayMs: 300, times: 1_000 });
    const run = await enqueue(prefix, 2);
    const a = await startWorker(prefix, { KIH_SHUTDOWN_DEADLINE_MS: '4000' });
    await until(
      async () => (await count(`SELECT count(*) AS n FROM submission_claims WHERE run_id = $1`, [run.runId])) >= 3
    );
    const sent = Date.now();
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(4_000 + 3_000);
    expect(a.stderr()).toMatch(/SIGTERM: finishing active jobs[\s\S]*kih worker: stopped/);
    await startWorker(prefix);
    await expectEachOnce(run.runId, run.total, run.valid);
  }, 120_000);

  it('a document over its time budget in a worker process: CDA_ERR_TIME_LIMIT on that one, the next one validated', async () => {
    const prefix = testPrefix('budget');
    const producer: Service = startService({ redisUrl: REDIS_URL, prefix, db, actor: 'fault-test', work: [] });
    let runId: string;
    try {
      runId = await enqueueDocuments(producer, 'vendor-budget', [
        { file: 'slow.xml', text: pathologicalDocument(150_000) },
        { file: 'typical.xml', text: typicalDocument() },
      ]);
    } finally {
      await producer.close();
    }
    // One thread: the typical document waits for it. (About 11 MB and 150,000 XSD findings take
    // seconds; a typical document well under the second even on a fresh thread.)
    await startWorker(prefix, { KIH_DOCUMENT_TIME_LIMIT_MS: '1000' });
    expect((await waitForRun(db, runId, 60_000)).done).toBe(2);
    const rows = await db.query<{ seq: number; status: string; codes: string[] }>(
      `SELECT seq, status, ARRAY(SELECT i->>'ruleId' FROM jsonb_array_elements(report->'issues') i) AS codes
       FROM validations WHERE run_id = $1 ORDER BY seq`,
      [runId]
    );
    expect(rows).toEqual([
      { seq: 0, status: 'error', codes: ['CDA_ERR_TIME_LIMIT'] },
      { seq: 1, status: 'valid', codes: [] },
    ]);
  }, 120_000);

  it('SIGTERM while a slow document validates: the worker answers at once (validation is off its event loop) and leaves the job to the next one', async () => {
    const prefix = testPrefix('slowterm');
    const producer: Service = startService({ redisUrl: REDIS_URL, prefix, db, actor: 'fault-test', work: [] });
    let runId: string;
    try {
      // About 18 MB and 500,000 XSD findings: several seconds on a thread.
      runId = await enqueueDocuments(producer, 'vendor-slowterm', [
        { file: 'slow.xml', text: pathologicalDocument(250_000) },
      ]);
      const a = await startWorker(prefix, { KIH_SHUTDOWN_DEADLINE_MS: '300' });
      // The job is active once the worker has taken it: then the document is on the thread.
      await until(async () => (await producer.queues.validate.getActiveCount()) === 1);
      await new Promise((r) => setTimeout(r, 300));
      const sent = Date.now();
      a.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      const took = Date.now() - sent;
      // Neither validated nor recorded by the stopped worker: it did not wait for the document.
      expect(await count(`SELECT count(*) AS n FROM validations WHERE run_id = $1`, [runId])).toBe(0);
      expect(took).toBeLessThan(3_000);
    } finally {
      await producer.close();
    }
    // The next worker takes the job over once its lock lapses, and validates it.
    await startWorker(prefix);
    expect((await waitForRun(db, runId, 90_000)).done).toBe(1);
  }, 120_000);
});
