// The end-to-end column on the certification pages and in the report: registered (or the fields that differ), retrieved intact, or what is missing.
import { describe, expect, it } from '@jest/globals';
import { computeProgress } from '../../src/certification/progress.js';
import type { Evidence, Verification } from '../../src/certification/progress.js';
import { loadProtocols } from '../../src/certification/protocol.js';
import { toString } from '../../src/http/html.js';
import { progressSection } from '../../src/http/pages/certification-pages.js';
import { renderCertificationHtml } from '../../src/http/render-certification.js';
import type { CertificationReport } from '../../src/store/certification-service.js';

const protocol = loadProtocols().get('dk-qrd')!;
const ids = protocol.testCases.map((c) => c.id);
const AT = '2026-12-01T10:00:00.000Z';

function formal(caseId: string, verification: Partial<Verification> | null): Evidence {
  return {
    caseId,
    runId: `run-${caseId}`,
    seq: 0,
    uploadId: null,
    file: `${caseId}.xml`,
    sha256: 'a'.repeat(64),
    profile: 'dk-qrd-1.3',
    validatedAt: AT,
    submission: { target: 'kih-test', outcome: 'success', at: AT },
    verification: verification && {
      target: 'kih-test',
      uniqueId: '1.2.208.184^1',
      outcome: 'verified',
      class: null,
      message: 'checked',
      mismatches: [],
      content: { hash: 'c'.repeat(40), size: 4711, registeredHash: 'c'.repeat(40), registeredSize: 4711 },
      at: AT,
      ...verification,
    },
  };
}

const progress = computeProgress(
  protocol,
  'acme',
  [
    formal(ids[0]!, {}),
    formal(ids[1]!, {
      outcome: 'metadataMismatch',
      mismatches: [{ field: 'typeCode', registered: { code: '<X>' }, expected: { code: '74465-6' } }],
    }),
    formal(ids[2]!, {
      outcome: 'contentMismatch',
      content: { hash: 'd'.repeat(40), size: 10, registeredHash: 'e'.repeat(40), registeredSize: 11 },
    }),
    formal(ids[3]!, { outcome: 'failure', message: 'The registry did not answer.', content: null }),
    formal(ids[4]!, null),
  ],
  [],
  'kih-test'
);

function cells(markup: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of markup.matchAll(/<tr data-case="([^"]+)">([\s\S]*?)<\/tr>\s*(?=<tr data-case|<\/tbody>)/g)) {
    out[m[1]!] = m[2]!;
  }
  return out;
}

describe('the end-to-end column', () => {
  it('on the pages: intact with hash and size; otherwise what is missing, with the fields that differ', () => {
    const markup = toString(progressSection(progress, 'en', true));
    expect(markup).toContain('<th scope="col">End-to-end test</th>');
    const c = cells(markup);
    expect(c[ids[0]!]).toContain('data-e2e="verified"');
    expect(c[ids[0]!]).toMatch(
      /registered in kih-test[\s\S]*retrieved intact: <code>SHA-1 c{12}… · 4711 bytes<\/code>/
    );
    expect(c[ids[1]!]).toContain('data-gap="metadataMismatch"');
    // The registry's value next to ours, escaped.
    expect(c[ids[1]!]).toMatch(
      /<th scope="col">Field<\/th>\s*<th scope="col">Registry<\/th>\s*<th scope="col">Ours<\/th>/
    );
    expect(c[ids[1]!]).toMatch(
      /<td><code>typeCode<\/code><\/td>\s*<td><code>\{&quot;code&quot;:&quot;&lt;X&gt;&quot;\}<\/code><\/td>\s*<td><code>\{&quot;code&quot;:&quot;74465-6&quot;\}<\/code><\/td>/
    );
    expect(c[ids[2]!]).toMatch(
      /content differs[\s\S]*retrieved: <code>SHA-1 d{12}… · 10 bytes[\s\S]*registered:\s*<code>SHA-1 e{12}… · 11 bytes/
    );
    expect(c[ids[3]!]).toMatch(/check failed[\s\S]*The registry did not answer\./);
    expect(c[ids[4]!]).toContain('not yet checked in the registry');
    expect(c[ids[5]!]).toContain('data-gap="notSubmitted"');
    expect(toString(progressSection(progress, 'da', false))).toContain('metadata afviger');
  });

  it('in the printable report, in Danish and English', () => {
    const report: CertificationReport = {
      vendor: { id: 'acme', name: 'ACME', createdAt: AT },
      protocol: { id: protocol.id, version: protocol.version, standard: protocol.standard, title: protocol.title },
      formalTarget: 'kih-test',
      generatedAt: AT,
      step: progress.step,
      awaitingDecision: false,
      endToEndRequired: true,
      decisions: [],
      cases: progress.cases.map((c) => ({
        testCase: c.testCase,
        selfTest: c.selfTest && { ...c.selfTest, detail: null },
        formalTest: c.formalTest && { ...c.formalTest, detail: null },
        endToEnd: c.endToEnd,
        endToEndGap: c.endToEndGap,
      })),
    };
    const en = renderCertificationHtml(report, 'en');
    expect(en).toContain('<th>End-to-end test</th>');
    expect(en).toMatch(/retrieved intact: <code>SHA-1 c{12}… · 4711 bytes<\/code>/);
    expect(en).toMatch(
      /<tr data-field="typeCode"><td><code>typeCode<\/code><\/td><td><code>\{"code":"&lt;X&gt;"\}<\/code><\/td><td><code>\{"code":"74465-6"\}<\/code><\/td><\/tr>/
    );
    expect(en).toContain('data-gap="notSubmitted"');
    const da = renderCertificationHtml(report, 'da');
    expect(da).toContain('hentet uændret');
    expect(da).toContain('indholdet afviger');
  });
});
