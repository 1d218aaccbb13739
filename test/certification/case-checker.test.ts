// The protocols' conditions on the samples: each valid sample meets exactly the test cases it was written for.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createCaseChecker, protocolSchematron } from '../../src/certification/case-checker.js';
import type { CaseChecker } from '../../src/certification/case-checker.js';
import { loadProtocols, parseProtocol } from '../../src/certification/protocol.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';

const SAMPLES = path.join(PACKAGE_ROOT, 'samples');
let checker: CaseChecker;

beforeAll(async () => {
  checker = await createCaseChecker(loadProtocols().values());
});

function met(file: string, profile: string): string[] {
  const text = readFileSync(path.join(SAMPLES, file), 'utf8');
  return checker
    .check(text, profile)
    .filter((c) => c.conditionsMet)
    .map((c) => c.caseId)
    .sort();
}

describe('the protocols on the valid samples', () => {
  it.each([
    ['dk-phmr-1.3/valid/weight.xml', 'dk-phmr-1.3', ['PHMR-01', 'PHMR-06']],
    ['dk-phmr-1.3/valid/blood-pressure-pulse.xml', 'dk-phmr-1.3', ['PHMR-02', 'PHMR-06']],
    ['dk-phmr-1.3/valid/lung-function.xml', 'dk-phmr-1.3', ['PHMR-03']],
    ['dk-phmr-1.3/valid/nullified-measurement-with-comment.xml', 'dk-phmr-1.3', ['PHMR-04', 'PHMR-05', 'PHMR-06']],
    ['dk-phmr-2.1/valid/weight.xml', 'dk-phmr-2.1', ['PHMR-01']],
    ['dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml', 'dk-qrd-1.3', ['QRD-01', 'QRD-02', 'QRD-03', 'QRD-06']],
    ['dk-qrd-1.3/valid/fatigue-pain-sliders.xml', 'dk-qrd-1.3', ['QRD-04', 'QRD-05', 'QRD-06']],
  ])('%s meets %j', (file, profile, cases) => {
    expect(met(file, profile)).toEqual(cases);
  });

  it('names the unmet condition of each case, and checks only the cases of the profile', () => {
    const text = readFileSync(path.join(SAMPLES, 'dk-phmr-1.3/valid/lung-function.xml'), 'utf8');
    const checks = checker.check(text, 'dk-phmr-1.3');
    expect(checks.map((c) => c.caseId)).toEqual(['PHMR-01', 'PHMR-02', 'PHMR-03', 'PHMR-04', 'PHMR-05', 'PHMR-06']);
    expect(checks.find((c) => c.caseId === 'PHMR-05')).toEqual({
      protocolId: 'dk-phmr',
      protocolVersion: '1.0',
      caseId: 'PHMR-05',
      conditionsMet: false,
      failed: ['nullified-comment'],
    });
    expect(checker.check(text, 'dk-qfdd-1.2')).toEqual([]);
  });

  it('a changed document changes the verdict: the weight without AUT no longer meets PHMR-01', () => {
    const text = readFileSync(path.join(SAMPLES, 'dk-phmr-1.3/valid/weight.xml'), 'utf8').replaceAll(
      'code="AUT"',
      'code="TPD"'
    );
    expect(checker.check(text, 'dk-phmr-1.3').find((c) => c.caseId === 'PHMR-01')?.failed).toEqual(['weight-pot-aut']);
  });
});

describe('a protocol with a broken XPath', () => {
  it('fails to compile with CERT_ERR_PROTOCOL naming the file', async () => {
    const protocol = parseProtocol(
      JSON.stringify({
        id: 'broken',
        version: '1.0',
        standard: 'X',
        title: { da: 'x', en: 'x' },
        profiles: ['dk-qrd-1.3'],
        testCases: [
          {
            id: 'X-01',
            title: { da: 'x', en: 'x' },
            description: { da: 'x', en: 'x' },
            conditions: [{ id: 'bad', text: { da: 'x', en: 'x' }, predicate: 'xpath', xpath: 'count(//cda:x' }],
          },
        ],
      }),
      'broken.json'
    );
    expect(protocolSchematron(protocol)).toContain('id="X-01/bad"');
    await expect(
      createCaseChecker([protocol], { cacheDir: path.join(PACKAGE_ROOT, '.cache', 'test-broken') })
    ).rejects.toMatchObject({
      code: 'CERT_ERR_PROTOCOL',
      message: expect.stringContaining('broken.json'),
    });
  });
});
