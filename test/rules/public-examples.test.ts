// MedCom's published PHMR 2.1.0 examples (reference material beside the checkout, never copied in) get the verdicts the published validation cases give them.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { check } from '../helpers/rules.js';
import { describeWithReference } from '../helpers/reference.js';

const ITB = path.resolve(PACKAGE_ROOT, '..', 'shared', 'reference', 'samples', 'itb');
const describeWithExamples = describeWithReference('public-examples.test', existsSync(ITB) ? [] : [ITB]);

/** File → the error rule ids expected: none for the examples MedCom's cases pass, the one defect for the others (warnings, e.g. non-UCUM units, are the project's documented choices). */
const EXPECTED: [string, string[]][] = [
  ['phmr_example01.xml', []],
  ['PHMR-example-02.xml', ['DK-PHMR-21-008']], // wrong title
  ['PHMR-example-03.xml', []],
  ['PHMR-example-04.xml', ['DK-PHMR-21-034']], // three sections
  ...['05', '06', '07', '08', '09', '10', '11', '12', '13'].map((n): [string, string[]] => [
    `PHMR-example-${n}.xml`,
    [],
  ]),
];

describeWithExamples('published PHMR 2.1.0 examples', () => {
  it.each(EXPECTED)('%s', async (file, ruleIds) => {
    const issues = await check('dk-phmr-2.1', readFileSync(path.join(ITB, file), 'utf8'));
    const errors = [...new Set(issues.filter((i) => i.severity === 'error').map((i) => i.ruleId))].sort();
    expect(errors).toEqual(ruleIds);
  });
});
