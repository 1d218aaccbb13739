// DK PHMR 1.3 rules: the valid samples pass, and each rule fires alone on a sample broken in one place.
import { describe, expect, it } from '@jest/globals';
import {
  check,
  expectCleanCompile,
  expectNoFindings,
  findingsOfLoneRule,
  firedRuleIds,
  mutate,
  readSample,
} from '../helpers/rules.js';

const VALID = [
  'dk-phmr-1.3/valid/blood-pressure-pulse.xml',
  'dk-phmr-1.3/valid/lung-function.xml',
  'dk-phmr-1.3/valid/nullified-measurement-with-comment.xml',
  'dk-phmr-1.3/valid/weight-blood-pressure-devices.xml',
  'dk-phmr-1.3/valid/weight.xml',
];
const WEIGHT = 'dk-phmr-1.3/valid/weight.xml';
const NULLIFIED = 'dk-phmr-1.3/valid/nullified-measurement-with-comment.xml';

type Edit = (t: string) => string;

/** Adds a documentationOf after the first one (the monitoring period). */
const addServiceEvent =
  (inner: string): Edit =>
  (t) =>
    t.replace('</documentationOf>', `</documentationOf>\n  <documentationOf typeCode="DOC">${inner}</documentationOf>`);

const marker = (attrs: string, templateId: string, idRoot: string, version: string): Edit =>
  addServiceEvent(
    `<serviceEvent ${attrs}><templateId root="${templateId}"/>` +
      `<id root="${idRoot}" extension="${version}" assigningAuthorityName="MedCom"/></serviceEvent>`
  );

/** Replaces a string inside the legalAuthenticator only. */
const inLegalAuthenticator =
  (from: string, to: string): Edit =>
  (t) =>
    t.replace(/<legalAuthenticator[\s\S]*?<\/legalAuthenticator>/, (block) => block.replace(from, to));

/** Rules reported as warnings; every other rule is an error (docs/rules-phmr.md gives the reasons). */
const WARNINGS = new Set([
  'DK-PHMR-13-007',
  'DK-PHMR-13-009',
  'DK-PHMR-13-011',
  'DK-PHMR-13-018',
  'DK-PHMR-13-027',
  'DK-PHMR-13-032',
  'DK-PHMR-13-044',
  'DK-PHMR-13-052',
  'DK-PHMR-13-053',
  'DK-PHMR-13-058',
  'DK-PHMR-13-065',
  'DK-PHMR-13-082',
]);

// [rule id, what is broken, sample, edit]
/** Header participants without the person or party HL7 PHMR requires of them (CONF-PHMR-33, -36, -37). */
const DATA_ENTERER_WITHOUT_PERSON =
  '<dataEnterer typeCode="ENT" contextControlCode="OP"><assignedEntity classCode="ASSIGNED">' +
  '<id root="1.2.208.176.1.1" extension="764521000016003" assigningAuthorityName="SOR"/></assignedEntity></dataEnterer>';
const INFORMANT_WITHOUT_PERSON =
  '<informant typeCode="INF" contextControlCode="OP"><assignedEntity classCode="ASSIGNED">' +
  '<id root="1.2.208.176.1.1" extension="764521000016003" assigningAuthorityName="SOR"/></assignedEntity></informant>';
const RECIPIENT_WITHOUT_PARTY =
  '<informationRecipient typeCode="PRCP"><intendedRecipient classCode="ASSIGNED">' +
  '<id root="1.2.208.176.1.1" extension="764531000016001" assigningAuthorityName="SOR"/></intendedRecipient></informationRecipient>';
const DEVICE_AUTHOR =
  '<assignedAuthoringDevice><softwareName>Hjemmemonitorering app 2.4</softwareName></assignedAuthoringDevice>';
const NON_XML_BODY = '<nonXMLBody><text mediaType="text/plain">Vægt 82,4 kg</text></nonXMLBody>';

const CASES: [string, string, string, Edit][] = [
  [
    'DK-PHMR-13-001',
    'no PHMR templateId',
    WEIGHT,
    (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.9"/>', ''),
  ],
  [
    'DK-PHMR-13-002',
    'no DK templateId',
    WEIGHT,
    (t) => t.replace('<templateId root="1.2.208.184.11.1"/>\n  <id', '<id'),
  ],
  ['DK-PHMR-13-003', 'wrong document code', WEIGHT, (t) => t.replace('code="53576-5"', 'code="53576-6"')],
  [
    'DK-PHMR-13-004',
    'wrong codeSystemName',
    WEIGHT,
    (t) =>
      t.replace(
        'codeSystemName="LOINC"\n    displayName="Personal',
        'codeSystemName="loinc"\n    displayName="Personal'
      ),
  ],
  [
    'DK-PHMR-13-005',
    'wrong displayName',
    WEIGHT,
    (t) => t.replace('displayName="Personal Health Monitoring Report"', 'displayName="PHMR"'),
  ],
  [
    'DK-PHMR-13-006',
    'confidentiality R',
    WEIGHT,
    (t) => t.replace('confidentialityCode code="N"', 'confidentialityCode code="R"'),
  ],
  [
    'DK-PHMR-13-007',
    'language en-US',
    WEIGHT,
    (t) => t.replace('languageCode code="da-DK"', 'languageCode code="en-US"'),
  ],
  [
    'DK-PHMR-13-008',
    'two recordTargets',
    WEIGHT,
    (t) => t.replace(/<recordTarget[\s\S]*?<\/recordTarget>/, (m) => m + m),
  ],
  [
    'DK-PHMR-13-009',
    'no legalAuthenticator',
    WEIGHT,
    (t) => t.replace(/<legalAuthenticator[\s\S]*?<\/legalAuthenticator>/, ''),
  ],
  [
    'DK-PHMR-13-010',
    'patient id not CPR',
    WEIGHT,
    (t) => t.replace('root="1.2.208.176.1.2" extension="1403552970"', 'root="1.2.208.176.1.22" extension="1403552970"'),
  ],
  [
    'DK-PHMR-13-011',
    'CPR authority name',
    WEIGHT,
    (t) =>
      t.replace(
        'extension="1403552970" assigningAuthorityName="CPR"',
        'extension="1403552970" assigningAuthorityName="cpr"'
      ),
  ],
  ['DK-PHMR-13-012', 'CPR with hyphen', WEIGHT, (t) => t.replace('extension="1403552970"', 'extension="140355-2970"')],
  ['DK-PHMR-13-013', 'CPR 31 February', WEIGHT, (t) => t.replace('extension="1403552970"', 'extension="3102552970"')],
  ['DK-PHMR-13-014', 'name without family', WEIGHT, (t) => t.replace('<family>Mikkelsen</family>', '')],
  [
    'DK-PHMR-13-015',
    'name without given',
    WEIGHT,
    (t) => t.replace('<given>Hanne</given>\n          <given>Marie</given>', ''),
  ],
  [
    'DK-PHMR-13-016',
    'two prefixes',
    WEIGHT,
    (t) => t.replace('<prefix>Sygeplejerske</prefix>', '<prefix>Sygeplejerske</prefix><prefix>cand.cur.</prefix>'),
  ],
  [
    'DK-PHMR-13-017',
    'name part qualifier',
    WEIGHT,
    (t) => t.replace('<given>Hanne</given>', '<given qualifier="CL">Hanne</given>'),
  ],
  ['DK-PHMR-13-018', 'address without use', WEIGHT, (t) => t.replace('<addr use="H">', '<addr>')],
  ['DK-PHMR-13-019', 'address use PST', WEIGHT, (t) => t.replace('<addr use="H">', '<addr use="PST">')],
  [
    'DK-PHMR-13-020',
    'address without street line',
    WEIGHT,
    (t) => t.replace('<streetAddressLine>Bøgelunden 14</streetAddressLine>', ''),
  ],
  [
    'DK-PHMR-13-021',
    'author id not SOR',
    WEIGHT,
    (t) =>
      t.replace(
        '<id root="1.2.208.176.1.1" extension="764521000016003"',
        '<id root="1.2.208.176.1" extension="764521000016003"'
      ),
  ],
  [
    'DK-PHMR-13-022',
    'CPR author without SELF',
    WEIGHT,
    (t) =>
      t.replace(
        '<id root="1.2.208.176.1.1" extension="764521000016003" assigningAuthorityName="SOR"/>',
        '<id root="1.2.208.176.1.2" extension="1403552970" assigningAuthorityName="CPR"/>'
      ),
  ],
  [
    'DK-PHMR-13-023',
    'author organisation without name',
    WEIGHT,
    (t) => t.replace('<name>Sundhedscenter Vestby, Eksempel Kommune</name>', '<name/>'),
  ],
  [
    'DK-PHMR-13-024',
    'custodian id not SOR',
    WEIGHT,
    (t) =>
      t.replace(
        '<id root="1.2.208.176.1.1" extension="764531000016001"',
        '<id root="1.2.208.176.1" extension="764531000016001"'
      ),
  ],
  [
    'DK-PHMR-13-025',
    'custodian without name',
    WEIGHT,
    (t) => t.replace('<name>Medicinsk Afdeling M, Eksempel Sygehus</name>', '<name> </name>'),
  ],
  [
    'DK-PHMR-13-026',
    'legalAuthenticator id not SOR',
    WEIGHT,
    inLegalAuthenticator('<id root="1.2.208.176.1.1"', '<id root="1.2.208.176.1"'),
  ],
  [
    'DK-PHMR-13-027',
    'legalAuthenticator without person name',
    WEIGHT,
    (t) => t.replace(/<name>\s*<prefix>Overlæge[\s\S]*?<\/name>/, ''),
  ],
  [
    'DK-PHMR-13-028',
    'monitoring period without high',
    WEIGHT,
    (t) => t.replace('<high value="20260305070800+0100"/>', ''),
  ],
  [
    'DK-PHMR-13-029',
    'version marker without MPROT',
    WEIGHT,
    marker('moodCode="EVN"', '1.2.208.184.10.1.10', '1.2.208.184.100.10', 'phmr-v1.3'),
  ],
  [
    'DK-PHMR-13-030',
    'serviceEvent PCPR',
    WEIGHT,
    (t) => t.replace('<serviceEvent classCode="MPROT"', '<serviceEvent classCode="PCPR"'),
  ],
  [
    'DK-PHMR-13-031',
    'declares phmr-v2.1',
    WEIGHT,
    marker('classCode="MPROT" moodCode="EVN"', '1.2.208.184.10.1.10', '1.2.208.184.100.10', 'phmr-v2.1'),
  ],
  [
    'DK-PHMR-13-032',
    'non-standard marker roots',
    WEIGHT,
    marker('classCode="MPROT" moodCode="EVN"', '1.2.208.184.200.1.10', '1.2.208.184.100.3', 'phmr-v1.3'),
  ],
  [
    'DK-PHMR-13-033',
    'no Results section',
    WEIGHT,
    (t) =>
      t.replace(
        /<component typeCode="COMP" contextConductionInd="true">\s*<section classCode="DOCSECT" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.1.14"\/>[\s\S]*?<\/component>/,
        ''
      ),
  ],
  [
    'DK-PHMR-13-034',
    'section code not LOINC',
    WEIGHT,
    (t) => t.replace('"30954-2" codeSystem="2.16.840.1.113883.6.1"', '"30954-2" codeSystem="2.16.840.1.113883.6.2"'),
  ],
  [
    'DK-PHMR-13-035',
    'section without DK templateId',
    WEIGHT,
    (t) => t.replace('<templateId root="1.2.208.184.11.1"/>\n          <code code="30954-2"', '<code code="30954-2"'),
  ],
  [
    'DK-PHMR-13-036',
    'Results without PHMR templateId',
    WEIGHT,
    (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.9.14"/>', ''),
  ],
  ['DK-PHMR-13-037', 'section without title', WEIGHT, (t) => t.replace('<title>Resultater</title>', '<title></title>')],
  [
    'DK-PHMR-13-038',
    'vital signs entry not a measurement organizer',
    WEIGHT,
    (t) =>
      t.replace(
        '<templateId root="2.16.840.1.113883.10.20.1.35"/>',
        '<templateId root="2.16.840.1.113883.10.20.1.36"/>'
      ),
  ],
  [
    'DK-PHMR-13-039',
    'equipment entry not a device organizer',
    WEIGHT,
    (t) =>
      t.replace('<templateId root="2.16.840.1.113883.10.20.9.4"/>', '<templateId root="2.16.840.1.113883.10.20.9.5"/>'),
  ],
  [
    'DK-PHMR-13-040',
    'organizer BATTERY',
    WEIGHT,
    (t) =>
      t.replace(
        '<organizer classCode="CLUSTER" moodCode="EVN">\n              <templateId root="2.16.840.1.113883.10.20.1.35"/>',
        '<organizer classCode="BATTERY" moodCode="EVN">\n              <templateId root="2.16.840.1.113883.10.20.1.35"/>'
      ),
  ],
  [
    'DK-PHMR-13-041',
    'organizer active',
    WEIGHT,
    (t) =>
      t.replace(
        '<statusCode code="completed"/>\n              <effectiveTime value="20260303071200',
        '<statusCode code="active"/>\n              <effectiveTime value="20260303071200'
      ),
  ],
  [
    'DK-PHMR-13-042',
    'organizer without time',
    WEIGHT,
    (t) => t.replace('<effectiveTime value="20260303071200+0100"/>', ''),
  ],
  [
    'DK-PHMR-13-043',
    'organizer without observation',
    WEIGHT,
    (t) => t.replace(/(<effectiveTime value="20260303071200\+0100"\/>)\s*<component[\s\S]*?<\/component>/, '$1'),
  ],
  [
    'DK-PHMR-13-044',
    'nullified without comment',
    NULLIFIED,
    (t) => t.replace(/<entryRelationship typeCode="COMP"[\s\S]*?<\/entryRelationship>/, ''),
  ],
  [
    'DK-PHMR-13-045',
    'observation COND',
    WEIGHT,
    (t) => t.replace('<observation classCode="OBS"', '<observation classCode="COND"'),
  ],
  [
    'DK-PHMR-13-046',
    'observation without CCD templateId',
    WEIGHT,
    (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.1.31"/>', ''),
  ],
  [
    'DK-PHMR-13-047',
    'observation without id',
    WEIGHT,
    (t) =>
      t.replace(
        '<id root="1.2.208.184" extension="7941016b-4b40-43e1-89ad-76a2178067bd" assigningAuthorityName="MedCom"/>',
        ''
      ),
  ],
  [
    'DK-PHMR-13-048',
    'measurement not NPU/MCS',
    WEIGHT,
    (t) =>
      t.replace(
        '<translation code="NPU03804" codeSystem="1.2.208.176.2.1"',
        '<translation code="NPU03804" codeSystem="1.2.208.176.2.2"'
      ),
  ],
  [
    'DK-PHMR-13-049',
    'observation active',
    WEIGHT,
    (t) =>
      t.replace(
        '<statusCode code="completed"/>\n                  <value',
        '<statusCode code="active"/>\n                  <value'
      ),
  ],
  ['DK-PHMR-13-050', 'value ST', WEIGHT, (t) => t.replace('xsi:type="PQ" value="82.6"', 'xsi:type="ST" value="82.6"')],
  ['DK-PHMR-13-051', 'value NaN', WEIGHT, (t) => t.replace('value="82.6"', 'value="NaN"')],
  ['DK-PHMR-13-052', 'value without unit', WEIGHT, (t) => t.replace('value="82.6" unit="kg"', 'value="82.6"')],
  ['DK-PHMR-13-053', 'unit NA', WEIGHT, (t) => t.replace('value="82.6" unit="kg"', 'value="82.6" unit="NA"')],
  ['DK-PHMR-13-054', 'one methodCode', WEIGHT, (t) => t.replace(/<methodCode code="AUT"[^>]*\/>/, '')],
  [
    'DK-PHMR-13-055',
    'methodCode code system',
    WEIGHT,
    (t) => t.replace('code="POT" codeSystem="1.2.208.184.100.1"', 'code="POT" codeSystem="1.2.208.184.100.2"'),
  ],
  [
    'DK-PHMR-13-056',
    'no performer methodCode',
    WEIGHT,
    (t) => t.replace('methodCode code="POT"', 'methodCode code="XXX"'),
  ],
  [
    'DK-PHMR-13-057',
    'no provision methodCode',
    WEIGHT,
    (t) => t.replace('methodCode code="AUT"', 'methodCode code="XXX"'),
  ],
  ['DK-PHMR-13-058', 'methodCode TPR', WEIGHT, (t) => t.replace('methodCode code="AUT"', 'methodCode code="TPR"')],
  [
    'DK-PHMR-13-059',
    'device organizer BATTERY',
    WEIGHT,
    (t) =>
      t.replace(
        '<organizer classCode="CLUSTER" moodCode="EVN">\n              <templateId root="2.16.840.1.113883.10.20.9.4"/>',
        '<organizer classCode="BATTERY" moodCode="EVN">\n              <templateId root="2.16.840.1.113883.10.20.9.4"/>'
      ),
  ],
  [
    'DK-PHMR-13-060',
    'device participant not SBJ',
    WEIGHT,
    (t) => t.replace('participant typeCode="SBJ"', 'participant typeCode="DEV"'),
  ],
  [
    'DK-PHMR-13-061',
    'device without PHMR templateId',
    WEIGHT,
    (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.9.9"/>', ''),
  ],
  ['DK-PHMR-13-062', 'device without id', WEIGHT, (t) => t.replace(/<id root="1\.2\.840\.10004[^>]*\/>/, '')],
  [
    'DK-PHMR-13-063',
    'playingDevice not DEV',
    WEIGHT,
    (t) => t.replace('<playingDevice classCode="DEV"', '<playingDevice classCode="MODDV"'),
  ],
  [
    'DK-PHMR-13-064',
    'device without model',
    WEIGHT,
    (t) => t.replace(/<manufacturerModelName>[^<]*<\/manufacturerModelName>/, ''),
  ],
  [
    'DK-PHMR-13-065',
    'measurement before the monitoring period',
    WEIGHT,
    (t) => t.replace('<effectiveTime value="20260303071200+0100"/>', '<effectiveTime value="20260302071200+0100"/>'),
  ],
  [
    'DK-PHMR-13-014',
    'name without family, patient without classCode',
    WEIGHT,
    (t) =>
      t
        .replace('<patient classCode="PSN" determinerCode="INSTANCE">', '<patient>')
        .replace('<family>Mikkelsen</family>', ''),
  ],
  [
    'DK-PHMR-13-031',
    'marker template with qrd-v1.3',
    WEIGHT,
    marker('classCode="MPROT" moodCode="EVN"', '1.2.208.184.10.1.10', '1.2.208.184.100.10', 'qrd-v1.3'),
  ],
  // HL7 PHMR header clauses (CONF-PHMR-n)
  ['DK-PHMR-13-066', 'no title', WEIGHT, (t) => t.replace('<title>Hjemmemonitorering for 1403552970</title>', '')],
  ['DK-PHMR-13-067', 'no languageCode', WEIGHT, (t) => t.replace('<languageCode code="da-DK"/>', '')],
  [
    'DK-PHMR-13-067',
    'languageCode not nn-CC',
    WEIGHT,
    (t) => t.replace('languageCode code="da-DK"', 'languageCode code="da_DK"'),
  ],
  [
    'DK-PHMR-13-068',
    'document time of day without a time zone',
    WEIGHT,
    (t) => t.replace('<effectiveTime value="20260305093000+0100"/>', '<effectiveTime value="20260305093000"/>'),
  ],
  [
    'DK-PHMR-13-068',
    'author time with the year only',
    WEIGHT,
    (t) =>
      t.replace(
        '<time value="20260305093000+0100"/>\n    <assignedAuthor',
        '<time value="2026"/>\n    <assignedAuthor'
      ),
  ],
  [
    'DK-PHMR-13-069',
    'setId without versionNumber',
    WEIGHT,
    (t) =>
      t.replace(
        '<languageCode code="da-DK"/>',
        `<languageCode code="da-DK"/>\n  <setId root="1.2.208.184" extension="0b0f8f4e-5d0c-4c55-9d43-0f3d3a1f2e11"/>`
      ),
  ],
  [
    'DK-PHMR-13-070',
    'setId equal to the document id',
    WEIGHT,
    (t) =>
      t.replace(
        '<languageCode code="da-DK"/>',
        `<languageCode code="da-DK"/>\n  <setId root="1.2.208.184" extension="d77e8527-adc8-4182-aaec-a9a05f0b536f"/>\n  <versionNumber value="2"/>`
      ),
  ],
  [
    'DK-PHMR-13-071',
    'copyTime',
    WEIGHT,
    (t) =>
      t.replace(
        '<languageCode code="da-DK"/>',
        `<languageCode code="da-DK"/>\n  <copyTime value="20260305093000+0100"/>`
      ),
  ],
  [
    'DK-PHMR-13-072',
    'patient without birthTime',
    WEIGHT,
    (t) => t.replace('<birthTime value="19550314000000+0000"/>', ''),
  ],
  [
    'DK-PHMR-13-073',
    'patient without administrativeGenderCode',
    WEIGHT,
    (t) => t.replace('<administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>', ''),
  ],
  [
    'DK-PHMR-13-074',
    'author person without a name',
    WEIGHT,
    (t) => t.replace(/<name>\s*<prefix>Sygeplejerske[\s\S]*?<\/name>/, ''),
  ],
  [
    'DK-PHMR-13-075',
    'custodian organisation without telecom',
    WEIGHT,
    (t) => t.replace(/(<representedCustodianOrganization[\s\S]*?)<telecom[^>]*\/>/, '$1'),
  ],
  [
    'DK-PHMR-13-076',
    'author neither person nor device',
    WEIGHT,
    (t) =>
      t.replace(
        /<assignedPerson classCode="PSN" determinerCode="INSTANCE">\s*<name>\s*<prefix>Sygeplejerske[\s\S]*?<\/assignedPerson>/,
        ''
      ),
  ],
  [
    'DK-PHMR-13-077',
    'dataEnterer without a person',
    WEIGHT,
    (t) => t.replace('</author>', `</author>\n  ${DATA_ENTERER_WITHOUT_PERSON}`),
  ],
  [
    'DK-PHMR-13-078',
    'informant without a person',
    WEIGHT,
    (t) => t.replace('</author>', `</author>\n  ${INFORMANT_WITHOUT_PERSON}`),
  ],
  [
    'DK-PHMR-13-079',
    'intendedRecipient naming nobody',
    WEIGHT,
    (t) => t.replace('</custodian>', `</custodian>\n  ${RECIPIENT_WITHOUT_PARTY}`),
  ],
  ['DK-PHMR-13-080', 'nonXMLBody', WEIGHT, (t) => t.replace(/<structuredBody[\s\S]*<\/structuredBody>/, NON_XML_BODY)],
  [
    'DK-PHMR-13-081',
    'monitoring period starting with a two-digit year',
    WEIGHT,
    (t) => t.replace('<low value="20260303071200+0100"/>', '<low value="20"/>'),
  ],
  [
    'DK-PHMR-13-082',
    'device as the only author',
    WEIGHT,
    (t) =>
      t.replace(/<assignedPerson classCode="PSN" determinerCode="INSTANCE">[\s\S]*?<\/assignedPerson>/, DEVICE_AUTHOR),
  ],
];

describe('dk-phmr-1.3 valid samples', () => {
  it('compiles without warnings', async () => {
    await expectCleanCompile('dk-phmr-1.3', new Set(CASES.map(([id]) => id)).size);
  });

  it.each(VALID)('%s has no findings', async (file) => {
    await expectNoFindings('dk-phmr-1.3', file);
  });
});

describe('dk-phmr-1.3 rules', () => {
  it.each(CASES)('%s fires alone: %s', async (id, _what, sample, edit) => {
    const found = await findingsOfLoneRule('dk-phmr-1.3', id, sample, edit);
    expect(found.map((i) => i.severity)).toEqual(found.map(() => (WARNINGS.has(id) ? 'warning' : 'error')));
    expect(found.every((i) => (i.see ?? '') !== '' && !i.message.includes('\n'))).toBe(true);
  });

  it('reports the clause and the value found', async () => {
    const issues = await check(
      'dk-phmr-1.3',
      mutate(readSample(WEIGHT), (t) => t.replace('<given>Hanne</given>', '<given qualifier="CL">Hanne</given>'))
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.see).toBe('CONF-PHMR-DK-8');
    expect(issues[0]?.message).toContain('qualifier="CL"');
  });
});

describe('dk-phmr-1.3 accepted variants', () => {
  const accepted: [string, Edit][] = [
    ['a CPR replacement number (day + 60)', (t) => t.replace('extension="1403552970"', 'extension="7403552970"')],
    ['a CPR born 29 February 2000', (t) => t.replace('extension="1403552970"', 'extension="2902001234"')],
    [
      'a standard phmr-v1.3 version marker',
      marker('classCode="MPROT" moodCode="EVN"', '1.2.208.184.10.1.10', '1.2.208.184.100.10', 'phmr-v1.3'),
    ],
    [
      'the patient as author (CPR + SELF)',
      (t) =>
        t.replace(
          '<id root="1.2.208.176.1.1" extension="764521000016003" assigningAuthorityName="SOR"/>',
          '<id root="1.2.208.176.1.2" extension="1403552970" assigningAuthorityName="CPR"/><code code="SELF" codeSystem="2.16.840.1.113883.5.111"/>'
        ),
    ],
    [
      'a measurement at the start of the period, in another time zone',
      (t) => t.replace('<effectiveTime value="20260303071200+0100"/>', '<effectiveTime value="20260303061200+0000"/>'),
    ],
    [
      'a playingDevice without classCode (the schema default is DEV)',
      (t) => t.replace('<playingDevice classCode="DEV"', '<playingDevice'),
    ],
    [
      'a serviceEvent classCode outside the schema value set (left to the XSD stage)',
      (t) => t.replace('<serviceEvent classCode="MPROT"', '<serviceEvent classCode="MONITOR"'),
    ],
    ['an address use with both H and WP', (t) => t.replace('<addr use="H">', '<addr use="H WP">')],
    ['a work-place address', (t) => t.replace('<addr use="H">', '<addr use="WP">')],
  ];
  it.each(accepted)('accepts %s', async (_what, edit) => {
    const issues = await check('dk-phmr-1.3', mutate(readSample(WEIGHT), edit));
    expect(firedRuleIds(issues)).toEqual([]);
  });

  it.each(['dk-phmr-1.3/invalid/bad-mood-code.xml', 'dk-phmr-1.3/invalid/decimal-comma-value.xml'])(
    'leaves values the XML Schema rejects to the XSD stage (%s)',
    async (file) => {
      expect(firedRuleIds(await check('dk-phmr-1.3', readSample(file)))).toEqual([]);
    }
  );

  it('rejects a CPR date that exists in neither century (29 February 2001/1901)', async () => {
    const issues = await check(
      'dk-phmr-1.3',
      mutate(readSample(WEIGHT), (t) => t.replace('extension="1403552970"', 'extension="2902011234"'))
    );
    expect(firedRuleIds(issues)).toEqual(['DK-PHMR-13-013']);
  });
});
