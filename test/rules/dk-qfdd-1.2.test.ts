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
];

describe('DK QFDD 1.2 rules', () => {
  it('compiles without compiler warnings', async () => {
    await expectCleanCompile('dk-qfdd-1.2', 37);
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
