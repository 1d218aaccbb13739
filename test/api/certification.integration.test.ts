// MedCom's path through a protocol over the API: self-test, formal test against the simulator, decisions, the report.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, freshCopy, startHarness, waitForDocument, xmlUpload } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
let vendor: string;
let admin: string;

const PHMR = [
  'dk-phmr-1.3/valid/weight.xml',
  'dk-phmr-1.3/valid/blood-pressure-pulse.xml',
  'dk-phmr-1.3/valid/lung-function.xml',
  'dk-phmr-1.3/valid/nullified-measurement-with-comment.xml',
];

beforeAll(async () => {
  h = await startHarness({ label: 'apicert', vendors: ['acme'] });
  vendor = h.key('acme');
  admin = h.key('admin');
});

afterAll(async () => {
  await h.close();
});

interface ProgressBody {
  step: string;
  awaitingDecision: boolean;
  total: number;
  selfTestPassed: number;
  formalTestPassed: number;
  cases: { id: string; selfTest: { file: string } | null; formalTest: { submission: { outcome: string } } | null }[];
}

async function progress(key = vendor): Promise<ProgressBody> {
  const a = await call(h, 'GET', '/api/v1/certifications/acme/dk-phmr', { key });
  expect(a.status).toBe(200);
  return a.json<ProgressBody>();
}

async function uploadAll(formal: boolean): Promise<void> {
  for (const file of PHMR) {
    const a = await xmlUpload(
      h,
      vendor,
      freshCopy(file),
      `?name=${file.split('/').pop()}${formal ? '&formal=true' : ''}`
    );
    expect(a.status).toBe(202);
    const doc = await waitForDocument(h, vendor, a.json<{ id: string }>().id);
    expect(doc).toMatchObject({ state: 'done', verdict: 'valid' });
    if (formal) {
      expect(doc.submission).toMatchObject({ target: 'sim', outcome: 'success' });
    }
  }
}

function decide(decision: string, comment: string, key = admin): ReturnType<typeof call> {
  return call(h, 'POST', '/api/v1/certifications/acme/dk-phmr/decisions', {
    key,
    type: 'application/json',
    body: JSON.stringify({ decision, comment }),
  });
}

describe('a vendor from self-test to production', () => {
  it('lists the protocols with their test cases', async () => {
    const a = await call(h, 'GET', '/api/v1/protocols', { key: vendor });
    const ids = a
      .json<{ protocols: { id: string; testCases: { id: string }[] }[] }>()
      .protocols.map((p) => [p.id, p.testCases.length]);
    expect(ids).toEqual([
      ['dk-phmr', 6],
      ['dk-qrd', 6],
    ]);
  });

  it('starts at self-test with nothing passed, and cannot be certified', async () => {
    expect(await progress()).toMatchObject({
      step: 'self-test',
      selfTestPassed: 0,
      formalTestPassed: 0,
      total: 6,
      awaitingDecision: false,
    });
    const a = await decide('certify', 'too early');
    expect(a.status).toBe(409);
    expect(a.json()).toMatchObject({ error: { code: 'CERT_ERR_INCOMPLETE' } });
  });

  it('self-test uploads cover every case; still no certification without the formal test', async () => {
    await uploadAll(false);
    const p = await progress();
    expect(p).toMatchObject({ step: 'formal-test', selfTestPassed: 6, formalTestPassed: 0, awaitingDecision: false });
    expect((await decide('certify', 'no formal test yet')).json()).toMatchObject({
      error: { code: 'CERT_ERR_INCOMPLETE' },
    });
    expect((await decide('production', 'not certified')).json()).toMatchObject({ error: { code: 'CERT_ERR_STEP' } });
  });

  it('formal-test uploads are submitted to the formal-test repository and complete the protocol', async () => {
    await uploadAll(true);
    const p = await progress();
    expect(p).toMatchObject({ step: 'formal-test', formalTestPassed: 6, awaitingDecision: true });
    expect(p.cases.every((c) => c.formalTest?.submission.outcome === 'success')).toBe(true);
  });

  it('only MedCom decides; a comment is required; a reject waits for new evidence', async () => {
    expect((await decide('certify', 'self-service', vendor)).status).toBe(403);
    const noComment = await decide('certify', '');
    expect(noComment.status).toBe(400);
    expect(noComment.json()).toMatchObject({ error: { code: 'API_ERR_BAD_REQUEST' } });
    const rejected = await decide('reject', 'Device serial numbers are placeholders; send real ones.');
    expect(rejected.status).toBe(201);
    expect(await progress()).toMatchObject({ step: 'formal-test', awaitingDecision: false });
    await uploadAll(true);
    expect(await progress()).toMatchObject({ step: 'formal-test', awaitingDecision: true });
  });

  it('certify is recorded with who and why; production follows; neither can be repeated', async () => {
    const certified = await decide('certify', 'All PHMR test cases passed in KIH test.');
    expect(certified.status).toBe(201);
    expect(certified.json()).toMatchObject({ decision: 'certify', decidedBy: 'alice', protocolVersion: '1.0' });
    expect(await progress()).toMatchObject({ step: 'certified', awaitingDecision: false });
    expect((await decide('certify', 'again')).json()).toMatchObject({ error: { code: 'CERT_ERR_STEP' } });
    // Two MedCom users approving at once: exactly one decision is recorded.
    const both = await Promise.all([decide('production', 'go live'), decide('production', 'go live too')]);
    expect(both.map((a) => a.status).sort()).toEqual([201, 409]);
    const p = await progress();
    expect(p.step).toBe('production');
    const rows = await h.db.query<{ decision: string; decided_by: string; evidence: { caseId: string }[] }>(
      `SELECT decision, decided_by, evidence FROM decisions WHERE vendor_id = 'acme' ORDER BY id`
    );
    expect(rows.map((r) => [r.decision, r.decided_by])).toEqual([
      ['reject', 'alice'],
      ['certify', 'alice'],
      ['production', 'alice'],
    ]);
    expect(rows[1]?.evidence.map((e) => e.caseId)).toEqual([
      'PHMR-01',
      'PHMR-02',
      'PHMR-03',
      'PHMR-04',
      'PHMR-05',
      'PHMR-06',
    ]);
  });

  it('the certification report: each test case, its documents, validation report and submission outcome', async () => {
    const json = await call(h, 'GET', '/api/v1/certifications/acme/dk-phmr/report', { key: vendor });
    expect(json.status).toBe(200);
    const report = json.json<{
      step: string;
      vendor: { id: string };
      cases: {
        testCase: { id: string };
        formalTest: { detail: { report: { status: string }; submission: { outcome: string } } };
      }[];
      decisions: unknown[];
    }>();
    expect(report.step).toBe('production');
    expect(report.cases).toHaveLength(6);
    for (const c of report.cases) {
      expect(c.formalTest.detail.report.status).toBe('valid');
      expect(c.formalTest.detail.submission.outcome).toBe('success');
    }
    expect(report.decisions).toHaveLength(3);
    const page = await call(h, 'GET', '/api/v1/certifications/acme/dk-phmr/report?format=html&lang=en', { key: admin });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('ACME Health');
    expect(page.text).toContain('In production');
    expect(page.text).toContain('PHMR-05');
  });

  it("MedCom's overview lists every vendor and protocol", async () => {
    await h.addVendor('beta');
    const a = await call(h, 'GET', '/api/v1/certifications', { key: admin });
    const list = a.json<{ certifications: { vendor: string; protocol: { id: string }; step: string }[] }>()
      .certifications;
    expect(list.map((c) => [c.vendor, c.protocol.id, c.step])).toEqual([
      ['acme', 'dk-phmr', 'production'],
      ['acme', 'dk-qrd', 'self-test'],
      ['beta', 'dk-phmr', 'self-test'],
      ['beta', 'dk-qrd', 'self-test'],
    ]);
  });
});
