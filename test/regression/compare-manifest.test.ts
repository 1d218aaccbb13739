// Manifest comparison in both directions: what was expected and did not happen, and what happened and was not expected.
import { describe, expect, it } from '@jest/globals';
import { compareDocument, compareWithManifest } from '../../src/regression/compare-manifest.js';
import { parseManifest } from '../../src/regression/manifest.js';
import type { ExpectedDocument } from '../../src/regression/result.js';
import { observed } from './helpers.js';

const VALID: ExpectedDocument = { profile: 'dk-phmr-1.3', valid: true, ruleIds: [] };
const INVALID: ExpectedDocument = { profile: 'dk-phmr-1.3', valid: false, ruleIds: ['A', 'B'] };
const kinds = (m: { kind: string; ruleId?: string }[]): string[] =>
  m.map((x) => (x.ruleId ? `${x.kind} ${x.ruleId}` : x.kind));

describe('compareDocument', () => {
  it('matches exactly: same verdict, profile and rule ids', () => {
    expect(compareDocument(VALID, observed())).toEqual([]);
    expect(compareDocument(INVALID, observed(['A', 'B']))).toEqual([]);
  });

  it('expected valid, found invalid: the verdict and every unexpected rule', () => {
    expect(kinds(compareDocument(VALID, observed(['X'])))).toEqual(['verdict', 'rule-unexpected X']);
  });

  it('expected invalid, found valid: the verdict and every rule that did not fire', () => {
    expect(kinds(compareDocument(INVALID, observed()))).toEqual(['verdict', 'rule-missing A', 'rule-missing B']);
  });

  it('invalid both times but with other rules: missing and unexpected, no verdict', () => {
    expect(kinds(compareDocument(INVALID, observed(['B', 'C'])))).toEqual(['rule-missing A', 'rule-unexpected C']);
  });

  it('another profile detected', () => {
    const m = compareDocument(VALID, observed([], { profile: 'dk-phmr-2.1' }));
    expect(m).toEqual([
      {
        kind: 'profile',
        expected: 'dk-phmr-1.3',
        actual: 'dk-phmr-2.1',
        message: 'Expected profile dk-phmr-1.3, detected dk-phmr-2.1.',
      },
    ]);
  });

  it('a tool error is a mismatch of its own, and not a valid verdict', () => {
    expect(kinds(compareDocument(VALID, observed(['CDA_ERR_INTERNAL'], { status: 'error' })))).toEqual([
      'tool-error',
      'verdict',
      'rule-unexpected CDA_ERR_INTERNAL',
    ]);
  });

  it('a valid document the target did not store, when the run submitted', () => {
    const refused = observed([], { submission: { outcome: 'refused', class: 'permanent' } });
    expect(kinds(compareDocument(VALID, refused, { submitted: true }))).toEqual(['submission']);
    expect(compareDocument(VALID, refused)).toEqual([]);
    const stored = observed([], { submission: { outcome: 'success', class: 'success' } });
    expect(compareDocument(VALID, stored, { submitted: true })).toEqual([]);
  });
});

describe('compareWithManifest', () => {
  const manifest = parseManifest(
    'm',
    JSON.stringify({
      version: 1,
      documents: [
        { file: 'b/listed-missing.xml', profile: null, valid: false, ruleIds: ['CDA_ERR_EMPTY'] },
        { file: 'a/ok.xml', profile: 'dk-phmr-1.3', valid: true, ruleIds: [] },
      ],
    })
  );

  it('in the manifest but not on disk, and on disk but not in the manifest; sorted by file', () => {
    const docs = compareWithManifest(
      'c',
      manifest,
      new Map([
        ['a/ok.xml', observed()],
        ['z/unlisted.xml', observed()],
      ])
    );
    expect(docs.map((d) => [d.file, d.match, kinds([...d.mismatches])])).toEqual([
      ['a/ok.xml', true, []],
      ['b/listed-missing.xml', false, ['file-missing']],
      ['z/unlisted.xml', false, ['file-unlisted']],
    ]);
    expect(docs[2]).toMatchObject({ corpus: 'c', expected: null });
  });

  it('a cancelled run reports the documents it did not reach as skipped', () => {
    const docs = compareWithManifest('c', manifest, new Map([['a/ok.xml', observed()]]), {
      absentBecause: () => 'skipped',
    });
    expect(kinds([...(docs[1]?.mismatches ?? [])])).toEqual(['skipped']);
  });
});
