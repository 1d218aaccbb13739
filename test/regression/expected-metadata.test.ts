// Expected metadata in a manifest: how it is written and refused, how derived metadata is compared with it, and the mismatches a document gets.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { compareDocument } from '../../src/regression/compare-manifest.js';
import { compareMetadata, parseExpectedMetadata } from '../../src/regression/expected-metadata.js';
import { parseManifest } from '../../src/regression/manifest.js';
import { observeMetadata } from '../../src/regression/observe-metadata.js';
import { resolveSettings } from '../../src/config/metadata-settings.js';
import { SAMPLES } from '../helpers/cli.js';
import { observed } from './helpers.js';

const entry = { file: 'a.xml', profile: 'dk-phmr-1.3', valid: true, ruleIds: [] };
const manifest = (metadata: unknown, over: Record<string, unknown> = {}): ReturnType<typeof parseManifest> =>
  parseManifest('m.json', JSON.stringify({ version: 1, documents: [{ ...entry, ...over, metadata }] }));

describe('expected metadata in a manifest', () => {
  it('is kept as written', () => {
    const m = manifest({ formatCode: 'urn:ad:dk:medcom:phmr-v1.3:full', eventCodeList: ['NPU03804'] });
    expect(m.documents[0]?.metadata).toEqual({
      formatCode: 'urn:ad:dk:medcom:phmr-v1.3:full',
      eventCodeList: ['NPU03804'],
    });
  });

  it.each([
    ['not an object', ['x'], /metadata must be an object/],
    ['an empty object', {}, /names no field/],
    ['an unknown field', { colour: 'red' }, /metadata.colour is not a field that can be expected/],
    // The patient's identity stays out of results, which are stored and shown on pages.
    ['the patient id', { patientId: '1403552970^^^&1.2.208.176.1.2&ISO' }, /metadata.patientId is not a field/],
    ['the patient info', { sourcePatientInfo: ['PID-7|19550314'] }, /metadata.sourcePatientInfo is not a field/],
    ['a list field given a string', { eventCodeList: 'NPU03804' }, /eventCodeList must be an array/],
    ['a text field given a list', { title: ['x'] }, /title must be a non-empty string/],
    ['an empty value', { typeCode: '' }, /typeCode must be a non-empty string/],
  ])('refuses %s', (_name, metadata, message) => {
    expect(() => manifest(metadata)).toThrow(message);
    expect(() => manifest(metadata)).toThrow(expect.objectContaining({ code: 'REGRESS_ERR_MANIFEST' }));
  });

  it('is refused on an invalid document, which is never submitted', () => {
    expect(() => manifest({ typeCode: '53576-5' }, { valid: false, ruleIds: ['X'] })).toThrow(
      /only a valid document has expected metadata/
    );
  });

  it('parseExpectedMetadata says what is wrong without throwing', () => {
    expect(parseExpectedMetadata({ languageCode: 'da-DK' })).toEqual({ ok: true, metadata: { languageCode: 'da-DK' } });
    expect(parseExpectedMetadata(null)).toMatchObject({ ok: false });
  });
});

describe('compareMetadata', () => {
  const actual = {
    typeCode: '53576-5^2.16.840.1.113883.6.1',
    eventCodeList: ['NPU03804^1.2.208.176.2.1', 'NPU21692^1.2.208.176.2.1'],
    title: 'Hjemmemålinger',
  };

  it('a code alone matches any code system; code^system must match both', () => {
    expect(compareMetadata({ typeCode: '53576-5' }, actual)).toEqual([]);
    expect(compareMetadata({ typeCode: '53576-5^2.16.840.1.113883.6.1' }, actual)).toEqual([]);
    expect(compareMetadata({ typeCode: '53576-5^1.2.3' }, actual)).toEqual([
      { field: 'typeCode', expected: '53576-5^1.2.3', actual: '53576-5^2.16.840.1.113883.6.1' },
    ]);
  });

  it('a text is compared exactly, codes or not', () => {
    expect(compareMetadata({ title: 'Hjemmemålinger' }, actual)).toEqual([]);
    expect(compareMetadata({ title: 'Hjemmemaalinger' }, actual)).toHaveLength(1);
  });

  it('lists compare as sets: any order, nothing missing, nothing extra', () => {
    expect(compareMetadata({ eventCodeList: ['NPU21692', 'NPU03804'] }, actual)).toEqual([]);
    expect(compareMetadata({ eventCodeList: ['NPU03804'] }, actual)).toEqual([
      {
        field: 'eventCodeList',
        expected: '[NPU03804]',
        actual: '[NPU03804^1.2.208.176.2.1, NPU21692^1.2.208.176.2.1]',
      },
    ]);
    expect(compareMetadata({ eventCodeList: ['NPU03804', 'NPU21692', 'DNK05472'] }, actual)).toHaveLength(1);
    expect(compareMetadata({ eventCodeList: [] }, { eventCodeList: [] })).toEqual([]);
  });

  it('a field the derived metadata lacks is a difference', () => {
    expect(compareMetadata({ serviceStopTime: '20260305060800' }, actual)).toEqual([
      { field: 'serviceStopTime', expected: '20260305060800', actual: 'absent' },
    ]);
  });
});

describe('a document with expected metadata', () => {
  const expected = { profile: 'dk-phmr-1.3' as const, valid: true, ruleIds: [], metadata: { typeCode: '53576-5' } };

  it('matches when the derived fields agree, and names each field that does not', () => {
    expect(compareDocument(expected, observed([], { metadata: { values: { typeCode: '53576-5^x' } } }))).toEqual([]);
    expect(compareDocument(expected, observed([], { metadata: { values: { typeCode: '74465-6^x' } } }))).toEqual([
      {
        kind: 'metadata',
        field: 'typeCode',
        expected: '53576-5',
        actual: '74465-6^x',
        message: 'Metadata typeCode: expected 53576-5, derived 74465-6^x.',
      },
    ]);
  });

  it('is a mismatch when no metadata could be derived, naming the findings', () => {
    expect(compareDocument(expected, observed([], { metadata: { failed: ['XDS-DRV-001'] } }))).toEqual([
      expect.objectContaining({ kind: 'metadata', message: 'No metadata could be derived: XDS-DRV-001.' }),
    ]);
    expect(compareDocument(expected, observed([]))).toEqual([
      expect.objectContaining({ kind: 'metadata', message: 'The manifest expects metadata; none was derived.' }),
    ]);
  });

  it('found invalid: the verdict is the news, metadata is not compared', () => {
    expect(compareDocument(expected, observed(['X'])).map((m) => m.kind)).toEqual(['verdict', 'rule-unexpected']);
  });
});

describe('observeMetadata', () => {
  const file = path.join(SAMPLES, 'dk-phmr-1.3', 'valid', 'weight.xml');

  it('derives the expected fields as the submit stage would, written code^codeSystem', () => {
    const got = observeMetadata(readFileSync(file), file, 'dk-phmr-1.3', resolveSettings(), [
      'formatCode',
      'eventCodeList',
      'languageCode',
    ]);
    expect(got).toEqual({
      values: {
        formatCode: 'urn:ad:dk:medcom:phmr-v1.3:full^1.2.208.184.100.10',
        eventCodeList: ['NPU03804^1.2.208.176.2.1'],
        languageCode: 'da-DK',
      },
    });
  });

  it('names the error findings when the header does not give metadata', () => {
    // No ClinicalDocument/effectiveTime: no creationTime, so no DocumentEntry.
    const broken = Buffer.from(readFileSync(file, 'utf8').replace(/<effectiveTime value="[^"]*"\/>/, ''));
    expect(observeMetadata(broken, file, 'dk-phmr-1.3', resolveSettings(), ['creationTime'])).toEqual({
      failed: ['XDS-CDA-003'],
    });
  });
});
