// The QRD ↔ QFDD pair check: a questionnaire response measured against the form it answers, one stable rule id per defect (DK-PAIR-*).
import type { ValidationIssue } from '../core/report.js';
import type { SourceLocation } from '../cda/cda-header.js';
import { formKey, hl7Number } from '../cda/questionnaire.js';
import type {
  CodedValue,
  FormQuestion,
  NumericRange,
  Precondition,
  QuestionKind,
  QuestionResponse,
  QuestionnaireForm,
  QuestionnaireResponse,
  InstanceId,
  SliderScale,
} from '../cda/questionnaire.js';

/** The rule ids, listed in docs/rules-pro.md ("QRD ↔ QFDD pair rules"); never reused. */
export const PAIR_RULE = {
  reference: 'DK-PAIR-001',
  unknownQuestion: 'DK-PAIR-002',
  questionCode: 'DK-PAIR-003',
  answerType: 'DK-PAIR-004',
  option: 'DK-PAIR-005',
  selections: 'DK-PAIR-006',
  range: 'DK-PAIR-007',
  required: 'DK-PAIR-008',
  precondition: 'DK-PAIR-009',
  formUnavailable: 'DK-PAIR-010',
} as const;

const SEE = 'QRD-DK 1.3.2 §5.9 and QFDD-DK 1.2 question patterns; docs/rules-pro.md, QRD ↔ QFDD pair rules';

/** Where the response document starts: the place of findings about something the QRD lacks. */
const QRD_ROOT = '/cda:ClinicalDocument[1]';

const KIND_LABEL: Readonly<Record<QuestionKind, string>> = {
  numeric: 'numeric',
  multipleChoice: 'multiple choice',
  text: 'text',
  analogSlider: 'analog slider',
  discreteSlider: 'discrete slider',
};

function finding(ruleId: string, message: string, where?: SourceLocation): ValidationIssue {
  return {
    ruleId,
    severity: 'error',
    stage: 'pair',
    message,
    xpath: where?.xpath ?? QRD_ROOT,
    ...(where && where.line > 0 ? { line: where.line } : {}),
    see: SEE,
  };
}

function sameId(a: InstanceId, b: InstanceId): boolean {
  return a.root === b.root && (a.extension ?? '') === (b.extension ?? '');
}

function sameCode(a: CodedValue, b: CodedValue): boolean {
  return a.code === b.code && a.codeSystem === b.codeSystem;
}

function codeLabel(c: CodedValue | undefined): string {
  return c ? `${c.code} (${c.codeSystem})` : '(no code)';
}

function idLabel(id: InstanceId): string {
  return id.extension !== undefined ? `${id.root}^${id.extension}` : id.root;
}

function inRange(n: number, r: NumericRange): boolean {
  const aboveLow = r.low === undefined || (r.lowInclusive ? n >= r.low : n > r.low);
  const belowHigh = r.high === undefined || (r.highInclusive ? n <= r.high : n < r.high);
  return aboveLow && belowHigh;
}

function rangeLabel(r: NumericRange): string {
  return `${r.lowInclusive ? '[' : ']'}${r.low ?? '…'}; ${r.high ?? '…'}${r.highInclusive ? ']' : '['}`;
}

function onScale(n: number, s: SliderScale): boolean {
  if (n < s.min || n > s.max) {
    return false;
  }
  if (s.step === undefined) {
    return true;
  }
  const steps = (n - s.min) / s.step;
  // Decimal steps (0.1) are not exact in binary; a millionth of a step is rounding, not a defect.
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** A response's question: the one sharing an id (as the response pattern copies it), else the one with its code. */
function questionOf(response: QuestionResponse, form: QuestionnaireForm): { question?: FormQuestion; byId: boolean } {
  const byId = form.questions.find((q) => q.ids.some((qid) => response.ids.some((rid) => sameId(qid, rid))));
  if (byId) {
    return { question: byId, byId: true };
  }
  const code = response.code;
  const byCode = code ? form.questions.find((q) => q.code !== undefined && sameCode(q.code, code)) : undefined;
  return byCode ? { question: byCode, byId: false } : { byId: false };
}

/** Answered means at least one value: a response without one leaves its question unanswered. */
function answered(response: QuestionResponse): boolean {
  return response.values.length > 0;
}

function numericValues(response: QuestionResponse): { n: number; at: SourceLocation }[] {
  return response.values
    .filter((v) => v.type !== 'TS')
    .flatMap((v) => {
      const n = hl7Number(v.value);
      return n === undefined ? [] : [{ n, at: v.at }];
    });
}

/**
 * Whether a precondition holds for the answers given: the earlier question (found by its code; by
 * code alone when the criterion names no code system or one the form does not use) has an answer
 * among the criterion's options, or within its interval, or any answer when the criterion names neither.
 */
function preconditionHolds(
  p: Precondition,
  form: QuestionnaireForm,
  answersTo: ReadonlyMap<FormQuestion, readonly QuestionResponse[]>
): boolean {
  const exact = form.questions.find((q) => q.code !== undefined && sameCode(q.code, p.question));
  const earlier = exact ?? form.questions.find((q) => q.code?.code === p.question.code);
  const responses = (earlier ? answersTo.get(earlier) : undefined) ?? [];
  const given = responses.filter(answered);
  if (given.length === 0) {
    return false;
  }
  if (p.options.length > 0) {
    return given.some((r) =>
      r.values.some(
        (v) =>
          v.coded !== undefined &&
          p.options.some(
            (o) => o.code === v.coded?.code && (o.codeSystem === '' || o.codeSystem === v.coded.codeSystem)
          )
      )
    );
  }
  const range = p.range;
  if (range) {
    return given.some((r) => numericValues(r).some(({ n }) => inRange(n, range)));
  }
  return true;
}

/** Findings on one response already matched to its question (kind, options, counts, ranges). */
function checkAnswer(response: QuestionResponse, question: FormQuestion): ValidationIssue[] {
  const label = codeLabel(question.code);
  if (response.kind !== question.kind) {
    return [
      finding(
        PAIR_RULE.answerType,
        `The response to question ${label} is a ${KIND_LABEL[response.kind]} response, but the form defines a ${KIND_LABEL[question.kind]} question (line ${question.at.line} of the QFDD).`,
        response.at
      ),
    ];
  }
  const issues: ValidationIssue[] = [];
  if (question.kind === 'multipleChoice' || question.kind === 'discreteSlider') {
    for (const v of response.values) {
      const picked = v.coded;
      if (!picked || !question.options.some((o) => sameCode(o, picked))) {
        issues.push(
          finding(
            PAIR_RULE.option,
            `The answer ${codeLabel(picked)} to question ${label} is not one of the ${question.options.length} options the form offers (${question.options.map((o) => o.code).join(', ')}).`,
            v.at
          )
        );
      }
    }
    const count = response.values.length;
    const { minAnswers: min, maxAnswers: max } = question;
    if (count > 0 && ((min !== undefined && count < min) || (max !== undefined && count > max))) {
      issues.push(
        finding(
          PAIR_RULE.selections,
          `The response to question ${label} picks ${count} option${count === 1 ? '' : 's'}; the form allows ${min ?? 0} to ${max ?? 'any number'}.`,
          response.at
        )
      );
    }
  }
  const range = question.range;
  if (question.kind === 'numeric' && range) {
    for (const { n, at } of numericValues(response)) {
      if (!inRange(n, range)) {
        issues.push(
          finding(
            PAIR_RULE.range,
            `The answer ${n} to numeric question ${label} lies outside the form's range ${rangeLabel(range)}.`,
            at
          )
        );
      }
    }
  }
  const scale = question.scale;
  if (question.kind === 'analogSlider' && scale) {
    for (const { n, at } of numericValues(response)) {
      if (!onScale(n, scale)) {
        issues.push(
          finding(
            PAIR_RULE.range,
            `The answer ${n} to analog slider question ${label} is not on the form's scale ${scale.min} to ${scale.max}${scale.step !== undefined ? ` in steps of ${scale.step}` : ''}.`,
            at
          )
        );
      }
    }
  }
  return issues;
}

/**
 * Checks a QRD's responses against the QFDD it answers. Pure: both documents come as the models of
 * src/cda/questionnaire.ts. Every finding points into the QRD (stage `pair`); `formName` (the form's
 * file) only words the messages.
 */
export function checkPair(
  response: QuestionnaireResponse,
  form: QuestionnaireForm,
  formName = 'the QFDD'
): ValidationIssue[] {
  const formId = form.id;
  const wrongReference = response.responses.filter(
    (r) =>
      r.references.length > 0 && (formId === undefined || !r.references.some((ref) => formKey(ref) === formKey(formId)))
  );
  const issues: ValidationIssue[] = wrongReference.map((r) =>
    finding(
      PAIR_RULE.reference,
      `The response to ${codeLabel(r.code)} references the QFDD ${r.references.map(idLabel).join(', ')}, but it is checked against ${formName}, whose id is ${formId ? idLabel(formId) : '(none)'}.`,
      r.at
    )
  );
  // A response that answers some other form would fail every check below; its reference is the one defect.
  if (wrongReference.length > 0 && wrongReference.length === response.responses.length) {
    return issues;
  }

  const answersTo = new Map<FormQuestion, QuestionResponse[]>();
  const matched: [QuestionResponse, FormQuestion][] = [];
  for (const r of response.responses) {
    if (wrongReference.includes(r)) {
      continue;
    }
    const { question, byId } = questionOf(r, form);
    if (!question) {
      issues.push(
        finding(
          PAIR_RULE.unknownQuestion,
          `The response to ${codeLabel(r.code)} (id ${r.ids.map(idLabel).join(', ') || 'none'}) answers no question of ${formName}: neither its id nor its code and code system is a question's.`,
          r.at
        )
      );
      continue;
    }
    if (byId && (!r.code || !question.code || !sameCode(r.code, question.code))) {
      issues.push(
        finding(
          PAIR_RULE.questionCode,
          `The response with id ${r.ids.map(idLabel).join(', ')} carries the code ${codeLabel(r.code)}, but the form's question with that id has ${codeLabel(question.code)}.`,
          r.at
        )
      );
    }
    answersTo.set(question, [...(answersTo.get(question) ?? []), r]);
    matched.push([r, question]);
  }

  for (const [r, question] of matched) {
    issues.push(...checkAnswer(r, question));
    if (answered(r) && !question.preconditions.every((p) => preconditionHolds(p, form, answersTo))) {
      const p = question.preconditions.find((pc) => !preconditionHolds(pc, form, answersTo));
      issues.push(
        finding(
          PAIR_RULE.precondition,
          `Question ${codeLabel(question.code)} is answered, but the form asks it only given an answer to ${p ? p.question.code : 'an earlier question'}${p && p.options.length > 0 ? ` of ${p.options.map((o) => o.code).join(' or ')}` : ''}${p?.range ? ` in ${rangeLabel(p.range)}` : ''}, which the response does not give.`,
          r.at
        )
      );
    }
  }

  for (const question of form.questions) {
    const required = question.minAnswers !== undefined && question.minAnswers >= 1;
    if (!required || (answersTo.get(question) ?? []).some(answered)) {
      continue;
    }
    if (question.preconditions.every((p) => preconditionHolds(p, form, answersTo))) {
      issues.push(
        finding(
          PAIR_RULE.required,
          `Question ${codeLabel(question.code)} (line ${question.at.line} of ${formName}) requires at least ${question.minAnswers} answer${question.minAnswers === 1 ? '' : 's'}, and the response gives none.`
        )
      );
    }
  }
  return issues;
}

/** The note on a QRD whose form was not among the documents: no pair findings, and why. */
export function formUnavailableIssue(response: QuestionnaireResponse): ValidationIssue {
  const referenced = [...new Set(response.responses.flatMap((r) => r.references.map(idLabel)))];
  return {
    ruleId: PAIR_RULE.formUnavailable,
    severity: 'info',
    stage: 'pair',
    message:
      referenced.length > 0
        ? `The QFDD this response references (${referenced.join(', ')}) is not among the documents, so the answers were not checked against the form (give it with --qfdd, or validate it in the same run).`
        : 'The response references no QFDD, so the answers were not checked against a form.',
    xpath: QRD_ROOT,
    see: SEE,
  };
}
