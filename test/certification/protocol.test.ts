// Protocol files are read strictly: each defect is CERT_ERR_PROTOCOL naming the file and the place; predicates expand to XPath.
import { describe, expect, it } from '@jest/globals';
import { conditionXPath } from '../../src/certification/conditions.js';
import { loadProtocols, parseProtocol } from '../../src/certification/protocol.js';

function protocolWith(patch: (p: Record<string, unknown>) => void): string {
  const p: Record<string, unknown> = {
    id: 'x',
    version: '1.0',
    standard: 'X',
    title: { da: 'x', en: 'x' },
    profiles: ['dk-qrd-1.3'],
    testCases: [
      {
        id: 'X-01',
        title: { da: 'x', en: 'x' },
        description: { da: 'x', en: 'x' },
        conditions: [{ id: 'c', text: { da: 'x', en: 'x' }, predicate: 'author-role', code: 'SELF' }],
      },
    ],
  };
  patch(p);
  return JSON.stringify(p);
}

const cases = (p: Record<string, unknown>): Record<string, unknown>[] => p.testCases as Record<string, unknown>[];
const conditions = (p: Record<string, unknown>): Record<string, unknown>[] =>
  cases(p)[0]!.conditions as Record<string, unknown>[];

describe('parseProtocol', () => {
  it('reads the repository protocols: PHMR and QRD, six cases each', () => {
    const all = loadProtocols();
    expect([...all.keys()]).toEqual(['dk-phmr', 'dk-qrd']);
    expect(all.get('dk-phmr')?.profiles).toEqual(['dk-phmr-1.3', 'dk-phmr-2.1']);
    // Both shipped protocols make the end-to-end step a condition of certification.
    expect([...all.values()].map((p) => p.certifyRequires)).toEqual([
      ['formal-test', 'end-to-end'],
      ['formal-test', 'end-to-end'],
    ]);
  });

  it('reads certifyRequires: absent means the formal test alone; the order in the file does not matter', () => {
    expect(
      parseProtocol(
        protocolWith(() => undefined),
        'x.json'
      ).certifyRequires
    ).toEqual(['formal-test']);
    expect(
      parseProtocol(
        protocolWith((p) => (p.certifyRequires = ['end-to-end', 'formal-test'])),
        'x.json'
      ).certifyRequires
    ).toEqual(['formal-test', 'end-to-end']);
  });

  it.each([
    ['not JSON', () => '{', /file: not JSON/],
    ['an unknown key', () => protocolWith((p) => (p.owner = 'me')), /protocol: unknown key\(s\) "owner"/],
    [
      'an unknown profile',
      () => protocolWith((p) => (p.profiles = ['dk-qrd-9'])),
      /profiles: unknown profile "dk-qrd-9"/,
    ],
    ['a case id in lower case', () => protocolWith((p) => (cases(p)[0]!.id = 'x-01')), /testCases\[0\]\.id/],
    ['a duplicate case', () => protocolWith((p) => cases(p).push(cases(p)[0]!)), /test case "X-01" is listed twice/],
    [
      'a case profile outside the protocol',
      () => protocolWith((p) => (cases(p)[0]!.profiles = ['dk-phmr-1.3'])),
      /not among the protocol's profiles/,
    ],
    [
      'no conditions',
      () => protocolWith((p) => (cases(p)[0]!.conditions = [])),
      /conditions: must be a non-empty array/,
    ],
    [
      'an unknown predicate',
      () => protocolWith((p) => (conditions(p)[0]!.predicate = 'magic')),
      /unknown predicate "magic"/,
    ],
    [
      'a key of another predicate',
      () => protocolWith((p) => (conditions(p)[0]!.root = '1.2.3')),
      /unknown key\(s\) "root"/,
    ],
    [
      'a missing Danish text',
      () => protocolWith((p) => (conditions(p)[0]!.text = { en: 'x' })),
      /conditions\[0\]\.text\.da/,
    ],
    [
      'an unknown certification step',
      () => protocolWith((p) => (p.certifyRequires = ['formal-test', 'end-to-ends'])),
      /certifyRequires\[1\]: unknown step "end-to-ends"/,
    ],
    [
      'a certification step listed twice',
      () => protocolWith((p) => (p.certifyRequires = ['formal-test', 'formal-test'])),
      /certifyRequires\[1\]: "formal-test" is listed twice/,
    ],
    [
      'the end-to-end step without the formal test',
      () => protocolWith((p) => (p.certifyRequires = ['end-to-end'])),
      /certifyRequires: must include "formal-test"/,
    ],
    [
      'certifyRequires that is not a list',
      () => protocolWith((p) => (p.certifyRequires = 'end-to-end')),
      /certifyRequires: must be a non-empty array/,
    ],
    [
      'a code with a quote',
      () => protocolWith((p) => (conditions(p)[0]!.code = "SE'LF")),
      /code: "SE'LF" does not match/,
    ],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseProtocol(text(), 'x.json')).toThrow(
      expect.objectContaining({ code: 'CERT_ERR_PROTOCOL', message: expect.stringMatching(message) })
    );
  });
});

describe('conditionXPath', () => {
  const text = { da: 'x', en: 'x' };
  it('expands typed predicates to XPath tests on the document', () => {
    expect(
      conditionXPath({ id: 'a', text, predicate: 'observation', codes: ['NPU03804'], methodCodes: ['POT', 'AUT'] })
    ).toBe(
      "exists(//cda:observation[(cda:code/@code, cda:code/cda:translation/@code) = ('NPU03804')][cda:methodCode[@code = 'POT' and @codeSystem = '1.2.208.184.100.1']][cda:methodCode[@code = 'AUT' and @codeSystem = '1.2.208.184.100.1']])"
    );
    expect(conditionXPath({ id: 'b', text, predicate: 'template', root: '1.2', without: ['1.3'] })).toBe(
      "exists(//*[cda:templateId/@root = '1.2'][not(cda:templateId/@root = '1.3')])"
    );
    expect(conditionXPath({ id: 'c', text, predicate: 'xpath', xpath: 'count(//cda:section) = 2' })).toBe(
      'count(//cda:section) = 2'
    );
  });
});
