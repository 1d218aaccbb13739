import { describe, expect, it } from '@jest/globals';
import { renderText } from '../../src/validation/renderers/text.js';
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

// eslint-disable-next-line no-control-regex -- looking for ANSI escape sequences
const ANSI = /\u001b\[[0-9;]*m/g;

describe('renderText', () => {
  it('has no ANSI codes by default or with color off', () => {
    expect(renderText(mixedReport)).not.toContain('\u001b');
    expect(renderText(mixedReport, { color: false })).not.toContain('\u001b');
  });

  it('adds colour only when asked, and otherwise says the same thing', () => {
    const plain = renderText(mixedReport);
    const coloured = renderText(mixedReport, { color: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(ANSI, '')).toBe(plain);
  });

  it('writes a header per document with status symbol, file and profile', () => {
    const lines = renderText(mixedReport).split('\n');
    expect(lines).toContain(`✔ ${validDoc.file}  dk-phmr-2.1  valid`);
    expect(lines).toContain(`✖ ${NASTY_FILE}  dk-qrd-1.3 (--profile)  invalid: 2 errors, 1 warning`);
    expect(lines).toContain(`! ${toolErrorDoc.file}  profile unknown  tool error: 1 error`);
    expect(lines).toContain(`✔ ${warningsDoc.file}  dk-qfdd-1.2  valid: 1 warning, 1 info`);
  });

  it('lists issues by stage in processing order, message indented on the next line', () => {
    const out = renderText(makeReport([invalidDoc]));
    const lines = out.split('\n');
    const xsd = lines.findIndex((l) => l.includes('XSD_UNEXPECTED_ELEMENT'));
    const warn = lines.findIndex((l) => l.includes('XSD_DEPRECATED'));
    const sch = lines.findIndex((l) => l.includes('dk-qrd-045'));
    // Schematron came first in the model; XSD runs first, so it is listed first.
    expect(xsd).toBeGreaterThan(0);
    expect(warn).toBeGreaterThan(xsd);
    expect(sch).toBeGreaterThan(warn);
    // Column 0 means "unknown" and is not shown.
    expect(lines[xsd]).toBe('  error    XSD_UNEXPECTED_ELEMENT  line 12  /cda:ClinicalDocument/cda:foo[1]');
    expect(lines[xsd + 1]).toBe("      Element '{urn:hl7-org:v3}foo': This element is not expected.");
    expect(lines[warn]).toBe('  warning  XSD_DEPRECATED          line 7:3');
    expect(lines.slice(warn + 1, warn + 3)).toEqual([
      '      Deprecated attribute.',
      '      Second line of the message.',
    ]);
    expect(lines[sch + 1]).toBe(`      ${NASTY_MESSAGE}`);
    expect(out).toContain('      see https://svn.medcom.dk/');
  });

  it('ends with a summary line with tool errors and duration', () => {
    const lines = renderText(mixedReport).trimEnd().split('\n');
    expect(lines.at(-1)).toBe('4 documents: 2 valid, 2 invalid (1 tool error) in 5.6 s');
    expect(
      renderText(makeReport([validDoc], 850))
        .trimEnd()
        .split('\n')
        .at(-1)
    ).toBe('1 document: 1 valid, 0 invalid in 850 ms');
    expect(renderText(makeReport([], 0))).toBe('0 documents: 0 valid, 0 invalid in 0 ms\n');
  });

  it('neutralises terminal control sequences coming from the documents', () => {
    const hostile = makeReport([
      {
        ...warningsDoc,
        file: 'evil\u001b[2J\nname.xml',
        issues: [{ ruleId: 'R\u0007', severity: 'warning', stage: 'xml', message: 'clear\u001b[2Jscreen\u202Eoops' }],
      },
    ]);
    const out = renderText(hostile);
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u0007');
    expect(out).not.toContain('\u202E');
    expect(out).toContain('evil\\x1b[2J\\x0aname.xml');
    expect(out).toContain('clear\\x1b[2Jscreen\\u202eoops');
  });
});
