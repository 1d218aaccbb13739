// The logs of a full pipeline run (every sample uploaded through the API, validated, submitted with faults, recorded, verified) hold no CPR number, patient name, API key or session cookie.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { logBuffer } from '../helpers/log-buffer.js';
import { call, SAMPLES, startHarness, waitForDocument, xmlUpload } from './harness.js';
import type { Harness } from './harness.js';

function sampleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sampleFiles(full) : name.endsWith('.xml') ? [full] : [];
  });
}

const files = sampleFiles(SAMPLES);
const texts = files.map((f) => readFileSync(f, 'utf8'));

/** Every CPR number of the samples: the extension of each id with root 1.2.208.176.1.2, whatever the attribute order. */
const cprNumbers = [
  ...new Set(
    texts.flatMap((t) =>
      [...t.matchAll(/<id\b[^>]*>/g)]
        .map((m) => m[0])
        .filter((tag) => tag.includes('root="1.2.208.176.1.2"'))
        .map((tag) => /extension="([^"]+)"/.exec(tag)?.[1])
        .filter((x): x is string => x !== undefined && x.length >= 6)
    )
  ),
];

/** Every patient's family name and full name ("given family"). */
const patientNames = [
  ...new Set(
    texts.flatMap((t) =>
      [...t.matchAll(/<patient\b[^>]*>([\s\S]*?)<\/patient>/g)].flatMap((m) => {
        const block = m[1] ?? '';
        const given = [...block.matchAll(/<given>([^<]+)<\/given>/g)].map((g) => (g[1] ?? '').trim());
        const family = [...block.matchAll(/<family>([^<]+)<\/family>/g)].map((f) => (f[1] ?? '').trim());
        return [...family, ...family.flatMap((f) => given.map((g) => `${g} ${f}`))];
      })
    )
  ),
];

const logs = logBuffer('trace');
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ label: 'redaction', vendors: ['acme'], logger: logs.logger, operations: {} });
}, 60_000);

afterAll(async () => {
  await h.close();
});

describe('log redaction over a full pipeline run', () => {
  it('knows what to look for', () => {
    expect(files.length).toBeGreaterThanOrEqual(29);
    expect(cprNumbers.length).toBeGreaterThanOrEqual(7);
    expect(patientNames.length).toBeGreaterThanOrEqual(10);
  });

  it('every sample through API, queues, simulator (busy, 503, expired card) and records: no secret in any line', async () => {
    // Faults make the retry, renewal and failure paths write their lines too. The repository is busy
    // for as many requests as the submit jobs in flight (8) can make in one attempt each (3 sends),
    // so at least one job gives up its attempt and is retried, whatever order the jobs run in.
    h.sim.pushScenario({ kind: 'busy', times: 24 });
    h.sim.pushScenario({ kind: 'http-503', times: 1 });
    h.sim.pushScenario({ kind: 'expired-idcard', times: 1 });
    const vendorKey = h.key('acme');
    const adminKey = h.key('admin');
    const ids: string[] = [];
    for (const file of files) {
      const name = path.relative(SAMPLES, file);
      const a = await xmlUpload(h, vendorKey, readFileSync(file), `?name=${encodeURIComponent(name)}&formal=true`);
      // The API refuses an empty document before storing it (API_ERR_BAD_REQUEST); every other sample is queued.
      expect([name, a.status]).toEqual([name, statSync(file).size === 0 ? 400 : 202]);
      if (a.status === 202) {
        ids.push(...a.json<{ documents: { id: string }[] }>().documents.map((d) => d.id));
      }
    }
    for (const id of ids) {
      expect((await waitForDocument(h, vendorKey, id, 120_000)).state).toBe('done');
      expect((await call(h, 'GET', `/api/v1/documents/${id}/report?format=json`, { key: vendorKey })).status).toBe(200);
    }
    // The stored documents' end-to-end checks (the verify queue) write their lines too.
    const checked = async (): Promise<{ stored: number; verified: number }> =>
      (
        await h.db.query<{ stored: number; verified: number }>(
          `SELECT count(*) FILTER (WHERE s.outcome = 'success')::int AS stored, count(x.run_id)::int AS verified
           FROM submissions s LEFT JOIN verifications x USING (run_id, seq)`
        )
      )[0] ?? { stored: -1, verified: 0 };
    for (let i = 0; i < 600 && (await checked()).verified < (await checked()).stored; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const { stored, verified } = await checked();
    expect(stored).toBeGreaterThan(0);
    expect(verified).toBe(stored);
    // A browser session, MedCom's pages, a wrong key and the metrics: their credentials must not appear either.
    const login = await call(h, 'POST', '/login', {
      type: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ key: vendorKey, next: '/' }).toString(),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^kih_session=.+/);
    expect((await call(h, 'GET', '/', { headers: { cookie } })).status).toBe(200);
    expect((await call(h, 'GET', '/api/v1/vendors', { key: adminKey })).status).toBe(200);
    const wrongKey = `kih_v_${'Q'.repeat(43)}`;
    expect((await call(h, 'GET', '/api/v1/documents', { key: wrongKey })).status).toBe(401);
    expect((await call(h, 'GET', '/metrics', { key: adminKey })).status).toBe(200);
    await h.close();
    h = { close: () => Promise.resolve() } as Harness;

    const text = logs.text();
    const lines = logs.lines();
    expect(lines.length).toBeGreaterThan(3 * files.length);
    const secrets = [
      ...cprNumbers,
      ...patientNames,
      vendorKey,
      adminKey,
      wrongKey,
      cookie.slice('kih_session='.length),
      decodeURIComponent(cookie.slice('kih_session='.length)),
    ];
    expect(secrets.filter((s) => text.includes(s))).toEqual([]);
    // The same numbers with a dash (DDMMYY-SSSS) never appear either.
    expect(cprNumbers.map((c) => `${c.slice(0, 6)}-${c.slice(6)}`).filter((s) => text.includes(s))).toEqual([]);

    // One "job done" line per job of each queue, with the fields operators filter on.
    const done = (queue: string): Record<string, unknown>[] =>
      lines.filter((l) => l.queue === queue && l.msg === 'job done');
    expect(done('kih-validate')).toHaveLength(ids.length);
    // A submitted document's final record is written by its submit job (this worker also serves the
    // record queue); the record queue takes the documents that were not submitted.
    const submitted = new Set(done('kih-submit').map((l) => `${String(l.runId)}/${String(l.seq)}`));
    expect(submitted.size).toBeGreaterThan(0);
    expect(done('kih-record').length).toBeGreaterThan(0);
    expect(done('kih-record').length + submitted.size).toBe(ids.length);
    expect(done('kih-verify')).toHaveLength(stored);
    for (const line of [...done('kih-validate'), ...done('kih-submit'), ...done('kih-record'), ...done('kih-verify')]) {
      expect(line).toMatchObject({ level: 30, outcome: 'completed' });
      expect(typeof line.jobId).toBe('string');
      expect(typeof line.runId).toBe('string');
      expect(typeof line.durationMs).toBe('number');
    }
    // The faults left their lines: a retried submission, and the renewed ID card.
    expect(lines.some((l) => l.queue === 'kih-submit' && l.outcome === 'retry')).toBe(true);
    expect(lines.some((l) => l.msg === 'ID card from the STS' && l.reason === 'refused')).toBe(true);
    expect(lines.filter((l) => l.msg === 'request' && l.vendorId === 'acme').length).toBeGreaterThan(ids.length);
  }, 240_000);
});
