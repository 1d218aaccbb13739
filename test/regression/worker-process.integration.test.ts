// `kih worker` with a regression section, as real processes: two workers, one schedule, each firing run once and recorded; a bad schedule stops the start.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { untilRunning } from '../helpers/worker-process.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { REGRESS_QUEUE } from '../../src/queue/regress-queue.js';
import { QUEUE_NAMES } from '../../src/queue/names.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrations.js';
import { listRegressionRuns } from '../../src/store/regression-records.js';
import { dropTestDatabase, TEST_DATABASE_URL, testDatabase } from '../helpers/database.js';
import { REDIS_URL, testPrefix } from '../queue/helpers.js';

const WORKER = path.join(PACKAGE_ROOT, 'dist', 'worker.js');
const work = mkdtempSync(path.join(tmpdir(), 'kih-regress-worker-'));
let db: Database;
const prefix = testPrefix('regress-worker');
const children: ChildProcessWithoutNullStreams[] = [];

function settingsFile(name: string, schedule: string): string {
  const file = path.join(work, name);
  writeFileSync(
    file,
    JSON.stringify({
      regression: { schedule, corpora: [{ name: 'one', dir: 'one' }], pollMs: 100 },
    })
  );
  return file;
}

function env(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: TEST_DATABASE_URL,
    KIH_DB_SCHEMA: db.schema,
    REDIS_URL,
    KIH_QUEUE_PREFIX: prefix,
    KIH_VALIDATION_THREADS: '1',
    KIH_QUEUES: 'validate,record',
  };
}

async function startWorker(
  config: string
): Promise<{ child: ChildProcessWithoutNullStreams; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [WORKER, '--config', config], { env: env() });
  children.push(child);
  return untilRunning(child, 'validate, record, regress');
}

beforeAll(async () => {
  db = testDatabase('regress_worker');
  await migrate(db);
  mkdirSync(path.join(work, 'one'));
  copyFileSync(
    path.join(PACKAGE_ROOT, 'test', 'fixtures', 'regression', 'corpus', 'weight.xml'),
    path.join(work, 'one', 'weight.xml')
  );
  writeFileSync(
    path.join(work, 'one', 'manifest.json'),
    JSON.stringify({
      version: 1,
      documents: [{ file: 'weight.xml', profile: 'dk-phmr-1.3', valid: true, ruleIds: [] }],
    })
  );
});

afterAll(async () => {
  for (const c of children) {
    c.kill('SIGKILL');
  }
  for (const name of [REGRESS_QUEUE, ...Object.values(QUEUE_NAMES)]) {
    const q = new Queue(name, { connection: { url: REDIS_URL }, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
  await dropTestDatabase(db);
});

describe('kih worker with a regression section', () => {
  it('two workers run each occurrence of the schedule once, through the queues, and stop on SIGTERM', async () => {
    const config = settingsFile('every-2s.json', '*/2 * * * * *');
    const workers = [await startWorker(config), await startWorker(config)];
    const until = Date.now() + 30_000;
    let runs = await listRegressionRuns(db, { corpus: 'one' });
    while (runs.filter((r) => r.state === 'passed').length < 2 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      runs = await listRegressionRuns(db, { corpus: 'one' });
    }
    // Stop the schedule before the workers, so nothing new fires while they stop.
    const q = new Queue(REGRESS_QUEUE, { connection: { url: REDIS_URL }, prefix });
    await q.removeJobScheduler('kih-nightly-regression');
    await q.close();
    for (const w of workers) {
      w.child.kill('SIGTERM');
    }
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);

    runs = await listRegressionRuns(db, { corpus: 'one' });
    const passed = runs.filter((r) => r.state === 'passed');
    expect(passed.length).toBeGreaterThanOrEqual(2);
    expect(passed.every((r) => r.trigger === 'schedule' && r.total === 1 && r.done === 1 && r.matched === 1)).toBe(
      true
    );
    // One regression per firing: the job keys (scheduler id and firing time) are all different.
    const keys = await db.query<{ job_key: string }>(`SELECT job_key FROM regression_runs`);
    expect(new Set(keys.map((k) => k.job_key)).size).toBe(keys.length);
  }, 60_000);

  it('a schedule that is not a cron expression stops the worker at start with CONFIG_ERR_INVALID', () => {
    const r = spawnSync(process.execPath, [WORKER, '--config', settingsFile('bad.json', 'at two')], {
      env: env(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('CONFIG_ERR_INVALID');
    expect(r.stderr).toContain('"at two" is not a cron expression');
  });
});
