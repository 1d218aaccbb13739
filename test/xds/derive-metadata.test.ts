// Metadata derived from every valid sample equals its golden file, field by field; broken headers give findings and no metadata.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { BUILTIN_TARGETS } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { DERIVATION_RULE_IDS } from '../../src/xds/derive-metadata.js';
import type { DocumentEntry, SubmissionSet } from '../../src/xds/metadata-model.js';
import { resolveSettings } from '../../src/config/metadata-settings.js';
import { CONFIG_RULE_IDS, prepareSubmission } from '../../src/xds/prepare-submission.js';
import type { PreparedSubmission, PrepareOptions } from '../../src/xds/prepare-submission.js';

const SAMPLES = path.join(PACKAGE_ROOT, 'samples');
const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  documents: { file: string; profile: string; valid: boolean }[];
};
const VALID = manifest.documents.filter((d) => d.valid).map((d) => d.file);

const FIXED: Omit<PrepareOptions, 'settings'> = {
  now: new Date('2026-11-22T08:00:00Z'),
  ids: {
    documentEntry: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    submissionSet: 'urn:uuid:00000000-0000-4000-8000-000000000002',
    submissionSetUniqueId: '2.25.1',
  },
};

function prepare(
  text: string | Buffer,
  settings = resolveSettings(BUILTIN_TARGETS.local?.metadata ?? {})
): PreparedSubmission {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return prepareSubmission(bytes, 'doc.xml', { ...FIXED, settings });
}

function sample(file: string): string {
  return readFileSync(path.join(SAMPLES, file), 'utf8');
}

describe('golden metadata of the valid samples', () => {
  it('covers every profile', () => {
    expect(new Set(manifest.documents.filter((d) => d.valid).map((d) => d.profile)).size).toBe(4);
  });

  it.each(VALID)('%s', (file) => {
    const golden = JSON.parse(readFileSync(path.join(SAMPLES, file.replace(/\.xml$/, '.metadata.json')), 'utf8')) as {
      documentEntry: DocumentEntry;
      submissionSet: SubmissionSet;
    };
    const result = prepare(readFileSync(path.join(SAMPLES, file)));
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const entry = result.metadata?.documentEntries[0];
    // Field by field, so a failure names the attribute.
    for (const [field, value] of Object.entries(golden.documentEntry)) {
      expect([field, entry?.[field as keyof DocumentEntry]]).toEqual([field, value]);
    }
    expect(Object.keys(entry ?? {}).sort()).toEqual(Object.keys(golden.documentEntry).sort());
    expect(result.metadata?.submissionSet).toEqual(golden.submissionSet);
  });
});

describe('values worked out by hand', () => {
  it('PHMR 2.1 weight: times move from +0200 to UTC, the author is the patient, the SOR comes from the organisation', () => {
    const entry = prepare(sample('dk-phmr-2.1/valid/weight.xml')).metadata?.documentEntries[0];
    expect(entry).toMatchObject({
      creationTime: '20260402061000', // 08:10 +0200
      serviceStartTime: '20260401045500', // 06:55 +0200
      serviceStopTime: '20260402050300',
      patientId: '3009840931^^^&1.2.208.176.1.2&ISO',
      uniqueId: '1.2.208.184^21ba20d3-fb30-4c76-9d5d-4c8ecd21c219',
      title: 'Hjemmemålinger',
      authorInstitution: ['Telemedicinsk Center, Eksempel Kommune^^^^^&1.2.208.176.1.1&ISO^^^^764571000016009'],
      authorPerson: '^Lauridsen^Mette',
      sourcePatientInfo: ['PID-5|Lauridsen^Mette', 'PID-7|19840930', 'PID-8|F'],
      formatCode: { code: 'urn:ad:dk:medcom:phmr-v2.1:full', codeSystem: '1.2.208.184.100.10' },
      eventCodeList: [{ code: 'NPU03804', codeSystem: '1.2.208.176.2.1', displayName: 'Legeme masse; Pt' }],
    });
    expect(entry?.legalAuthenticator).toBeUndefined();
  });

  it('PHMR 1.3 weight: two given names become given + middle; the legal authenticator is an XCN without id', () => {
    const entry = prepare(sample('dk-phmr-1.3/valid/weight.xml')).metadata?.documentEntries[0];
    expect(entry?.sourcePatientInfo[0]).toBe('PID-5|Mikkelsen^Hanne^Marie');
    expect(entry?.legalAuthenticator).toBe('^Damgaard^Peter');
    expect(entry?.creationTime).toBe('20260305083000');
  });

  it('legacy formatCode style and vendor settings reach the metadata', () => {
    const settings = resolveSettings({
      formatCodeStyle: 'legacy',
      sourceId: '1.2.3.4',
      eventCodes: [{ code: 'ALAL03', codeSystem: '1.2.208.176.2.4', displayName: 'KOL' }],
    });
    const result = prepare(sample('dk-qrd-1.3/valid/fatigue-pain-sliders.xml'), settings);
    expect(result.metadata?.documentEntries[0]?.formatCode.code).toBe('urn:ad:dk:medcom:qrd:full');
    expect(result.metadata?.documentEntries[0]?.eventCodeList).toEqual([
      { code: 'ALAL03', codeSystem: '1.2.208.176.2.4', displayName: 'KOL' },
    ]);
    expect(result.metadata?.submissionSet.sourceId).toBe('1.2.3.4');
    expect(result.issues.map((i) => i.ruleId)).not.toContain('XDS-CDA-013');
    expect(result.defaultsUsed).not.toContain('sourceId');
    expect(result.defaultsUsed).toContain('practiceSettingCode');
  });

  it('a live target warns about each setting still at its stand-in default', () => {
    const result = prepareSubmission(Buffer.from(sample('dk-phmr-1.3/valid/weight.xml')), 'weight.xml', {
      ...FIXED,
      settings: resolveSettings({ sourceId: '1.2.3.4' }),
      live: true,
    });
    expect(result.metadata).toBeDefined();
    const warned = result.issues.filter((i) => i.ruleId === 'XDS-CFG-001').map((i) => i.message);
    expect(warned).toHaveLength(2);
    expect(warned.join(' ')).toMatch(/healthcareFacilityTypeCode.*practiceSettingCode/);
  });
});

const PHMR = sample('dk-phmr-1.3/valid/weight.xml');
const QRD = sample('dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml');

/** One header defect each; the metadata must be withheld and the finding must name the defect. */
const BROKEN: [string, string, string, RegExp][] = [
  [
    'no CPR number',
    PHMR.replace(/<id root="1\.2\.208\.176\.1\.2" extension="1403552970"[^>]*\/>/, '<id nullFlavor="NI"/>'),
    'XDS-CDA-002',
    /CPR/,
  ],
  [
    'creation time without offset',
    PHMR.replace('20260305093000+0100"/>\n  <confidentialityCode', '20260305093000"/>\n  <confidentialityCode'),
    'XDS-CDA-003',
    /no UTC offset/,
  ],
  [
    'creation time without time of day',
    PHMR.replace('<effectiveTime value="20260305093000+0100"/>\n  <conf', '<effectiveTime value="20260305"/>\n  <conf'),
    'XDS-CDA-003',
    /no time of day/,
  ],
  [
    'impossible creation date',
    PHMR.replace(
      '<effectiveTime value="20260305093000+0100"/>\n  <conf',
      '<effectiveTime value="20260231093000+0100"/>\n  <conf'
    ),
    'XDS-CDA-003',
    /not a real date/,
  ],
  [
    'service start without offset',
    PHMR.replace('<low value="20260303071200+0100"/>', '<low value="20260303071200"/>'),
    'XDS-CDA-004',
    /low.*no UTC offset/,
  ],
  [
    'service start after stop',
    PHMR.replace('<low value="20260303071200+0100"/>', '<low value="20260306071200+0100"/>'),
    'XDS-CDA-005',
    /starts \(20260306061200 UTC\) after it stops/,
  ],
  [
    'no SOR id for the author',
    PHMR.replace(/extension="764521000016003" assigningAuthorityName="SOR"/g, 'nullFlavor="NI"'),
    'XDS-CDA-006',
    /SOR/,
  ],
  [
    'no organisation name',
    PHMR.replace('<name>Sundhedscenter Vestby, Eksempel Kommune</name>', ''),
    'XDS-CDA-007',
    /no name/,
  ],
  ['wrong document code', PHMR.replace('code="53576-5"', 'code="11488-4"'), 'XDS-CDA-008', /53576-5.*found 11488-4/],
  ['no title', PHMR.replace(/<title>[^<]*<\/title>/, ''), 'XDS-CDA-009', /title/],
  ['no confidentialityCode', PHMR.replace(/<confidentialityCode[^>]*\/>/, ''), 'XDS-CDA-010', /confidentialityCode/],
  ['no languageCode', PHMR.replace(/<languageCode[^>]*\/>/, ''), 'XDS-CDA-011', /languageCode/],
  ['no document id root', PHMR.replace('<id root="1.2.208.184" extension', '<id extension'), 'XDS-CDA-001', /uniqueId/],
  [
    'event code without displayName',
    PHMR.replace(/\n\s*displayName="Legeme masse; Pt"/, ''),
    'XDS-CDA-015',
    /NPU03804.*displayName/,
  ],
];

describe('header defects are findings, never invented values', () => {
  it.each(BROKEN)('%s', (_name, text, ruleId, message) => {
    expect(text).not.toBe(PHMR);
    const result = prepare(text);
    expect(result.metadata).toBeUndefined();
    const errors = result.issues.filter((i) => i.severity === 'error');
    expect(errors.map((i) => i.ruleId)).toEqual([ruleId]);
    expect(errors[0]?.message).toMatch(message);
    expect(errors[0]?.stage).toBe('xds');
  });

  it('findings point at the offending element', () => {
    const result = prepare(PHMR.replace('<low value="20260303071200+0100"/>', '<low value="20260303071200"/>'));
    const issue = result.issues.find((i) => i.ruleId === 'XDS-CDA-004');
    expect(issue?.xpath).toBe(
      '/cda:ClinicalDocument[1]/cda:documentationOf[1]/cda:serviceEvent[1]/cda:effectiveTime[1]/cda:low[1]'
    );
    expect(PHMR.split('\n')[(issue?.line ?? 0) - 1]).toContain('<low value="20260303071200+0100"/>');
  });

  it('a document without patient and without the patientless setting gets XDS-CDA-002', () => {
    const result = prepare(sample('dk-qfdd-1.2/valid/fatigue-pain-sliders.xml'), resolveSettings());
    expect(result.metadata).toBeUndefined();
    expect(result.issues.map((i) => i.ruleId)).toEqual(['XDS-CDA-002']);
    expect(result.issues[0]?.message).toMatch(/patientlessPatientId/);
  });

  it('a QRD without event codes gets a warning and still has metadata', () => {
    const result = prepare(QRD, resolveSettings());
    expect(result.metadata).toBeDefined();
    expect(result.issues.map((i) => [i.ruleId, i.severity])).toEqual([['XDS-CDA-013', 'warning']]);
  });

  it('a patient without birth date or gender gets a sourcePatientInfo warning', () => {
    const result = prepare(PHMR.replace(/<administrativeGenderCode[^>]*\/>/, '').replace(/<birthTime[^>]*\/>/, ''));
    expect(result.metadata?.documentEntries[0]?.sourcePatientInfo).toEqual(['PID-5|Mikkelsen^Hanne^Marie']);
    expect(result.issues.map((i) => [i.ruleId, i.message])).toEqual([
      ['XDS-CDA-012', "sourcePatientInfo lacks the patient's birth date, gender."],
    ]);
  });

  it('messages never carry the CPR number', () => {
    for (const [, text] of BROKEN) {
      for (const issue of prepare(text).issues) {
        expect(issue.message).not.toContain('1403552970');
      }
    }
  });

  it('every derivation rule id is exercised by these tests', () => {
    const exercised = new Set([...BROKEN.map((b) => b[2]), 'XDS-CDA-012', 'XDS-CDA-013', 'XDS-CDA-014']);
    expect(Object.keys(DERIVATION_RULE_IDS).filter((id) => !exercised.has(id))).toEqual([]);
  });

  it('docs/xds-metadata.md lists exactly the derivation and settings rule ids', () => {
    const doc = readFileSync(path.join(PACKAGE_ROOT, 'docs', 'xds-metadata.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `(XDS-(?:CDA|CFG)-\d{3})` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...Object.keys(DERIVATION_RULE_IDS), ...Object.keys(CONFIG_RULE_IDS)].sort());
  });

  it('input that is not a document stops before derivation', () => {
    expect(prepare('<a>').issues.map((i) => i.ruleId)).toEqual(['CDA_ERR_MALFORMED']);
    expect(prepare('<!DOCTYPE x><x/>').issues.map((i) => i.ruleId)).toEqual(['CDA_ERR_DOCTYPE']);
    expect(prepare('<x/>').issues.map((i) => i.ruleId)).toEqual(['CDA_ERR_NOT_CDA']);
  });
});
