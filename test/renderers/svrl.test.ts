import { describe, expect, it } from '@jest/globals';
import { KIH_REPORT_NS, SVRL_NS, renderSvrl } from '../../src/validation/renderers/svrl.js';
import {
  NASTY_FILE,
  NASTY_MESSAGE,
  invalidDoc,
  makeReport,
  mixedReport,
  schematronError,
  toolErrorDoc,
  validDoc,
} from './fixtures.js';
import { withXml } from './xml.js';

const NS = { svrl: SVRL_NS, kih: KIH_REPORT_NS };
const single = renderSvrl(makeReport([invalidDoc]));

describe('renderSvrl, one document', () => {
  it('is a bare schematron-output in the SVRL namespace with the location prefixes', () => {
    withXml(single, NS, (q) => {
      expect(q.value('boolean(/svrl:schematron-output)')).toBe(true);
      expect(q.str("string(//svrl:ns-prefix-in-attribute-values[@prefix='cda']/@uri)")).toBe('urn:hl7-org:v3');
      expect(q.str("string(//svrl:ns-prefix-in-attribute-values[@prefix='sdtc']/@uri)")).toBe('urn:hl7-org:sdtc');
      expect(q.str('string(/svrl:schematron-output/@title)')).toContain(NASTY_FILE);
    });
  });

  it('has one active pattern per stage with issues, in processing order, each followed by a fired rule', () => {
    withXml(single, NS, (q) => {
      expect(q.all('/svrl:schematron-output/svrl:active-pattern/@id')).toEqual(['xsd', 'schematron']);
      expect(
        q.num('count(/svrl:schematron-output/svrl:active-pattern[not(following-sibling::*[1][self::svrl:fired-rule])])')
      ).toBe(0);
    });
  });

  it('has one failed-assert per issue, placed after the pattern of its stage', () => {
    withXml(single, NS, (q) => {
      expect(q.num('count(//svrl:failed-assert)')).toBe(invalidDoc.issues.length);
      const patternOf = (id: string): string =>
        q.str(`string(//svrl:failed-assert[@id='${id}']/preceding-sibling::svrl:active-pattern[1]/@id)`);
      expect(patternOf('XSD_UNEXPECTED_ELEMENT')).toBe('xsd');
      expect(patternOf('XSD_DEPRECATED')).toBe('xsd');
      expect(patternOf('dk-qrd-045')).toBe('schematron');
    });
  });

  it('maps issue fields to attributes and escapes them', () => {
    withXml(single, NS, (q) => {
      const fa = "//svrl:failed-assert[@id='dk-qrd-045']";
      expect(q.str(`string(${fa}/@role)`)).toBe('error');
      expect(q.str(`string(${fa}/@location)`)).toBe(schematronError.xpath);
      expect(q.str(`string(${fa}/@test)`)).toBe(schematronError.test);
      expect(q.str(`string(${fa}/svrl:text/@see)`)).toBe(schematronError.see);
      expect(q.str(`string(${fa}/svrl:text)`)).toBe(NASTY_MESSAGE);
      // No XPath known: the document root. No test known: empty, since SVRL requires the attribute.
      const warn = "//svrl:failed-assert[@id='XSD_DEPRECATED']";
      expect(q.str(`string(${warn}/@role)`)).toBe('warning');
      expect(q.str(`string(${warn}/@location)`)).toBe('/');
      expect(q.str(`string(${warn}/@test)`)).toBe('');
    });
  });

  it('gives line and column as diagnostic references, leaving out column 0', () => {
    withXml(single, NS, (q) => {
      const diag = (id: string, name: string): string[] =>
        q.all(`//svrl:failed-assert[@id='${id}']/svrl:diagnostic-reference[@diagnostic='${name}']/svrl:text`);
      expect(diag('XSD_DEPRECATED', 'line')).toEqual(['7']);
      expect(diag('XSD_DEPRECATED', 'column')).toEqual(['3']);
      expect(diag('XSD_UNEXPECTED_ELEMENT', 'line')).toEqual(['12']);
      expect(diag('XSD_UNEXPECTED_ELEMENT', 'column')).toEqual([]);
      // Schema order: diagnostic references before the text.
      expect(q.num('count(//svrl:failed-assert/svrl:text[following-sibling::*])')).toBe(0);
    });
  });

  it('has no patterns for a clean document', () => {
    withXml(renderSvrl(makeReport([validDoc])), NS, (q) => {
      expect(q.value('boolean(/svrl:schematron-output)')).toBe(true);
      expect(q.num('count(//svrl:active-pattern | //svrl:failed-assert)')).toBe(0);
    });
  });

  it('stays well-formed when messages contain characters XML cannot carry', () => {
    const doc = { ...toolErrorDoc, issues: [{ ...toolErrorDoc.issues[0]!, message: 'bad byte \u0001 here' }] };
    withXml(renderSvrl(makeReport([doc])), NS, (q) => {
      expect(q.str('string(//svrl:failed-assert/svrl:text)')).toBe('bad byte \uFFFD here');
      expect(q.all('//svrl:active-pattern/@id')).toEqual(['tool']);
    });
  });
});

describe('renderSvrl, several documents', () => {
  const out = renderSvrl(mixedReport);

  it('wraps one schematron-output per document in kih:svrl-reports', () => {
    withXml(out, NS, (q) => {
      expect(q.value('boolean(/kih:svrl-reports)')).toBe(true);
      expect(q.num('count(/kih:svrl-reports/kih:document)')).toBe(4);
      expect(q.num('count(/kih:svrl-reports/kih:document[count(svrl:schematron-output) = 1])')).toBe(4);
      expect(q.str('string(/kih:svrl-reports/@version)')).toBe('0.1.0');
    });
  });

  it('describes each document with file, profile, valid and status', () => {
    withXml(out, NS, (q) => {
      const doc = (n: number, a: string): string => q.str(`string(/kih:svrl-reports/kih:document[${n}]/@${a})`);
      expect(doc(1, 'file')).toBe(validDoc.file);
      expect(doc(1, 'valid')).toBe('true');
      expect(doc(2, 'file')).toBe(NASTY_FILE);
      expect(doc(2, 'profile')).toBe('dk-qrd-1.3');
      expect(doc(2, 'valid')).toBe('false');
      expect(doc(3, 'status')).toBe('error');
      expect(q.value('boolean(/kih:svrl-reports/kih:document[3]/@profile)')).toBe(false);
      expect(q.num('count(/kih:svrl-reports/kih:document[2]//svrl:failed-assert)')).toBe(3);
      expect(q.num('count(//svrl:failed-assert)')).toBe(3 + 1 + 2);
    });
  });

  it('uses the wrapper for an empty run too', () => {
    withXml(renderSvrl(makeReport([])), NS, (q) => {
      expect(q.num('count(/kih:svrl-reports/kih:document)')).toBe(0);
    });
  });
});
