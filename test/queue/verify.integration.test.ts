// The verify stage against real PostgreSQL, Redis and the simulator over HTTP: every outcome, delayed re-checks while the registration lags, retries, one record per document.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { UnrecoverableError } from 'bullmq';
import { settingsFrom } from '../../src/config/load-config.js';
import { parseSettingsFile } from '../../src/config/settings-file.js';
import { simulatorTargetSettings } from '../../src/config/targets.js';
import { enqueueRun } from '../../src/queue/enqueue-run.js';
import { failFast } from '../../src/queue/job-errors.js';
import { createMetrics } from '../../src/queue/metrics.js';
import type { ServiceMetrics } from '../../src/queue/metrics.js';
import { jobId } from '../../src/queue/names.js';
import { startService } from '../../src/queue/service.js';
import type { Service } from '../../src/queue/service.js';
import type { Enqueue, JobDataByQueue, StageContext, VerifyJobData } from '../../src/queue/stage-context.js';
import { createSenders } from '../../src/queue/stage-services.js';
import type { Senders, StageValidator } from '../../src/queue/stage-services.js';
import { execSubmitJob } from '../../src/queue/submit-queue.js';
import { execValidateJob } from '../../src/queue/validate-queue.js';
import { execVerifyJob, TransientVerificationError } from '../../src/queue/verify-queue.js';
import type { VerifyTiming } from '../../src/queue/verify-queue.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { cancelRun, runStatus } from '../../src/store/records.js';
import { getVerification } from '../../src/store/verification-records.js';
import { openValidator } from '../../src/validation/validator.js';
import { runInProcess } from '../helpers/cli.js';
import { dropTestDatabase, TEST_DATABASE_URL, testDatabase } from '../helpers/database.js';
import { corpus, REDIS_URL, testPrefix } from './helpers.js';

let db: Database;
let sim: ProjectSimulator;
let validator: StageValidator;
let senders: Senders;
let metrics: ServiceMetrics;
let settingsText: string;
let queued: { kind: keyof JobDataByQueue; data: JobDataByQueue[keyof JobDataByQueue] }[] = [];

const recordingEnqueue: Enqueue = (kind, data) => {
  queued.push({ kind, data });
  return Promise.resolve();
};

/** Quick re-checks: a 10 s window, 100 ms doubling to 400 ms. */
const TIMING: VerifyTiming = { waitMs: 10_000, recheckMs: 100, recheckMaxMs: 400 };

function ctx(actor = 'test-worker', enqueue: Enqueue = recordingEnqueue): StageContext {
  return { db, actor, enqueue, validator, senders, metrics };
}

beforeAll(async () => {
  db = testDatabase('verify');
  await migrate(db);
  sim = await startProjectSimulator({ storeDir: mkdtempSync(path.join(tmpdir(), 'kih-verify-stage-')) });
  validator = await openValidator({ threads: 1 });
  const full = simulatorTargetSettings(sim.url);
  const { registryEndpoint: _r, retrieveEndpoint: _t, ...withoutRegistry } = full;
  const retry = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
  settingsText = JSON.stringify({
    targets: {
      sim: { ...full, retry, timeouts: { headersMs: 2_000 } },
      // The same simulator, but the tool is not told where its registry and repository answer.
      'sim-plain': { ...withoutRegistry, retry, timeouts: { headersMs: 2_000 } },
    },
  });
  const settings = parseSettingsFile('test settings', settingsText);
  metrics = createMetrics({ defaultMetrics: false });
  senders = createSenders(settingsFrom(settings, undefined), { metrics });
});

afterEach(() => {
  sim.clearScenarios();
});

afterAll(async () => {
  await senders.close();
  await validator.close();
  await sim.close();
  await dropTestDatabase(db);
});

/** One valid document validated and sent to `target` with the stage jobs; returns the verify job data it added (if any) and its uniqueId. */
async function storedRun(
  target = 'sim',
  enqueue: Enqueue = recordingEnqueue
): Promise<{ data: VerifyJobData; uniqueId: string; next: string[] }> {
  const [doc] = corpus(1).filter((d) => d.valid);
  queued = [];
  const { runId } = await enqueueRun(
    db,
    recordingEnqueue,
    { vendorId: 'v', submitTarget: target, documents: [doc!] },
    'test'
  );
  const validate = queued[0]?.data as JobDataByQueue['validate'];
  queued = [];
  expect(await execValidateJob(ctx(), validate)).toMatchObject({ status: 'valid', next: 'submit' });
  queued = [];
  const submit = { runId, seq: 0, sha256: validate.sha256, target };
  expect(await execSubmitJob(ctx('test-worker', enqueue), submit, { lastAttempt: false })).toMatchObject({
    outcome: 'success',
  });
  const [row] = await db.query<{ unique_id: string }>(`SELECT unique_id FROM submissions WHERE run_id = $1`, [runId]);
  return { data: { runId, seq: 0, target }, uniqueId: row!.unique_id, next: queued.map((q) => q.kind) };
}

async function events(runId: string, kind?: string): Promise<{ kind: string; detail: Record<string, unknown> }[]> {
  return db.query(`SELECT kind, detail FROM events WHERE run_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY id`, [
    runId,
    kind ?? null,
  ]);
}

async function verificationRows(runId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM verifications WHERE run_id = $1`, [
    runId,
  ]);
  return row?.n ?? -1;
}

/** A counter's value, or a histogram's count, for these labels. */
async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { labels: Record<string, string>; value: number; metricName?: string }[];
  return (
    values.find(
      (v) =>
        (v.metricName === undefined || v.metricName === `${name}_count`) &&
        Object.entries(labels).every(([k, l]) => v.labels[k] === l)
    )?.value ?? 0
  );
}

describe('the submit job adds verify', () => {
  it('after a stored submission when the target has a registry and a repository to ask; its job data is ids only', async () => {
    const { data, next } = await storedRun();
    expect(next).toEqual(['record', 'verify']);
    expect(queued[1]?.data).toEqual(data);
    expect(Object.keys(data).sort()).toEqual(['runId', 'seq', 'target']);
    // A re-delivered submit job adds both again (job ids make that a no-op in BullMQ).
    queued = [];
    const sha256 = (
      await db.query<{ sha256: string }>(`SELECT sha256 FROM run_documents WHERE run_id = $1`, [data.runId])
    )[0]!.sha256;
    expect(
      await execSubmitJob(ctx(), { runId: data.runId, seq: 0, sha256, target: 'sim' }, { lastAttempt: false })
    ).toMatchObject({ how: 'recordedEarlier' });
    expect(queued.map((q) => q.kind)).toEqual(['record', 'verify']);
  });

  it('not for a target without registry and retrieve endpoints, nor for a refused submission', async () => {
    const plain = await storedRun('sim-plain');
    expect(plain.next).toEqual(['record']);
    sim.pushScenario({ kind: 'not-authorized' });
    const [doc] = corpus(1).filter((d) => d.valid);
    queued = [];
    const { runId } = await enqueueRun(
      db,
      recordingEnqueue,
      { vendorId: 'v', submitTarget: 'sim', documents: [doc!] },
      'test'
    );
    const validate = queued[0]?.data as JobDataByQueue['validate'];
    await execValidateJob(ctx(), validate);
    queued = [];
    expect(
      await execSubmitJob(ctx(), { runId, seq: 0, sha256: validate.sha256, target: 'sim' }, { lastAttempt: false })
    ).toMatchObject({ class: 'authPermanent' });
    expect(queued.map((q) => q.kind)).toEqual(['record']);
  });
});

describe('execVerifyJob', () => {
  it('verified: one record with its event; a re-delivered job writes nothing and returns the recorded outcome', async () => {
    const { data, uniqueId } = await storedRun();
    const before = await counter('kih_verifications_total', { target: 'sim', outcome: 'verified' });
    expect(await execVerifyJob(ctx(), data, { lastAttempt: false, timing: TIMING })).toEqual({
      outcome: 'verified',
      how: 'recorded',
      check: 1,
    });
    const record = await getVerification(db, data.runId, 0);
    expect(record).toMatchObject({
      target: 'sim',
      uniqueId,
      outcome: 'verified',
      class: null,
      mismatches: [],
      errors: [],
      checks: 1,
      queries: 1,
      content: { sameAsFile: true },
    });
    expect(await counter('kih_verifications_total', { target: 'sim', outcome: 'verified' })).toBe(before + 1);

    const again = await execVerifyJob(ctx('other'), data, { lastAttempt: true, timing: TIMING });
    expect(again).toEqual({ outcome: 'verified', how: 'recordedEarlier', check: 1 });
    expect(await verificationRows(data.runId)).toBe(1);
    expect((await events(data.runId, 'verified')).map((e) => e.detail)).toEqual([{ outcome: 'verified' }]);
    expect(await counter('kih_verifications_total', { target: 'sim', outcome: 'verified' })).toBe(before + 1);
    // Reported beside the document's state, which the record stage alone makes done.
    const status = await runStatus(db, data.runId);
    expect(status.documents[0]).toMatchObject({
      state: 'submitted',
      verification: { outcome: 'verified', class: null },
    });
    expect(status.verifications).toMatchObject({ verified: 1, failure: 0 });
  });

  it('metadataMismatch: the fields the registry changed are stored', async () => {
    const { data, uniqueId } = await storedRun();
    sim.pushScenario({ kind: 'metadata-changed', uniqueId });
    expect(await execVerifyJob(ctx(), data, { lastAttempt: false, timing: TIMING })).toMatchObject({
      outcome: 'metadataMismatch',
      how: 'recorded',
    });
    const record = await getVerification(db, data.runId, 0);
    expect(record?.mismatches).toEqual([
      {
        field: 'title',
        registered: expect.stringMatching(/\(changed by the registry\)$/),
        expected: expect.any(String),
      },
    ]);
    expect(record?.message).toMatch(/registered metadata differs: title/);
  });

  it('contentMismatch: the repository answers other bytes', async () => {
    const { data, uniqueId } = await storedRun();
    sim.pushScenario({ kind: 'retrieve-other-bytes', uniqueId });
    expect(await execVerifyJob(ctx(), data, { lastAttempt: false, timing: TIMING })).toMatchObject({
      outcome: 'contentMismatch',
    });
    const record = await getVerification(db, data.runId, 0);
    expect(record?.content).toMatchObject({ sameAsFile: false });
    expect(record?.mismatches).toEqual([]);
  });

  it('repository-unavailable (XDSUnavailableCommunity, a permanent class) is recorded as a failure at once, not retried', async () => {
    const { data, uniqueId } = await storedRun();
    sim.pushScenario({ kind: 'repository-unavailable', uniqueId });
    expect(await execVerifyJob(ctx(), data, { lastAttempt: false, timing: TIMING })).toEqual({
      outcome: 'failure',
      class: 'permanent',
      how: 'recorded',
      check: 1,
    });
    const record = await getVerification(db, data.runId, 0);
    expect(record).toMatchObject({ outcome: 'failure', class: 'permanent', checks: 1 });
    expect((record?.errors as { errorCode: string }[]).map((e) => e.errorCode)).toEqual(['XDSUnavailableCommunity']);
  });

  it('a transient failure throws for BullMQ to retry (an event, no record); on the last attempt it is recorded with every check counted', async () => {
    const { data, uniqueId } = await storedRun();
    // The target's own retry table asks 3 times per job attempt.
    sim.pushScenario({ kind: 'http-503', times: 3, uniqueId });
    await expect(execVerifyJob(ctx(), data, { lastAttempt: false, timing: TIMING })).rejects.toBeInstanceOf(
      TransientVerificationError
    );
    expect(await verificationRows(data.runId)).toBe(0);
    expect((await events(data.runId, 'verify-checked')).map((e) => e.detail)).toEqual([
      expect.objectContaining({ check: 1, outcome: 'failure', class: 'transient', next: 'retry', queries: 1 }),
    ]);
    sim.pushScenario({ kind: 'http-503', times: 3, uniqueId });
    expect(await execVerifyJob(ctx(), data, { lastAttempt: true, timing: TIMING })).toEqual({
      outcome: 'failure',
      class: 'transient',
      how: 'recorded',
      check: 2,
    });
    expect(await getVerification(db, data.runId, 0)).toMatchObject({
      outcome: 'failure',
      class: 'transient',
      checks: 2,
      queries: 2,
    });
  });

  it('notFound within the window: an event and a re-check, the waits doubling; after the window it is recorded', async () => {
    sim.pushScenario({ kind: 'registration-delay', delayMs: 120_000 });
    const { data } = await storedRun();
    expect(await execVerifyJob(ctx(), data, { lastAttempt: false, timing: TIMING })).toEqual({
      outcome: 'notFound',
      how: 'recheck',
      check: 1,
      delayMs: 100,
    });
    expect(await execVerifyJob(ctx(), data, { lastAttempt: false, timing: TIMING })).toMatchObject({
      how: 'recheck',
      check: 2,
      delayMs: 200,
    });
    expect((await events(data.runId, 'verify-checked')).map((e) => e.detail)).toEqual([
      expect.objectContaining({ check: 1, outcome: 'notFound', next: 'recheck', delayMs: 100 }),
      expect.objectContaining({ check: 2, outcome: 'notFound', next: 'recheck', delayMs: 200 }),
    ]);
    expect(await verificationRows(data.runId)).toBe(0);
    // The window has closed (a shorter one here): the third check is final.
    expect(await execVerifyJob(ctx(), data, { lastAttempt: false, timing: { ...TIMING, waitMs: 0 } })).toEqual({
      outcome: 'notFound',
      how: 'recorded',
      check: 3,
    });
    expect(await getVerification(db, data.runId, 0)).toMatchObject({ outcome: 'notFound', checks: 3, queries: 3 });
  });

  it('a cancelled run is skipped: nothing asked, nothing written', async () => {
    const { data } = await storedRun();
    await cancelRun(db, data.runId, 'test', 'test');
    const requests = (await (await fetch(`${sim.url}/kih-sim/health`)).json()) as { stats: { requests: number } };
    expect(await execVerifyJob(ctx(), data, { lastAttempt: false, timing: TIMING })).toEqual({
      outcome: 'notChecked',
      how: 'skipped',
    });
    expect(await verificationRows(data.runId)).toBe(0);
    expect(await events(data.runId, 'verify-checked')).toEqual([]);
    const after = (await (await fetch(`${sim.url}/kih-sim/health`)).json()) as { stats: { requests: number } };
    expect(after.stats.requests).toBe(requests.stats.requests);
  });

  it('what retrying cannot fix fails fast: no stored submission, a target without registry endpoints, an unknown target', async () => {
    const plain = await storedRun('sim-plain');
    const noRegistry = await execVerifyJob(ctx(), plain.data, { lastAttempt: false, timing: TIMING }).catch(
      (err: unknown) => err
    );
    expect(noRegistry).toMatchObject({ code: 'CONFIG_ERR_INVALID', path: 'targets.sim-plain' });
    expect(failFast(noRegistry)).toBeInstanceOf(UnrecoverableError);

    const unknown = await execVerifyJob(ctx(), { ...plain.data, target: 'nowhere' }, { lastAttempt: false }).catch(
      (err: unknown) => err
    );
    expect(unknown).toMatchObject({ code: 'CONFIG_ERR_INVALID', path: 'targets.nowhere' });

    const [doc] = corpus(1).filter((d) => d.valid);
    queued = [];
    const { runId } = await enqueueRun(db, recordingEnqueue, { vendorId: 'v', documents: [doc!] }, 'test');
    const notSent = await execVerifyJob(ctx(), { runId, seq: 0, target: 'sim' }, { lastAttempt: false }).catch(
      (err: unknown) => err
    );
    expect(notSent).toMatchObject({ code: 'STORE_ERR_NOT_FOUND' });
    expect(failFast(notSent)).toBeInstanceOf(UnrecoverableError);
    expect(await verificationRows(plain.data.runId)).toBe(0);
    expect(await verificationRows(runId)).toBe(0);
  });
});

describe('the verify queue on a real worker', () => {
  let service: Service;

  beforeAll(() => {
    service = startService({
      redisUrl: REDIS_URL,
      prefix: testPrefix('verify'),
      db,
      actor: 'verify-worker',
      work: ['verify'],
      senders,
      metrics,
      attempts: { verify: 2 },
      backoffMs: 50,
      verify: { waitMs: 4_000, recheckMs: 200, recheckMaxMs: 800 },
    });
  });

  afterAll(async () => {
    await service.close(5_000);
  });

  async function settled(runId: string, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((await verificationRows(runId)) === 0) {
      if (Date.now() > until) {
        throw new Error(`no verification of ${runId} within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('a registration that lags: notFound, the same job delayed (no attempt used), then verified', async () => {
    sim.pushScenario({ kind: 'registration-delay', delayMs: 1_000 });
    const delayedBefore = await counter('kih_job_duration_seconds', { queue: 'kih-verify', outcome: 'delayed' });
    // The submit job adds the verify job to the real queue.
    const { data } = await storedRun('sim', service.enqueue);
    await settled(data.runId);
    const record = await getVerification(db, data.runId, 0);
    expect(record).toMatchObject({ outcome: 'verified' });
    expect(record!.checks).toBeGreaterThanOrEqual(2);
    const checked = await events(data.runId, 'verify-checked');
    expect(checked).toHaveLength(record!.checks - 1);
    expect(checked.every((e) => e.detail.outcome === 'notFound' && e.detail.next === 'recheck')).toBe(true);
    expect(record!.queries).toBe(record!.checks);
    const job = await service.queues.verify.getJob(jobId('verify', data.runId, 0));
    // One attempt, however many delayed checks: a re-check does not use one up.
    expect(job?.attemptsMade).toBe(1);
    expect(await job?.getState()).toBe('completed');
    expect(await counter('kih_job_duration_seconds', { queue: 'kih-verify', outcome: 'delayed' })).toBe(
      delayedBefore + record!.checks - 1
    );
  });

  it('a registration later than the window: re-checked until the window closes, then notFound recorded', async () => {
    sim.pushScenario({ kind: 'registration-delay', delayMs: 120_000 });
    const { data } = await storedRun('sim', service.enqueue);
    await settled(data.runId);
    const record = await getVerification(db, data.runId, 0);
    expect(record).toMatchObject({ outcome: 'notFound' });
    // Checks at about 0, 0.2, 0.6, 1.4, 2.2, 3.0, 3.8 and 4.0 s.
    expect(record!.checks).toBeGreaterThanOrEqual(4);
    expect((await events(data.runId, 'verify-checked')).map((e) => e.detail.delayMs)).toEqual(
      expect.arrayContaining([200, 400, 800])
    );
  });

  it('a transient failure is retried by BullMQ; on the last attempt the failure is recorded', async () => {
    const { data, uniqueId } = await storedRun('sim', recordingEnqueue);
    // Three 503s per attempt (the target's own retries), for both attempts.
    sim.pushScenario({ kind: 'http-503', times: 6, uniqueId });
    await service.enqueue('verify', data);
    await settled(data.runId);
    expect(await getVerification(db, data.runId, 0)).toMatchObject({
      outcome: 'failure',
      class: 'transient',
      checks: 2,
      queries: 2,
    });
    const job = await service.queues.verify.getJob(jobId('verify', data.runId, 0));
    expect(job?.attemptsMade).toBe(2);
    expect(await job?.getState()).toBe('completed');
    // A job added again after the record exists writes nothing.
    await job?.remove();
    await service.enqueue('verify', data);
    let returned: unknown;
    for (let i = 0; i < 200 && returned === undefined; i++) {
      const again = await service.queues.verify.getJob(jobId('verify', data.runId, 0));
      if ((await again?.getState()) === 'completed') {
        returned = again?.returnvalue;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(returned).toMatchObject({ how: 'recordedEarlier', outcome: 'failure', class: 'transient' });
    expect(await verificationRows(data.runId)).toBe(1);
    expect((await events(data.runId, 'verified')).length).toBe(1);
  });
});

describe('kih verify <run-id>: the documents a run stored, read from the records', () => {
  const verifyRun = async (...args: string[]): ReturnType<typeof runInProcess> => {
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'kih-verify-run-')), 'targets.json');
    writeFileSync(config, settingsText);
    return runInProcess(['verify', ...args, '--config', config], {
      DATABASE_URL: TEST_DATABASE_URL,
      KIH_DB_SCHEMA: db.schema,
    });
  };

  it('verifies each stored document of the run like its file, and names what differs', async () => {
    const { data, uniqueId } = await storedRun();
    const ok = await verifyRun(data.runId, '--target', 'sim');
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { documents: { file: string; outcome: string; uniqueId: string }[] };
    expect(report.documents).toEqual([expect.objectContaining({ outcome: 'verified', uniqueId })]);
    expect(report.documents[0]?.file).toMatch(/\.xml$/);

    sim.pushScenario({ kind: 'metadata-changed', uniqueId });
    const changed = await verifyRun(data.runId, '--target', 'sim', '--format', 'text');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/metadataMismatch/);
  });

  it('refuses a run it does not know, and a target the run did not store at', async () => {
    const unknown = await verifyRun('00000000-0000-4000-8000-000000000000', '--target', 'sim');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('STORE_ERR_NOT_FOUND');
    const { data } = await storedRun();
    const elsewhere = await verifyRun(data.runId, '--target', 'sim-plain');
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/stored its documents at sim, not at sim-plain/);
  });
});
