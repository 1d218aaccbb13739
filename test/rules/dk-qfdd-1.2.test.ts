// DK QFDD 1.2 rules (schematron/dk-qfdd-1.2.sch): the valid samples pass, and each rule fires alone on a sample with one defect.
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

const COPD = 'dk-qfdd-1.2/valid/copd-daily-numeric-choice-text.xml';
const SLIDERS = 'dk-qfdd-1.2/valid/fatigue-pain-sliders.xml';
type Sample = typeof COPD | typeof SLIDERS;

const OPTIONS =
  /<entryRelationship typeCode="SUBJ">\s*<observation classCode="OBS" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.32.4.20"\/>[\s\S]*?<\/entryRelationship>/;

/** A question media (not in the samples) attached to the numeric question after its help text; `edit` breaks it. */
function withQuestionMedia(text: string, edit: (media: string) => string = (m) => m): string {
  const media =
    '<entryRelationship typeCode="REFR"><observationMedia classCode="OBS" moodCode="DEF">' +
    '<templateId root="2.16.840.1.113883.10.20.32.4.2"/><value mediaType="image/png" representation="B64">iVBORw0KGgo=</value>' +
    '</observationMedia></entryRelationship>';
  return text.replace(
    /Tæl alle pust fra du stod op i morges\.<\/value>\s*<\/observation>\s*<\/entryRelationship>/,
    (m) => m + edit(media)
  );
}
/** A question feedback (not in the samples) attached to the numeric question after its help text; `edit` breaks it. */
function withFeedback(text: string, edit: (feedback: string) => string = (f) => f): string {
  const feedback =
    '<entryRelationship typeCode="REFR"><observation classCode="OBS" moodCode="DEF">' +
    '<templateId root="2.16.840.1.113883.10.20.32.4.6"/><code code="74466-4" codeSystem="2.16.840.1.113883.6.1"/>' +
    '<value xsi:type="ST">Tal med din sygeplejerske, hvis du har taget mere end 10 pust.</value></observation></entryRelationship>';
  return text.replace(
    /Tæl alle pust fra du stod op i morges\.<\/value>\s*<\/observation>\s*<\/entryRelationship>/,
    (m) => m + edit(feedback)
  );
}
/** A precondition (not in the samples) that shows the text question only after the worst answer to the multiple choice question; `edit` breaks it. */
function withPrecondition(text: string, edit: (precondition: string) => string = (p) => p): string {
  const precondition =
    '<precondition typeCode="PRCN"><templateId root="2.16.840.1.113883.10.20.32.4.4"/>' +
    '<criterion classCode="OBS" moodCode="EVN.CRT"><templateId root="2.16.840.1.113883.10.20.32.4.3"/>' +
    '<code code="KOL-DAG-2" codeSystem="2.25.143132010729620848919989631467097999275"/>' +
    '<value xsi:type="CE" code="KOL-DAG-2-D" codeSystem="2.25.143132010729620848919989631467097999275"/>' +
    '</criterion></precondition>';
  return text.replace(/(<originalText>Er der andet[^<]*<\/originalText>\s*<\/code>)/, (m) => m + edit(precondition));
}
/** The custodian organisation's block, where `edit` applies. */
const inCustodian =
  (edit: (block: string) => string) =>
  (t: string): string =>
    t.replace(/<representedCustodianOrganization[\s\S]*?<\/representedCustodianOrganization>/, edit);
/** The assignedAuthor block, where `edit` applies. */
const inAuthor =
  (edit: (block: string) => string) =>
  (t: string): string =>
    t.replace(/<assignedAuthor[\s\S]*?<\/assignedAuthor>/, edit);

const QUESTION_MEDIA =
  '<entryRelationship typeCode="REFR"><observationMedia classCode="OBS" moodCode="DEF">' +
  '<templateId root="2.16.840.1.113883.10.20.32.4.2"/><value mediaType="image/png" representation="B64">iVBORw0KGgo=</value>' +
  '</observationMedia></entryRelationship>';
const FEEDBACK =
  '<entryRelationship typeCode="REFR"><observation classCode="OBS" moodCode="DEF">' +
  '<templateId root="2.16.840.1.113883.10.20.32.4.6"/><code code="74466-4" codeSystem="2.16.840.1.113883.6.1"/>' +
  '<value xsi:type="ST">Kontakt din sygeplejerske.</value></observation></entryRelationship>';
const HELP_TEXT =
  '<entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">' +
  '<templateId root="2.16.840.1.113883.10.20.32.4.19"/><code code="48767-8" codeSystem="2.16.840.1.113883.6.1"/>' +
  '<value xsi:type="ST">Skriv med dine egne ord.</value></observation></entryRelationship>';
/** The numeric question's help text (an entryRelationship). */
const NUMERIC_HELP =
  /<entryRelationship typeCode="SUBJ">\s*<observation classCode="OBS" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.32.4.19"\/>[\s\S]*?<\/entryRelationship>/;
/** The text question observation. */
const TEXT_QUESTION =
  /<observation classCode="OBS" moodCode="DEF">\s*<templateId root="2.16.840.1.113883.10.20.32.4.9"\/>[\s\S]*?<\/observation>/;
/** Adds `elements` at the end of the text question. */
const intoTextQuestion = (t: string, elements: string): string =>
  t.replace(TEXT_QUESTION, (q) => q.replace(/<\/observation>$/, `${elements}</observation>`));
/** Adds `elements` to the multiple choice question, after its options observation. */
const intoChoiceQuestion = (t: string, elements: string): string => t.replace(OPTIONS, (m) => m + elements);
/** Attaches a copy of the text question to the multiple choice question as its associated text question. */
const associatedText = (t: string, typeCode = 'REFR'): string =>
  `<entryRelationship typeCode="${typeCode}">${TEXT_QUESTION.exec(t)?.[0] ?? ''}</entryRelationship>`;
/** An SDTC precondition (not in the samples) that shows the text question when every nested criterion holds; `edit` breaks it. */
function withGroupPrecondition(text: string, edit: (precondition: string) => string = (p) => p): string {
  const precondition =
    '<sdtc:precondition2 typeCode="PRCN"><sdtc:templateId root="2.16.840.1.113883.10.20.32.4.12"/>' +
    '<sdtc:allTrue><sdtc:templateId root="2.16.840.1.113883.10.20.32.4.13"/><sdtc:id root="2.25.1" extension="KOL-DAG-G1"/>' +
    '<sdtc:precondition typeCode="PRCN"><sdtc:criterion classCode="OBS" moodCode="EVN.CRT">' +
    '<templateId root="2.16.840.1.113883.10.20.32.4.3"/>' +
    '<code code="KOL-DAG-2" codeSystem="2.25.143132010729620848919989631467097999275"/>' +
    '<value xsi:type="CE" code="KOL-DAG-2-D" codeSystem="2.25.143132010729620848919989631467097999275"/>' +
    '</sdtc:criterion></sdtc:precondition></sdtc:allTrue></sdtc:precondition2>';
  return intoTextQuestion(text, edit(precondition));
}
/** A second assignedPerson-free author person. */
const AUTHOR_PERSON = '<assignedPerson><name><given>Lene</given><family>Dahl</family></name></assignedPerson>';

const cases: [string, Sample, (t: string) => string][] = [
  // header
  ['DK-QFDD-12-001', COPD, (t) => t.replace('<templateId root="1.2.208.184.12.1"/>', '')],
  ['DK-QFDD-12-002', COPD, (t) => t.replace('<templateId root="1.2.208.184.12.1.1.1"/>', '')],
  ['DK-QFDD-12-003', COPD, (t) => t.replace('code="74468-0"', 'code="74465-6"')],
  ['DK-QFDD-12-004', COPD, (t) => t.replace('<confidentialityCode code="N"', '<confidentialityCode code="R"')],
  ['DK-QFDD-12-005', COPD, (t) => t.replace('<id root="1.2.208.184" extension=', '<id extension=')],
  ['DK-QFDD-12-006', COPD, (t) => t.replace('<title>Dagligt KOL-skema (eksempel)</title>', '<title/>')],
  ['DK-QFDD-12-007', COPD, (t) => t.replace('<effectiveTime value="20260115100000+0100"/>', '')],
  [
    'DK-QFDD-12-008',
    COPD,
    (t) => t.replace(/<entry typeCode="DRIV">\s*<organizer[\s\S]*?<\/organizer>\s*<\/entry>/, ''),
  ],
  // sections
  ['DK-QFDD-12-009', COPD, (t) => t.replace(/<text>[\s\S]*?<\/text>/, '')],
  ['DK-QFDD-12-010', COPD, (t) => t.replace(/<entry typeCode="DRIV">(\s*<organizer)/, '<entry typeCode="COMP">$1')],
  ['DK-QFDD-12-011', COPD, (t) => t.replace(/(<title>Ophavsret<\/title>\s*)<text>[^<]*<\/text>/, '$1')],
  ['DK-QFDD-12-012', COPD, (t) => t.replace(/<entry typeCode="DRIV">(\s*<observation)/, '<entry typeCode="COMP">$1')],
  ['DK-QFDD-12-013', COPD, (t) => t.replace('code="COPY"', 'code="COPYRIGHT"')],
  [
    'DK-QFDD-12-014',
    COPD,
    (t) => t.replace(/<value xsi:type="ST">Spørgeskemaet[^<]*<\/value>/, '<value xsi:type="ST"/>'),
  ],
  // question organizer
  ['DK-QFDD-12-015', COPD, (t) => t.replace('classCode="BATTERY"', 'classCode="CLUSTER"')],
  [
    'DK-QFDD-12-016',
    COPD,
    (t) => t.replace('<id root="2.25.73400836020211942743547489661335887066" extension="KOL-DAG"/>', ''),
  ],
  [
    'DK-QFDD-12-017',
    SLIDERS,
    (t) => t.replace(/<component typeCode="COMP">\s*<sequenceNumber[\s\S]*<\/organizer>/, '</organizer>'),
  ],
  ['DK-QFDD-12-018', COPD, (t) => t.replace('<sequenceNumber value="1"/>', '')],
  ['DK-QFDD-12-019', COPD, (t) => t.replace('"2.16.840.1.113883.10.20.32.4.9"', '"2.16.840.1.113883.10.20.32.4.99"')],
  // questions
  [
    'DK-QFDD-12-020',
    COPD,
    (t) => t.replace(/moodCode="DEF">(\s*<templateId root="2.16.840.1.113883.10.20.32.4.9")/, 'moodCode="EVN">$1'),
  ],
  [
    'DK-QFDD-12-021',
    COPD,
    (t) => t.replace('<id root="2.25.73400836020211942743547489661335887066" extension="KOL-DAG-3"/>', ''),
  ],
  [
    'DK-QFDD-12-022',
    COPD,
    (t) =>
      t.replace(
        '<code code="KOL-DAG-3" codeSystem="2.25.143132010729620848919989631467097999275"',
        '<code code="KOL-DAG-3"'
      ),
  ],
  [
    'DK-QFDD-12-023',
    COPD,
    (t) => t.replace('<originalText>Er der andet, du gerne vil fortælle sygeplejersken?</originalText>', ''),
  ],
  ['DK-QFDD-12-024', COPD, (t) => t.replace(/<value xsi:type="CE"[^>]*\/>/g, '')],
  ['DK-QFDD-12-025', COPD, (t) => t.replace(' displayName="Som normalt"', '')],
  ['DK-QFDD-12-026', COPD, (t) => t.replace(OPTIONS, '')],
  ['DK-QFDD-12-026', COPD, (t) => t.replace(OPTIONS, '$&$&')],
  ['DK-QFDD-12-027', SLIDERS, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.32.4.7"/>', '')],
  ['DK-QFDD-12-028', SLIDERS, (t) => t.replace(' denominator="100"', '')],
  ['DK-QFDD-12-029', SLIDERS, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.32.4.8"/>', '')],
  ['DK-QFDD-12-030', SLIDERS, (t) => t.replace('<high value="1"/>', '<high value="2"/>')],
  // options and help text
  ['DK-QFDD-12-031', SLIDERS, (t) => t.replace('code="74467-2"', 'code="74467-3"')],
  ['DK-QFDD-12-032', SLIDERS, (t) => t.replace('xsi:type="IVL_INT"', 'xsi:type="IVL_PQ"')],
  ['DK-QFDD-12-032', COPD, (t) => t.replace('<low value="1"/>', '<low value="one"/>')],
  ['DK-QFDD-12-033', COPD, (t) => t.replace('<low value="1"/>', '<low value="2"/>')],
  ['DK-QFDD-12-034', COPD, (t) => t.replace('<high value="1"/>', '<high value="5"/>')],
  ['DK-QFDD-12-035', COPD, (t) => t.replace('code="48767-8"', 'code="48767-9"')],
  ['DK-QFDD-12-036', COPD, (t) => t.replace('<value xsi:type="ST">Tæl alle', '<value xsi:type="ED">Tæl alle')],
  [
    'DK-QFDD-12-037',
    COPD,
    (t) =>
      t.replace(
        /<entryRelationship typeCode="SUBJ">(\s*<observation classCode="OBS" moodCode="EVN">\s*<templateId root="2.16.840.1.113883.10.20.32.4.19")/,
        '<entryRelationship typeCode="COMP">$1'
      ),
  ],
  // rules added for issue 18
  ['DK-QFDD-12-038', COPD, (t) => t.replace('<sdtc:statusCode code="NEW"/>', '<sdtc:statusCode code="completed"/>')],
  ['DK-QFDD-12-038', SLIDERS, (t) => t.replace('<sdtc:statusCode code="NEW"/>', '')],
  ['DK-QFDD-12-039', COPD, (t) => t.replace(/<recordTarget[\s\S]*?<\/recordTarget>/, '$&$&')],
  [
    'DK-QFDD-12-040',
    COPD,
    (t) => t.replace('<id nullFlavor="NI"/>', '<id root="1.2.208.176.1.2" extension="2711583071"/>'),
  ],
  ['DK-QFDD-12-041', COPD, (t) => t.replace('<time value="20260115100000+0100"/>', '')],
  ['DK-QFDD-12-042', SLIDERS, inAuthor((b) => b.replace(/<id [^>]*\/>/, '$&$&'))],
  ['DK-QFDD-12-043', SLIDERS, inAuthor((b) => b.replace(/<addr[\s\S]*?<\/addr>/, ''))],
  ['DK-QFDD-12-044', SLIDERS, inAuthor((b) => b.replace('<telecom value="tel:+4578410000" use="WP"/>', ''))],
  [
    'DK-QFDD-12-045',
    SLIDERS,
    inAuthor((b) => b.replace(/<representedOrganization[\s\S]*?<\/representedOrganization>/, '')),
  ],
  ['DK-QFDD-12-046', SLIDERS, inAuthor((b) => b.replace(/<name>\s*<given>Maja[\s\S]*?<\/name>/, ''))],
  [
    'DK-QFDD-12-047',
    COPD,
    inAuthor((b) =>
      b.replace(
        '<id nullFlavor="NA"/>',
        '<id root="1.2.208.176.1.1" extension="764591000016004" assigningAuthorityName="SOR"/>'
      )
    ),
  ],
  ['DK-QFDD-12-048', SLIDERS, inCustodian((b) => b.replace(/<id [^>]*\/>/, ''))],
  ['DK-QFDD-12-049', SLIDERS, inCustodian((b) => b.replace(/<telecom [^>]*\/>/, '$&$&'))],
  ['DK-QFDD-12-050', SLIDERS, inCustodian((b) => b.replace(/<addr[\s\S]*?<\/addr>/, ''))],
  [
    'DK-QFDD-12-051',
    COPD,
    (t) => t.replace('extension="954f4981-eddf-4b8b-9dfe-00f5d53440c2"', 'extension="KOL-DAG-2026"'),
  ],
  [
    'DK-QFDD-12-052',
    COPD,
    (t) => t.replace(/(<templateId root="2.16.840.1.113883.10.20.32.2.1"\/>\s*<code code=")74468-0"/, '$174465-6"'),
  ],
  ['DK-QFDD-12-053', COPD, (t) => t.replace('<statusCode code="completed"/>', '<statusCode code="active"/>')],
  ['DK-QFDD-12-053', SLIDERS, (t) => t.replace('<statusCode code="completed"/>', '')],
  ['DK-QFDD-12-054', COPD, (t) => t.replace(/<value xsi:type="CE" code="KOL-DAG-2-[BCD]"[^>]*\/>/g, '')],
  ['DK-QFDD-12-055', COPD, (t) => t.replace('<referenceRange typeCode="REFV">', '<referenceRange typeCode="OREF">')],
  ['DK-QFDD-12-056', COPD, (t) => t.replace(/(<value xsi:type="IVL_INT">\s*)<low value="0"\/>/, '$1')],
  [
    'DK-QFDD-12-057',
    SLIDERS,
    (t) =>
      t.replace(
        /<referenceRange typeCode="REFV">(\s*<observationRange[^>]*>\s*<value xsi:type="GLIST_PQ")/,
        '<referenceRange typeCode="REFV"><templateId root="2.16.840.1.113883.10.20.32.4.5"/>$1'
      ),
  ],
  [
    'DK-QFDD-12-058',
    COPD,
    (t) => t.replace(/moodCode="EVN">(\s*<templateId root="2.16.840.1.113883.10.20.32.4.20")/, 'moodCode="DEF">$1'),
  ],
  [
    'DK-QFDD-12-059',
    COPD,
    (t) => t.replace(/moodCode="EVN">(\s*<templateId root="2.16.840.1.113883.10.20.32.4.19")/, 'moodCode="DEF">$1'),
  ],
  [
    'DK-QFDD-12-060',
    COPD,
    (t) => t.replace(/moodCode="EVN">(\s*<templateId root="2.16.840.1.113883.10.20.32.4.21")/, 'moodCode="DEF">$1'),
  ],
  ['DK-QFDD-12-061', COPD, (t) => withQuestionMedia(t, (m) => m.replace('moodCode="DEF"', 'moodCode="EVN"'))],
  ['DK-QFDD-12-062', COPD, (t) => withQuestionMedia(t, (m) => m.replace(/<value [\s\S]*?<\/value>/, ''))],
  ['DK-QFDD-12-063', COPD, (t) => withFeedback(t, (f) => f.replace('moodCode="DEF"', 'moodCode="EVN"'))],
  ['DK-QFDD-12-064', COPD, (t) => withFeedback(t, (f) => f.replace('74466-4', '74466-5'))],
  ['DK-QFDD-12-065', COPD, (t) => withFeedback(t, (f) => f.replace(/<value [\s\S]*?<\/value>/, ''))],
  [
    'DK-QFDD-12-066',
    COPD,
    (t) =>
      withPrecondition(t, (p) => p.replace('"2.16.840.1.113883.10.20.32.4.3"', '"2.16.840.1.113883.10.20.32.4.33"')),
  ],
  ['DK-QFDD-12-067', COPD, (t) => withPrecondition(t, (p) => p.replace(/<code [^>]*\/>/, ''))],
  ['DK-QFDD-12-068', COPD, (t) => withPrecondition(t, (p) => p.replace(/<value [^>]*\/>/, ''))],
  // rules added for issue 18 §1
  ['DK-QFDD-12-069', COPD, (t) => t.replace('<realmCode code="DK"/>', '')],
  ['DK-QFDD-12-070', COPD, (t) => t.replace('extension="POCD_HD000040"', 'extension="POCD_HD000041"')],
  ['DK-QFDD-12-071', COPD, (t) => t.replace(/<languageCode [^>]*\/>/, '$&$&')],
  [
    'DK-QFDD-12-072',
    COPD,
    (t) => t.replace(/(<id root="1.2.208.184" extension="[^"]*") assigningAuthorityName="[^"]*"/, '$1'),
  ],
  [
    'DK-QFDD-12-073',
    COPD,
    inAuthor((b) => b.replace('<representedOrganization', `${AUTHOR_PERSON}${AUTHOR_PERSON}<representedOrganization`)),
  ],
  ['DK-QFDD-12-074', COPD, inCustodian((b) => b.replace(/<name>[^<]*<\/name>/, ''))],
  ['DK-QFDD-12-075', COPD, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.32.4.9"/>', '$&$&')],
  ['DK-QFDD-12-075', COPD, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.32.4.1"/>', '$&$&')],
  ['DK-QFDD-12-075', SLIDERS, (t) => t.replace('<templateId root="2.16.840.1.113883.10.20.32.4.20"/>', '$&$&')],
  ['DK-QFDD-12-076', COPD, (t) => t.replace(NUMERIC_HELP, '$&$&')],
  ['DK-QFDD-12-077', COPD, (t) => withQuestionMedia(t, (m) => m.replace('"REFR"', '"SUBJ"'))],
  ['DK-QFDD-12-078', COPD, (t) => withFeedback(t, (f) => f + f)],
  ['DK-QFDD-12-079', COPD, (t) => intoChoiceQuestion(t, QUESTION_MEDIA + QUESTION_MEDIA)],
  ['DK-QFDD-12-080', COPD, (t) => intoChoiceQuestion(t, FEEDBACK.replace('"REFR"', '"COMP"'))],
  ['DK-QFDD-12-081', COPD, (t) => intoChoiceQuestion(t, associatedText(t) + associatedText(t))],
  ['DK-QFDD-12-082', COPD, (t) => intoTextQuestion(t, HELP_TEXT + HELP_TEXT)],
  ['DK-QFDD-12-083', COPD, (t) => intoTextQuestion(t, QUESTION_MEDIA + QUESTION_MEDIA)],
  [
    'DK-QFDD-12-084',
    COPD,
    (t) => withPrecondition(t, (p) => p.replace('<templateId root="2.16.840.1.113883.10.20.32.4.4"/>', '')),
  ],
  [
    'DK-QFDD-12-084',
    COPD,
    (t) => withGroupPrecondition(t, (p) => p.replace('"2.16.840.1.113883.10.20.32.4.12"', '"2.25.12"')),
  ],
  ['DK-QFDD-12-085', COPD, (t) => withGroupPrecondition(t, (p) => p.replace(' typeCode="PRCN"', ''))],
  [
    'DK-QFDD-12-086',
    COPD,
    (t) =>
      withGroupPrecondition(t, (p) => p.replace(/<sdtc:templateId root="2.16.840.1.113883.10.20.32.4.12"\/>/, '$&$&')),
  ],
  [
    'DK-QFDD-12-087',
    COPD,
    (t) =>
      withGroupPrecondition(t, (p) =>
        p.replace('"2.16.840.1.113883.10.20.32.4.13"', '"2.16.840.1.113883.10.20.32.4.14"')
      ),
  ],
  [
    'DK-QFDD-12-088',
    COPD,
    (t) => withGroupPrecondition(t, (p) => p.replace(/<sdtc:precondition typeCode[\s\S]*<\/sdtc:precondition>/, '')),
  ],
];

describe('DK QFDD 1.2 rules', () => {
  it('compiles without compiler warnings', async () => {
    await expectCleanCompile('dk-qfdd-1.2', 88);
  });

  it.each([COPD, SLIDERS])('%s has no error or warning findings', async (sample) => {
    await expectNoFindings('dk-qfdd-1.2', sample);
  });

  it.each(cases)('%s fires alone on a broken %s', async (id, sample, edit) => {
    const issue = (await findingsOfLoneRule('dk-qfdd-1.2', id, sample, edit))[0];
    expect(issue?.see).toBeTruthy();
    expect(issue?.stage).toBe('schematron');
  });

  it.each<[string, (t: string) => string]>([
    [
      'an information-only section without entries',
      (t) =>
        t
          .replace(/<entry typeCode="DRIV">\s*<observation[\s\S]*?<\/entry>/, '')
          .replace('"2.16.840.1.113883.10.20.32.2.2"', '"2.16.840.1.113883.10.20.32.2.1"'),
    ],
    [
      'a seperatableInd in an organizer component and a templateId on an entry',
      (t) =>
        t
          .replace('<sequenceNumber value="1"/>', '<sequenceNumber value="1"/><seperatableInd value="false"/>')
          .replace('<entry typeCode="DRIV">', '<entry typeCode="DRIV"><templateId root="2.25.1"/>'),
    ],
    ['a multiple choice question allowing every option', (t) => t.replace('<high value="1"/>', '<high value="4"/>')],
    ['a question media', (t) => withQuestionMedia(t)],
    ['a question feedback', (t) => withFeedback(t)],
    ['a question shown on a precondition', (t) => withPrecondition(t)],
    ['a question shown on a logical group of preconditions', (t) => withGroupPrecondition(t)],
    [
      'an sdtc:precondition with an atLeastOneTrue group (as MedCom writes it)',
      (t) =>
        withGroupPrecondition(t, (p) =>
          p
            .replace(/sdtc:precondition2/g, 'sdtc:precondition')
            .replace(/sdtc:allTrue/g, 'sdtc:atLeastOneTrue')
            .replace('"2.16.840.1.113883.10.20.32.4.13"', '"2.16.840.1.113883.10.20.32.4.15"')
        ),
    ],
    [
      'an author person, a help text and media on each kind of question, feedback and an associated text question',
      (t) =>
        intoTextQuestion(
          intoChoiceQuestion(withFeedback(withQuestionMedia(t)), QUESTION_MEDIA + FEEDBACK + associatedText(t)),
          HELP_TEXT + QUESTION_MEDIA
        ).replace('<representedOrganization', `${AUTHOR_PERSON}<representedOrganization`),
    ],
  ])('accepts %s', async (_what, edit) => {
    expect(firedRuleIds(await check('dk-qfdd-1.2', mutate(readSample(COPD), edit)))).toEqual([]);
  });

  it('leaves a missing classCode or moodCode to the XML Schema stage (no double report)', async () => {
    const text = mutate(readSample(SLIDERS), (t) =>
      t.replace(/<observation classCode="OBS" moodCode="DEF">/, '<observation>')
    );
    expect(firedRuleIds(await check('dk-qfdd-1.2', text))).toEqual([]);
  });

  it('reports the options limit as a warning', async () => {
    const issues = await check(
      'dk-qfdd-1.2',
      mutate(readSample(COPD), (t) => t.replace('<high value="1"/>', '<high value="5"/>'))
    );
    expect(issues.filter((i) => i.severity !== 'info').map((i) => [i.ruleId, i.severity])).toEqual([
      ['DK-QFDD-12-034', 'warning'],
    ]);
  });
});
