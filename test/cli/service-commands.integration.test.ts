// `kih enqueue` and `kih status` against real PostgreSQL and Redis, with workers of this process taking the run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/main.js';
import { startService } from '../../src/queue/service.js';
import type { Service } from '../../src/queue/service.js';
import { settingsFrom } from '../../src/config/load-config.js';
import { createSenders } from '../../src/queue/stage-services.js';
import { openValidator } from '../../src/validation/validator.js';
import type { Senders, StageValidator } from '../../src/queue/stage-services.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { Database } from '../../src/store/database.js';
import type { RunStatus } from '../../src/store/records.js';
import { dropTestDatabase, TEST_DATABASE_URL, testDatabase } from '../helpers/database.js';
import { SAMPLES } from '../helpers/cli.js';
import { REDIS_URL, simulatorSettings, testPrefix } from '../queue/helpers.js';

let db: Database;
let sim: ProjectSimulator;
let validator: StageValidator;
let senders: Senders;
let service: Service;
const prefix = testPrefix('cli');

async function kih(
  argv: string[],
  env: NodeJS.ProcessEnv = {}
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        add(chunk.toString());
        cb();
      },
    });
  const code = await runCli(argv, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: { DATABASE_URL: TEST_DATABASE_URL, KIH_DB_SCHEMA: db.schema, REDIS_URL, KIH_QUEUE_PREFIX: prefix, ...env },
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  db = testDatabase('cli');
  sim = await startProjectSimulator({ storeDir: mkdtempSync(path.join(tmpdir(), 'kih-cli-service-')) });
  // The commands migrate the schema themselves; the workers start once it exists.
  expect((await kih(['enqueue', path.join(SAMPLES, 'dk-qrd-1.3', 'valid'), '--vendor', 'warmup'])).code).toBe(0);
  validator = await openValidator({ threads: 1 });
  senders = createSenders(settingsFrom(simulatorSettings(sim), undefined));
  service = startService({ redisUrl: REDIS_URL, prefix, db, actor: 'cli-test', validator, senders, backoffMs: 20 });
});

afterAll(async () => {
  await service.close(5_000);
  await senders.close();
  await validator.close();
  await sim.close();
  await dropTestDatabase(db);
});

describe('kih enqueue and kih status', () => {
  it('a run of samples/ to the simulator: enqueue prints the run, status --wait reports every document done', async () => {
    const enqueued = await kih(['enqueue', SAMPLES, '--vendor', 'acme', '--submit', 'sim', '--run', 'test case 1']);
    expect(enqueued.stderr).toBe('');
    expect(enqueued.code).toBe(0);
    const { run, total } = JSON.parse(enqueued.stdout) as { run: string; total: number };
    expect(total).toBe(40);
    const status = await kih(['status', run, '--wait', '90']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as RunStatus;
    expect(s).toMatchObject({ run, vendor: 'acme', name: 'test case 1', submitTarget: 'sim', total: 40, done: 40 });
    const valid = s.documents.filter((d) => d.verdict === 'valid');
    // 13 valid samples and the 9 pair-* QRDs: the queue validates one document at a time, so no pair check.
    expect(valid).toHaveLength(22);
    expect(valid.every((d) => d.submission?.outcome === 'success')).toBe(true);
    expect(s.documents.filter((d) => d.verdict !== 'valid').every((d) => d.submission === null)).toBe(true);

    const resumed = await kih(['enqueue', '--resume', run]);
    expect(JSON.parse(resumed.stdout)).toEqual({ run, total: 40, queued: 0 });
  }, 120_000);

  it("another vendor's run is not found, and a run that is not done yet gives exit 1 with --wait", async () => {
    const { run } = JSON.parse((await kih(['enqueue', SAMPLES, '--vendor', 'acme'])).stdout) as { run: string };
    const other = await kih(['status', run, '--vendor', 'someone-else']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/STORE_ERR_NOT_FOUND: No run/);
    const early = await kih(['status', run, '--wait', '0']);
    expect([0, 1]).toContain(early.code);
    const s = JSON.parse(early.stdout) as RunStatus;
    expect(early.code).toBe(s.done === s.total ? 0 : 1);
  });

  it('refuses to start without DATABASE_URL or a vendor', async () => {
    const noDb = await kih(['status', '00000000-0000-0000-0000-000000000000'], { DATABASE_URL: '' });
    expect(noDb.stderr).toMatch(/CONFIG_ERR_INVALID: DATABASE_URL is not set/);
    expect((await kih(['enqueue', SAMPLES])).stderr).toMatch(/CLI_ERR_USAGE: Name the vendor/);
    expect((await kih(['worker', '--queues', 'validate,nonsense'])).stderr).toMatch(
      /CONFIG_ERR_INVALID \(KIH_QUEUES\): Queues are some of/
    );
  });
});
