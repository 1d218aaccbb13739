// DK QRD 1.3 rules (schematron/dk-qrd-1.3.sch): the valid samples pass, and each rule fires alone on a sample with one defect.
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

const COPD = 'dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml';
const SLIDERS = 'dk-qrd-1.3/valid/fatigue-pain-sliders.xml';
type Sample = typeof COPD | typeof SLIDERS;

/** A copyright section (not in the samples), inserted as the last section; `edit` breaks it. */
function withCopyright(text: string, edit: (section: string) => string = (s) => s): string {
  const section =
    '<component><section><templateId root="2.16.840.1.113883.10.20.32.2.2"/><title>Ophavsret</title>' +
    '<text>Fiktivt eksempel.</text><entry typeCode="DRIV"><observation classCode="OBS" moodCode="EVN">' +
    '<templateId root="2.16.840.1.113883.10.20.32.4.21"/><code code="COPY" codeSystem="2.16.840.1.113883.5.4"/>' +
    '<value xsi:type="ST">Fiktivt eksempel.</value></observation></entry></section></component>';
  return text.replace('</structuredBody>', `${edit(section)}</structuredBody>`);
}

/** The author's assignedAuthor/id element (the patient's id has the same text). */
const AUTHOR_ID = /(<assignedAuthor classCode="ASSIGNED">\s*)(<id [^>]*\/>)/;
const SELF_CODE =
  '<code code="SELF" codeSystem="2.16.840.1.113883.5.111" codeSystemName="HL7 Role code" displayName="self"/>';
const RESPONSE_SECTION =
  /<component typeCode="COMP" contextConductionInd="true">\s*<section classCode="DOCSECT" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.33.2.1"\/>[\s\S]*?<\/section>\s*<\/component>/;
const LEGAL =
  '<legalAuthenticator><time value="20260323191500+0100"/><signatureCode code="S"/>' +
  '<assignedEntity><id nullFlavor="NI"/></assignedEntity></legalAuthenticator>';
const AUTHENTICATOR = LEGAL.replace(/legalAuthenticator/g, 'authenticator');
const DATA_ENTERER =
  '<dataEnterer><assignedEntity><id root="1.2.208.176.1.1" extension="764541000016006" assigningAuthorityName="SOR"/>' +
  '<addr use="WP"><streetAddressLine>Sundvej 30</streetAddressLine><postalCode>8700</postalCode><city>Horsens</city></addr>' +
  '<telecom value="tel:+4578421600" use="WP"/><assignedPerson><name><given>Lene</given><family>Dahl</family></name>' +
  '</assignedPerson></assignedEntity></dataEnterer>';
const RECIPIENT =
  '<informationRecipient><intendedRecipient><id root="1.2.208.176.1.1" extension="764541000016006"/></intendedRecipient></informationRecipient>';
const PARTICIPANT =
  '<participant typeCode="IND"><associatedEntity classCode="NOK">' +
  '<associatedPerson><name><given>Karen</given><family>Holm</family></name></associatedPerson></associatedEntity></participant>';
/** An information recipient naming the receiving person and organisation. */
const RECIPIENT_NAMED = RECIPIENT.replace(
  '</intendedRecipient>',
  '<informationRecipient><name><given>Lene</given><family>Dahl</family></name></informationRecipient>' +
    '<receivedOrganization><id root="1.2.208.176.1.1" extension="764541000016006"/><name>Lungeklinikken</name></receivedOrganization>' +
    '</intendedRecipient>'
);
const HELP_TEXT =
  '<entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">' +
  '<templateId root="2.16.840.1.113883.10.20.32.4.19"/><code code="48767-8" codeSystem="2.16.840.1.113883.6.1"/>' +
  '<value xsi:type="ST">Skriv med dine egne ord.</value></observation></entryRelationship>';
/** The numeric response's help text (an entryRelationship). */
const NUMERIC_HELP =
  /<entryRelationship typeCode="SUBJ">\s*<observation classCode="OBS" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.32.4.19"\/>[\s\S]*?<\/entryRelationship>/;
/** The multiple choice response's options observation (an entryRelationship). */
const CHOICE_OPTIONS =
  /<entryRelationship typeCode="SUBJ">\s*<observation classCode="OBS" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.32.4.20"\/>[\s\S]*?<\/entryRelationship>/;
/** The text response observation. */
const TEXT_RESPONSE =
  /<observation classCode="OBS" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.33.4.6"\/>[\s\S]*?<\/observation>/;
/** Attaches a copy of the text response to the multiple choice response, as its associated text response. */
const withAssociatedText = (t: string, typeCode = 'REFR'): string =>
  t.replace(
    CHOICE_OPTIONS,
    (m) => `${m}<entryRelationship typeCode="${typeCode}">${TEXT_RESPONSE.exec(t)?.[0] ?? ''}</entryRelationship>`
  );
const MEDIA =
  '<entryRelationship typeCode="REFR"><observationMedia classCode="OBS" moodCode="EVN">' +
  '<templateId root="2.16.840.1.113883.10.20.33.4.2"/><value mediaType="image/png" representation="B64">iVBORw0KGgo=</value>' +
  '</observationMedia></entryRelationship>';
/** Inserts a header element after the author. */
const afterAuthor = (t: string, element: string): string => t.replace('</author>', `</author>${element}`);
/** Inserts an entryRelationship into the text response, after its value. */
const intoTextResponse = (t: string, element: string): string =>
  t.replace(/sovet dårligt i nat\.<\/value>/, `$&${element}`);

const cases: [string, Sample, (t: string) => string][] = [
  // header
  ['DK-QRD-13-001', COPD, (t) => t.replace('<realmCode code="DK"/>', '')],
  ['DK-QRD-13-002', COPD, (t) => t.replace('extension="POCD_HD000040"', 'extension="POCD_HD000041"')],
  ['DK-QRD-13-003', COPD, (t) => t.replace('<id root="1.2.208.184" extension=', '<id extension=')],
  ['DK-QRD-13-004', COPD, (t) => t.replace('code="74465-6"', 'code="74465-7"')],
  ['DK-QRD-13-005', COPD, (t) => t.replace('<title>Dagligt KOL-skema</title>', '<title> </title>')],
  ['DK-QRD-13-005', COPD, (t) => t.replace('<title>Dagligt KOL-skema</title>', '$&$&')],
  [
    'DK-QRD-13-006',
    COPD,
    (t) => t.replace('<effectiveTime value="20260323191500+0100"/>', '<effectiveTime nullFlavor="NI"/>'),
  ],
  ['DK-QRD-13-007', COPD, (t) => t.replace('<confidentialityCode code="N"', '<confidentialityCode code="R"')],
  ['DK-QRD-13-008', COPD, (t) => t.replace('<languageCode code="da-DK"/>', '')],
  ['DK-QRD-13-009', COPD, (t) => t.replace(/<templateId root="1.2.208.184.13.1.1.1"\/>/, '$&$&')],
  ['DK-QRD-13-010', COPD, (t) => t.replace('<templateId root="1.2.208.184.13.1"/>', '')],
  ['DK-QRD-13-011', COPD, (t) => t.replace(/<author [\s\S]*?<\/author>/, '')],
  ['DK-QRD-13-012', COPD, (t) => afterAuthor(t, DATA_ENTERER + DATA_ENTERER)],
  [
    'DK-QRD-13-013',
    COPD,
    (t) =>
      t.replace('</author>', '</author><informant><assignedEntity><id nullFlavor="NI"/></assignedEntity></informant>'),
  ],
  ['DK-QRD-13-014', COPD, (t) => t.replace('<documentationOf', `${LEGAL}<documentationOf`)],
  ['DK-QRD-13-015', COPD, (t) => t.replace('<documentationOf', `${AUTHENTICATOR}<documentationOf`)],
  [
    'DK-QRD-13-016',
    COPD,
    (t) =>
      t.replace(
        /<\/documentationOf>(\s*)<component/,
        '</documentationOf><documentationOf><serviceEvent/></documentationOf>$1<component'
      ),
  ],
  [
    'DK-QRD-13-017',
    COPD,
    (t) => t.replace('<structuredBody', '<nonXMLBody').replace('</structuredBody>', '</nonXMLBody>'),
  ],
  // patient
  [
    'DK-QRD-13-018',
    COPD,
    (t) =>
      t.replace(
        /<patientRole classCode="PAT">\s*<id [^>]*\/>/,
        '$&<id root="1.2.208.176.1.2" extension="2711583071"/>'
      ),
  ],
  ['DK-QRD-13-019', COPD, (t) => t.replaceAll('2711583071', '3211583071')],
  ['DK-QRD-13-020', COPD, (t) => t.replace(/<addr use="H">[\s\S]*?<\/addr>/, '')],
  ['DK-QRD-13-021', COPD, (t) => t.replace('<telecom value="tel:+4540918273" use="H"/>', '')],
  ['DK-QRD-13-022', COPD, (t) => t.replace(/<patient [\s\S]*?<\/patient>/, '')],
  ['DK-QRD-13-023', COPD, (t) => t.replace(/<name>[\s\S]*?<\/name>/, '')],
  [
    'DK-QRD-13-024',
    COPD,
    (t) => t.replace('<administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>', ''),
  ],
  ['DK-QRD-13-025', COPD, (t) => t.replace('<birthTime value="19581127000000+0000"/>', '')],
  ['DK-QRD-13-026', COPD, (t) => t.replace('19581127000000+0000', '19581131000000+0000')],
  ['DK-QRD-13-026', SLIDERS, (t) => t.replace('19840930000000+0000', '19840930120000+0100')],
  [
    'DK-QRD-13-026',
    COPD,
    (t) => t.replace('<birthTime value="19581127000000+0000"/>', '<birthTime nullFlavor="UNK"/>'),
  ],
  // author
  ['DK-QRD-13-027', COPD, (t) => t.replace(/(<author [^>]*>\s*)<time [^>]*\/>/, '$1')],
  ['DK-QRD-13-028', COPD, (t) => t.replace(/<assignedAuthor [\s\S]*?<\/assignedAuthor>/, '')],
  ['DK-QRD-13-029', COPD, (t) => t.replace(AUTHOR_ID, '$1$2$2')],
  ['DK-QRD-13-030', COPD, (t) => t.replace(AUTHOR_ID, (_m, a: string, id: string) => a + id.replace('"CPR"', '"SOR"'))],
  ['DK-QRD-13-031', COPD, (t) => t.replace(/(displayName="self"\/>\s*)<addr use="H">[\s\S]*?<\/addr>/, '$1')],
  ['DK-QRD-13-032', COPD, (t) => t.replace(/(<\/addr>\s*)<telecom [^>]*\/>(\s*<assignedPerson)/, '$1$2')],
  ['DK-QRD-13-033', COPD, (t) => t.replace(/<assignedPerson [\s\S]*?<\/assignedPerson>/, '')],
  ['DK-QRD-13-034', COPD, (t) => t.replace(/(<assignedPerson [^>]*>)\s*<name>[\s\S]*?<\/name>/, '$1')],
  ['DK-QRD-13-035', COPD, (t) => t.replace(/<representedOrganization [\s\S]*?<\/representedOrganization>/, '')],
  ['DK-QRD-13-036', COPD, (t) => t.replace('root="1.2.208.176.1.1"', 'root="1.2.208.176.1"')],
  ['DK-QRD-13-037', COPD, (t) => t.replace('<telecom value="tel:+4578421600" use="WP"/>', '')],
  ['DK-QRD-13-038', COPD, (t) => t.replace(/<addr use="WP">[\s\S]*?<\/addr>/, '')],
  [
    'DK-QRD-13-039',
    COPD,
    (t) => t.replace(SELF_CODE, SELF_CODE.replace('SELF', 'GUARD').replace('"self"', '"guardian"')),
  ],
  [
    'DK-QRD-13-040',
    COPD,
    (t) => t.replace(AUTHOR_ID, (_m, a: string, id: string) => a + id.replace('2711583071', '0101801234')),
  ],
  ['DK-QRD-13-041', COPD, (t) => t.replace(SELF_CODE, SELF_CODE.replace('5.111', '5.110'))],
  ['DK-QRD-13-042', COPD, (t) => t.replace(SELF_CODE, SELF_CODE.replace('"self"', '"Patient"'))],
  // MedCom's test bed rejects the published examples' "Self" (QRD-DK 1.3.2 writes "self"), and a missing codeSystemName
  ['DK-QRD-13-042', COPD, (t) => t.replace(SELF_CODE, SELF_CODE.replace('"self"', '"Self"'))],
  ['DK-QRD-13-042', COPD, (t) => t.replace(SELF_CODE, SELF_CODE.replace(' codeSystemName="HL7 Role code"', ''))],
  // dataEnterer, informationRecipient, participant
  [
    'DK-QRD-13-043',
    COPD,
    (t) => afterAuthor(t, DATA_ENTERER.replace('<telecom value="tel:+4578421600" use="WP"/>', '')),
  ],
  ['DK-QRD-13-044', COPD, (t) => afterAuthor(t, RECIPIENT.replace(/<id [^>]*\/>/, ''))],
  ['DK-QRD-13-045', COPD, (t) => afterAuthor(t, PARTICIPANT.replace('"IND"', '"CALLBCK"'))],
  ['DK-QRD-13-046', COPD, (t) => afterAuthor(t, PARTICIPANT.replace('"NOK"', '"PAT"'))],
  // custodian
  ['DK-QRD-13-047', COPD, (t) => t.replace(/(<representedCustodianOrganization [^>]*>\s*)<id [^>]*\/>/, '$1')],
  [
    'DK-QRD-13-048',
    COPD,
    (t) => t.replace(/(<representedCustodianOrganization [^>]*>\s*<id [^>]*\/>\s*)<name>[^<]*<\/name>/, '$1'),
  ],
  [
    'DK-QRD-13-049',
    COPD,
    (t) => t.replace(/(<representedCustodianOrganization[\s\S]*?<telecom value="[^"]*") use="WP"/, '$1'),
  ],
  [
    'DK-QRD-13-050',
    COPD,
    (t) => t.replace(/(<representedCustodianOrganization[\s\S]*?)<addr use="WP">[\s\S]*?<\/addr>/, '$1'),
  ],
  // documentationOf
  ['DK-QRD-13-051', COPD, (t) => t.replace('<templateId root="1.2.208.184.10.1.10"/>', '')],
  ['DK-QRD-13-052', COPD, (t) => t.replace('extension="qrd-v1.3"', 'extension="qrd-v1.2"')],
  ['DK-QRD-13-053', COPD, (t) => t.replace('<low value="20260323190800+0100"/>', '<low nullFlavor="UNK"/>')],
  ['DK-QRD-13-054', COPD, (t) => t.replace('<high value="20260323191400+0100"/>', '')],
  // body and sections
  ['DK-QRD-13-055', COPD, (t) => t.replace('</structuredBody>', '<component/></structuredBody>')],
  ['DK-QRD-13-056', COPD, (t) => t.replace(RESPONSE_SECTION, '')],
  ['DK-QRD-13-057', COPD, (t) => t.replace('"2.16.840.1.113883.10.20.32.2.1"', '"2.16.840.1.113883.10.20.32.2.9"')],
  [
    'DK-QRD-13-058',
    COPD,
    (t) =>
      t.replace(
        '<code code="74465-6" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC"/>',
        '<code code="74468-0" codeSystem="2.16.840.1.113883.6.1"/>'
      ),
  ],
  ['DK-QRD-13-059', SLIDERS, (t) => t.replace(/<text>[\s\S]*?<\/text>/, '')],
  ['DK-QRD-13-060', SLIDERS, (t) => t.replace(/<entry typeCode="DRIV">[\s\S]*<\/entry>/, '')],
  ['DK-QRD-13-061', SLIDERS, (t) => t.replace('<entry typeCode="DRIV">', '<entry typeCode="COMP">')],
  ['DK-QRD-13-062', COPD, (t) => t.replace(/(<title>Vejledning<\/title>\s*)<text>[^<]*<\/text>/, '$1')],
  [
    'DK-QRD-13-063',
    COPD,
    (t) =>
      t.replace(
        /(<title>Vejledning<\/title>\s*<text>[^<]*<\/text>)/,
        '$1<entry><act classCode="ACT" moodCode="EVN"/></entry>'
      ),
  ],
  ['DK-QRD-13-064', COPD, (t) => withCopyright(t, (s) => s.replace('<text>Fiktivt eksempel.</text>', ''))],
  ['DK-QRD-13-065', COPD, (t) => withCopyright(t, (s) => s.replace('typeCode="DRIV"', 'typeCode="COMP"'))],
  ['DK-QRD-13-066', COPD, (t) => withCopyright(t, (s) => s.replace('code="COPY"', 'code="COPYRIGHT"'))],
  [
    'DK-QRD-13-067',
    COPD,
    (t) =>
      withCopyright(t, (s) => s.replace('<value xsi:type="ST">Fiktivt eksempel.</value>', '<value xsi:type="ST"/>')),
  ],
  // response organizer
  ['DK-QRD-13-068', COPD, (t) => t.replace('classCode="BATTERY"', 'classCode="CLUSTER"')],
  [
    'DK-QRD-13-069',
    COPD,
    (t) => t.replace('<id root="2.25.73400836020211942743547489661335887066" extension="KOL-DAG"/>', ''),
  ],
  ['DK-QRD-13-070', COPD, (t) => t.replace('<statusCode code="completed"/>', '<statusCode code="active"/>')],
  [
    'DK-QRD-13-071',
    SLIDERS,
    (t) => t.replace(/<component typeCode="COMP">\s*<sequenceNumber[\s\S]*<\/organizer>/, '</organizer>'),
  ],
  ['DK-QRD-13-072', COPD, (t) => t.replace('<sequenceNumber value="1"/>', '')],
  ['DK-QRD-13-073', COPD, (t) => t.replace('"2.16.840.1.113883.10.20.33.4.6"', '"2.16.840.1.113883.10.20.33.4.9"')],
  // response observations
  [
    'DK-QRD-13-074',
    COPD,
    (t) => t.replace(/moodCode="EVN">(\s*<templateId root="2.16.840.1.113883.10.20.33.4.6")/, 'moodCode="DEF">$1'),
  ],
  [
    'DK-QRD-13-075',
    COPD,
    (t) => t.replace('<id root="2.25.73400836020211942743547489661335887066" extension="KOL-DAG-3"/>', ''),
  ],
  [
    'DK-QRD-13-076',
    COPD,
    (t) =>
      t.replace(
        '<code code="KOL-DAG-3" codeSystem="2.25.143132010729620848919989631467097999275"',
        '<code code="KOL-DAG-3"'
      ),
  ],
  [
    'DK-QRD-13-077',
    COPD,
    (t) => t.replace('<originalText>Er der andet, du gerne vil fortælle sygeplejersken?</originalText>', ''),
  ],
  [
    'DK-QRD-13-078',
    COPD,
    (t) => t.replace(/<statusCode code="completed"\/>(\s*<value xsi:type="ST")/, '<statusCode code="active"/>$1'),
  ],
  ['DK-QRD-13-079', COPD, (t) => t.replace(/<reference typeCode="REFR">[\s\S]*?<\/reference>/, '$&$&')],
  ['DK-QRD-13-080', COPD, (t) => t.replace('<reference typeCode="REFR">', '<reference typeCode="SPRT">')],
  [
    'DK-QRD-13-081',
    COPD,
    (t) => t.replace('<externalDocument classCode="DOC">', '<externalDocument classCode="DOCCLIN">'),
  ],
  ['DK-QRD-13-082', COPD, (t) => t.replace(/<id root="2.16.840.1.113883.4.873" [^>]*\/>/, '$&$&')],
  ['DK-QRD-13-083', COPD, (t) => t.replace('root="2.16.840.1.113883.4.873"', 'root="1.2.208.184.5"')],
  ['DK-QRD-13-084', COPD, (t) => t.replace('extension="954f4981-eddf-4b8b', 'extension="954f4981-eddf-1b8b')],
  ['DK-QRD-13-085', SLIDERS, (t) => t.replace('code="74468-0"', 'code="74465-6"')],
  // response patterns
  [
    'DK-QRD-13-086',
    COPD,
    (t) => t.replace('<value xsi:type="INT" value="4"/>', '<value xsi:type="PQ" value="4" unit="1"/>'),
  ],
  [
    'DK-QRD-13-087',
    COPD,
    (t) => t.replace('<value xsi:type="CE" code="KOL-DAG-2-C"', '<value xsi:type="CD" code="KOL-DAG-2-C"'),
  ],
  ['DK-QRD-13-088', COPD, (t) => t.replace(' displayName="Lidt værre end normalt"/>', '/>')],
  [
    'DK-QRD-13-089',
    COPD,
    (t) =>
      t.replace(
        /<entryRelationship typeCode="SUBJ">\s*<observation classCode="OBS" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.32.4.20"\/>[\s\S]*?<\/entryRelationship>/,
        ''
      ),
  ],
  ['DK-QRD-13-090', COPD, (t) => t.replace('<value xsi:type="ST">Jeg har', '<value xsi:type="ED">Jeg har')],
  ['DK-QRD-13-091', SLIDERS, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.33.4.4"/>', '')],
  ['DK-QRD-13-092', SLIDERS, (t) => t.replace(/<referenceRange typeCode="REFV">[\s\S]*?<\/referenceRange>/, '')],
  ['DK-QRD-13-093', SLIDERS, (t) => t.replace(' denominator="100"', '')],
  ['DK-QRD-13-094', SLIDERS, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.33.4.5"/>', '')],
  ['DK-QRD-13-095', SLIDERS, (t) => t.replace(/<value xsi:type="CE"[^>]*\/>/, '$&$&')],
  ['DK-QRD-13-096', SLIDERS, (t) => t.replace('<high value="1"/>', '<high value="2"/>')],
  // reference range and media
  ['DK-QRD-13-097', COPD, (t) => t.replace('<referenceRange typeCode="REFV">', '<referenceRange typeCode="REFR">')],
  ['DK-QRD-13-098', COPD, (t) => t.replace('<high value="30"/>', '')],
  ['DK-QRD-13-099', COPD, (t) => intoTextResponse(t, MEDIA.replace(/<value [\s\S]*<\/value>/, ''))],
  // shared QFDD entries
  ['DK-QRD-13-100', SLIDERS, (t) => t.replace('code="74467-2"', 'code="74467-3"')],
  ['DK-QRD-13-101', SLIDERS, (t) => t.replace('xsi:type="IVL_INT"', 'xsi:type="IVL_PQ"')],
  ['DK-QRD-13-102', COPD, (t) => t.replace('code="48767-8"', 'code="48767-9"')],
  ['DK-QRD-13-103', COPD, (t) => t.replace('<value xsi:type="ST">Tæl alle', '<value xsi:type="ED">Tæl alle')],
  [
    'DK-QRD-13-104',
    COPD,
    (t) =>
      t.replace(
        /<entryRelationship typeCode="SUBJ">(\s*<observation classCode="OBS" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.32.4.19")/,
        '<entryRelationship typeCode="COMP">$1'
      ),
  ],
  // rules added for issue 18
  [
    'DK-QRD-13-105',
    COPD,
    (t) =>
      t
        .replace(AUTHOR_ID, (_m, a: string, id: string) => a + id.replace('2711583071', '0101801234'))
        .replace(SELF_CODE, ''),
  ],
  [
    'DK-QRD-13-106',
    COPD,
    (t) => intoTextResponse(t, MEDIA.replace('<templateId root="2.16.840.1.113883.10.20.33.4.2"/>', '')),
  ],
  [
    'DK-QRD-13-107',
    COPD,
    (t) => t.replace(/moodCode="EVN">(\s*<templateId root="2.16.840.1.113883.10.20.32.4.19")/, 'moodCode="DEF">$1'),
  ],
  [
    'DK-QRD-13-108',
    COPD,
    (t) => t.replace(/moodCode="EVN">(\s*<templateId root="2.16.840.1.113883.10.20.32.4.20")/, 'moodCode="DEF">$1'),
  ],
  [
    'DK-QRD-13-109',
    COPD,
    (t) =>
      withCopyright(t, (s) =>
        s.replace(/moodCode="EVN">(<templateId root="2.16.840.1.113883.10.20.32.4.21")/, 'moodCode="DEF">$1')
      ),
  ],
  ['DK-QRD-13-110', COPD, (t) => intoTextResponse(t, MEDIA.replace('moodCode="EVN"', 'moodCode="DEF"'))],
  [
    'DK-QRD-13-111',
    COPD,
    (t) => t.replace(/(<representedOrganization[^>]*>\s*<id root="1.2.208.176.1.1") extension="[^"]*"/, '$1'),
  ],
  // rules added for issue 18 §1
  ['DK-QRD-13-112', COPD, (t) => t.replace(/<recordTarget[\s\S]*?<\/recordTarget>/, '$&$&')],
  ['DK-QRD-13-113', COPD, (t) => afterAuthor(t, RECIPIENT_NAMED.replace(/<name><given>Lene[\s\S]*?<\/name>/, ''))],
  ['DK-QRD-13-114', COPD, (t) => afterAuthor(t, RECIPIENT_NAMED.replace('<name>Lungeklinikken</name>', ''))],
  [
    'DK-QRD-13-115',
    COPD,
    (t) => afterAuthor(t, PARTICIPANT.replace(/<associatedPerson>[\s\S]*<\/associatedPerson>/, '')),
  ],
  ['DK-QRD-13-116', COPD, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.33.4.6"/>', '$&$&')],
  ['DK-QRD-13-116', COPD, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.32.4.19"/>', '$&$&')],
  ['DK-QRD-13-116', SLIDERS, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.33.2.1"/>', '$&$&')],
  ['DK-QRD-13-117', COPD, (t) => t.replace(NUMERIC_HELP, '$&$&')],
  ['DK-QRD-13-118', COPD, (t) => t.replace(NUMERIC_HELP, (m) => m + MEDIA.replace('"REFR"', '"SUBJ"'))],
  ['DK-QRD-13-119', COPD, (t) => intoTextResponse(t, HELP_TEXT + HELP_TEXT)],
  ['DK-QRD-13-120', COPD, (t) => intoTextResponse(t, MEDIA + MEDIA)],
  ['DK-QRD-13-121', COPD, (t) => t.replace(CHOICE_OPTIONS, (m) => m + MEDIA + MEDIA)],
  ['DK-QRD-13-122', COPD, (t) => withAssociatedText(t, 'COMP')],
  [
    'DK-QRD-13-123',
    SLIDERS,
    (t) =>
      t.replace(
        '<referenceRange typeCode="REFV">',
        '<referenceRange typeCode="REFV"><templateId root="2.16.840.1.113883.10.20.33.4.3"/>'
      ),
  ],
  [
    'DK-QRD-13-124',
    COPD,
    (t) => t.replace('displayName="Questionnaire Form Definition Document"', 'displayName="Spørgeskema"'),
  ],
];

describe('DK QRD 1.3 rules', () => {
  it('compiles without compiler warnings', async () => {
    await expectCleanCompile('dk-qrd-1.3', 124);
  });

  it.each([COPD, SLIDERS])('%s has no error or warning findings', async (sample) => {
    await expectNoFindings('dk-qrd-1.3', sample);
  });

  it.each(cases)('%s fires alone on a broken %s', async (id, sample, edit) => {
    const issue = (await findingsOfLoneRule('dk-qrd-1.3', id, sample, edit))[0];
    expect(issue?.see).toBeTruthy();
    expect(issue?.stage).toBe('schematron');
  });

  it.each<[string, (t: string) => string]>([
    ['a replacement CPR number (day + 60)', (t) => t.replaceAll('2711583071', '8711583071')],
    ['a CPR number born 29 February 2000', (t) => t.replaceAll('2711583071', '2902004071')],
    [
      'a guardian (GUARD) answering for the patient',
      (t) =>
        t
          .replace(AUTHOR_ID, (_m, a: string, id: string) => a + id.replace('2711583071', '0101801234'))
          .replace(SELF_CODE, SELF_CODE.replace('SELF', 'GUARD').replace('"self"', '"guardian"')),
    ],
    [
      'an author identified by SOR',
      (t) =>
        t
          .replace(AUTHOR_ID, '$1<id root="1.2.208.176.1.1" extension="764541000016006" assigningAuthorityName="SOR"/>')
          .replace(SELF_CODE, ''),
    ],
    [
      'a high nullFlavor in the answering period',
      (t) => t.replace('<high value="20260323191400+0100"/>', '<high nullFlavor="UNK"/>'),
    ],
    ['a copyright section', (t) => withCopyright(t)],
    [
      'a data enterer, an information recipient and a participant',
      (t) => afterAuthor(t, DATA_ENTERER + RECIPIENT + PARTICIPANT),
    ],
    ['a response media', (t) => intoTextResponse(t, MEDIA)],
    [
      'a participant naming only its organisation',
      (t) =>
        afterAuthor(
          t,
          PARTICIPANT.replace(
            /<associatedPerson>[\s\S]*<\/associatedPerson>/,
            '<scopingOrganization><name>Pårørendeforeningen</name></scopingOrganization>'
          )
        ),
    ],
    [
      'a named recipient person and organisation, a help text and media on each kind of response, an associated text response',
      (t) =>
        withAssociatedText(
          afterAuthor(t, RECIPIENT_NAMED)
            .replace(NUMERIC_HELP, (m) => m + MEDIA)
            .replace(CHOICE_OPTIONS, (m) => m + MEDIA)
        ).replace(/sovet dårligt i nat\.<\/value>/, (m) => m + HELP_TEXT + MEDIA),
    ],
    [
      'a seperatableInd in an organizer component and a templateId on an entry',
      (t) =>
        t
          .replace('<sequenceNumber value="1"/>', '<sequenceNumber value="1"/><seperatableInd value="false"/>')
          .replace('<entry typeCode="DRIV">', '<entry typeCode="DRIV"><templateId root="2.25.1"/>'),
    ],
  ])('accepts %s', async (_what, edit) => {
    expect(firedRuleIds(await check('dk-qrd-1.3', mutate(readSample(COPD), edit)))).toEqual([]);
  });

  it.each<[string, (t: string) => string]>([
    ['DK-QRD-13-103', (t) => t.replace(/<value xsi:type="ST">Tæl alle[^<]*<\/value>/, '$&$&')],
    [
      'DK-QRD-13-101',
      (t) => t.replace(/<value xsi:type="IVL_INT">\s*<low value="1"\/>\s*<high value="1"\/>\s*<\/value>/, '$&$&'),
    ],
  ])('%s reports a repeated value without a runtime error', async (id, edit) => {
    expect(firedRuleIds(await check('dk-qrd-1.3', mutate(readSample(COPD), edit)))).toEqual([id]);
  });

  it('rejects a CPR number born 29 February in a year that is not a leap year in 19xx or 20xx', async () => {
    const issues = await check(
      'dk-qrd-1.3',
      mutate(readSample(COPD), (t) => t.replaceAll('2711583071', '2902014071'))
    );
    expect(firedRuleIds(issues)).toEqual(['DK-QRD-13-019']);
  });

  it('reports each finding with its severity', async () => {
    const issues = await check(
      'dk-qrd-1.3',
      mutate(readSample(COPD), (t) =>
        t.replace('<telecom value="tel:+4540918273" use="H"/>', '').replace('<realmCode code="DK"/>', '')
      )
    );
    expect(issues.filter((i) => i.severity !== 'info').map((i) => [i.ruleId, i.severity])).toEqual([
      ['DK-QRD-13-001', 'error'],
      ['DK-QRD-13-021', 'error'],
    ]);
  });
});
