// The TypeScript profile checks: the CPR century rule and the replacement serial on their own, and DK-CPR-001/002 through the pipeline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { collectXmlFiles } from '../../src/core/collect-files.js';
import { cprBirthYear, cprProblem, isReplacementCpr, replacementSerialOutOfRange } from '../../src/rules/cpr.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { POST_CHECKS } from '../../src/rules/post-checks.js';
import { createDocumentValidator } from '../../src/validation/validate-document.js';
import { SAMPLES_DIR } from '../helpers/rules.js';

describe('cprBirthYear', () => {
  it.each([
    [55, 0, 1955],
    [55, 3, 1955],
    [10, 4, 2010],
    [37, 4, 1937],
    [36, 9, 2036],
    [57, 5, 2057],
    [58, 8, 1858],
  ])('yy %i, 7th digit %i → %i', (yy, seventh, year) => {
    expect(cprBirthYear(yy, seventh)).toBe(year);
  });
});

describe('cprProblem', () => {
  it.each([
    ['1403552970', null],
    ['2902004000', null], // 29 Feb 2000 (7th digit 4, yy 00 → 2000, a leap year)
    ['2902001000', 'date'], // 29 Feb 1900 (7th digit 1 → 1900, not a leap year)
    ['8902004000', null], // replacement number: day 89 = 29 + 60
    ['3102551234', 'date'],
    ['0013551234', 'date'],
    ['140355297', 'format'],
    ['14035529701', 'format'],
    ['14035X2970', 'format'],
  ])('%s → %s', (cpr, problem) => {
    expect(cprProblem(cpr)).toBe(problem);
  });
});

describe('replacement numbers (day + 60)', () => {
  it.each([
    ['7403552970', true, false], // 14 + 60, serial 2970
    ['6101555999', true, false], // the highest serial MedCom's validator accepts
    ['9112556000', true, true], // 31 + 60, serial 6000
    ['7403559999', true, true],
    ['1403556000', false, false], // a real number may have any serial
    ['6001556000', false, false], // day 60 is neither a real nor a replacement day (DK-CPR-001's finding)
    ['9201556000', false, false], // day 92 = 32 + 60: no date (DK-CPR-001's finding)
    ['740355697', false, false], // not ten digits (the Schematron rules' finding)
  ])('%s: replacement %s, serial out of range %s', (cpr, replacement, outOfRange) => {
    expect(isReplacementCpr(cpr)).toBe(replacement);
    expect(replacementSerialOutOfRange(cpr)).toBe(outOfRange);
  });
});

describe('DK-CPR-002 in the pipeline', () => {
  const validator = createDocumentValidator();
  const text = readFileSync(path.join(SAMPLES_DIR, 'dk-phmr-1.3', 'valid', 'weight.xml'), 'utf8');
  const cpr = '1403552970';

  it('the sample carries the CPR number the tests replace', () => {
    expect(text).toContain(`extension="${cpr}"`);
  });

  it('a replacement number with a serial part above 5999 is exactly one defect, shown without the whole number', async () => {
    const replacement = '7403556970'; // 14 + 60; 7th digit 6 with yy 55 gives 2055, a real date
    const report = await validator.validateBytes(new TextEncoder().encode(text.replaceAll(cpr, replacement)), 'x.xml');
    const errors = report.issues.filter((i) => i.severity === 'error');
    expect([...new Set(errors.map((i) => i.ruleId))]).toEqual(['DK-CPR-002']);
    expect(errors[0]).toMatchObject({ stage: 'rules', see: POST_CHECKS[1]!.see });
    expect(errors[0]!.xpath).toMatch(/\/@extension$/);
    expect(errors[0]!.message).toContain('740355');
    expect(errors[0]!.message).not.toContain(replacement);
    expect(errors[0]!.message).not.toContain('6970');
    expect(report.valid).toBe(false);
  });

  it('a replacement number with a serial part up to 5999 is valid', async () => {
    const report = await validator.validateBytes(new TextEncoder().encode(text.replaceAll(cpr, '7403552970')), 'x.xml');
    expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(report.valid).toBe(true);
  });
});

describe('docs/rules.md', () => {
  it('lists every check written in TypeScript', () => {
    const page = readFileSync(path.join(PACKAGE_ROOT, 'docs', 'rules.md'), 'utf8');
    const listed = [...page.matchAll(/^\| `(DK-CPR-\d{3})` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(POST_CHECKS.map((c) => c.id));
  });
});

describe('DK-CPR-001 in the pipeline', () => {
  const validator = createDocumentValidator();
  const weight = path.join(SAMPLES_DIR, 'dk-phmr-1.3', 'valid', 'weight.xml');
  const text = readFileSync(weight, 'utf8');
  const cpr = /root="1\.2\.208\.176\.1\.2" extension="(\d{10})"/.exec(text)?.[1] ?? '';

  it('finds the sample CPR number to mutate', () => {
    expect(cpr).toMatch(/^\d{10}$/);
  });

  it('reports a 29 February the century digit makes impossible, without the whole CPR number', async () => {
    // 290200 read as 1900 passes the XPath rule (29 Feb 2000 exists) but is no date in 1900.
    const impossible = '2902001000';
    const report = await validator.validateBytes(new TextEncoder().encode(text.replaceAll(cpr, impossible)), 'x.xml');
    const found = report.issues.filter((i) => i.ruleId === 'DK-CPR-001');
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatchObject({ stage: 'rules', severity: 'error', see: POST_CHECKS[0]!.see });
    expect(found[0]!.xpath).toMatch(/\/@extension$/);
    expect(found[0]!.line).toBeGreaterThan(1);
    expect(found[0]!.message).not.toContain(impossible);
    expect(report.valid).toBe(false);
  });

  it('accepts every valid sample', async () => {
    const files = (await collectXmlFiles([SAMPLES_DIR])).filter((f) => f.includes(`${path.sep}valid${path.sep}`));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const report = await validator.validateFile(file);
      expect({ file, cpr: report.issues.filter((i) => i.ruleId === 'DK-CPR-001') }).toEqual({ file, cpr: [] });
    }
  });
});

describe('CPR numbers in findings', () => {
  const validator = createDocumentValidator();

  it('no finding on a malformed or implausible CPR number repeats the whole number', async () => {
    const files = (await collectXmlFiles([SAMPLES_DIR])).filter((f) => f.includes(`${path.sep}valid${path.sep}`));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const cprs = [...text.matchAll(/root="1\.2\.208\.176\.1\.2" extension="(\d{10})"/g)].map((m) => m[1] ?? '');
      for (const bad of ['3213551234', '29020010009']) {
        let mutated = text;
        for (const cpr of cprs) {
          mutated = mutated.replaceAll(cpr, bad);
        }
        const report = await validator.validateBytes(new TextEncoder().encode(mutated), file);
        if (cprs.length > 0) {
          expect(report.valid).toBe(false);
        }
        expect({ file, leaked: report.issues.filter((i) => i.message.includes(bad)).map((i) => i.ruleId) }).toEqual({
          file,
          leaked: [],
        });
      }
    }
  });
});
