// The TypeScript profile checks: the CPR century rule on its own, and DK-CPR-001 through the pipeline.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { collectXmlFiles } from '../../src/core/collect-files.js';
import { cprBirthYear, cprProblem } from '../../src/rules/cpr.js';
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
