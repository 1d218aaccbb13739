// The records against real PostgreSQL: migrations under a lock, content-addressed documents, one record per run document even under races.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KihError } from '../../src/core/kih-error.js';
import { migrate, MIGRATIONS } from '../../src/store/migrations.js';
import { openDatabase } from '../../src/store/database.js';
import type { Database } from '../../src/store/database.js';
import {
  claimSubmission,
  createRun,
  ensureVendor,
  getDocument,
  getRunDocument,
  getValidation,
  latestVerdicts,
  listRuns,
  putDocument,
  recordResult,
  recordSubmission,
  recordValidation,
  runStatus,
  sha256Hex,
} from '../../src/store/records.js';
import type { DocumentReport } from '../../src/core/report.js';
import { dropTestDatabase, TEST_DATABASE_URL, testDatabase, testSchema } from '../helpers/database.js';

let db: Database;

beforeAll(async () => {
  db = testDatabase('records');
  await migrate(db);
});

afterAll(async () => {
  await dropTestDatabase(db);
});

function report(status: DocumentReport['status']): DocumentReport {
  return {
    file: 'x.xml',
    profile: 'dk-phmr-2.1',
    profileSource: 'detected',
    valid: status === 'valid',
    status,
    issues:
      status === 'valid'
        ? []
        : [{ ruleId: 'DK-PHMR-21-001', severity: 'error', stage: 'schematron', message: 'broken' }],
    durationMs: 1,
  };
}

const VERSIONS = { schemaId: 'abc', ruleVersions: { 'dk-phmr-2.1.sch': '123' } };

async function newRun(n: number, submitTarget?: string): Promise<string> {
  await ensureVendor(db, 'vendor-a', 'Vendor A', 'test');
  const documents = [];
  for (let i = 0; i < n; i++) {
    const sha256 = await putDocument(db, Buffer.from(`<doc n="${i}" at="${Math.random()}"/>`), 'test');
    documents.push({ file: `doc-${i}.xml`, sha256 });
  }
  return createRun(db, { vendorId: 'vendor-a', documents, ...(submitTarget ? { submitTarget } : {}) }, 'test');
}

describe('migrate', () => {
  it('is a no-op the second time, and concurrent starts apply each migration once', async () => {
    expect(await migrate(db)).toEqual([]);
    const schema = testSchema('race');
    const racers = Array.from({ length: 5 }, () => openDatabase({ url: TEST_DATABASE_URL, schema, max: 1 }));
    try {
      const applied = await Promise.all(racers.map((d) => migrate(d)));
      expect(applied.flat()).toEqual(MIGRATIONS.map((m) => m.id));
    } finally {
      await dropTestDatabase(racers[0] as Database);
      await Promise.all(racers.slice(1).map((d) => d.close()));
    }
  });

  it('refuses a database that a newer release migrated, and rolls back a failing migration whole', async () => {
    const other = testDatabase('newer');
    try {
      await migrate(other);
      await other.query(`INSERT INTO schema_migrations (id, name) VALUES (999, 'from the future')`);
      await expect(migrate(other)).rejects.toMatchObject({ code: 'STORE_ERR_MIGRATION' });
      await other.query(`DELETE FROM schema_migrations WHERE id = 999`);
      const broken = [
        ...MIGRATIONS,
        // The next id after the real ones, so it is a migration this database has not applied.
        {
          id: Math.max(...MIGRATIONS.map((m) => m.id)) + 1,
          name: 'half',
          sql: 'CREATE TABLE half (a int); SELECT no_such_function();',
        },
      ];
      await expect(migrate(other, broken)).rejects.toMatchObject({ code: 'STORE_ERR_MIGRATION' });
      const tables = await other.query<{ n: string }>(
        `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'half'`,
        [other.schema]
      );
      expect(tables[0]?.n).toBe('0');
    } finally {
      await dropTestDatabase(other);
    }
  });
});

describe('documents', () => {
  it('are stored once under their SHA-256 and read back byte for byte', async () => {
    const bytes = Buffer.from('<ClinicalDocument>æøå</ClinicalDocument>');
    const a = await putDocument(db, bytes, 'test');
    const b = await putDocument(db, bytes, 'other');
    expect(a).toBe(sha256Hex(bytes));
    expect(b).toBe(a);
    expect((await getDocument(db, a)).equals(bytes)).toBe(true);
    const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM documents WHERE sha256 = $1`, [a]);
    expect(rows[0]?.n).toBe('1');
    await expect(getDocument(db, '0'.repeat(64))).rejects.toMatchObject({ code: 'STORE_ERR_NOT_FOUND' });
  });
});

describe('one record per run document', () => {
  it('a validation raced by ten deliveries is written once; all get the same record back', async () => {
    const run = await newRun(1);
    const doc = await getRunDocument(db, run, 0);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => recordValidation(db, doc, report('valid'), VERSIONS, `worker-${i}`))
    );
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    expect(new Set(results.map((r) => r.record.createdBy)).size).toBe(1);
    expect(await getValidation(db, run, 0)).toMatchObject({ status: 'valid', errors: 0 });
  });

  it('a second claim of a send returns the first, so nobody sends twice', async () => {
    const run = await newRun(1, 'local');
    const doc = await getRunDocument(db, run, 0);
    const claims = await Promise.all(
      Array.from({ length: 5 }, (_, i) => claimSubmission(db, doc, 'local', '1.2.208.184^u', `worker-${i}`))
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    const lost = claims.find((c) => !c.claimed);
    expect(lost).toMatchObject({ claimed: false, earlier: { target: 'local', uniqueId: '1.2.208.184^u' } });
  });

  it('states follow the rows: queued → validated → submitting → submitted → done', async () => {
    const run = await newRun(2, 'local');
    const [d0, d1] = [await getRunDocument(db, run, 0), await getRunDocument(db, run, 1)];
    const states = async (): Promise<string[]> => (await runStatus(db, run)).documents.map((d) => d.state);
    expect(await states()).toEqual(['queued', 'queued']);
    await recordValidation(db, d0, report('valid'), VERSIONS, 'w');
    await recordValidation(db, d1, report('invalid'), VERSIONS, 'w');
    expect(await states()).toEqual(['validated', 'validated']);
    await claimSubmission(db, d0, 'local', 'u0', 'w');
    expect(await states()).toEqual(['submitting', 'validated']);
    const submission = {
      runId: run,
      seq: 0,
      sha256: d0.sha256,
      target: 'local',
      uniqueId: 'u0',
      outcome: 'success',
      class: 'success',
      errors: [],
      attempts: [{ attempt: 1 }],
      confirmedByQuery: false,
      durationMs: 12.5,
    };
    expect(await recordSubmission(db, submission, 'w')).toBe(true);
    expect(await recordSubmission(db, submission, 'w2')).toBe(false);
    expect(await states()).toEqual(['submitted', 'validated']);
    expect(await recordResult(db, d0, 'w')).toBe(true);
    expect(await recordResult(db, d0, 'w')).toBe(false);
    expect(await recordResult(db, d1, 'w')).toBe(true);
    const status = await runStatus(db, run);
    expect(status).toMatchObject({ total: 2, done: 2, submitTarget: 'local' });
    expect(status.documents).toEqual([
      {
        file: 'doc-0.xml',
        sha256: d0.sha256,
        state: 'done',
        verdict: 'valid',
        submission: { outcome: 'success', class: 'success' },
        verification: null,
      },
      {
        file: 'doc-1.xml',
        sha256: d1.sha256,
        state: 'done',
        verdict: 'invalid',
        submission: null,
        verification: null,
      },
    ]);
    expect(status.verifications).toEqual({
      verified: 0,
      notFound: 0,
      metadataMismatch: 0,
      contentMismatch: 0,
      failure: 0,
    });
    const events = await db.query<{ kind: string }>(`SELECT kind FROM events WHERE run_id = $1 ORDER BY id`, [run]);
    expect(events.map((e) => e.kind)).toEqual([
      'run-created',
      'validated',
      'validated',
      'submission-claimed',
      'submitted',
      'recorded',
      'recorded',
    ]);
  });

  it('a result needs a validation first', async () => {
    const run = await newRun(1);
    await expect(recordResult(db, await getRunDocument(db, run, 0), 'w')).rejects.toMatchObject({
      code: 'STORE_ERR_NOT_FOUND',
    });
  });

  it("a vendor sees only its own runs: another vendor's run id is not found", async () => {
    const run = await newRun(1);
    await ensureVendor(db, 'vendor-b', 'Vendor B', 'test');
    await expect(runStatus(db, run, 'vendor-b')).rejects.toBeInstanceOf(KihError);
    await expect(runStatus(db, 'not-a-uuid')).rejects.toMatchObject({ code: 'STORE_ERR_NOT_FOUND' });
    expect((await runStatus(db, run, 'vendor-a')).vendor).toBe('vendor-a');
  });
});

describe('configuration', () => {
  it('refuses unusable settings with CONFIG_ERR_INVALID, and an unreachable database with STORE_ERR_DATABASE', async () => {
    expect(() => openDatabase({ url: 'not a url' })).toThrow(/DATABASE_URL is not a URL/);
    expect(() => openDatabase({ url: 'mysql://x/y' })).toThrow(/must be postgres/);
    expect(() => openDatabase({ url: TEST_DATABASE_URL, schema: 'Robert"; DROP' })).toThrow(/plain lower-case/);
    const nowhere = openDatabase({ url: 'postgres://postgres@127.0.0.1:1/test' });
    try {
      await expect(nowhere.query('SELECT 1')).rejects.toMatchObject({ code: 'STORE_ERR_DATABASE' });
    } finally {
      await nowhere.close();
    }
  });
});

describe('queries for the certification views', () => {
  it("lists a vendor's runs with their counts, and the latest verdict per document", async () => {
    await ensureVendor(db, 'vendor-q', 'Vendor Q', 'test');
    const bytes = Buffer.from('<the-same-document/>');
    const sha256 = await putDocument(db, bytes, 'test');
    const first = await createRun(
      db,
      { vendorId: 'vendor-q', name: 'first', documents: [{ file: 'a.xml', sha256 }] },
      't'
    );
    await recordValidation(db, await getRunDocument(db, first, 0), report('invalid'), VERSIONS, 'w');
    await recordResult(db, await getRunDocument(db, first, 0), 'w');
    const second = await createRun(
      db,
      { vendorId: 'vendor-q', name: 'second', documents: [{ file: 'a-fixed.xml', sha256 }] },
      't'
    );
    await recordValidation(db, await getRunDocument(db, second, 0), report('valid'), VERSIONS, 'w');

    const runs = await listRuns(db, 'vendor-q');
    expect(runs.map((r) => [r.name, r.total, r.done, r.valid])).toEqual([
      ['second', 1, 0, 0],
      ['first', 1, 1, 0],
    ]);
    expect(await latestVerdicts(db, 'vendor-q')).toEqual([
      expect.objectContaining({ sha256, file: 'a-fixed.xml', run: second, verdict: 'valid' }),
    ]);
    expect(await latestVerdicts(db, 'vendor-q', sha256)).toHaveLength(1);
    // Another vendor sees none of it.
    expect(await listRuns(db, 'vendor-a', 1000)).not.toContainEqual(expect.objectContaining({ run: first }));
    expect(await latestVerdicts(db, 'vendor-b')).toEqual([]);
  });
});
