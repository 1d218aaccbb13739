import { describe, expect, it } from '@jest/globals';
import { parseXml } from '../../src/xml/xml-parser.js';
import { canonicalPath, libxmlPathIndex, resolveLibxmlPath } from '../../src/xml/node-path.js';
import { validateXsdCapped } from '../../src/xml/xsd-capped.js';
import { DEFAULT_SCHEMAS_DIR } from '../../src/core/package-info.js';
import { loadSchema, validateXsd } from '../../src/validation/xsd-schema.js';
import { createDocumentValidator } from '../../src/validation/validate-document.js';
import { capFindings } from '../../src/validation/findings-cap.js';
import { statusOf } from '../../src/core/report.js';
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { elementChildren } from '../../src/xml/libxml-tree.js';
import { pathologicalDocument } from '../helpers/pathological.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function elementCount(el: XmlElement): number {
  return 1 + elementChildren(el).reduce((n, c) => n + elementCount(c), 0);
}

function parsed(text: string): XmlDocument {
  const r = parseXml(bytes(text), 'p.xml', text);
  if (!r.ok) {
    throw new Error(r.issues.map((i) => i.message).join('; '));
  }
  return r.doc;
}

describe('the libxml2 path index', () => {
  it('gives the same node and canonical path as the per-call walk, for many same-named siblings', () => {
    const schema = loadSchema(DEFAULT_SCHEMAS_DIR);
    const doc = parsed(pathologicalDocument(300));
    try {
      const { details } = validateXsdCapped(schema.validator, doc, 10_000);
      expect(details.length).toBe(600);
      const index = libxmlPathIndex(doc);
      for (const d of details) {
        const xpath = d.xpath ?? '';
        const expected = resolveLibxmlPath(doc, xpath);
        const got = index.resolve(xpath);
        expect(got?.path).toBe(expected ? canonicalPath(expected) : undefined);
        expect(got?.node.line).toBe(expected?.line);
      }
      // The entries are the 300 inserted ones, then the sample's own (whose positions go on).
      expect(index.resolve(details[599]?.xpath ?? '')?.path).toMatch(/\/cda:entry\[300\]\/cda:observation\[1\]$/);
    } finally {
      doc.dispose();
    }
  });

  it('resolves prefixed, unprefixed and attribute steps, and refuses what does not resolve', () => {
    const doc = parsed(
      '<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:s="urn:hl7-org:sdtc"><id/><templateId root="1"/>' +
        '<templateId root="2"/><s:raceCode/><id/><s:raceCode code="y"/></ClinicalDocument>'
    );
    try {
      const index = libxmlPathIndex(doc);
      expect(index.resolve('/*/*[3]')?.path).toBe('/cda:ClinicalDocument[1]/cda:templateId[2]');
      expect(index.resolve('/*/*[5]')?.path).toBe('/cda:ClinicalDocument[1]/cda:id[2]');
      expect(index.resolve('/*/s:raceCode[2]/@code')?.path).toBe('/cda:ClinicalDocument[1]/sdtc:raceCode[2]/@code');
      expect(index.resolve('/*/*[7]')).toBeNull();
      expect(index.resolve('/*/s:raceCode[2]/@nope')).toBeNull();
      expect(index.resolve('/*[2]')).toBeNull();
    } finally {
      doc.dispose();
    }
  });

  it('looks at each parent’s children once, however many findings point below it', () => {
    const schema = loadSchema(DEFAULT_SCHEMAS_DIR);
    for (const count of [1000, 4000]) {
      const doc = parsed(pathologicalDocument(count));
      try {
        const { details } = validateXsdCapped(schema.validator, doc, Number.MAX_SAFE_INTEGER);
        expect(details.length).toBe(2 * count);
        const index = libxmlPathIndex(doc);
        for (const d of details) {
          expect(index.resolve(d.xpath ?? '')).not.toBeNull();
        }
        // Every element is looked at at most once (as a child of its parent): linear in the
        // document, not findings × siblings (which would be about 2·count²).
        expect(index.childrenVisited).toBeLessThanOrEqual(elementCount(doc.root));
        expect(index.childrenVisited).toBeGreaterThanOrEqual(2 * count);
      } finally {
        doc.dispose();
      }
    }
  });
});

describe('the findings cap', () => {
  it('keeps the first findings of the XSD stage and counts the rest in one notice', () => {
    const schema = loadSchema(DEFAULT_SCHEMAS_DIR);
    const doc = parsed(pathologicalDocument(1500));
    try {
      const issues = validateXsd(schema, doc);
      expect(issues).toHaveLength(1001);
      expect(issues.slice(0, 1000).every((i) => i.stage === 'xsd' && i.ruleId.startsWith('XSD_'))).toBe(true);
      expect(issues[1000]).toEqual({
        ruleId: 'CDA_FINDINGS_CAPPED',
        severity: 'info',
        stage: 'xsd',
        message:
          '2000 more xsd findings (2000 of them errors) not reported: at most 1000 per stage are kept for one document.',
      });
      const few = validateXsd(schema, doc, 10);
      expect(few).toHaveLength(11);
      expect(few[10]?.message).toMatch(/^2990 more xsd findings/);
    } finally {
      doc.dispose();
    }
  });

  it('caps every stage of a document by the option, and the verdict stays invalid', async () => {
    const validator = createDocumentValidator({ maxFindingsPerStage: 25 });
    await validator.prepareRules();
    const report = await validator.validateBytes(bytes(pathologicalDocument(200)), 'many.xml');
    expect(report.status).toBe('invalid');
    const xsd = report.issues.filter((i) => i.stage === 'xsd');
    expect(xsd).toHaveLength(26);
    expect(xsd[25]).toMatchObject({ ruleId: 'CDA_FINDINGS_CAPPED', message: expect.stringMatching(/^375 more xsd/) });
    const schematron = report.issues.filter((i) => i.stage === 'schematron');
    expect(schematron.length).toBeLessThanOrEqual(26);
    expect(schematron.at(-1)?.ruleId).toBe('CDA_FINDINGS_CAPPED');
  });

  it('leaves a stage with no more findings than the cap as it is', () => {
    const issues = [{ ruleId: 'R', severity: 'error' as const, stage: 'rules' as const, message: 'm' }];
    expect(capFindings('rules', issues, 1)).toEqual(issues);
    expect(capFindings('rules', [...issues, ...issues], 1)[1]).toEqual({
      ruleId: 'CDA_FINDINGS_CAPPED',
      severity: 'info',
      stage: 'rules',
      message: '1 more rules finding (1 of them error) not reported: at most 1 per stage are kept for one document.',
    });
  });

  it('keeps the verdict: the notice is an error when only dropped findings were errors', () => {
    const warning = { ruleId: 'W', severity: 'warning' as const, stage: 'schematron' as const, message: 'w' };
    const error = { ...warning, ruleId: 'E', severity: 'error' as const };
    const kept = capFindings('schematron', [warning, warning, error], 2);
    expect(kept.map((i) => i.severity)).toEqual(['warning', 'warning', 'error']);
    expect(statusOf(kept)).toBe('invalid');
    const onlyWarnings = capFindings('schematron', [warning, warning, warning], 2);
    expect(onlyWarnings[2]?.severity).toBe('info');
    expect(statusOf(onlyWarnings)).toBe('valid');
    const info = { ...warning, severity: 'info' as const };
    expect(capFindings('schematron', [info, warning], 1)[1]?.severity).toBe('warning');
  });
});
