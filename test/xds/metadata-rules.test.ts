// XDS metadata rules: the good request has no findings, each rule fires alone on a request broken in one place, and the docs list every rule.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { ValidationIssue } from '../../src/core/report.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { DocumentEntry, SubmissionMetadata } from '../../src/xds/metadata-model.js';
import type { MetadataRuleOptions } from '../../src/xds/metadata-rules.js';
import {
  checkSubmission,
  compareWithCda,
  DEFAULT_METADATA_RULE_OPTIONS,
  XDS_RULE_IDS,
} from '../../src/xds/metadata-rules.js';
import { buildProvideAndRegisterRequest } from '../../src/xds/ebrim-build.js';
import { rimToMetadata, XDS_ERR_METADATA_MAPPING } from '../../src/xds/rim-to-metadata.js';
import { DOCUMENT_ENTRY, RIM } from '../../src/xds/vocabulary.js';
import {
  DOCUMENT_BYTES,
  DOCUMENT_ID,
  GOOD_REQUEST,
  mutate,
  parsed,
  removeElement,
  SUBMISSION_SET_ID,
  within,
} from './xds-fixture.js';

type Edit = (t: string) => string;

const WITH_BYTES: MetadataRuleOptions = {
  ...DEFAULT_METADATA_RULE_OPTIONS,
  documents: new Map([[DOCUMENT_ID, DOCUMENT_BYTES]]),
};

function check(text: string, options: MetadataRuleOptions = DEFAULT_METADATA_RULE_OPTIONS): ValidationIssue[] {
  return checkSubmission(parsed(text), options);
}

/** Rule ids of error and warning findings, sorted and distinct. */
function fired(issues: readonly ValidationIssue[]): string[] {
  return [...new Set(issues.filter((i) => i.severity !== 'info').map((i) => i.ruleId))].sort();
}

const CPR = '2512489996';
const CX = `${CPR}^^^&amp;1.2.208.176.1.2&amp;ISO`;
const XON = 'Hjemmesygeplejen Odense^^^^^&amp;1.2.208.176.1.1&amp;ISO^^^^326721000016008';
const slot = (name: string): string => `<rim:Slot name="${name}">`;
const classification = (id: string): string => `<rim:Classification id="${id}"`;
const identifierOf = (id: string): string => `<rim:ExternalIdentifier id="${id}"`;
/** Edits inside one slot of the DocumentEntry. */
const inSlot = (name: string, from: string, to: string): Edit => within(slot(name), '</rim:Slot>', from, to);
/** Edits inside one nested classification. */
const inClassification = (id: string, from: string, to: string): Edit =>
  within(classification(id), '</rim:Classification>', from, to);
const removeSlot = (name: string): Edit => removeElement(slot(name), '</rim:Slot>');
const removeClassification = (id: string): Edit => removeElement(classification(id), '</rim:Classification>');

// [rule id, what is broken, edit, options]
const CASES: [string, string, Edit, MetadataRuleOptions?][] = [
  ['XDS-IHE-001', 'no SubmissionSet marker', removeElement(classification('cl-ss-node'), '/>')],
  [
    'XDS-IHE-001',
    'two SubmissionSets',
    (t) =>
      t.replace(
        '<rim:Association ',
        `<rim:RegistryPackage id="ss2"/><rim:Classification id="cl-ss2" classifiedObject="ss2" classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>\n<rim:Association `
      ),
  ],
  ['XDS-IHE-002', 'no HasMember association', removeElement('<rim:Association id="as-member"', '</rim:Association>')],
  ['XDS-IHE-003', 'SubmissionSetStatus Reference', (t) => t.replace('>Original<', '>Reference<')],
  ['XDS-IHE-003', 'no SubmissionSetStatus', removeSlot('SubmissionSetStatus')],
  [
    'XDS-IHE-004',
    'Document id does not match',
    (t) => t.replace(`<xds:Document id="${DOCUMENT_ID}"`, '<xds:Document id="urn:uuid:other"'),
  ],
  ['XDS-IHE-004', 'no Document', removeElement('<xds:Document', '</xds:Document>')],
  ['XDS-IHE-004', 'empty xop href', (t) => t.replace('href="cid:document-1@kih-certify.example"', 'href=""')],
  ['XDS-IHE-005', 'duplicate id', (t) => t.replace('id="cl-class"', 'id="cl-author"')],
  ['XDS-IHE-005', 'empty id', (t) => t.replace('id="cl-class"', 'id=""')],
  [
    'XDS-IHE-006',
    'symbolic reference outside the submission',
    (t) =>
      t.replace(
        '</rim:RegistryObjectList>',
        `<rim:Association id="as-rplc" associationType="${RIM.replace}" sourceObject="${DOCUMENT_ID}" targetObject="previous-entry"/>\n</rim:RegistryObjectList>`
      ),
  ],
  [
    'XDS-IHE-007',
    'objectType not a DocumentEntry type',
    (t) =>
      t.replace(
        `objectType="${DOCUMENT_ENTRY.objectTypeStable}"`,
        'objectType="urn:uuid:00000000-0000-0000-0000-000000000000"'
      ),
  ],
  ['XDS-IHE-008', 'no mimeType', (t) => t.replace(' mimeType="text/xml"', '')],
  ['XDS-IHE-009', 'no practiceSettingCode', removeClassification('cl-practice')],
  ['XDS-IHE-009', 'no confidentialityCode', removeClassification('cl-confidentiality')],
  [
    'XDS-IHE-009',
    'two typeCodes',
    (t) =>
      t.replace(
        '<rim:Classification id="cl-type"',
        '<rim:Classification id="cl-type2" classificationScheme="urn:uuid:f0306f51-975f-434e-a61c-c59651d33983" classifiedObject="urn:uuid:0f3a3d56-7c1e-4a6e-9a6b-2f2b6c1d9e01" nodeRepresentation="53576-5"><rim:Slot name="codingScheme"><rim:ValueList><rim:Value>2.16.840.1.113883.6.1</rim:Value></rim:ValueList></rim:Slot><rim:Name><rim:LocalizedString value="PHMR"/></rim:Name></rim:Classification>\n<rim:Classification id="cl-type"'
      ),
  ],
  [
    'XDS-IHE-010',
    'classCode without Name',
    inClassification('cl-class', '<rim:Name><rim:LocalizedString value="Klinisk rapport"/></rim:Name>', ''),
  ],
  [
    'XDS-IHE-010',
    'eventCode without codingScheme',
    removeElement(
      '<rim:Slot name="codingScheme">\n            <rim:ValueList><rim:Value>1.2.208.176.2.1',
      '</rim:Slot>'
    ),
  ],
  [
    'XDS-IHE-010',
    'contentTypeCode without nodeRepresentation',
    inClassification('cl-content-type', 'nodeRepresentation="53576-5"', ''),
  ],
  [
    'XDS-IHE-011',
    'nested classification names another object',
    inClassification('cl-class', `classifiedObject="${DOCUMENT_ID}"`, `classifiedObject="${SUBMISSION_SET_ID}"`),
  ],
  [
    'XDS-IHE-011',
    'nested identifier names another object',
    within(identifierOf('ei-unique'), '>', `registryObject="${DOCUMENT_ID}"`, `registryObject="${SUBMISSION_SET_ID}"`),
  ],
  ['XDS-IHE-012', 'no uniqueId', removeElement(identifierOf('ei-unique'), '</rim:ExternalIdentifier>')],
  [
    'XDS-IHE-013',
    'wrong identifier Name',
    (t) => t.replace('"XDSDocumentEntry.uniqueId"', '"XDSDocumentEntry.uniqueID"'),
  ],
  ['XDS-IHE-014', 'no languageCode', removeSlot('languageCode')],
  [
    'XDS-IHE-014',
    'two creationTime values',
    inSlot('creationTime', '</rim:Value>', '</rim:Value><rim:Value>20240315093001</rim:Value>'),
  ],
  [
    'XDS-IHE-015',
    'slot twice',
    (t) =>
      t.replace(
        slot('languageCode'),
        `${slot('languageCode')}<rim:ValueList><rim:Value>da-DK</rim:Value></rim:ValueList></rim:Slot>\n${slot('languageCode')}`
      ),
  ],
  [
    'XDS-IHE-016',
    'slot value of 257 characters',
    inSlot('sourcePatientInfo', 'PID-5|Berggren^', `PID-5|Berggren${'e'.repeat(250)}^`),
  ],
  ['XDS-IHE-017', 'PID-8 not a sex code', (t) => t.replace('PID-8|F', 'PID-8|X')],
  ['XDS-IHE-017', 'PID-7 not a date', (t) => t.replace('PID-7|19481225', 'PID-7|1948')],
  ['XDS-IHE-017', 'PID-3 not a CX', (t) => t.replace(`PID-3|${CX}`, `PID-3|${CPR}`)],
  ['XDS-IHE-018', 'hash too short', inSlot('hash', '46f<', '46<')],
  ['XDS-IHE-019', 'size not a number', inSlot('size', '233', '233 bytes')],
  ['XDS-IHE-020', 'start after stop', inSlot('serviceStartTime', '20240315080000', '20240315100000')],
  [
    'XDS-IHE-021',
    'legalAuthenticator with an authority but no id',
    inSlot('legalAuthenticator', '^Hansen^Anders', '^Hansen^Anders^^^^^^&amp;1.2.208.176.1.3&amp;ISO'),
  ],
  ['XDS-IHE-021', 'authorPerson without any name or id', inSlot('authorPerson', '^Hansen^Anders', '^^Anders')],
  ['XDS-IHE-022', 'sourcePatientId with an extra component', inSlot('sourcePatientId', '&amp;ISO', '&amp;ISO^PI')],
  ['XDS-IHE-023', 'authorInstitution with a filled XON.2', (t) => t.replace(XON, XON.replace('Odense^', 'Odense^x'))],
  ['XDS-IHE-024', 'creationTime month 13', inSlot('creationTime', '20240315093000', '20241315093000')],
  ['XDS-IHE-024', 'submissionTime not a DTM', inSlot('submissionTime', '20240315100000', '2024-03-15T10:00:00Z')],
  ['XDS-IHE-025', 'uniqueId root with a leading zero', (t) => t.replace('1.2.208.184^7f6c', '1.2.208.0184^7f6c')],
  [
    'XDS-IHE-025',
    'uniqueId longer than 128',
    (t) => t.replace('^7f6c3b1e-2d4a-4c8b-9e5f-1a2b3c4d5e6f', `^${'a'.repeat(120)}`),
  ],
  [
    'XDS-IHE-026',
    'DK root^UUID against the IHE extension limit',
    (t) => t.replace('1.2.208.184^7f6c3b1e-2d4a-4c8b-9e5f-1a2b3c4d5e6f', '1.2.208.184^7f6c3b1e-2d4a-4c8b'),
    { ...DEFAULT_METADATA_RULE_OPTIONS, uniqueIdExtensionLimit: 16 },
  ],
  ['XDS-IHE-027', 'no submissionTime', removeSlot('submissionTime')],
  ['XDS-IHE-028', 'no contentTypeCode', removeClassification('cl-content-type')],
  ['XDS-IHE-029', 'no sourceId', removeElement(identifierOf('ei-ss-source'), '</rim:ExternalIdentifier>')],
  ['XDS-IHE-030', 'sourceId with a leading zero', (t) => t.replace('1.3.6.1.4.1.58328.1', '1.3.6.1.4.1.058328.1')],
  [
    'XDS-IHE-030',
    'uniqueId not an OID',
    (t) => t.replace('2.25.184379623517896213464538411218920112641', 'urn:uuid:5b0c9a3e'),
  ],
  [
    'XDS-IHE-031',
    'another patient in the SubmissionSet',
    within(identifierOf('ei-ss-patient'), '>', CPR, '2512489997'),
  ],
  [
    'XDS-IHE-032',
    'title of 129 characters',
    (t) => t.replace('value="Hjemmemonitorering for 2512489996"', `value="${'T'.repeat(129)}"`),
  ],
  [
    'XDS-IHE-032',
    'SubmissionSet title of 129 characters',
    (t) => t.replace('value="Hjemmemonitorering"', `value="${'T'.repeat(129)}"`),
  ],
  [
    'XDS-IHE-033',
    'no hash when required',
    removeSlot('hash'),
    { ...DEFAULT_METADATA_RULE_OPTIONS, requireHashAndSize: true },
  ],
  ['XDS-IHE-034', 'hash of other bytes', inSlot('hash', '83dac164', '93dac164'), WITH_BYTES],
  ['XDS-IHE-035', 'size of other bytes', inSlot('size', '233', '234'), WITH_BYTES],
  [
    'XDS-IHE-036',
    'SubmissionSet author without slots',
    within(classification('cl-ss-author'), '</rim:Classification>', /<rim:Slot[\s\S]*<\/rim:Slot>/, ''),
  ],
  [
    'XDS-IHE-036',
    'two authorPerson values',
    inSlot('authorPerson', '</rim:Value>', '</rim:Value><rim:Value>^Jensen^Mette</rim:Value>'),
  ],
  ['XDS-DK-001', 'patient id of 9 digits', (t) => t.replaceAll(`${CPR}^^^`, '251248999^^^')],
  [
    'XDS-DK-001',
    'patient id not from CPR',
    (t) => t.replaceAll('&amp;1.2.208.176.1.2&amp;', '&amp;1.2.208.176.1.99&amp;'),
  ],
  [
    'XDS-DK-002',
    'authorInstitution not from SOR',
    (t) => t.replace(XON, XON.replace('1.2.208.176.1.1', '1.2.208.176.1.3')),
  ],
  ['XDS-DK-002', 'authorInstitution name only', (t) => t.replace(XON, 'Hjemmesygeplejen Odense')],
  [
    'XDS-DK-003',
    'no authorInstitution on the DocumentEntry',
    within(classification('cl-author'), '</rim:Classification>', `<rim:Value>${XON}</rim:Value>`, ''),
  ],
  ['XDS-DK-004', 'classCode 002', inClassification('cl-class', 'nodeRepresentation="001"', 'nodeRepresentation="002"')],
  [
    'XDS-DK-005',
    'typeCode not allowed',
    inClassification('cl-type', 'nodeRepresentation="53576-5"', 'nodeRepresentation="11488-4"'),
  ],
  [
    'XDS-DK-005',
    'typeCode not LOINC',
    inClassification('cl-type', '2.16.840.1.113883.6.1<', '2.16.840.1.113883.6.96<'),
  ],
  [
    'XDS-DK-006',
    'formatCode not allowed',
    (t) => t.replace('urn:ad:dk:medcom:phmr-v2.1:full', 'urn:ad:dk:medcom:phmr-v9:full'),
  ],
  [
    'XDS-DK-006',
    'formatCode with its URN as codingScheme',
    inClassification('cl-format', '1.2.208.184.100.10', 'urn:ad:dk:medcom:phmr-v2.1:full'),
  ],
  [
    'XDS-DK-007',
    'confidentialityCode R',
    inClassification('cl-confidentiality', 'nodeRepresentation="N"', 'nodeRepresentation="R"'),
  ],
  ['XDS-DK-008', 'languageCode en-US', inSlot('languageCode', 'da-DK', 'en-US')],
  ['XDS-DK-008', 'languageCode da (warning)', inSlot('languageCode', 'da-DK', 'da')],
  ['XDS-DK-009', 'mimeType application/xml', (t) => t.replace('mimeType="text/xml"', 'mimeType="application/xml"')],
  ['XDS-DK-010', 'creationTime to the minute', inSlot('creationTime', '20240315093000', '202403150930')],
  ['XDS-DK-010', 'submissionTime to the day', inSlot('submissionTime', '20240315100000', '20240315')],
  [
    'XDS-DK-011',
    'practiceSettingCode not SNOMED CT',
    inClassification('cl-practice', '2.16.840.1.113883.6.96', '1.2.208.176.2.4'),
  ],
  ['XDS-DK-012', 'uniqueId with two separators', (t) => t.replace('1.2.208.184^7f6c3b1e', '1.2.208.184^x^7f6c3b1e')],
  [
    'XDS-DK-012',
    'uniqueId with an empty extension',
    (t) => t.replace('1.2.208.184^7f6c3b1e-2d4a-4c8b-9e5f-1a2b3c4d5e6f', '1.2.208.184^'),
  ],
  [
    'XDS-DK-013',
    'eventCode from an unknown system (warning)',
    inClassification('cl-event', '1.2.208.176.2.1', '1.2.3.4'),
  ],
];

describe('checkSubmission: the good request', () => {
  it('has no findings with the default (KIH) options', () => {
    expect(check(GOOD_REQUEST)).toEqual([]);
  });

  it('has no findings when hash, size and the bytes are checked', () => {
    expect(check(GOOD_REQUEST, { ...WITH_BYTES, requireHashAndSize: true })).toEqual([]);
  });

  it('has no findings inside a SOAP envelope', () => {
    const body = GOOD_REQUEST.slice(GOOD_REQUEST.indexOf('<xds:'));
    const soap = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;
    expect(check(soap)).toEqual([]);
  });

  it('has no findings as a bare SubmitObjectsRequest (register only: no documents expected)', () => {
    const start = GOOD_REQUEST.indexOf('<lcm:SubmitObjectsRequest>');
    const end = GOOD_REQUEST.indexOf('</lcm:SubmitObjectsRequest>') + '</lcm:SubmitObjectsRequest>'.length;
    const bare = GOOD_REQUEST.slice(start, end).replace(
      '<lcm:SubmitObjectsRequest>',
      '<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">'
    );
    expect(check(bare)).toEqual([]);
  });

  it('accepts a replacement whose target is already in the registry (a UUID, or a listed ObjectRef)', () => {
    const rplc = (target: string): string =>
      `<rim:Association id="as-rplc" associationType="${RIM.replace}" sourceObject="${DOCUMENT_ID}" targetObject="${target}"/>`;
    const uuid = mutate(GOOD_REQUEST, (t) =>
      t.replace(
        '</rim:RegistryObjectList>',
        `${rplc('urn:uuid:11111111-2222-4333-8444-555555555555')}</rim:RegistryObjectList>`
      )
    );
    expect(check(uuid)).toEqual([]);
    const ref = mutate(GOOD_REQUEST, (t) =>
      t.replace(
        '</rim:RegistryObjectList>',
        `<rim:ObjectRef id="previous-entry"/>${rplc('previous-entry')}</rim:RegistryObjectList>`
      )
    );
    expect(check(ref)).toEqual([]);
  });

  it('accepts a nested SubmissionSet marker', () => {
    const text = mutate(GOOD_REQUEST, (t) =>
      removeElement(
        classification('cl-ss-node'),
        '/>'
      )(t).replace(
        classification('cl-ss-author'),
        `<rim:Classification id="cl-ss-node" classifiedObject="${SUBMISSION_SET_ID}" classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>\n${classification('cl-ss-author')}`
      )
    );
    expect(check(text)).toEqual([]);
  });

  it('accepts the IHE form of uniqueId under the IHE limit', () => {
    const text = mutate(GOOD_REQUEST, (t) => t.replace('^7f6c3b1e-2d4a-4c8b-9e5f-1a2b3c4d5e6f', '^7f6c3b1e2d4a4c8b'));
    expect(check(text, { ...DEFAULT_METADATA_RULE_OPTIONS, uniqueIdExtensionLimit: 16 })).toEqual([]);
  });
});

describe('checkSubmission: each rule fires alone on a one-defect request', () => {
  // Every row gets its options: with a shorter row, jest would pass its done callback in their place.
  const rows = CASES.map(
    ([id, what, edit, options]) => [id, what, edit, options ?? DEFAULT_METADATA_RULE_OPTIONS] as const
  );
  it.each(rows)('%s: %s', (id, _what, edit, options) => {
    const issues = check(mutate(GOOD_REQUEST, edit), options);
    expect(fired(issues)).toEqual([id]);
    for (const issue of issues) {
      expect(issue).toMatchObject({ stage: 'xds', ruleId: id });
      expect(issue.message.length).toBeGreaterThan(20);
    }
  });

  it('covers every rule id of checkSubmission', () => {
    const covered = new Set(CASES.map(([id]) => id));
    const expected = Object.keys(XDS_RULE_IDS).filter((id) => id !== 'XDS-DK-014');
    expect(expected.filter((id) => !covered.has(id))).toEqual([]);
  });

  it('reports warnings where the rule says so', () => {
    const da = check(mutate(GOOD_REQUEST, inSlot('languageCode', 'da-DK', 'da')));
    expect(da.map((i) => i.severity)).toEqual(['warning']);
    const enUs = check(mutate(GOOD_REQUEST, inSlot('languageCode', 'da-DK', 'en-US')));
    expect(enUs.map((i) => i.severity)).toEqual(['error']);
    const event = check(mutate(GOOD_REQUEST, inClassification('cl-event', '1.2.208.176.2.1', '1.2.3.4')));
    expect(event.map((i) => i.severity)).toEqual(['warning']);
  });

  it('points at the offending element with line and xpath', () => {
    const text = mutate(GOOD_REQUEST, inSlot('creationTime', '20240315093000', '202403150930'));
    const [issue] = check(text);
    expect(issue).toMatchObject({
      ruleId: 'XDS-DK-010',
      line: GOOD_REQUEST.split('\n').findIndex((l) => l.includes(slot('creationTime'))) + 1,
      xpath:
        '/xds:ProvideAndRegisterDocumentSetRequest[1]/lcm:SubmitObjectsRequest[1]/rim:RegistryObjectList[1]/rim:ExtrinsicObject[1]/rim:Slot[1]',
    });
    expect(issue?.message).toContain('DocumentEntry.creationTime');
  });

  it('names the DK/IHE conflict in the uniqueId extension finding', () => {
    const [issue] = check(GOOD_REQUEST, { ...DEFAULT_METADATA_RULE_OPTIONS, uniqueIdExtensionLimit: 16 });
    expect(issue?.ruleId).toBe('XDS-IHE-026');
    expect(issue?.message).toMatch(/36 characters.*16.*DK/);
    expect(issue?.xpath).toMatch(/rim:ExternalIdentifier\[2\]\/@value$/);
  });

  it('never prints a whole CPR number', () => {
    for (const [, , edit, options] of CASES) {
      for (const issue of check(mutate(GOOD_REQUEST, edit), options)) {
        expect(issue.message).not.toMatch(/251248999/);
      }
    }
  });
});

/** What the fixture says, written out by hand. */
const EXPECTED_ENTRY: DocumentEntry = {
  entryUUID: DOCUMENT_ID,
  uniqueId: '1.2.208.184^7f6c3b1e-2d4a-4c8b-9e5f-1a2b3c4d5e6f',
  patientId: '2512489996^^^&1.2.208.176.1.2&ISO',
  sourcePatientId: '2512489996^^^&1.2.208.176.1.2&ISO',
  sourcePatientInfo: [
    'PID-3|2512489996^^^&1.2.208.176.1.2&ISO',
    'PID-5|Berggren^Nancy^Ann^^',
    'PID-7|19481225',
    'PID-8|F',
  ],
  typeCode: {
    code: '53576-5',
    codeSystem: '2.16.840.1.113883.6.1',
    displayName: 'Personal health monitoring report Document',
  },
  classCode: { code: '001', codeSystem: '1.2.208.184.100.9', displayName: 'Klinisk rapport' },
  formatCode: {
    code: 'urn:ad:dk:medcom:phmr-v2.1:full',
    codeSystem: '1.2.208.184.100.10',
    displayName: 'DK PHMR schema v2.1',
  },
  confidentialityCode: [{ code: 'N', codeSystem: '2.16.840.1.113883.5.25', displayName: 'normal' }],
  healthcareFacilityTypeCode: {
    code: '550621000005101',
    codeSystem: '2.16.840.1.113883.6.96',
    displayName: 'hjemmesygeplejeenhed',
  },
  practiceSettingCode: { code: '408443003', codeSystem: '2.16.840.1.113883.6.96', displayName: 'almen medicin' },
  eventCodeList: [{ code: 'NPU03804', codeSystem: '1.2.208.176.2.1', displayName: 'Pt—Legeme; masse = ? kg' }],
  languageCode: 'da-DK',
  creationTime: '20240315093000',
  serviceStartTime: '20240315080000',
  serviceStopTime: '20240315090000',
  title: 'Hjemmemonitorering for 2512489996',
  authorInstitution: ['Hjemmesygeplejen Odense^^^^^&1.2.208.176.1.1&ISO^^^^326721000016008'],
  authorPerson: '^Hansen^Anders',
  legalAuthenticator: '^Hansen^Anders',
  mimeType: 'text/xml',
  objectType: DOCUMENT_ENTRY.objectTypeStable,
  availabilityStatus: RIM.approved,
  hash: '83dac1646a004a4a376a31723e2c24a03ea3e46f',
  size: 233,
  homeCommunityId: 'urn:oid:1.2.208.176.43210.8.20',
};

const EXPECTED: SubmissionMetadata = {
  submissionSet: {
    entryUUID: SUBMISSION_SET_ID,
    uniqueId: '2.25.184379623517896213464538411218920112641',
    sourceId: '1.3.6.1.4.1.58328.1',
    patientId: '2512489996^^^&1.2.208.176.1.2&ISO',
    submissionTime: '20240315100000',
    contentTypeCode: {
      code: '53576-5',
      codeSystem: '2.16.840.1.113883.6.1',
      displayName: 'Personal health monitoring report Document',
    },
    title: 'Hjemmemonitorering',
    authorInstitution: ['Hjemmesygeplejen Odense^^^^^&1.2.208.176.1.1&ISO^^^^326721000016008'],
    homeCommunityId: 'urn:oid:1.2.208.176.43210.8.20',
  },
  documentEntries: [EXPECTED_ENTRY],
};

describe('rimToMetadata', () => {
  it('maps the good request to exactly the metadata it encodes', () => {
    const result = rimToMetadata(parsed(GOOD_REQUEST));
    expect(result.issues).toEqual([]);
    expect(result.metadata).toStrictEqual(EXPECTED);
  });

  it('round-trips metadata through the request builder: metadata → XML → parse → the same metadata, no findings', () => {
    const xml = buildProvideAndRegisterRequest(EXPECTED, [{ kind: 'xop', href: 'cid:doc@example' }]);
    const sub = parsed(xml);
    expect(rimToMetadata(sub)).toStrictEqual({ metadata: EXPECTED, issues: [] });
    expect(checkSubmission(sub, { ...WITH_BYTES, requireHashAndSize: true })).toEqual([]);
  });

  it('defaults availabilityStatus to Approved and leaves absent optional fields out', () => {
    const text = mutate(GOOD_REQUEST, (t) =>
      [removeSlot('serviceStartTime'), removeSlot('legalAuthenticator'), removeSlot('authorPerson')].reduce(
        (acc, edit) => edit(acc),
        t.replace(' status="urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"', '')
      )
    );
    const entry = rimToMetadata(parsed(text)).metadata?.documentEntries[0];
    expect(entry?.availabilityStatus).toBe(RIM.approved);
    expect(entry && 'serviceStartTime' in entry).toBe(false);
    expect(entry && 'legalAuthenticator' in entry).toBe(false);
    expect(entry && 'authorPerson' in entry).toBe(false);
  });

  it('fills hash and size from the bytes when the request leaves them out', () => {
    const text = mutate(GOOD_REQUEST, (t) => removeSlot('size')(removeSlot('hash')(t)));
    const documents = new Map([[DOCUMENT_ID, DOCUMENT_BYTES]]);
    expect(rimToMetadata(parsed(text)).metadata).toBeUndefined();
    expect(rimToMetadata(parsed(text), { documents }).metadata).toStrictEqual(EXPECTED);
  });

  it.each([
    ['no SubmissionSet', removeElement(classification('cl-ss-node'), '/>'), /SubmissionSet/],
    ['no typeCode', removeClassification('cl-type'), /DocumentEntry\.typeCode/],
    ['no creationTime', removeSlot('creationTime'), /DocumentEntry\.creationTime/],
    [
      'no sourceId',
      removeElement(identifierOf('ei-ss-source'), '</rim:ExternalIdentifier>'),
      /SubmissionSet\.sourceId/,
    ],
    ['a size that is no number', inSlot('size', '233', 'many'), /DocumentEntry\.size/],
  ] as [string, Edit, RegExp][])('gives no metadata and names the gap: %s', (_what, edit, pattern) => {
    const result = rimToMetadata(parsed(mutate(GOOD_REQUEST, edit)));
    expect(result.metadata).toBeUndefined();
    expect(result.issues.length).toBeGreaterThan(0);
    expect(result.issues[0]).toMatchObject({ ruleId: XDS_ERR_METADATA_MAPPING, stage: 'xds' });
    expect(result.issues.map((i) => i.message).join('\n')).toMatch(pattern);
  });
});

/** One attribute changed per case, for compareWithCda. */
const CHANGED: [string, Partial<DocumentEntry>][] = [
  ['uniqueId', { uniqueId: '1.2.208.184^other' }],
  ['patientId', { patientId: '0101010101^^^&1.2.208.176.1.2&ISO' }],
  ['typeCode', { typeCode: { ...EXPECTED_ENTRY.typeCode, code: '74465-6' } }],
  ['creationTime', { creationTime: '20240315093001' }],
  ['serviceStartTime', { serviceStartTime: '20240315080001' }],
  ['serviceStopTime', { serviceStopTime: undefined }],
  ['title', { title: 'Other title' }],
  ['languageCode', { languageCode: 'da' }],
  [
    'confidentialityCode',
    { confidentialityCode: [{ code: 'R', codeSystem: '2.16.840.1.113883.5.25', displayName: 'restricted' }] },
  ],
];

describe('compareWithCda', () => {
  it('finds nothing when the metadata equals the CDA header', () => {
    expect(
      compareWithCda(EXPECTED_ENTRY, { ...EXPECTED_ENTRY, entryUUID: 'urn:uuid:other', hash: '', size: 0 })
    ).toEqual([]);
  });

  it.each(CHANGED)('XDS-DK-014: %s differs', (attribute, change) => {
    const issues = compareWithCda({ ...EXPECTED_ENTRY, ...change }, EXPECTED_ENTRY);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ ruleId: 'XDS-DK-014', severity: 'error', stage: 'xds' });
    expect(issues[0]?.message).toContain(`DocumentEntry.${attribute}`);
    expect(issues[0]?.message).not.toContain('2512489996');
  });
});

describe('rule catalogue', () => {
  const doc = readFileSync(path.join(PACKAGE_ROOT, 'docs', 'xds-rules.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `(XDS-(?:IHE|DK)-\d{3})` \|/gm)].map((m) => m[1]);

  it('docs/xds-rules.md lists exactly the rule ids, once each', () => {
    expect([...documented].sort()).toEqual(Object.keys(XDS_RULE_IDS).sort());
  });

  it('every rule id fires in some case', () => {
    const seen = new Set<string>();
    for (const [, , edit, options] of CASES) {
      for (const issue of check(mutate(GOOD_REQUEST, edit), options)) {
        seen.add(issue.ruleId);
      }
    }
    for (const [, change] of CHANGED) {
      for (const issue of compareWithCda({ ...EXPECTED_ENTRY, ...change }, EXPECTED_ENTRY)) {
        seen.add(issue.ruleId);
      }
    }
    expect(Object.keys(XDS_RULE_IDS).filter((id) => !seen.has(id))).toEqual([]);
  });
});
