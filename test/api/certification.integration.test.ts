// MedCom's path through a protocol over the API: self-test, formal test against the simulator, decisions, the report.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, freshCopy, startHarness, waitForDocument, xmlUpload } from './harness.js';
import type { Harness } from './harness.js';
import { markVerified } from '../helpers/verification.js';
import type { MarkOptions } from '../helpers/verification.js';
import type { VerificationOutcome } from '../../src/store/verification-records.js';

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
  // No verify worker: each test sets the end-to-end results it needs (markVerified), so every gap the
  // rule names can be shown; the real kih-verify stage is tested in test/queue/verify.integration.test.ts
  // and, through an upload, in test/api/documents.integration.test.ts.
  h = await startHarness({ label: 'apicert', vendors: ['acme'], workers: ['validate', 'submit', 'record'] });
  vendor = h.key('acme');
  admin = h.key('admin');
});

afterAll(async () => {
  await h.close();
});

interface VerificationBody {
  target: string;
  outcome: string;
  mismatches: { field: string; registered: unknown; expected: unknown }[];
  content: { hash: string; size: number; registeredHash: string; registeredSize: number } | null;
}

interface ProgressBody {
  step: string;
  awaitingDecision: boolean;
  total: number;
  selfTestPassed: number;
  formalTestPassed: number;
  endToEndPassed: number;
  endToEndRequired: boolean;
  cases: {
    id: string;
    selfTest: { file: string } | null;
    formalTest: {
      runId: string;
      seq: number;
      file: string;
      submission: { outcome: string };
      verification: VerificationBody | null;
    } | null;
    endToEnd: { runId: string; seq: number; verification: VerificationBody } | null;
    endToEndGap: string | null;
  }[];
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

/**
 * Gives each latest formal-test document its end-to-end result (verified unless `outcomes` names the
 * file), once per document: several cases may share one.
 */
async function verifyLatest(
  outcomes: Readonly<Record<string, [VerificationOutcome, MarkOptions?]>> = {}
): Promise<void> {
  const done = new Set<string>();
  for (const c of (await progress()).cases) {
    const f = c.formalTest;
    if (f && !done.has(`${f.runId}/${f.seq}`)) {
      done.add(`${f.runId}/${f.seq}`);
      const [outcome, options] = outcomes[f.file] ?? ['verified'];
      await markVerified(h.db, f.runId, f.seq, outcome, options);
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

  it('formal-test uploads are submitted to the formal-test repository; the end-to-end step follows', async () => {
    await uploadAll(true);
    const p = await progress();
    expect(p).toMatchObject({
      step: 'end-to-end',
      formalTestPassed: 6,
      endToEndPassed: 0,
      endToEndRequired: true,
      awaitingDecision: false,
    });
    expect(p.cases.every((c) => c.formalTest?.submission.outcome === 'success')).toBe(true);
    expect(p.cases.map((c) => c.endToEndGap)).toEqual(Array(6).fill('notChecked'));
    const refused = await decide('certify', 'not checked in the registry yet');
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({
      error: {
        code: 'CERT_ERR_INCOMPLETE',
        message: expect.stringContaining('PHMR-01 (not yet checked in the registry)'),
      },
    });
  });

  it('certify is refused while a formal-test document is not found intact, naming each case and what it lacks', async () => {
    await verifyLatest({
      'weight.xml': [
        'metadataMismatch',
        {
          mismatches: [
            { field: 'typeCode', registered: { code: '53576-5' }, expected: { code: '74465-6' } },
            { field: 'title', registered: 'Hjemmemåling', expected: 'Vægt' },
          ],
        },
      ],
      'lung-function.xml': ['contentMismatch', { registeredSize: 1 }],
      'nullified-measurement-with-comment.xml': ['failure', { message: 'The registry did not answer in time.' }],
    });
    const p = await progress();
    expect(p).toMatchObject({ step: 'end-to-end', awaitingDecision: false });
    expect(p.endToEndPassed).toBeGreaterThan(0);
    expect(p.endToEndPassed).toBeLessThan(6);
    const weight = p.cases.find((c) => c.formalTest?.file === 'weight.xml');
    expect(weight).toMatchObject({ endToEnd: null, endToEndGap: 'metadataMismatch' });
    // The registry's value next to ours, field by field.
    expect(weight?.formalTest?.verification?.mismatches).toEqual([
      { field: 'typeCode', registered: { code: '53576-5' }, expected: { code: '74465-6' } },
      { field: 'title', registered: 'Hjemmemåling', expected: 'Vægt' },
    ]);
    const lung = p.cases.find((c) => c.formalTest?.file === 'lung-function.xml');
    expect(lung).toMatchObject({
      endToEndGap: 'contentMismatch',
      formalTest: { verification: { content: { registeredSize: 1 } } },
    });
    const intact = p.cases.find((c) => c.formalTest?.file === 'blood-pressure-pulse.xml');
    expect(intact?.endToEnd?.verification).toMatchObject({ target: 'sim', outcome: 'verified', mismatches: [] });
    expect(intact?.endToEnd?.verification.content?.hash).toMatch(/^[0-9a-f]{40}$/);

    const refused = await decide('certify', 'some documents differ in the registry');
    expect(refused.status).toBe(409);
    const message = refused.json<{ error: { code: string; message: string } }>().error.message;
    expect(refused.json()).toMatchObject({ error: { code: 'CERT_ERR_INCOMPLETE' } });
    expect(message).toContain(`${weight?.id} (metadata differs: typeCode, title)`);
    expect(message).toContain(`${lung?.id} (content differs)`);
    expect(message).toContain('(check failed)');
    expect(message).not.toContain(`${intact?.id} (`);

    // The report carries the same: the verification per case.
    const report = (await call(h, 'GET', '/api/v1/certifications/acme/dk-phmr/report', { key: vendor })).json<{
      endToEndRequired: boolean;
      cases: { testCase: { id: string }; endToEndGap: string | null; formalTest: { verification: VerificationBody } }[];
    }>();
    expect(report.endToEndRequired).toBe(true);
    expect(report.cases.find((c) => c.testCase.id === weight?.id)).toMatchObject({
      endToEndGap: 'metadataMismatch',
      formalTest: { verification: { mismatches: [{ field: 'typeCode' }, { field: 'title' }] } },
    });
    const html = await call(h, 'GET', '/api/v1/certifications/acme/dk-phmr/report?format=html&lang=en', { key: admin });
    expect(html.text).toContain('metadata differs');
    expect(html.text).toMatch(
      /<tr data-field="typeCode"><td><code>typeCode<\/code><\/td><td><code>[^<]*53576-5[^<]*<\/code><\/td><td><code>[^<]*74465-6/
    );
  });

  it('the OpenAPI description names every field the progress JSON carries, the end-to-end ones included', async () => {
    const doc = (await call(h, 'GET', '/api/v1/openapi.json')).json<{
      paths: Record<string, { get: { responses: Record<string, { content?: unknown }> } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    }>();
    expect(doc.paths['/api/v1/certifications/{vendor}/{protocol}']?.get.responses['200']?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/Progress' } },
    });
    const schemas = doc.components.schemas;
    const keys = (name: string): string[] => Object.keys(schemas[name]?.properties ?? {}).sort();
    const body = (await call(h, 'GET', '/api/v1/certifications/acme/dk-phmr', { key: vendor })).json<
      Record<string, unknown> & ProgressBody
    >();
    expect(Object.keys(body).sort()).toEqual(keys('Progress'));
    const weight = body.cases.find((c) => c.formalTest?.file === 'weight.xml')!;
    expect(Object.keys(weight).sort()).toEqual(keys('CaseProgress'));
    expect(Object.keys(weight.formalTest!).sort()).toEqual(keys('Evidence'));
    expect(Object.keys(weight.formalTest!.verification!).sort()).toEqual(keys('Verification'));
  });

  it('a vendor sees only its own end-to-end results', async () => {
    const beta = await h.addVendor('beta');
    expect((await call(h, 'GET', '/api/v1/certifications/acme/dk-phmr', { key: beta })).status).toBe(404);
    expect((await call(h, 'GET', '/api/v1/certifications/acme/dk-phmr/report', { key: beta })).status).toBe(404);
    const own = await call(h, 'GET', '/api/v1/certifications', { key: beta });
    expect(own.json<{ certifications: { vendor: string; endToEndPassed: number }[] }>().certifications).toEqual([
      expect.objectContaining({ vendor: 'beta', endToEndPassed: 0 }),
      expect.objectContaining({ vendor: 'beta', endToEndPassed: 0 }),
    ]);
    expect(own.text).not.toContain('53576-5');
  });

  it('new formal-test documents found intact in the registry complete the protocol: MedCom may decide', async () => {
    await uploadAll(true);
    expect(await progress()).toMatchObject({ step: 'end-to-end', endToEndPassed: expect.any(Number) });
    await verifyLatest();
    const p = await progress();
    expect(p).toMatchObject({ step: 'end-to-end', formalTestPassed: 6, endToEndPassed: 6, awaitingDecision: true });
    expect(p.cases.every((c) => c.endToEnd !== null && c.endToEndGap === null)).toBe(true);
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
    // New documents after the reject: MedCom is asked again once they are found intact in the registry.
    expect(await progress()).toMatchObject({ step: 'end-to-end', awaitingDecision: false });
    await verifyLatest();
    expect(await progress()).toMatchObject({ step: 'end-to-end', awaitingDecision: true });
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
    const rows = await h.db.query<{
      decision: string;
      decided_by: string;
      evidence: { caseId: string; endToEnd: { verification: { outcome: string; uniqueId: string } } }[];
    }>(`SELECT decision, decided_by, evidence FROM decisions WHERE vendor_id = 'acme' ORDER BY id`);
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
    // The certification records the end-to-end result it rested on, per case.
    expect(rows[1]?.evidence.map((e) => e.endToEnd.verification.outcome)).toEqual(Array(6).fill('verified'));
    expect(rows[1]?.evidence[0]?.endToEnd.verification.uniqueId).toMatch(/\S/);
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
        endToEnd: { verification: { outcome: string } };
      }[];
      decisions: unknown[];
    }>();
    expect(report.step).toBe('production');
    expect(report.cases).toHaveLength(6);
    for (const c of report.cases) {
      expect(c.formalTest.detail.report.status).toBe('valid');
      expect(c.formalTest.detail.submission.outcome).toBe('success');
      expect(c.endToEnd.verification.outcome).toBe('verified');
    }
    expect(report.decisions).toHaveLength(3);
    const page = await call(h, 'GET', '/api/v1/certifications/acme/dk-phmr/report?format=html&lang=en', { key: admin });
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('ACME Health');
    expect(page.text).toContain('In production');
    expect(page.text).toContain('PHMR-05');
    expect(page.text).toContain('retrieved intact');
  });

  it("MedCom's overview lists every vendor and protocol", async () => {
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
