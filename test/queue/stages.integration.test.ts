// The stage jobs called directly (as BullMQ would), against real PostgreSQL and the simulator: re-deliveries and crashes never send twice.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { jobId } from '../../src/queue/names.js';
import { startService } from '../../src/queue/service.js';
import { execRecordJob } from '../../src/queue/record-queue.js';
import type { Enqueue, JobDataByQueue, StageContext } from '../../src/queue/stage-context.js';
import { settingsFrom } from '../../src/config/load-config.js';
import { createSenders } from '../../src/queue/stage-services.js';
import { openValidator } from '../../src/validation/validator.js';
import type { Senders, StageValidator } from '../../src/queue/stage-services.js';
import { execSubmitJob, TransientSubmissionError } from '../../src/queue/submit-queue.js';
import { execValidateJob } from '../../src/queue/validate-queue.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { Database } from '../../src/store/database.js';
import type { DocumentReport } from '../../src/core/report.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { migrate } from '../../src/store/migrations.js';
import { claimSubmission, getRunDocument, runStatus } from '../../src/store/records.js';
import { dropTestDatabase, testDatabase } from '../helpers/database.js';
import { corpus, REDIS_URL, simulatorSettings, testPrefix } from './helpers.js';

let db: Database;
let sim: ProjectSimulator;
let validator: StageValidator;
let senders: Senders;
let queued: { kind: keyof JobDataByQueue; data: JobDataByQueue[keyof JobDataByQueue] }[] = [];

const enqueue: Enqueue = (kind, data) => {
  queued.push({ kind, data });
  return Promise.resolve();
};

function ctx(actor = 'test-worker'): StageContext {
  return { db, actor, enqueue, validator, senders };
}

beforeAll(async () => {
  db = testDatabase('stages');
  await migrate(db);
  sim = await startProjectSimulator({ storeDir: mkdtempSync(path.join(tmpdir(), 'kih-stages-')) });
  validator = await openValidator({ threads: 1 });
  senders = createSenders(settingsFrom(simulatorSettings(sim, 1_000), undefined));
});

afterAll(async () => {
  await senders.close();
  await validator.close();
  await sim.close();
  await dropTestDatabase(db);
});

/** A run of one valid document to the simulator, validated; returns the submit job's data. */
async function validatedRun(): Promise<JobDataByQueue['submit']> {
  const [doc] = corpus(1).filter((d) => d.valid);
  queued = [];
  const { runId } = await enqueueRun(db, enqueue, { vendorId: 'v', submitTarget: 'sim', documents: [doc!] }, 'test');
  const validate = queued[0]?.data as JobDataByQueue['validate'];
  queued = [];
  expect(await execValidateJob(ctx(), validate)).toMatchObject({ status: 'valid', next: 'submit' });
  expect(queued.map((q) => q.kind)).toEqual(['submit']);
  queued = [];
  return { runId, seq: 0, sha256: validate.sha256, target: 'sim' };
}

function storedCount(uniqueId: string | null): number {
  return uniqueId ? sim.lookup(uniqueId).length : 0;
}

async function uniqueIdOf(data: JobDataByQueue['submit']): Promise<string> {
  const rows = await db.query<{ unique_id: string }>(
    `SELECT unique_id FROM submissions WHERE run_id = $1 AND seq = $2`,
    [data.runId, data.seq]
  );
  return rows[0]?.unique_id ?? '';
}

describe('validate', () => {
  it('records an invalid document as a result and sends it to record, not submit; a re-delivery does not validate again', async () => {
    const [bad] = corpus(1).filter((d) => !d.valid);
    queued = [];
    const { runId } = await enqueueRun(db, enqueue, { vendorId: 'v', submitTarget: 'sim', documents: [bad!] }, 'test');
    const data = queued[0]?.data as JobDataByQueue['validate'];
    queued = [];
    expect(await execValidateJob(ctx(), data)).toEqual({ status: 'invalid', next: 'record', validatedNow: true });
    expect(await execValidateJob(ctx('other'), data)).toEqual({
      status: 'invalid',
      next: 'record',
      validatedNow: false,
    });
    expect(queued.map((q) => q.kind)).toEqual(['record', 'record']);
    expect(await execRecordJob(ctx(), { runId, seq: 0 })).toEqual({ recordedNow: true });
    expect(await execRecordJob(ctx(), { runId, seq: 0 })).toEqual({ recordedNow: false });
    expect((await runStatus(db, runId)).documents[0]).toMatchObject({
      state: 'done',
      verdict: 'invalid',
      submission: null,
    });
  });

  it('records a document whose XDS metadata cannot be derived as invalid, with the xds finding kih validate gives', async () => {
    const [good] = corpus(1).filter((d) => d.file.endsWith('dk-phmr-2.1/valid/weight.xml'));
    const text = Buffer.from(good!.bytes).toString('utf8');
    const broken = text.replace('<low value="20260401065500+0200"/>', '<low value="20260403065500+0200"/>');
    expect(broken).not.toBe(text);
    queued = [];
    const { runId } = await enqueueRun(
      db,
      enqueue,
      { vendorId: 'v', submitTarget: 'sim', documents: [{ file: 'period.xml', bytes: Buffer.from(broken, 'utf8') }] },
      'test'
    );
    const data = queued[0]?.data as JobDataByQueue['validate'];
    queued = [];
    expect(await execValidateJob(ctx(), data)).toEqual({ status: 'invalid', next: 'record', validatedNow: true });
    const [row] = await db.query<{ report: DocumentReport }>(
      'SELECT report FROM validations WHERE run_id = $1 AND seq = 0',
      [runId]
    );
    const errors = row!.report.issues.filter((i) => i.severity === 'error').map((i) => [i.ruleId, i.stage]);
    expect(errors).toEqual([['XDS-CDA-005', 'xds']]);
    // Workers validate on threads, which receive their options as data: the same finding there.
    // Threads start from dist/ (the integration run builds first), so the validator comes from there too.
    const built = (await import(path.join(PACKAGE_ROOT, 'dist', 'src', 'validation', 'validator.js'))) as {
      openValidator: typeof openValidator;
    };
    const threaded = await built.openValidator({ offThread: true });
    try {
      const report = await threaded.validateBytes(Buffer.from(broken, 'utf8'), 'period.xml');
      expect(report.issues.filter((i) => i.severity === 'error').map((i) => [i.ruleId, i.stage])).toEqual(errors);
    } finally {
      await threaded.close();
    }
  });
});

describe('submit', () => {
  it('sends once; a re-delivered job finds the record and only moves on', async () => {
    const data = await validatedRun();
    expect(await execSubmitJob(ctx(), data, { lastAttempt: false })).toMatchObject({ outcome: 'success', how: 'sent' });
    expect(await execSubmitJob(ctx('other'), data, { lastAttempt: false })).toMatchObject({
      outcome: 'success',
      how: 'recordedEarlier',
    });
    expect(storedCount(await uniqueIdOf(data))).toBe(1);
    // The target has a registry and a repository: each delivery adds the end-to-end check too (one job id).
    expect(queued.map((q) => q.kind)).toEqual(['record', 'verify', 'record', 'verify']);
  });

  it('on a worker that works the record queue too, the submit job writes the final record itself, once', async () => {
    const data = await validatedRun();
    const inline = (actor: string): StageContext => ({ ...ctx(actor), recordInline: true });
    expect(await execSubmitJob(inline('first'), data, { lastAttempt: false })).toMatchObject({ how: 'sent' });
    // No record job: only the end-to-end check is added.
    expect(queued.map((q) => q.kind)).toEqual(['verify']);
    const results = (): Promise<{ verdict: string; submission_outcome: string; recorded_by: string }[]> =>
      db.query<{ verdict: string; submission_outcome: string; recorded_by: string }>(
        `SELECT verdict, submission_outcome, recorded_by FROM results WHERE run_id = $1`,
        [data.runId]
      );
    expect(await results()).toEqual([{ verdict: 'valid', submission_outcome: 'success', recorded_by: 'first' }]);
    // A re-delivered submit job (its worker died after the record) and a record job added anyway write nothing more.
    expect(await execSubmitJob(inline('second'), data, { lastAttempt: false })).toMatchObject({
      how: 'recordedEarlier',
    });
    expect(await execRecordJob(ctx('record'), { runId: data.runId, seq: data.seq })).toEqual({ recordedNow: false });
    expect(await results()).toHaveLength(1);
    expect(storedCount(await uniqueIdOf(data))).toBe(1);
    const recorded = await db.query(`SELECT 1 FROM events WHERE run_id = $1 AND kind = 'recorded'`, [data.runId]);
    expect(recorded).toHaveLength(1);
    expect((await runStatus(db, data.runId)).documents[0]?.state).toBe('done');
  });

  it('on such a worker, a submit job that died between its submission and its record writes the record when re-delivered', async () => {
    const data = await validatedRun();
    // The first delivery sends and records its submission, then "dies" before the final record (written by a plain context).
    expect(await execSubmitJob(ctx('first'), data, { lastAttempt: false })).toMatchObject({ how: 'sent' });
    expect(await db.query(`SELECT 1 FROM results WHERE run_id = $1`, [data.runId])).toHaveLength(0);
    queued = [];
    expect(await execSubmitJob({ ...ctx('second'), recordInline: true }, data, { lastAttempt: false })).toMatchObject({
      how: 'recordedEarlier',
    });
    expect(queued.map((q) => q.kind)).toEqual(['verify']);
    expect(await db.query(`SELECT 1 FROM results WHERE run_id = $1`, [data.runId])).toHaveLength(1);
    expect(storedCount(await uniqueIdOf(data))).toBe(1);
  });

  it('the validate job stores the header facts it read; a validation recorded without them is parsed and sent as before', async () => {
    const data = await validatedRun();
    const [stored] = await db.query<{ header: { patient?: unknown } | null }>(
      `SELECT header FROM validations WHERE run_id = $1 AND seq = $2`,
      [data.runId, data.seq]
    );
    expect(stored?.header?.patient).toBeDefined();
    expect(await execSubmitJob(ctx(), data, { lastAttempt: false })).toMatchObject({ outcome: 'success', how: 'sent' });
    const withHeader = await uniqueIdOf(data);
    expect(storedCount(withHeader)).toBe(1);

    const old = await validatedRun();
    await db.query(`UPDATE validations SET header = NULL WHERE run_id = $1`, [old.runId]);
    expect(await execSubmitJob(ctx(), old, { lastAttempt: false })).toMatchObject({ outcome: 'success', how: 'sent' });
    expect(storedCount(await uniqueIdOf(old))).toBe(1);
  });

  it('a worker that died after sending (claim, no record): the next delivery finds it stored and does not send again', async () => {
    const data = await validatedRun();
    // The first delivery sends and "dies" before writing its record: its record is removed to leave only the claim.
    const first = await execSubmitJob(ctx('first'), data, { lastAttempt: false });
    await db.query(`DELETE FROM submissions WHERE run_id = $1`, [data.runId]);
    const uniqueId = (
      await db.query<{ unique_id: string }>(`SELECT unique_id FROM submission_claims WHERE run_id = $1`, [data.runId])
    )[0]?.unique_id;
    expect(first.how).toBe('sent');
    expect(storedCount(uniqueId ?? null)).toBe(1);
    const second = await execSubmitJob(ctx('second'), data, { lastAttempt: false });
    expect(second).toEqual({ outcome: 'success', class: 'success', how: 'confirmedByQuery' });
    expect(storedCount(uniqueId ?? null)).toBe(1);
  });

  it('a worker that died after claiming but before sending: the next delivery finds it absent and sends', async () => {
    const data = await validatedRun();
    const doc = await getRunDocument(db, data.runId, data.seq);
    await claimSubmission(db, doc, 'sim', 'claimed-by-a-dead-worker', 'dead');
    const result = await execSubmitJob(ctx(), data, { lastAttempt: false });
    expect(result).toMatchObject({ outcome: 'success', how: 'sent' });
    expect(storedCount(await uniqueIdOf(data))).toBe(1);
  });

  it('transient: throws for BullMQ to retry and gives the claim back; the retry sends; on the last attempt it is recorded', async () => {
    const data = await validatedRun();
    sim.pushScenario({ kind: 'busy', times: 3 }); // the target retries 3 times itself
    await expect(execSubmitJob(ctx(), data, { lastAttempt: false })).rejects.toBeInstanceOf(TransientSubmissionError);
    const events = await db.query<{ kind: string }>(`SELECT kind FROM events WHERE run_id = $1 ORDER BY id`, [
      data.runId,
    ]);
    expect(events.map((e) => e.kind)).toContain('submission-released');
    expect(await execSubmitJob(ctx(), data, { lastAttempt: false })).toMatchObject({ outcome: 'success', how: 'sent' });
    expect(storedCount(await uniqueIdOf(data))).toBe(1);

    const last = await validatedRun();
    sim.pushScenario({ kind: 'busy', times: 3 });
    expect(await execSubmitJob(ctx(), last, { lastAttempt: true })).toMatchObject({
      outcome: 'failure',
      class: 'transient',
    });
    expect((await runStatus(db, last.runId)).documents[0]?.submission).toEqual({
      outcome: 'failure',
      class: 'transient',
    });
  });

  it('a permanent refusal is recorded, not retried', async () => {
    const data = await validatedRun();
    sim.pushScenario({ kind: 'not-authorized' });
    expect(await execSubmitJob(ctx(), data, { lastAttempt: false })).toMatchObject({
      outcome: 'failure',
      class: 'authPermanent',
      how: 'sent',
    });
  });

  it('an unknown target is a configuration error', async () => {
    const data = await validatedRun();
    await expect(execSubmitJob(ctx(), { ...data, target: 'nowhere' }, { lastAttempt: false })).rejects.toMatchObject({
      code: 'CONFIG_ERR_INVALID',
      path: 'targets.nowhere',
    });
    await expect(execSubmitJob(ctx(), { ...data, target: 'local' }, { lastAttempt: false })).rejects.toMatchObject({
      code: 'CONFIG_ERR_INVALID',
    });
  });

  it('a submit job naming an unknown target fails at once on a real worker: one attempt, no backoff, the reason in the run history', async () => {
    const data = await validatedRun();
    const service = startService({
      redisUrl: REDIS_URL,
      prefix: testPrefix('unknown-target'),
      db,
      actor: 'test-worker',
      work: ['submit'],
      validator,
      senders,
      attempts: { submit: 5 },
      backoffMs: 60_000,
    });
    try {
      const failed = new Promise<{ attemptsMade: number; reason: string }>((resolve) => {
        service.workers[0]!.on('failed', (job, err) => {
          resolve({ attemptsMade: job?.attemptsMade ?? -1, reason: err.message });
        });
      });
      await service.enqueue('submit', { ...data, target: 'nowhere' });
      const { attemptsMade, reason } = await failed;
      expect(reason).toMatch(/^CONFIG_ERR_INVALID: Unknown target "nowhere"/);
      expect(attemptsMade).toBe(1);
      const job = await service.queues.submit.getJob(jobId('submit', data.runId, data.seq));
      expect(await job?.getState()).toBe('failed');
      // The failure is recorded in the run's history, so it shows without looking into Redis.
      for (let i = 0; i < 50; i++) {
        const events = await db.query<{ detail: { reason: string } }>(
          `SELECT detail FROM events WHERE run_id = $1 AND kind = 'job-failed'`,
          [data.runId]
        );
        if (events.length > 0) {
          expect(events[0]!.detail.reason).toMatch(/CONFIG_ERR_INVALID/);
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('no job-failed event was recorded');
    } finally {
      await service.close(1_000);
    }
  });
});
