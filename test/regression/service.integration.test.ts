// The nightly regression in service mode on real Redis and PostgreSQL: one schedule whatever the workers, runs through the queues, recorded, cancellable.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { NIGHTLY_SCHEDULER_ID, startRegressionService } from '../../src/queue/regress-queue.js';
import type { RegressionService, RegressionServiceOptions } from '../../src/queue/regress-queue.js';
import type { RegressionSettings } from '../../src/config/regression-settings.js';
import { startService } from '../../src/queue/service.js';
import type { Service } from '../../src/queue/service.js';
import { openValidator } from '../../src/validation/validator.js';
import type { StageValidator } from '../../src/queue/stage-services.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { getRegressionRun, latestRegressionRuns, listRegressionRuns } from '../../src/store/regression-records.js';
import type { RegressionRunDetail } from '../../src/store/regression-records.js';
import { runStatus } from '../../src/store/records.js';
import { resolveSettings } from '../../src/config/metadata-settings.js';
import { runBinary } from '../helpers/cli.js';
import { dropTestDatabase, TEST_DATABASE_URL, testDatabase } from '../helpers/database.js';
import { REDIS_URL, testPrefix } from '../queue/helpers.js';

const FIXTURE = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'regression', 'corpus');
const FILES = ['weight.xml', 'blood-pressure-pulse.xml', 'fatigue-pain-sliders.xml'];
const PROFILES: Record<string, string> = {
  'weight.xml': 'dk-phmr-1.3',
  'blood-pressure-pulse.xml': 'dk-phmr-1.3',
  'fatigue-pain-sliders.xml': 'dk-qrd-1.3',
};

/** A corpus of `copies` × the three fixture documents, all expected valid under the built-in rules. */
function writeCorpus(dir: string, copies: number): string {
  const documents = [];
  for (let c = 0; c < copies; c++) {
    mkdirSync(path.join(dir, `c${c}`), { recursive: true });
    for (const f of FILES) {
      copyFileSync(path.join(FIXTURE, f), path.join(dir, `c${c}`, f));
      documents.push({ file: `c${c}/${f}`, profile: PROFILES[f], valid: true, ruleIds: [] });
    }
  }
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: 1, documents }));
  return dir;
}

const work = mkdtempSync(path.join(tmpdir(), 'kih-regress-service-'));
const small = writeCorpus(path.join(work, 'small'), 1);
const large = writeCorpus(path.join(work, 'large'), 100);

/** Two documents with expected metadata: weight.xml's as derived with legacy formatCodes, the QRD's with a wrong title. */
function writeMetadataCorpus(dir: string): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(FIXTURE, 'weight.xml'), path.join(dir, 'weight.xml'));
  copyFileSync(path.join(FIXTURE, 'fatigue-pain-sliders.xml'), path.join(dir, 'fatigue-pain-sliders.xml'));
  const documents = [
    {
      file: 'weight.xml',
      profile: 'dk-phmr-1.3',
      valid: true,
      ruleIds: [],
      metadata: { formatCode: 'urn:ad:dk:medcom:phmr:full', eventCodeList: ['NPU03804^1.2.208.176.2.1'] },
    },
    {
      file: 'fatigue-pain-sliders.xml',
      profile: 'dk-qrd-1.3',
      valid: true,
      ruleIds: [],
      metadata: { typeCode: '74465-6', title: 'Et andet skema' },
    },
  ];
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: 1, documents }));
  return dir;
}
const withMetadata = writeMetadataCorpus(path.join(work, 'with-metadata'));

let db: Database;
let validator: StageValidator;
let service: Service;
let prefix: string;
const opened: RegressionService[] = [];

function settings(over: Partial<RegressionSettings> = {}): RegressionSettings {
  return {
    schedule: '0 2 * * *',
    vendor: 'medcom-regression',
    corpora: [
      { name: 'small', dir: small },
      { name: 'large', dir: large },
    ],
    pollMs: 50,
    ...over,
  };
}

async function regression(
  over: Partial<RegressionSettings> = {},
  work = true,
  metadataSettings?: RegressionServiceOptions['metadataSettings']
): Promise<RegressionService> {
  const r = await startRegressionService(service, {
    settings: settings(over),
    work,
    ...(metadataSettings ? { metadataSettings } : {}),
  });
  opened.push(r);
  return r;
}

function restore(name: 'DATABASE_URL' | 'KIH_DB_SCHEMA' | 'KIH_QUEUE_PREFIX', value: string | undefined): void {
  if (value === undefined) {
    Reflect.deleteProperty(process.env, name);
  } else {
    process.env[name] = value;
  }
}

async function closeAll(): Promise<void> {
  for (const r of opened.splice(0)) {
    await r.close();
  }
}

async function regressionsOf(jobKey: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(`SELECT id FROM regression_runs WHERE job_key = $1 ORDER BY corpus`, [
    jobKey,
  ]);
  return rows.map((r) => r.id);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function finished(id: string): Promise<RegressionRunDetail> {
  return waitFor(`regression ${id}`, async () => {
    const r = await getRegressionRun(db, id);
    return r.state === 'running' || r.state === 'cancelling' ? undefined : r;
  });
}

beforeAll(async () => {
  db = testDatabase('regress');
  await migrate(db);
  prefix = testPrefix('regress');
  validator = await openValidator({ threads: 1 });
  service = startService({
    redisUrl: REDIS_URL,
    prefix,
    db,
    actor: 'regress-test',
    validator,
    work: ['validate', 'record'],
    backoffMs: 20,
    concurrency: { validate: 2, record: 4 },
  });
});

afterAll(async () => {
  await closeAll();
  const r = await regression({}, false).catch(() => undefined);
  await r?.queue.obliterate({ force: true }).catch(() => undefined);
  await closeAll();
  for (const q of Object.values(service.queues)) {
    await q.obliterate({ force: true }).catch(() => undefined);
  }
  await service.close(5_000);
  await validator.close();
  await dropTestDatabase(db);
});

describe('the nightly schedule', () => {
  it('is registered once across two workers and a restart, and follows the configured pattern', async () => {
    const a = await regression();
    await regression();
    expect(await a.queue.getJobSchedulersCount()).toBe(1);
    const [scheduler] = await a.queue.getJobSchedulers();
    expect(scheduler).toMatchObject({ key: NIGHTLY_SCHEDULER_ID, pattern: '0 2 * * *', tz: 'Europe/Copenhagen' });
    // One job waits for the next occurrence, not one per worker.
    expect(await a.queue.getDelayedCount()).toBe(1);
    // The next run is at 02:00 in Copenhagen, whatever the machine's zone.
    const next = new Date(scheduler?.next ?? 0);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Copenhagen',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(next);
    expect(local).toBe('02:00');
    expect(next.getTime()).toBeGreaterThan(Date.now());

    // A restart with a changed pattern updates the one scheduler.
    await closeAll();
    const b = await regression({ schedule: '30 3 * * *' });
    await regression({ schedule: '30 3 * * *' });
    expect(await b.queue.getJobSchedulersCount()).toBe(1);
    expect((await b.queue.getJobSchedulers())[0]).toMatchObject({ key: NIGHTLY_SCHEDULER_ID, pattern: '30 3 * * *' });
    expect(await b.queue.getDelayedCount()).toBe(1);
    // No schedule in the settings removes it.
    await regression({ schedule: null }, false);
    expect(await b.queue.getJobSchedulersCount()).toBe(0);
    await b.queue.drain(true);
    await closeAll();
  });

  it('with two workers, each occurrence starts one regression per corpus, never two', async () => {
    const corpora = [{ name: 'small', dir: small }];
    const a = await regression({ schedule: '*/2 * * * * *', corpora });
    await regression({ schedule: '*/2 * * * * *', corpora });
    await new Promise((r) => setTimeout(r, 5_500));
    await a.queue.removeJobScheduler(NIGHTLY_SCHEDULER_ID);
    await a.queue.drain(true);
    const rows = await db.query<{ job_key: string; n: string }>(
      `SELECT job_key, count(*) AS n FROM regression_runs WHERE job_key LIKE 'repeat:%' GROUP BY job_key ORDER BY job_key`
    );
    // 5.5 s of a 2 s schedule: two or three firings, each its own job and one regression.
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.length).toBeLessThanOrEqual(3);
    expect(rows.every((r) => r.n === '1')).toBe(true);
    const times = rows.map((r) => Number(r.job_key.split(':').pop()));
    expect(times.every((t) => t % 2000 === 0)).toBe(true);
    expect(new Set(times).size).toBe(times.length);
    for (const r of rows) {
      for (const id of await regressionsOf(r.job_key)) {
        expect((await finished(id)).state).toBe('passed');
      }
    }
    await closeAll();
  }, 90_000);
});

describe('a regression run', () => {
  it('goes through the validate and record queues, is recorded with its versions and progress, and can be read back', async () => {
    const r = await regression({ schedule: null, corpora: [{ name: 'small', dir: small }] });
    const job = await r.runNow(['small']);
    const [id] = await waitFor('the regression row', async () => {
      const ids = await regressionsOf(job);
      return ids.length > 0 ? ids : undefined;
    });
    const done = await finished(id!);
    expect(done).toMatchObject({ corpus: 'small', trigger: 'manual', state: 'passed', total: 3, done: 3, matched: 3 });
    expect(done.versions?.validators).toEqual([{ schemaId: validator.schemaId, ruleVersions: validator.ruleVersions }]);
    expect(done.result?.tool).toMatchObject({
      schemas: `builtin#${validator.schemaId}`,
      rules: validator.ruleVersions,
    });
    expect(done.result?.documents.map((d) => [d.file, d.match, d.actual?.status])).toEqual([
      ['c0/blood-pressure-pulse.xml', true, 'valid'],
      ['c0/fatigue-pain-sliders.xml', true, 'valid'],
      ['c0/weight.xml', true, 'valid'],
    ]);
    // The documents went through the service's own queues as a run of the regression vendor.
    const status = await runStatus(db, done.runId ?? '');
    expect(status).toMatchObject({ vendor: 'medcom-regression', total: 3, done: 3 });
    const counts = await service.queues.validate.getJobCounts('completed');
    expect(counts.completed).toBeGreaterThanOrEqual(3);
    // The job reported its progress.
    const progress = (await r.queue.getJob(job))?.progress as { finished?: boolean } | undefined;
    expect(progress?.finished).toBe(true);
    // What the pages read.
    expect((await listRegressionRuns(db, { corpus: 'small', limit: 1 }))[0]?.id).toBe(id);
    expect((await latestRegressionRuns(db)).find((x) => x.corpus === 'small')?.id).toBe(id);
    await expect(getRegressionRun(db, 'nope')).rejects.toMatchObject({ code: 'STORE_ERR_NOT_FOUND' });
    await closeAll();
  });

  it("compares the metadata a manifest expects, derived from the stored documents with the corpus target's settings", async () => {
    const targets: (string | null)[] = [];
    const r = await regression(
      { schedule: null, corpora: [{ name: 'with-metadata', dir: withMetadata }] },
      true,
      (t) => {
        targets.push(t);
        return resolveSettings({ formatCodeStyle: 'legacy' });
      }
    );
    const job = await r.runNow(['with-metadata']);
    const [id] = await waitFor('the regression row', async () => {
      const ids = await regressionsOf(job);
      return ids.length > 0 ? ids : undefined;
    });
    const done = await finished(id!);
    expect(done).toMatchObject({ state: 'failed', total: 2, matched: 1 });
    expect(targets).toEqual([null]);
    const docs = done.result?.documents ?? [];
    expect(docs.find((d) => d.file === 'weight.xml')).toMatchObject({
      match: true,
      actual: { metadata: { values: { formatCode: 'urn:ad:dk:medcom:phmr:full^1.2.208.184.100.10' } } },
    });
    expect(docs.find((d) => d.file === 'fatigue-pain-sliders.xml')?.mismatches).toEqual([
      {
        kind: 'metadata',
        field: 'title',
        expected: 'Et andet skema',
        actual: 'Træthed og smerter',
        message: 'Metadata title: expected Et andet skema, derived Træthed og smerter.',
      },
    ]);
    await closeAll();
  });

  it('can be cancelled (kih regress --cancel): the documents not started are skipped and the run ends as cancelled', async () => {
    const r = await regression({ schedule: null });
    const job = await r.runNow(['large']);
    const regressionId = await waitFor('the large run to be queued', async () => {
      const [id] = await regressionsOf(job);
      if (id === undefined) {
        return undefined;
      }
      const g = await getRegressionRun(db, id);
      return g.runId !== null && g.done > 0 ? id : undefined;
    });
    // runBinary passes this process's environment on: the service settings of this test's schema and prefix.
    const saved = {
      url: process.env.DATABASE_URL,
      schema: process.env.KIH_DB_SCHEMA,
      prefix: process.env.KIH_QUEUE_PREFIX,
    };
    process.env.DATABASE_URL = TEST_DATABASE_URL;
    process.env.KIH_DB_SCHEMA = db.schema;
    process.env.KIH_QUEUE_PREFIX = prefix;
    let cancel;
    let show;
    try {
      cancel = runBinary(['regress', '--cancel', regressionId]);
      show = runBinary(['regress', '--show', regressionId]);
    } finally {
      restore('DATABASE_URL', saved.url);
      restore('KIH_DB_SCHEMA', saved.schema);
      restore('KIH_QUEUE_PREFIX', saved.prefix);
    }
    expect(cancel.stderr).toBe('');
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ id: regressionId, cancelledNow: true, total: 300 });
    expect(show.code).toBe(0);
    expect((JSON.parse(show.stdout) as { total: number }).total).toBe(300);

    const done = await finished(regressionId);
    expect(done.state).toBe('cancelled');
    expect(done.result?.status).toBe('cancelled');
    const skipped = done.result?.documents.filter((d) => d.mismatches.some((m) => m.kind === 'skipped')) ?? [];
    expect(skipped.length).toBeGreaterThan(0);
    expect(done.result?.summary.notRun).toBe(skipped.length);
    // The workers honour it: once the queue is drained, the skipped documents have no validation.
    await waitFor('the validate queue to drain', async () => {
      const c = await service.queues.validate.getJobCounts('waiting', 'active', 'delayed');
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) === 0 ? true : undefined;
    });
    const [row] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM validations WHERE run_id = $1`, [
      done.runId,
    ]);
    expect(Number(row?.n)).toBeLessThan(300);
    await closeAll();
  }, 120_000);
});
