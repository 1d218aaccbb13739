// Service mode end to end on real Redis, PostgreSQL and the simulator: 200 documents through validate → submit → record and verify, with faults, each recorded once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { enqueueRun, resumeRun } from '../../src/queue/enqueue-run.js';
import { startService } from '../../src/queue/service.js';
import type { Service } from '../../src/queue/service.js';
import { settingsFrom } from '../../src/config/load-config.js';
import { createSenders } from '../../src/queue/stage-services.js';
import { openValidator } from '../../src/validation/validator.js';
import type { Senders, StageValidator } from '../../src/queue/stage-services.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { dropTestDatabase, testDatabase } from '../helpers/database.js';
import { corpus, REDIS_URL, simulatorSettings, testPrefix, waitForRun } from './helpers.js';

let db: Database;
let sim: ProjectSimulator;
let validator: StageValidator;
let senders: Senders;
let service: Service;

beforeAll(async () => {
  db = testDatabase('pipeline');
  await migrate(db);
  sim = await startProjectSimulator({ storeDir: mkdtempSync(path.join(tmpdir(), 'kih-pipeline-')) });
  validator = await openValidator({ threads: 1 });
  senders = createSenders(settingsFrom(simulatorSettings(sim, 1_500), undefined));
  service = startService({
    redisUrl: REDIS_URL,
    prefix: testPrefix('pipeline'),
    db,
    actor: 'pipeline-test',
    validator,
    senders,
    backoffMs: 20,
    concurrency: { validate: 1, submit: 16, record: 8, verify: 8 },
    verify: { waitMs: 30_000, recheckMs: 200, recheckMaxMs: 1_000 },
  });
});

afterAll(async () => {
  await service.close(5_000);
  await senders.close();
  await validator.close();
  await sim.close();
  await dropTestDatabase(db);
});

async function count(sql: string, params: unknown[]): Promise<number> {
  const rows = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? -1);
}

describe('the queued pipeline', () => {
  it('200 documents of every profile, with busy, 503, an expired card and lost answers: one record each, none sent twice', async () => {
    const docs = corpus(7).slice(0, 200);
    const valid = docs.filter((d) => d.valid);
    expect(docs).toHaveLength(200);
    sim.pushScenario({ kind: 'busy', times: 15 });
    sim.pushScenario({ kind: 'http-503', times: 10 });
    // One use: a card refused again right after its renewal is (rightly) an auth failure, not a retry.
    sim.pushScenario({ kind: 'expired-idcard', times: 1 });
    sim.pushScenario({ kind: 'timeout-after-store', times: 4, delayMs: 2_500 });
    const { runId, total } = await enqueueRun(
      db,
      service.enqueue,
      { vendorId: 'vendor-e2e', name: 'e2e', submitTarget: 'sim', documents: docs },
      'test'
    );
    expect(total).toBe(200);
    const status = await waitForRun(db, runId);
    expect(status.done).toBe(200);

    expect(await count(`SELECT count(*) AS n FROM validations WHERE run_id = $1`, [runId])).toBe(200);
    expect(await count(`SELECT count(*) AS n FROM results WHERE run_id = $1`, [runId])).toBe(200);
    expect(await count(`SELECT count(*) AS n FROM submissions WHERE run_id = $1`, [runId])).toBe(valid.length);
    const verdicts = status.documents.map((d) => d.verdict);
    expect(verdicts.filter((v) => v === 'valid')).toHaveLength(valid.length);
    // Every valid document stored; the rows say why when one is not.
    const notStored = await db.query<{ outcome: string; class: string; errors: unknown; attempts: unknown }>(
      `SELECT s.outcome, s.class, s.errors, s.attempts FROM validations v
       LEFT JOIN submissions s ON s.run_id = v.run_id AND s.seq = v.seq
       WHERE v.run_id = $1 AND v.status = 'valid' AND s.outcome IS DISTINCT FROM 'success'`,
      [runId]
    );
    expect(notStored).toEqual([]);

    // The simulator holds each submitted uniqueId exactly once.
    const ids = await db.query<{ unique_id: string }>(`SELECT unique_id FROM submissions WHERE run_id = $1`, [runId]);
    const storedTimes = ids.map((r) => sim.lookup(r.unique_id).length);
    expect(storedTimes.filter((n) => n !== 1)).toEqual([]);
    expect(new Set(ids.map((r) => r.unique_id)).size).toBe(valid.length);

    // Every stored document checked end to end once, beside its record (done does not wait for it).
    const until = Date.now() + 60_000;
    while (
      (await count(`SELECT count(*) AS n FROM verifications WHERE run_id = $1`, [runId])) < valid.length &&
      Date.now() < until
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const verified = await db.query<{ outcome: string; n: number }>(
      `SELECT outcome, count(*)::int AS n FROM verifications WHERE run_id = $1 GROUP BY outcome`,
      [runId]
    );
    expect(verified).toEqual([{ outcome: 'verified', n: valid.length }]);
    expect(
      await count(
        `SELECT count(*) AS n FROM submissions s JOIN verifications x USING (run_id, seq)
         WHERE s.run_id = $1 AND s.outcome = 'success' AND x.unique_id = s.unique_id AND x.sha256 = s.sha256`,
        [runId]
      )
    ).toBe(valid.length);
    expect(await count(`SELECT count(*) AS n FROM events WHERE run_id = $1 AND kind = 'verified'`, [runId])).toBe(
      valid.length
    );

    // Enqueueing the run again (a resume) finds nothing open and changes nothing.
    expect(await resumeRun(db, service.enqueue, runId)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM submissions WHERE run_id = $1`, [runId])).toBe(valid.length);
    expect(await count(`SELECT count(*) AS n FROM verifications WHERE run_id = $1`, [runId])).toBe(valid.length);

    // Redis keeps job data in clear text: every job of every queue holds ids and hashes only.
    const allowed: Record<string, string[]> = {
      validate: ['runId', 'seq', 'sha256'],
      submit: ['runId', 'seq', 'sha256', 'target'],
      record: ['runId', 'seq'],
      verify: ['runId', 'seq', 'target'],
    };
    const cprs = new Set(
      docs.flatMap((d) =>
        [...d.bytes.toString('utf8').matchAll(/<id\b[^>]*root="1\.2\.208\.176\.1\.2"[^>]*>/g)].flatMap(
          (m) => /extension="([^"]+)"/.exec(m[0])?.[1] ?? []
        )
      )
    );
    expect(cprs.size).toBeGreaterThan(0);
    for (const [kind, queue] of Object.entries(service.queues)) {
      const jobs = await queue.getJobs(['completed', 'failed', 'delayed', 'waiting', 'active', 'prioritized']);
      expect([kind, jobs.length > 0]).toEqual([kind, true]);
      for (const job of jobs) {
        const text = JSON.stringify(job.data);
        expect([kind, Object.keys(job.data as object).sort()]).toEqual([kind, allowed[kind]]);
        expect(text).not.toMatch(/[<>]/);
        expect([...cprs].filter((c) => text.includes(c))).toEqual([]);
      }
    }
  }, 180_000);
});
