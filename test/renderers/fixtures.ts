// Small hand-built reports shared by the renderer tests.
import { summarize } from '../../src/core/report.js';
import type { DocumentReport, ValidationIssue, ValidationRunReport } from '../../src/core/report.js';

/** Markup and quote characters that every format must escape. */
export const NASTY = `<&"'>`;
export const NASTY_FILE = `samples/bad ${NASTY}.xml`;
export const NASTY_MESSAGE = `Value ${NASTY} is not in the value set`;

export const validDoc: DocumentReport = {
  file: 'samples/phmr/ok.xml',
  profile: 'dk-phmr-2.1',
  profileSource: 'detected',
  valid: true,
  status: 'valid',
  issues: [],
  sha256: 'a'.repeat(64),
  size: 2048,
  durationMs: 120,
};

export const schematronError: ValidationIssue = {
  ruleId: 'dk-qrd-045',
  severity: 'error',
  stage: 'schematron',
  message: NASTY_MESSAGE,
  line: 40,
  xpath: '/cda:ClinicalDocument/cda:component[1]/cda:structuredBody[1]',
  test: "count(cda:code[@code='x']) > 0 and @a < 3",
  see: 'https://svn.medcom.dk/svn/releases/Standarder/QRD?a=1&b=2',
};

export const xsdError: ValidationIssue = {
  ruleId: 'XSD_UNEXPECTED_ELEMENT',
  severity: 'error',
  stage: 'xsd',
  message: "Element '{urn:hl7-org:v3}foo': This element is not expected.",
  line: 12,
  column: 0,
  xpath: '/cda:ClinicalDocument/cda:foo[1]',
};

export const xsdWarning: ValidationIssue = {
  ruleId: 'XSD_DEPRECATED',
  severity: 'warning',
  stage: 'xsd',
  message: 'Deprecated attribute.\nSecond line of the message.',
  line: 7,
  column: 3,
};

/** Invalid: listed schematron first on purpose, so stage ordering is visible. */
export const invalidDoc: DocumentReport = {
  file: NASTY_FILE,
  profile: 'dk-qrd-1.3',
  profileSource: 'override',
  valid: false,
  status: 'invalid',
  issues: [schematronError, xsdError, xsdWarning],
  sha256: 'b'.repeat(64),
  size: 4096,
  durationMs: 340,
};

export const toolIssue: ValidationIssue = {
  ruleId: 'CDA_ERR_INTERNAL',
  severity: 'error',
  stage: 'tool',
  message: 'Schematron engine crashed: out of memory',
};

export const toolErrorDoc: DocumentReport = {
  file: 'samples/huge.xml',
  profile: null,
  profileSource: 'none',
  valid: false,
  status: 'error',
  issues: [toolIssue],
  durationMs: 5000,
};

export const warningsDoc: DocumentReport = {
  file: 'samples/qfdd/warn.xml',
  profile: 'dk-qfdd-1.2',
  profileSource: 'detected',
  valid: true,
  status: 'valid',
  issues: [
    {
      ruleId: 'dk-qfdd-010',
      severity: 'warning',
      stage: 'schematron',
      message: 'Recommended element missing.',
      xpath: '/cda:ClinicalDocument',
    },
    { ruleId: 'dk-qfdd-011', severity: 'info', stage: 'schematron', message: 'Informational note.' },
  ],
  durationMs: 80,
};

export function makeReport(documents: readonly DocumentReport[], durationMs = 5600): ValidationRunReport {
  return {
    documents,
    summary: summarize(documents),
    tool: { name: 'kih-certify', version: '0.1.0', schemas: 'cda-r2-2005+dk-2024.1' },
    startedAt: '2024-05-01T10:15:30.250+02:00',
    durationMs,
  };
}

/** All four kinds of document. */
export const mixedReport = makeReport([validDoc, invalidDoc, toolErrorDoc, warningsDoc]);
