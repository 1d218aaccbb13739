// The QRD ↔ QFDD pair check: the valid sample pairs pass, and each defect (a changed copy of a valid QRD or QFDD) gives exactly its DK-PAIR rule.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { XmlDocument } from 'libxml2-wasm';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { readQuestionnaireForm, readQuestionnaireResponse } from '../../src/cda/questionnaire.js';
import type { QuestionnaireForm, QuestionnaireResponse } from '../../src/cda/questionnaire.js';
import { checkPair, formUnavailableIssue, PAIR_RULE } from '../../src/rules/pair-checks.js';
import { parseXml } from '../../src/xml/xml-parser.js';
import { readSample } from '../helpers/rules.js';

const COPD_QFDD = readSample('dk-qfdd-1.2/valid/copd-daily-numeric-choice-text.xml');
const COPD_QRD = readSample('dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml');
const SLIDER_QFDD = readSample('dk-qfdd-1.2/valid/fatigue-pain-sliders.xml');
const SLIDER_QRD = readSample('dk-qrd-1.3/valid/fatigue-pain-sliders.xml');
const FOLLOW_UP_QFDD = readSample('dk-qfdd-1.2/valid/breathlessness-follow-up.xml');
const FOLLOW_UP_QRD = readSample('dk-qrd-1.3/valid/breathlessness-follow-up.xml');

const SYSTEM = '2.25.143132010729620848919989631467097999275';

function parsed<T>(text: string, read: (doc: XmlDocument) => T): T {
  const result = parseXml(new TextEncoder().encode(text), 'test.xml', text);
  if (!result.ok) {
    throw new Error(`test document does not parse: ${JSON.stringify(result.issues)}`);
  }
  try {
    return read(result.doc);
  } finally {
    result.doc.dispose();
  }
}

const form = (text: string): QuestionnaireForm => parsed(text, readQuestionnaireForm);
const answers = (text: string): QuestionnaireResponse => parsed(text, readQuestionnaireResponse);

/** Replaces exactly one occurrence, so a test whose change misses the document fails instead of passing. */
function changed(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

function ruleIds(qrd: string, qfdd: string): string[] {
  return checkPair(answers(qrd), form(qfdd)).map((i) => i.ruleId);
}

const CHOICE_C = `<value xsi:type="CE" code="KOL-DAG-2-C" codeSystem="${SYSTEM}" codeSystemName="Eksempel PRO-spørgsmål" displayName="Lidt værre end normalt"/>`;
const COPD_REFERENCE = 'extension="954f4981-eddf-4b8b-9dfe-00f5d53440c2"/>';
const SLIDER_REFERENCE = 'extension="640f067f-5222-4ec0-ae00-42273ed14e5d"/>';

describe('reading the models', () => {
  it('reads every question of a QFDD with its kind, options, limits, range and scale', () => {
    const copd = form(COPD_QFDD);
    expect(copd.id).toEqual({ root: '1.2.208.184', extension: '954f4981-eddf-4b8b-9dfe-00f5d53440c2' });
    expect(copd.questions.map((q) => [q.kind, q.code?.code])).toEqual([
      ['numeric', 'KOL-DAG-1'],
      ['multipleChoice', 'KOL-DAG-2'],
      ['text', 'KOL-DAG-3'],
    ]);
    expect(copd.questions[0]?.range).toEqual({ low: 0, high: 30, lowInclusive: true, highInclusive: true });
    expect(copd.questions[1]).toMatchObject({ minAnswers: 1, maxAnswers: 1 });
    expect(copd.questions[1]?.options.map((o) => o.code)).toEqual([
      'KOL-DAG-2-A',
      'KOL-DAG-2-B',
      'KOL-DAG-2-C',
      'KOL-DAG-2-D',
    ]);
    const sliders = form(SLIDER_QFDD);
    expect(sliders.questions.map((q) => q.kind)).toEqual(['analogSlider', 'discreteSlider']);
    expect(sliders.questions[0]?.scale).toEqual({ min: 0, max: 100, step: 1 });
  });

  it('reads a precondition on a nested (associated) question', () => {
    const followUp = form(FOLLOW_UP_QFDD);
    expect(followUp.questions.map((q) => q.kind)).toEqual(['multipleChoice', 'text']);
    expect(followUp.questions[1]?.preconditions).toEqual([
      expect.objectContaining({
        question: expect.objectContaining({ code: 'ANDENOED-1', codeSystem: SYSTEM }),
        options: [{ code: 'ANDENOED-1-JA', codeSystem: SYSTEM }],
      }),
    ]);
  });

  it('reads every response of a QRD with its values and the QFDD it references', () => {
    const copd = answers(COPD_QRD);
    expect(copd.responses.map((r) => [r.kind, r.code?.code, r.values.map((v) => v.type)])).toEqual([
      ['numeric', 'KOL-DAG-1', ['INT']],
      ['multipleChoice', 'KOL-DAG-2', ['CE']],
      ['text', 'KOL-DAG-3', ['ST']],
    ]);
    expect(copd.responses[0]?.references).toEqual([
      { root: '2.16.840.1.113883.4.873', extension: '954f4981-eddf-4b8b-9dfe-00f5d53440c2' },
    ]);
    expect(answers(SLIDER_QRD).responses.map((r) => r.kind)).toEqual(['analogSlider', 'discreteSlider']);
  });
});

describe('checkPair', () => {
  it.each([
    ['COPD', COPD_QRD, COPD_QFDD],
    ['sliders', SLIDER_QRD, SLIDER_QFDD],
    ['follow-up with a precondition', FOLLOW_UP_QRD, FOLLOW_UP_QFDD],
  ])('finds nothing in the valid %s pair', (_name, qrd, qfdd) => {
    expect(checkPair(answers(qrd), form(qfdd))).toEqual([]);
  });

  const DEFECTS: readonly (readonly [string, string, string, string])[] = [
    // name, rule id, QRD, QFDD
    [
      'one response references another QFDD',
      PAIR_RULE.reference,
      COPD_QRD.replace(COPD_REFERENCE, SLIDER_REFERENCE),
      COPD_QFDD,
    ],
    [
      'a response whose id and code are no question of the form',
      PAIR_RULE.unknownQuestion,
      COPD_QRD.replace('extension="KOL-DAG-3"', 'extension="KOL-DAG-4"').replace(
        'code="KOL-DAG-3"',
        'code="KOL-DAG-4"'
      ),
      COPD_QFDD,
    ],
    [
      "a response with a question's id but another code system",
      PAIR_RULE.questionCode,
      changed(COPD_QRD, `<code code="KOL-DAG-1" codeSystem="${SYSTEM}"`, '<code code="KOL-DAG-1" codeSystem="2.25.1"'),
      COPD_QFDD,
    ],
    [
      "a response with a question's id but another code",
      PAIR_RULE.questionCode,
      changed(COPD_QRD, `<code code="KOL-DAG-1" codeSystem=`, '<code code="KOL-DAG-9" codeSystem='),
      COPD_QFDD,
    ],
    [
      'a numeric response to a text question',
      PAIR_RULE.answerType,
      changed(
        changed(
          COPD_QRD,
          '<templateId root="2.16.840.1.113883.10.20.33.4.6"/>',
          '<templateId root="2.16.840.1.113883.10.20.33.4.4"/>'
        ),
        '<value xsi:type="ST">Jeg har hostet mere end normalt og sovet dårligt i nat.</value>',
        '<value xsi:type="INT" value="2"/>'
      ),
      COPD_QFDD,
    ],
    [
      'a multiple choice answer the form does not offer',
      PAIR_RULE.option,
      changed(COPD_QRD, 'code="KOL-DAG-2-C"', 'code="KOL-DAG-2-E"'),
      COPD_QFDD,
    ],
    [
      "an option's code in another code system",
      PAIR_RULE.option,
      changed(COPD_QRD, CHOICE_C, CHOICE_C.replace(`codeSystem="${SYSTEM}"`, 'codeSystem="2.25.1"')),
      COPD_QFDD,
    ],
    [
      'a discrete slider step the form does not offer',
      PAIR_RULE.option,
      SLIDER_QRD.replace(/code="SMERTE-1-([A-Z0-9]+)"/, 'code="SMERTE-1-X"'),
      SLIDER_QFDD,
    ],
    [
      'two options where the form allows one',
      PAIR_RULE.selections,
      changed(COPD_QRD, CHOICE_C, CHOICE_C + CHOICE_C.replace('KOL-DAG-2-C', 'KOL-DAG-2-D')),
      COPD_QFDD,
    ],
    [
      'a numeric answer above the range',
      PAIR_RULE.range,
      changed(COPD_QRD, '<value xsi:type="INT" value="4"/>', '<value xsi:type="INT" value="31"/>'),
      COPD_QFDD,
    ],
    [
      'a numeric answer below the range',
      PAIR_RULE.range,
      changed(COPD_QRD, '<value xsi:type="INT" value="4"/>', '<value xsi:type="REAL" value="-0.5"/>'),
      COPD_QFDD,
    ],
    [
      "an analog slider answer above the scale's end",
      PAIR_RULE.range,
      changed(SLIDER_QRD, '<value xsi:type="INT" value="62"/>', '<value xsi:type="INT" value="101"/>'),
      SLIDER_QFDD,
    ],
    [
      "an analog slider answer between the scale's steps",
      PAIR_RULE.range,
      changed(SLIDER_QRD, '<value xsi:type="INT" value="62"/>', '<value xsi:type="REAL" value="62.5"/>'),
      SLIDER_QFDD,
    ],
    [
      'a required multiple choice question without a value',
      PAIR_RULE.required,
      changed(COPD_QRD, CHOICE_C, ''),
      COPD_QFDD,
    ],
    [
      'an associated question answered although its precondition does not hold',
      PAIR_RULE.precondition,
      changed(FOLLOW_UP_QRD, 'code="ANDENOED-1-JA"', 'code="ANDENOED-1-NEJ"'),
      FOLLOW_UP_QFDD,
    ],
  ];

  it.each(DEFECTS)('%s → %s, and nothing else', (_name, ruleId, qrd, qfdd) => {
    const issues = checkPair(answers(qrd), form(qfdd));
    expect(issues.map((i) => i.ruleId)).toEqual([ruleId]);
    expect(issues[0]).toMatchObject({
      severity: 'error',
      stage: 'pair',
      xpath: expect.stringMatching(/^\/cda:ClinicalDocument\[1\]/),
    });
  });

  it('covers every error rule with a defect', () => {
    const errorRules = Object.values(PAIR_RULE).filter((id) => id !== PAIR_RULE.formUnavailable);
    expect([...new Set(DEFECTS.map(([, id]) => id))].sort()).toEqual(errorRules.sort());
  });

  it('points at the response and its line, so a reader finds the answer in the QRD', () => {
    const [issue] = checkPair(answers(changed(COPD_QRD, 'code="KOL-DAG-2-C"', 'code="KOL-DAG-2-E"')), form(COPD_QFDD));
    expect(issue?.line).toBeGreaterThan(1);
    expect(issue?.xpath).toMatch(/cda:observation\[1\]\/cda:value\[1\]$/);
  });

  it('a QRD that answers another form altogether: one DK-PAIR-001 per response, no other finding', () => {
    expect(ruleIds(COPD_QRD, SLIDER_QFDD)).toEqual([PAIR_RULE.reference, PAIR_RULE.reference, PAIR_RULE.reference]);
  });

  it('finds the question by code when the response copies no id of it', () => {
    const withoutIds = COPD_QRD.replaceAll(
      /<id root="2\.25\.73400836020211942743547489661335887066" extension="KOL-DAG-\d"\/>/g,
      ''
    );
    expect(withoutIds).not.toBe(COPD_QRD);
    expect(ruleIds(withoutIds, COPD_QFDD)).toEqual([]);
  });

  it('a question the precondition closes is not required: no DK-PAIR-008 when the follow-up is left out', () => {
    const qfdd = changed(
      changed(
        FOLLOW_UP_QFDD,
        '<templateId root="2.16.840.1.113883.10.20.32.4.9"/>',
        '<templateId root="2.16.840.1.113883.10.20.32.4.8"/>'
      ),
      '<originalText>Beskriv, hvornår på dagen og ved hvilken aktivitet.</originalText>\n                      </code>',
      `<originalText>Beskriv, hvornår på dagen og ved hvilken aktivitet.</originalText>
                      </code>
                      <value xsi:type="CE" code="T" codeSystem="${SYSTEM}" displayName="T"/>
                      <entryRelationship typeCode="SUBJ">
                        <observation classCode="OBS" moodCode="EVN">
                          <templateId root="2.16.840.1.113883.10.20.32.4.20"/>
                          <code code="74467-2" codeSystem="2.16.840.1.113883.6.1"/>
                          <value xsi:type="IVL_INT"><low value="1"/><high value="1"/></value>
                        </observation>
                      </entryRelationship>`
    );
    const start = FOLLOW_UP_QRD.indexOf('<entryRelationship typeCode="REFR">');
    const end = FOLLOW_UP_QRD.indexOf('</entryRelationship>', start) + '</entryRelationship>'.length;
    const noFollowUp = FOLLOW_UP_QRD.slice(0, start) + FOLLOW_UP_QRD.slice(end);
    // Answered yes, the follow-up (now a required choice) is missing; answered no, it may be.
    expect(ruleIds(noFollowUp, qfdd)).toEqual([PAIR_RULE.required]);
    expect(ruleIds(changed(noFollowUp, 'code="ANDENOED-1-JA"', 'code="ANDENOED-1-NEJ"'), qfdd)).toEqual([]);
  });

  it('a numeric precondition holds for an answer within its interval only', () => {
    const qfdd = changed(
      COPD_QFDD,
      '<originalText>Er der andet, du gerne vil fortælle sygeplejersken?</originalText>\n                  </code>',
      `<originalText>Er der andet, du gerne vil fortælle sygeplejersken?</originalText>
                  </code>
                  <precondition typeCode="PRCN">
                    <criterion classCode="OBS" moodCode="EVN.CRT">
                      <templateId root="2.16.840.1.113883.10.20.32.4.3"/>
                      <code code="KOL-DAG-1" codeSystem="${SYSTEM}"/>
                      <value xsi:type="IVL_INT"><low value="3"/><high value="30"/></value>
                    </criterion>
                  </precondition>`
    );
    expect(ruleIds(COPD_QRD, qfdd)).toEqual([]);
    const two = changed(COPD_QRD, '<value xsi:type="INT" value="4"/>', '<value xsi:type="INT" value="2"/>');
    expect(ruleIds(two, qfdd)).toEqual([PAIR_RULE.precondition]);
  });
});

describe('formUnavailableIssue', () => {
  it('is an info note naming the referenced QFDD, never an error', () => {
    expect(formUnavailableIssue(answers(COPD_QRD))).toMatchObject({
      ruleId: PAIR_RULE.formUnavailable,
      severity: 'info',
      stage: 'pair',
      message: expect.stringContaining('954f4981-eddf-4b8b-9dfe-00f5d53440c2'),
    });
  });
});

describe('docs/rules-pro.md', () => {
  it('lists exactly the pair rules, each once, with its severity', () => {
    const page = readFileSync(path.join(PACKAGE_ROOT, 'docs', 'rules-pro.md'), 'utf8');
    const rows = [...page.matchAll(/^\| (DK-PAIR-\d{3}) \|.*\| (error|warning|info) \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(
      Object.values(PAIR_RULE).map((id) => [id, id === PAIR_RULE.formUnavailable ? 'info' : 'error'])
    );
  });
});
