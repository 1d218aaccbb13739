import { describe, expect, it } from '@jest/globals';
import { renderJUnit } from '../../src/validation/renderers/junit.js';
import {
  NASTY_FILE,
  NASTY_MESSAGE,
  invalidDoc,
  makeReport,
  mixedReport,
  toolErrorDoc,
  validDoc,
  warningsDoc,
} from './fixtures.js';
import { withXml } from './xml.js';

/** Test cases by position: mixedReport holds valid, invalid, tool error, warnings-only. */
const tc = (file: string): string => {
  const index = mixedReport.documents.findIndex((d) => d.file === file);
  return `/testsuites/testsuite/testcase[${index + 1}]`;
};

describe('renderJUnit', () => {
  it('is well-formed with one suite and one test case per document', () => {
    withXml(renderJUnit(mixedReport), {}, (q) => {
      expect(q.num('count(/testsuites/testsuite)')).toBe(1);
      expect(q.str('string(/testsuites/testsuite/@name)')).toBe('kih validate');
      expect(q.num('count(/testsuites/testsuite/testcase)')).toBe(4);
    });
  });

  it('has counts matching the test cases', () => {
    withXml(renderJUnit(mixedReport), {}, (q) => {
      for (const el of ['/testsuites', '/testsuites/testsuite']) {
        expect(q.num(`number(${el}/@tests)`)).toBe(4);
        expect(q.num(`number(${el}/@failures)`)).toBe(1);
        expect(q.num(`number(${el}/@errors)`)).toBe(1);
      }
      expect(q.num('number(/testsuites/testsuite/@skipped)')).toBe(0);
      // The attributes agree with the elements.
      expect(q.num('count(//testcase[failure])')).toBe(1);
      expect(q.num('count(//testcase[error])')).toBe(1);
      expect(q.num('count(//testcase[failure and error])')).toBe(0);
    });
  });

  it('takes time and timestamp from the report, in the Ant format', () => {
    withXml(renderJUnit(mixedReport), {}, (q) => {
      expect(q.str('string(/testsuites/testsuite/@time)')).toBe('5.600');
      // 10:15:30.250+02:00 in UTC, without zone or fraction as the schema wants.
      expect(q.str('string(/testsuites/testsuite/@timestamp)')).toBe('2024-05-01T08:15:30');
      expect(q.str(`string(${tc(validDoc.file)}/@time)`)).toBe('0.120');
    });
  });

  it('records tool name, version and schemas as properties', () => {
    withXml(renderJUnit(mixedReport), {}, (q) => {
      const prop = (name: string): string => q.str(`string(//properties/property[@name='${name}']/@value)`);
      expect(prop('tool.name')).toBe('kih-certify');
      expect(prop('tool.version')).toBe('0.1.0');
      expect(prop('tool.schemas')).toBe('cda-r2-2005+dk-2024.1');
      expect(prop('startedAt')).toBe(mixedReport.startedAt);
    });
  });

  it('gives an invalid document one failure listing every issue', () => {
    withXml(renderJUnit(mixedReport), {}, (q) => {
      const t = tc(NASTY_FILE);
      // The file name survives escaping (an XPath literal cannot hold both quote kinds, hence by position).
      expect(q.str(`string(${t}/@name)`)).toBe(NASTY_FILE);
      expect(q.str(`string(${t}/@classname)`)).toBe('dk-qrd-1.3');
      expect(q.num(`count(${t}/failure)`)).toBe(1);
      expect(q.str(`string(${t}/failure/@message)`)).toBe('2 errors');
      // First error in stage order: XSD runs before Schematron.
      expect(q.str(`string(${t}/failure/@type)`)).toBe('XSD_UNEXPECTED_ELEMENT');
      const body = q.str(`string(${t}/failure)`);
      expect(body).toContain('error XSD_UNEXPECTED_ELEMENT line 12 /cda:ClinicalDocument/cda:foo[1]: Element');
      expect(body).toContain('warning XSD_DEPRECATED line 7:3: Deprecated attribute.');
      expect(body).toContain(`error dk-qrd-045 line 40 ${invalidDoc.issues[0]!.xpath!}: ${NASTY_MESSAGE}`);
    });
  });

  it('reports a tool failure as <error>, not as a failed verdict', () => {
    withXml(renderJUnit(mixedReport), {}, (q) => {
      const t = tc(toolErrorDoc.file);
      expect(q.str(`string(${t}/@classname)`)).toBe('unknown');
      expect(q.num(`count(${t}/failure)`)).toBe(0);
      expect(q.str(`string(${t}/error/@type)`)).toBe('CDA_ERR_INTERNAL');
      expect(q.str(`string(${t}/error/@message)`)).toBe('tool failure: Schematron engine crashed: out of memory');
    });
  });

  it('puts a valid document’s warnings in system-out and leaves clean ones empty', () => {
    withXml(renderJUnit(mixedReport), {}, (q) => {
      const t = tc(warningsDoc.file);
      expect(q.num(`count(${t}/failure | ${t}/error)`)).toBe(0);
      const out = q.str(`string(${t}/system-out)`);
      expect(out).toContain('warning dk-qfdd-010 /cda:ClinicalDocument: Recommended element missing.');
      expect(out).toContain('info dk-qfdd-011: Informational note.');
      expect(q.num(`count(${tc(validDoc.file)}/*)`)).toBe(0);
    });
  });

  it('uses the singular for one error and copes with an empty run', () => {
    const one = makeReport([{ ...invalidDoc, issues: [invalidDoc.issues[1]!] }]);
    withXml(renderJUnit(one), {}, (q) => {
      expect(q.str('string(//failure/@message)')).toBe('1 error');
    });
    withXml(renderJUnit(makeReport([], 0)), {}, (q) => {
      expect(q.num('number(/testsuites/testsuite/@tests)')).toBe(0);
      expect(q.num('count(//testcase)')).toBe(0);
    });
  });
});
