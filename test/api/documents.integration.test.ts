// The documents API against a real server, database, queues and workers: upload, status, reports, limits and clear errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, freshCopy, sample, startHarness, waitForDocument, xmlUpload } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
let key: string;

beforeAll(async () => {
  h = await startHarness({ label: 'apidocs', vendors: ['acme'], limits: { maxFileBytes: 64 * 1024, maxFiles: 3 } });
  key = h.key('acme');
});

afterAll(async () => {
  await h.close();
});

async function count(sql: string): Promise<number> {
  const [row] = await h.db.query<{ n: string }>(sql);
  return Number(row?.n ?? -1);
}

describe('POST /api/v1/documents then GET', () => {
  it('a raw XML body: 202 with an id, then state done, verdict valid, the test cases it meets and the report', async () => {
    const a = await xmlUpload(h, key, sample('dk-phmr-1.3/valid/weight.xml'), '?name=weight.xml&testCase=PHMR-01');
    expect(a.status).toBe(202);
    const body = a.json<{ id: string; documents: { id: string; file: string; state: string }[] }>();
    expect(body.documents).toEqual([expect.objectContaining({ id: body.id, file: 'weight.xml', state: 'queued' })]);
    const doc = await waitForDocument(h, key, body.id);
    expect(doc).toMatchObject({
      state: 'done',
      verdict: 'valid',
      profile: 'dk-phmr-1.3',
      testCase: 'PHMR-01',
      step: 'self-test',
    });
    const checks = doc.caseChecks as { caseId: string; conditionsMet: boolean }[];
    expect(checks.filter((c) => c.conditionsMet).map((c) => c.caseId)).toEqual(['PHMR-01', 'PHMR-06']);
    expect((doc.report as { issues: unknown[] }).issues).toEqual([]);
  });

  it('a formal-test upload is sent and then checked end to end: its verification beside the state', async () => {
    const a = await xmlUpload(h, key, freshCopy('dk-phmr-1.3/valid/weight.xml'), '?name=formal.xml&formal=true');
    const id = a.json<{ id: string }>().id;
    const doc = await waitForDocument(h, key, id);
    expect(doc).toMatchObject({ state: 'done', step: 'formal-test', submission: { outcome: 'success' } });
    let verification: unknown = doc.verification;
    for (let i = 0; i < 300 && verification === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      verification = (await call(h, 'GET', `/api/v1/documents/${id}`, { key })).json().verification;
    }
    expect(verification).toEqual({ outcome: 'verified', class: null });
    const selfTest = await call(h, 'GET', '/api/v1/documents', { key });
    const listed = selfTest.json<{ documents: { id: string; verification: unknown }[] }>().documents;
    expect(listed.find((d) => d.id === id)?.verification).toEqual({ outcome: 'verified', class: null });
    expect(listed.filter((d) => d.id !== id).every((d) => d.verification === null)).toBe(true);
  });

  it('an invalid document is a result: verdict invalid with the rule id, in every report format', async () => {
    const a = await xmlUpload(h, key, sample('dk-phmr-1.3/invalid/bad-mood-code.xml'), '?name=bad.xml');
    const id = a.json<{ id: string }>().id;
    const doc = await waitForDocument(h, key, id);
    expect(doc).toMatchObject({ state: 'done', verdict: 'invalid', errors: 1 });
    const report = await call(h, 'GET', `/api/v1/documents/${id}/report?format=json`, { key });
    expect(report.status).toBe(200);
    expect(report.text).toContain('XSD_VALUE_NOT_IN_SET');
    for (const [format, type, marker] of [
      ['junit', 'application/xml', '<testsuite'],
      ['svrl', 'application/xml', 'svrl'],
      ['html', 'text/html', '<html'],
      ['text', 'text/plain', 'XSD_VALUE_NOT_IN_SET'],
    ] as const) {
      const r = await call(h, 'GET', `/api/v1/documents/${id}/report?format=${format}`, { key });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain(type);
      expect(r.text).toContain(marker);
    }
    const bad = await call(h, 'GET', `/api/v1/documents/${id}/report?format=pdf`, { key });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'API_ERR_BAD_REQUEST' } });
  });

  it('multipart with several files: one id per file, in order, each validated', async () => {
    const form = new FormData();
    form.append('testCase', 'QRD-04');
    form.append('file', new Blob([new Uint8Array(sample('dk-qrd-1.3/valid/fatigue-pain-sliders.xml'))]), 'sliders.xml');
    form.append(
      'file',
      new Blob([new Uint8Array(sample('dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml'))]),
      'C:\\exports\\copd.xml'
    );
    const a = await call(h, 'POST', '/api/v1/documents', { key, body: form });
    expect(a.status).toBe(202);
    const docs = a.json<{ documents: { id: string; file: string }[] }>().documents;
    expect(docs.map((d) => d.file)).toEqual(['sliders.xml', 'copd.xml']);
    for (const d of docs) {
      expect(await waitForDocument(h, key, d.id)).toMatchObject({ verdict: 'valid', testCase: 'QRD-04' });
    }
    const list = await call(h, 'GET', `/api/v1/documents?ids=${docs.map((d) => d.id).join(',')}`, { key });
    expect(
      list
        .json<{ documents: { file: string }[] }>()
        .documents.map((d) => d.file)
        .sort()
    ).toEqual(['copd.xml', 'sliders.xml']);
  });

  it('the same bytes twice are two uploads of one stored document', async () => {
    const bytes = freshCopy('dk-phmr-2.1/valid/weight.xml');
    const one = (await xmlUpload(h, key, bytes)).json<{ id: string; documents: { sha256: string }[] }>();
    const two = (await xmlUpload(h, key, bytes)).json<{ id: string; documents: { sha256: string }[] }>();
    expect(one.id).not.toBe(two.id);
    expect(one.documents[0]?.sha256).toBe(two.documents[0]?.sha256);
    expect(await count(`SELECT count(*) AS n FROM documents WHERE sha256 = '${one.documents[0]?.sha256}'`)).toBe(1);
  });
});

describe('bad input gets a clear JSON error with a stable code, and nothing is stored', () => {
  const cases: [string, Record<string, unknown>, number, string][] = [
    ['no key', {}, 401, 'API_ERR_AUTH'],
    ['an unknown key', { key: 'kih_v_' + 'A'.repeat(43) }, 401, 'API_ERR_AUTH'],
    ['a malformed key', { key: 'letmein' }, 401, 'API_ERR_AUTH'],
    ['a JSON body', { json: true }, 415, 'API_ERR_CONTENT_TYPE'],
    ['a plain-text body', { type: 'text/plain' }, 415, 'API_ERR_CONTENT_TYPE'],
    ['an empty body', { empty: true }, 400, 'API_ERR_BAD_REQUEST'],
    ['an unknown test case', { query: '?testCase=NOPE-1' }, 400, 'API_ERR_BAD_REQUEST'],
    ['a body over the limit', { big: true }, 413, 'API_ERR_TOO_LARGE'],
  ];
  it.each(cases)('%s → %i %s', async (_what, o, status, code) => {
    const before = await count('SELECT count(*) AS n FROM uploads');
    const useKey = 'key' in o ? (o.key as string) : Object.keys(o).length === 0 ? undefined : key;
    const body = o.json
      ? JSON.stringify({ xml: '<ClinicalDocument/>' })
      : o.empty
        ? new Uint8Array(0)
        : o.big
          ? new Uint8Array(Buffer.concat([sample('dk-phmr-1.3/valid/weight.xml'), Buffer.alloc(70 * 1024, 32)]))
          : new Uint8Array(sample('dk-phmr-1.3/valid/weight.xml'));
    const a = await call(h, 'POST', `/api/v1/documents${(o.query as string | undefined) ?? ''}`, {
      ...(useKey ? { key: useKey } : {}),
      body,
      type: o.json ? 'application/json' : ((o.type as string | undefined) ?? 'application/xml'),
    });
    expect(a.status).toBe(status);
    expect(a.headers.get('content-type')).toContain('application/json');
    expect(a.json()).toEqual({ error: { code, message: expect.any(String) } });
    expect(await count('SELECT count(*) AS n FROM uploads')).toBe(before);
  });

  it('multipart: a second file over the limit, or too many files, stores none of them', async () => {
    const before = await count('SELECT count(*) AS n FROM uploads');
    const big = new FormData();
    big.append('file', new Blob([new Uint8Array(sample('dk-phmr-1.3/valid/weight.xml'))]), 'ok.xml');
    big.append('file', new Blob([new Uint8Array(Buffer.alloc(100 * 1024, 65))]), 'huge.xml');
    const a = await call(h, 'POST', '/api/v1/documents', { key, body: big });
    expect(a.status).toBe(413);
    expect(a.json()).toMatchObject({ error: { code: 'API_ERR_TOO_LARGE' } });
    const many = new FormData();
    for (let i = 0; i < 4; i++) {
      many.append('file', new Blob([new Uint8Array(sample('dk-phmr-1.3/valid/weight.xml'))]), `w${i}.xml`);
    }
    const b = await call(h, 'POST', '/api/v1/documents', { key, body: many });
    expect(b.status).toBe(413);
    expect(b.json()).toMatchObject({ error: { code: 'API_ERR_TOO_LARGE' } });
    const none = new FormData();
    none.append('testCase', 'PHMR-01');
    const c = await call(h, 'POST', '/api/v1/documents', { key, body: none });
    expect(c.status).toBe(400);
    expect(await count('SELECT count(*) AS n FROM uploads')).toBe(before);
  });

  it('unknown ids and paths are 404 API_ERR_NOT_FOUND', async () => {
    for (const p of [
      '/api/v1/documents/00000000-0000-4000-8000-000000000000',
      '/api/v1/documents/not-a-uuid',
      '/api/v1/nothing',
    ]) {
      const a = await call(h, 'GET', p, { key });
      expect([p, a.status]).toEqual([p, p.includes('not-a-uuid') ? 400 : 404]);
      expect(a.json<{ error: { code: string } }>().error.code).toBe(
        p.includes('not-a-uuid') ? 'API_ERR_BAD_REQUEST' : 'API_ERR_NOT_FOUND'
      );
    }
  });

  it('a MedCom key cannot upload (uploads belong to a vendor)', async () => {
    const a = await xmlUpload(h, h.key('admin'), sample('dk-phmr-1.3/valid/weight.xml'));
    expect(a.status).toBe(403);
    expect(a.json()).toMatchObject({ error: { code: 'API_ERR_FORBIDDEN' } });
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('describes every API route, without a key', async () => {
    const a = await call(h, 'GET', '/api/v1/openapi.json');
    expect(a.status).toBe(200);
    const doc = a.json<{
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/certifications',
      '/api/v1/certifications/{vendor}/{protocol}',
      '/api/v1/certifications/{vendor}/{protocol}/decisions',
      '/api/v1/certifications/{vendor}/{protocol}/report',
      '/api/v1/documents',
      '/api/v1/documents/{id}',
      '/api/v1/documents/{id}/report',
      '/api/v1/keys',
      '/api/v1/keys/{id}',
      '/api/v1/openapi.json',
      '/api/v1/protocols',
      '/api/v1/protocols/{id}',
      '/api/v1/vendors',
    ]);
    expect(Object.keys(doc.paths['/api/v1/documents']!).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/v1/documents']!.post!.responses).toHaveProperty('413');
  });
});
