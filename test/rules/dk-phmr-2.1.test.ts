// DK PHMR 2.1 rules: the valid samples pass, and each rule fires alone on a sample broken in one place.
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

const VALID = ['dk-phmr-2.1/valid/blood-pressure-saturation-fev1.xml', 'dk-phmr-2.1/valid/weight.xml'];
const WEIGHT = 'dk-phmr-2.1/valid/weight.xml';
const BP = 'dk-phmr-2.1/valid/blood-pressure-saturation-fev1.xml';

type Edit = (t: string) => string;

/** Replaces a string inside the legalAuthenticator only. */
const inLegalAuthenticator =
  (from: string, to: string): Edit =>
  (t) =>
    t.replace(/<legalAuthenticator[\s\S]*?<\/legalAuthenticator>/, (block) => block.replace(from, to));

const OBSERVATION_CODE =
  '<code code="NPU03804" codeSystem="1.2.208.176.2.1" codeSystemName="NPU terminologien" displayName="Legeme masse; Pt"/>\n                  <statusCode';

/** Rules reported as warnings; every other rule is an error (docs/rules-phmr.md gives the reasons). */
const WARNINGS = new Set([
  'DK-PHMR-21-010',
  'DK-PHMR-21-013',
  'DK-PHMR-21-020',
  'DK-PHMR-21-029',
  'DK-PHMR-21-044',
  'DK-PHMR-21-053',
  'DK-PHMR-21-054',
  'DK-PHMR-21-059',
  'DK-PHMR-21-060',
  'DK-PHMR-21-069',
  'DK-PHMR-21-078',
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
  ['DK-PHMR-21-001', 'realmCode SE', WEIGHT, (t) => t.replace('<realmCode code="DK"/>', '<realmCode code="SE"/>')],
  [
    'DK-PHMR-21-002',
    'no PHMR templateId',
    WEIGHT,
    (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.9"/>', ''),
  ],
  [
    'DK-PHMR-21-003',
    'no DK templateId',
    WEIGHT,
    (t) => t.replace('<templateId root="1.2.208.184.11.1"/>\n  <id', '<id'),
  ],
  [
    'DK-PHMR-21-004',
    'document id UUID v1',
    WEIGHT,
    (t) =>
      t.replace('extension="21ba20d3-fb30-4c76-9d5d-4c8ecd21c219"', 'extension="21ba20d3-fb30-1c76-9d5d-4c8ecd21c219"'),
  ],
  ['DK-PHMR-21-005', 'wrong document code', WEIGHT, (t) => t.replace('code="53576-5"', 'code="53576-6"')],
  [
    'DK-PHMR-21-006',
    'wrong codeSystemName',
    WEIGHT,
    (t) =>
      t.replace(
        'codeSystemName="LOINC"\n    displayName="Personal',
        'codeSystemName="loinc"\n    displayName="Personal'
      ),
  ],
  [
    'DK-PHMR-21-007',
    'wrong displayName',
    WEIGHT,
    (t) => t.replace('displayName="Personal Health Monitoring Report"', 'displayName="PHMR"'),
  ],
  [
    'DK-PHMR-21-008',
    'title with CPR',
    WEIGHT,
    (t) => t.replace('<title>Hjemmemålinger</title>', '<title>Hjemmemålinger for 3009840931</title>'),
  ],
  [
    'DK-PHMR-21-009',
    'confidentiality R',
    WEIGHT,
    (t) => t.replace('confidentialityCode code="N"', 'confidentialityCode code="R"'),
  ],
  [
    'DK-PHMR-21-010',
    'language en-US',
    WEIGHT,
    (t) => t.replace('languageCode code="da-DK"', 'languageCode code="en-US"'),
  ],
  [
    'DK-PHMR-21-011',
    'two recordTargets',
    WEIGHT,
    (t) => t.replace(/<recordTarget[\s\S]*?<\/recordTarget>/, (m) => m + m),
  ],
  [
    'DK-PHMR-21-012',
    'patient id not CPR',
    WEIGHT,
    (t) => t.replace('root="1.2.208.176.1.2" extension="3009840931"', 'root="1.2.208.176.1.22" extension="3009840931"'),
  ],
  [
    'DK-PHMR-21-013',
    'CPR authority name',
    WEIGHT,
    (t) =>
      t.replace(
        'extension="3009840931" assigningAuthorityName="CPR"',
        'extension="3009840931" assigningAuthorityName="cpr"'
      ),
  ],
  ['DK-PHMR-21-014', 'CPR with hyphen', WEIGHT, (t) => t.replace('extension="3009840931"', 'extension="300984-0931"')],
  ['DK-PHMR-21-015', 'CPR 31 September', WEIGHT, (t) => t.replace('extension="3009840931"', 'extension="3109840931"')],
  ['DK-PHMR-21-016', 'name without family', WEIGHT, (t) => t.replace('<family>Lauridsen</family>', '')],
  ['DK-PHMR-21-017', 'name without given', WEIGHT, (t) => t.replace('<given>Mette</given>', '')],
  [
    'DK-PHMR-21-018',
    'two prefixes',
    BP,
    (t) => t.replace('<prefix>Sygeplejerske</prefix>', '<prefix>Sygeplejerske</prefix><prefix>cand.cur.</prefix>'),
  ],
  [
    'DK-PHMR-21-019',
    'name part qualifier',
    WEIGHT,
    (t) => t.replace('<given>Mette</given>', '<given qualifier="CL">Mette</given>'),
  ],
  ['DK-PHMR-21-020', 'address without use', WEIGHT, (t) => t.replace('<addr use="H">', '<addr>')],
  ['DK-PHMR-21-021', 'address use PST', WEIGHT, (t) => t.replace('<addr use="H">', '<addr use="PST">')],
  [
    'DK-PHMR-21-022',
    'address without street line',
    WEIGHT,
    (t) => t.replace('<streetAddressLine>Fjordvej 31</streetAddressLine>', ''),
  ],
  [
    'DK-PHMR-21-023',
    'author id not SOR',
    BP,
    (t) =>
      t.replace(
        '<id root="1.2.208.176.1.1" extension="764571000016009"',
        '<id root="1.2.208.176.1" extension="764571000016009"'
      ),
  ],
  [
    'DK-PHMR-21-024',
    'CPR author without SELF',
    WEIGHT,
    (t) =>
      t.replace(
        '<code code="SELF" codeSystem="2.16.840.1.113883.5.111" codeSystemName="HL7 Role code" displayName="self"/>',
        ''
      ),
  ],
  [
    'DK-PHMR-21-025',
    'author organisation without name',
    WEIGHT,
    (t) => t.replace('<name>Telemedicinsk Center, Eksempel Kommune</name>', '<name/>'),
  ],
  [
    'DK-PHMR-21-026',
    'custodian id not SOR',
    WEIGHT,
    (t) =>
      t.replace(
        '<id root="1.2.208.176.1.1" extension="764581000016007"',
        '<id root="1.2.208.176.1" extension="764581000016007"'
      ),
  ],
  [
    'DK-PHMR-21-027',
    'custodian without name',
    WEIGHT,
    (t) => t.replace('<name>Eksempel Kommune, Sundhed og Omsorg</name>', '<name> </name>'),
  ],
  [
    'DK-PHMR-21-028',
    'legalAuthenticator id not SOR',
    BP,
    inLegalAuthenticator('<id root="1.2.208.176.1.1"', '<id root="1.2.208.176.1"'),
  ],
  [
    'DK-PHMR-21-029',
    'legalAuthenticator without person name',
    BP,
    (t) => t.replace(/<name>\s*<prefix>Læge[\s\S]*?<\/name>/, ''),
  ],
  [
    'DK-PHMR-21-030',
    'monitoring period without high',
    WEIGHT,
    (t) => t.replace('<high value="20260402070300+0200"/>', ''),
  ],
  [
    'DK-PHMR-21-031',
    'serviceEvent PCPR',
    WEIGHT,
    (t) => t.replace('<serviceEvent classCode="MPROT"', '<serviceEvent classCode="PCPR"'),
  ],
  [
    'DK-PHMR-21-032',
    'no version marker',
    WEIGHT,
    (t) =>
      t.replace(
        /<documentationOf typeCode="DOC">\s*<serviceEvent classCode="MPROT" moodCode="EVN">\s*<templateId root="1\.2\.208\.184\.10\.1\.10"\/>[\s\S]*?<\/documentationOf>/,
        ''
      ),
  ],
  [
    'DK-PHMR-21-033',
    'version marker phmr-v1.3',
    WEIGHT,
    (t) => t.replace('extension="phmr-v2.1"', 'extension="phmr-v1.3"'),
  ],
  [
    'DK-PHMR-21-034',
    'Vital Signs section twice',
    WEIGHT,
    (t) =>
      t.replace(
        /<component typeCode="COMP" contextConductionInd="true">\s*<section[\s\S]*?<\/section>\s*<\/component>/,
        (m) => m + m
      ),
  ],
  [
    'DK-PHMR-21-035',
    'Medical Equipment section code',
    WEIGHT,
    (t) => t.replace('<code code="8716-3"', '<code code="46264-8"'),
  ],
  ['DK-PHMR-21-036', 'section without title', WEIGHT, (t) => t.replace('<title>Vital Signs</title>', '<title/>')],
  ['DK-PHMR-21-037', 'section without text', WEIGHT, (t) => t.replace(/<text>[\s\S]*?<\/text>/, '')],
  ['DK-PHMR-21-038', 'section without entry', WEIGHT, (t) => t.replace(/<entry[\s\S]*<\/entry>/, '')],
  [
    'DK-PHMR-21-039',
    'entry not a measurement organizer',
    WEIGHT,
    (t) =>
      t.replace(
        '<templateId root="2.16.840.1.113883.10.20.1.35"/>',
        '<templateId root="2.16.840.1.113883.10.20.1.36"/>'
      ),
  ],
  [
    'DK-PHMR-21-040',
    'organizer BATTERY',
    WEIGHT,
    (t) => t.replace('<organizer classCode="CLUSTER"', '<organizer classCode="BATTERY"'),
  ],
  [
    'DK-PHMR-21-041',
    'organizer active',
    WEIGHT,
    (t) =>
      t.replace(
        '<statusCode code="completed"/>\n              <effectiveTime',
        '<statusCode code="active"/>\n              <effectiveTime'
      ),
  ],
  [
    'DK-PHMR-21-042',
    'organizer without time',
    WEIGHT,
    (t) => t.replace('<effectiveTime value="20260401065500+0200"/>', ''),
  ],
  [
    'DK-PHMR-21-043',
    'organizer without observation',
    WEIGHT,
    (t) => t.replace(/(<effectiveTime value="20260401065500\+0200"\/>)\s*<component[\s\S]*?<\/component>/, '$1'),
  ],
  [
    'DK-PHMR-21-044',
    'nullified without comment',
    WEIGHT,
    (t) =>
      t.replace(
        '<statusCode code="completed"/>\n              <effectiveTime',
        '<statusCode code="nullified"/>\n              <effectiveTime'
      ),
  ],
  [
    'DK-PHMR-21-045',
    'observation COND',
    WEIGHT,
    (t) => t.replace('<observation classCode="OBS"', '<observation classCode="COND"'),
  ],
  [
    'DK-PHMR-21-046',
    'observation without PHMR templateId',
    WEIGHT,
    (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.9.8"/>', ''),
  ],
  [
    'DK-PHMR-21-047',
    'observation without id',
    WEIGHT,
    (t) => t.replace(/<id root="1\.2\.208\.184" extension="b9edf274[^>]*\/>/, ''),
  ],
  [
    'DK-PHMR-21-048',
    'observation code as 1.3 translation',
    WEIGHT,
    (t) =>
      t.replace(
        OBSERVATION_CODE,
        '<code nullFlavor="NI" codeSystem="2.16.840.1.113883.6.96"><translation code="NPU03804" codeSystem="1.2.208.176.2.1"/></code>\n                  <statusCode'
      ),
  ],
  [
    'DK-PHMR-21-049',
    'measurement code not in header',
    WEIGHT,
    (t) =>
      t.replace(
        /<documentationOf typeCode="DOC">\s*<serviceEvent classCode="MPROT" moodCode="EVN">\s*<code code="NPU03804"[\s\S]*?<\/documentationOf>/,
        ''
      ),
  ],
  [
    'DK-PHMR-21-050',
    'observation active',
    WEIGHT,
    (t) =>
      t.replace(
        '<statusCode code="completed"/>\n                  <value',
        '<statusCode code="active"/>\n                  <value'
      ),
  ],
  ['DK-PHMR-21-051', 'value ST', WEIGHT, (t) => t.replace('xsi:type="PQ" value="68.9"', 'xsi:type="ST" value="68.9"')],
  ['DK-PHMR-21-052', 'value NaN', WEIGHT, (t) => t.replace('value="68.9"', 'value="NaN"')],
  ['DK-PHMR-21-053', 'value without unit', WEIGHT, (t) => t.replace('value="68.9" unit="kg"', 'value="68.9"')],
  ['DK-PHMR-21-054', 'unit mmHg', BP, (t) => t.replace('value="128" unit="mm[Hg]"', 'value="128" unit="mmHg"')],
  ['DK-PHMR-21-055', 'one methodCode', WEIGHT, (t) => t.replace(/<methodCode code="AUT"[^>]*\/>/, '')],
  [
    'DK-PHMR-21-056',
    'methodCode code system',
    WEIGHT,
    (t) => t.replace('code="POT" codeSystem="1.2.208.184.100.1"', 'code="POT" codeSystem="1.2.208.184.100.2"'),
  ],
  [
    'DK-PHMR-21-057',
    'no performer methodCode',
    WEIGHT,
    (t) => t.replace('methodCode code="POT"', 'methodCode code="XXX"'),
  ],
  [
    'DK-PHMR-21-058',
    'no provision methodCode',
    WEIGHT,
    (t) => t.replace('methodCode code="AUT"', 'methodCode code="XXX"'),
  ],
  ['DK-PHMR-21-059', 'methodCode TPR', WEIGHT, (t) => t.replace('methodCode code="AUT"', 'methodCode code="TPR"')],
  [
    'DK-PHMR-21-060',
    'measurement after the monitoring period',
    WEIGHT,
    (t) => t.replace('<effectiveTime value="20260401065500+0200"/>', '<effectiveTime value="20260403065500+0200"/>'),
  ],
  // HL7 PHMR header clauses (CONF-PHMR-n)
  ['DK-PHMR-21-061', 'no languageCode', WEIGHT, (t) => t.replace('<languageCode code="da-DK"/>', '')],
  [
    'DK-PHMR-21-061',
    'languageCode not nn-CC',
    WEIGHT,
    (t) => t.replace('languageCode code="da-DK"', 'languageCode code="da_DK"'),
  ],
  [
    'DK-PHMR-21-062',
    'document time of day without a time zone',
    WEIGHT,
    (t) => t.replace('<effectiveTime value="20260402081000+0200"/>', '<effectiveTime value="20260402081000"/>'),
  ],
  [
    'DK-PHMR-21-062',
    'author time with the year only',
    WEIGHT,
    (t) =>
      t.replace(
        '<time value="20260402081000+0200"/>\n    <assignedAuthor',
        '<time value="2026"/>\n    <assignedAuthor'
      ),
  ],
  [
    'DK-PHMR-21-063',
    'setId without versionNumber',
    WEIGHT,
    (t) =>
      t.replace(
        '<languageCode code="da-DK"/>',
        `<languageCode code="da-DK"/>\n  <setId root="1.2.208.184" extension="0b0f8f4e-5d0c-4c55-9d43-0f3d3a1f2e11"/>`
      ),
  ],
  [
    'DK-PHMR-21-064',
    'setId equal to the document id',
    WEIGHT,
    (t) =>
      t.replace(
        '<languageCode code="da-DK"/>',
        `<languageCode code="da-DK"/>\n  <setId root="1.2.208.184" extension="21ba20d3-fb30-4c76-9d5d-4c8ecd21c219"/>\n  <versionNumber value="2"/>`
      ),
  ],
  [
    'DK-PHMR-21-065',
    'copyTime',
    WEIGHT,
    (t) =>
      t.replace(
        '<languageCode code="da-DK"/>',
        `<languageCode code="da-DK"/>\n  <copyTime value="20260402081000+0200"/>`
      ),
  ],
  [
    'DK-PHMR-21-066',
    'patient without birthTime',
    WEIGHT,
    (t) => t.replace('<birthTime value="19840930000000+0000"/>', ''),
  ],
  [
    'DK-PHMR-21-067',
    'patient without administrativeGenderCode',
    WEIGHT,
    (t) => t.replace('<administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>', ''),
  ],
  [
    'DK-PHMR-21-068',
    'author person without a name',
    WEIGHT,
    (t) => t.replace(/<name>\s*<given>Mette<\/given>\s*<family>Lauridsen<\/family>\s*<\/name>/, ''),
  ],
  [
    'DK-PHMR-21-069',
    'custodian organisation without telecom (warning in 2.1)',
    WEIGHT,
    (t) => t.replace(/(<representedCustodianOrganization[\s\S]*?)<telecom[^>]*\/>/, '$1'),
  ],
  [
    'DK-PHMR-21-070',
    'author neither person nor device',
    WEIGHT,
    (t) => t.replace(/<assignedPerson classCode="PSN" determinerCode="INSTANCE">[\s\S]*?<\/assignedPerson>/, ''),
  ],
  [
    'DK-PHMR-21-071',
    'dataEnterer without a person',
    WEIGHT,
    (t) => t.replace('</author>', `</author>\n  ${DATA_ENTERER_WITHOUT_PERSON}`),
  ],
  [
    'DK-PHMR-21-072',
    'informant without a person',
    WEIGHT,
    (t) => t.replace('</author>', `</author>\n  ${INFORMANT_WITHOUT_PERSON}`),
  ],
  [
    'DK-PHMR-21-073',
    'intendedRecipient naming nobody',
    WEIGHT,
    (t) => t.replace('</custodian>', `</custodian>\n  ${RECIPIENT_WITHOUT_PARTY}`),
  ],
  ['DK-PHMR-21-074', 'nonXMLBody', WEIGHT, (t) => t.replace(/<structuredBody[\s\S]*<\/structuredBody>/, NON_XML_BODY)],
  [
    'DK-PHMR-21-075',
    'document id without root',
    WEIGHT,
    (t) => t.replace('<id root="1.2.208.184" extension="21ba20d3', '<id extension="21ba20d3'),
  ],
  [
    'DK-PHMR-21-076',
    'document id without assigningAuthorityName',
    WEIGHT,
    (t) =>
      t.replace(
        'extension="21ba20d3-fb30-4c76-9d5d-4c8ecd21c219" assigningAuthorityName="MedCom"',
        'extension="21ba20d3-fb30-4c76-9d5d-4c8ecd21c219"'
      ),
  ],
  [
    'DK-PHMR-21-077',
    'monitoring period starting with a two-digit year',
    WEIGHT,
    (t) => t.replace('<low value="20260401065500+0200"/>', '<low value="20"/>'),
  ],
  [
    'DK-PHMR-21-078',
    'device as the only author',
    WEIGHT,
    (t) =>
      t.replace(/<assignedPerson classCode="PSN" determinerCode="INSTANCE">[\s\S]*?<\/assignedPerson>/, DEVICE_AUTHOR),
  ],
];

describe('dk-phmr-2.1 valid samples', () => {
  it('compiles without warnings', async () => {
    await expectCleanCompile('dk-phmr-2.1', new Set(CASES.map(([id]) => id)).size);
  });

  it.each(VALID)('%s has no findings', async (file) => {
    await expectNoFindings('dk-phmr-2.1', file);
  });
});

describe('dk-phmr-2.1 rules', () => {
  it.each(CASES)('%s fires alone: %s', async (id, _what, sample, edit) => {
    const found = await findingsOfLoneRule('dk-phmr-2.1', id, sample, edit);
    expect(found.map((i) => i.severity)).toEqual(found.map(() => (WARNINGS.has(id) ? 'warning' : 'error')));
    expect(found.every((i) => (i.see ?? '') !== '' && !i.message.includes('\n'))).toBe(true);
  });
});

describe('dk-phmr-2.1 accepted variants', () => {
  const accepted: [string, string, Edit][] = [
    [
      'a CPR replacement number (day + 60)',
      WEIGHT,
      (t) => t.replaceAll('extension="3009840931"', 'extension="9009840931"'),
    ],
    [
      'a Results section alone',
      BP,
      (t) =>
        t.replace(
          /<component typeCode="COMP" contextConductionInd="true">\s*<section[\s\S]*?<\/section>\s*<\/component>/,
          ''
        ),
    ],
    [
      // MedCom's 2.1.0 examples leave it out; CDA makes it optional.
      'a measurement observation without statusCode',
      WEIGHT,
      (t) => t.replace('<statusCode code="completed"/>\n                  <value', '<value'),
    ],
    [
      // The XDS authorInstitution id can come from assignedAuthor/id (MedCom's examples do this).
      'an author organisation with a name only, the SOR id on assignedAuthor',
      BP,
      (t) => t.replace(/(<representedOrganization[^>]*>)\s*<id [^>]*\/>/, '$1'),
    ],
    [
      'an upper-case UUID',
      WEIGHT,
      (t) =>
        t.replace(
          'extension="21ba20d3-fb30-4c76-9d5d-4c8ecd21c219"',
          'extension="21BA20D3-FB30-4C76-9D5D-4C8ECD21C219"'
        ),
    ],
  ];
  it.each(accepted)('accepts %s', async (_what, sample, edit) => {
    const issues = await check('dk-phmr-2.1', mutate(readSample(sample), edit));
    expect(firedRuleIds(issues)).toEqual([]);
  });

  it.each([
    'dk-phmr-2.1/invalid/custodian-without-organization.xml',
    'dk-phmr-2.1/invalid/iso-8601-timestamp.xml',
    'dk-phmr-2.1/invalid/status-code-attribute.xml',
  ])('leaves what the XML Schema rejects to the XSD stage (%s)', async (file) => {
    expect(firedRuleIds(await check('dk-phmr-2.1', readSample(file)))).toEqual([]);
  });
});
