// Reads a QFDD's questions and a QRD's responses as plain data, so the pair check compares two models instead of two trees.
import { XmlElement } from 'libxml2-wasm';
import type { XmlDocument, XmlNode } from 'libxml2-wasm';
import { CDA_NAMESPACES, NS } from '../core/namespaces.js';
import { canonicalPath } from '../xml/node-path.js';
import type { SourceLocation } from './cda-header.js';

/** The question and response patterns of QFDD 1.2 (2.16.840.1.113883.10.20.32.4.*) and QRD 1.3 (…33.4.*). */
export type QuestionKind = 'numeric' | 'multipleChoice' | 'text' | 'analogSlider' | 'discreteSlider';

const PATTERN = '2.16.840.1.113883.10.20';

/**
 * Question templates → kind. The sliders also carry the numeric (analog) or multiple choice
 * (discrete) template, so the slider templates are looked at first.
 */
const QUESTION_TEMPLATES: readonly (readonly [string, QuestionKind])[] = [
  [`${PATTERN}.32.4.10`, 'analogSlider'],
  [`${PATTERN}.32.4.11`, 'discreteSlider'],
  [`${PATTERN}.32.4.7`, 'numeric'],
  [`${PATTERN}.32.4.8`, 'multipleChoice'],
  [`${PATTERN}.32.4.9`, 'text'],
];

const RESPONSE_TEMPLATES: readonly (readonly [string, QuestionKind])[] = [
  [`${PATTERN}.33.4.7`, 'analogSlider'],
  [`${PATTERN}.33.4.8`, 'discreteSlider'],
  [`${PATTERN}.33.4.4`, 'numeric'],
  [`${PATTERN}.33.4.5`, 'multipleChoice'],
  [`${PATTERN}.33.4.6`, 'text'],
];

/** Question Options (min and max number of answers), shared by QFDD and QRD. */
const OPTIONS_TEMPLATE = `${PATTERN}.32.4.20`;
/** The precondition criterion of a question asked only given an earlier answer. */
const CRITERION_TEMPLATE = `${PATTERN}.32.4.3`;

export interface InstanceId {
  readonly root: string;
  readonly extension?: string;
}

export interface CodedValue {
  readonly code: string;
  readonly codeSystem: string;
  readonly displayName?: string;
}

/** An interval with either end optional; `inclusive="false"` on an end excludes it. */
export interface NumericRange {
  readonly low?: number;
  readonly high?: number;
  readonly lowInclusive: boolean;
  readonly highInclusive: boolean;
}

/**
 * An analog slider's scale, `GLIST_PQ` as the QFDD patterns write it: `head` the first value,
 * `increment` the step and `@denominator` the last value.
 */
export interface SliderScale {
  readonly min: number;
  readonly max: number;
  readonly step?: number;
}

export interface Precondition {
  /** The earlier question, by its code. */
  readonly question: CodedValue;
  /** The answer options that satisfy it (a `CE` criterion value)… */
  readonly options: readonly CodedValue[];
  /** …or the numeric interval (an `IVL_INT`/`IVL_PQ` criterion value). */
  readonly range?: NumericRange;
  readonly at: SourceLocation;
}

export interface FormQuestion {
  readonly kind: QuestionKind;
  readonly ids: readonly InstanceId[];
  readonly code?: CodedValue;
  /** The answer options a multiple choice or discrete slider question offers. */
  readonly options: readonly CodedValue[];
  /** The Question Options limits: how many options an answer picks at least and at most. */
  readonly minAnswers?: number;
  readonly maxAnswers?: number;
  /** A numeric question's range (its `referenceRange`). */
  readonly range?: NumericRange;
  readonly scale?: SliderScale;
  readonly preconditions: readonly Precondition[];
  readonly at: SourceLocation;
}

export interface QuestionnaireForm {
  /** `ClinicalDocument/id`. */
  readonly id?: InstanceId;
  readonly questions: readonly FormQuestion[];
}

export interface ResponseValue {
  /** The local part of `xsi:type` (`INT`, `CE`, `ST`…), empty when there is none. */
  readonly type: string;
  /** `@code`/`@codeSystem` of a coded value. */
  readonly coded?: CodedValue;
  /** `@value` of a numeric or time value. */
  readonly value?: string;
  readonly at: SourceLocation;
}

export interface QuestionResponse {
  readonly kind: QuestionKind;
  readonly ids: readonly InstanceId[];
  readonly code?: CodedValue;
  readonly values: readonly ResponseValue[];
  /** The QFDD each `reference/externalDocument/id` names. */
  readonly references: readonly InstanceId[];
  readonly at: SourceLocation;
}

export interface QuestionnaireResponse {
  readonly id?: InstanceId;
  readonly responses: readonly QuestionResponse[];
}

function at(node: XmlNode): SourceLocation {
  return { line: node.line, xpath: canonicalPath(node) };
}

function elements(ctx: XmlDocument | XmlElement, xpath: string): XmlElement[] {
  return ctx.find(xpath, CDA_NAMESPACES).filter((n): n is XmlElement => n instanceof XmlElement);
}

function attr(el: XmlElement | undefined, name: string): string | undefined {
  const value = el?.attr(name)?.value.trim();
  return value === undefined || value === '' ? undefined : value;
}

function xsiType(el: XmlElement): string {
  const value = el.attrs.find((a) => a.name === 'type' && a.namespaceUri === NS.xsi)?.value.trim() ?? '';
  // `xsi:type="v3:CE"` names the same type as `CE`.
  return value.slice(value.indexOf(':') + 1);
}

function instanceId(el: XmlElement): InstanceId | undefined {
  const root = attr(el, 'root');
  if (root === undefined) {
    return undefined;
  }
  const extension = attr(el, 'extension');
  return extension === undefined ? { root } : { root, extension };
}

function ids(el: XmlElement, xpath = 'cda:id'): InstanceId[] {
  return elements(el, xpath).flatMap((i) => instanceId(i) ?? []);
}

function coded(el: XmlElement | undefined): CodedValue | undefined {
  const code = attr(el, 'code');
  const codeSystem = attr(el, 'codeSystem');
  if (code === undefined || codeSystem === undefined) {
    return undefined;
  }
  const displayName = attr(el, 'displayName');
  return displayName === undefined ? { code, codeSystem } : { code, codeSystem, displayName };
}

/** A number as HL7 writes it (`12`, `-3.5`); undefined for anything else, so nothing is guessed. */
export function hl7Number(text: string | undefined): number | undefined {
  if (text === undefined || !/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    return undefined;
  }
  return Number(text);
}

function interval(value: XmlElement): NumericRange | undefined {
  const low = elements(value, 'cda:low')[0];
  const high = elements(value, 'cda:high')[0];
  const lowValue = hl7Number(attr(low, 'value'));
  const highValue = hl7Number(attr(high, 'value'));
  if (lowValue === undefined && highValue === undefined) {
    return undefined;
  }
  return {
    ...(lowValue !== undefined ? { low: lowValue } : {}),
    ...(highValue !== undefined ? { high: highValue } : {}),
    lowInclusive: attr(low, 'inclusive') !== 'false',
    highInclusive: attr(high, 'inclusive') !== 'false',
  };
}

function kindOf(el: XmlElement, templates: readonly (readonly [string, QuestionKind])[]): QuestionKind | undefined {
  const roots = new Set(elements(el, 'cda:templateId').flatMap((t) => attr(t, 'root') ?? []));
  return templates.find(([root]) => roots.has(root))?.[1];
}

function observationsWith(doc: XmlDocument, templates: readonly (readonly [string, QuestionKind])[]): XmlElement[] {
  const roots = templates.map(([root]) => `@root='${root}'`).join(' or ');
  return elements(
    doc,
    `/cda:ClinicalDocument/cda:component/cda:structuredBody//cda:observation[cda:templateId[${roots}]]`
  );
}

function optionLimits(question: XmlElement): { minAnswers?: number; maxAnswers?: number } {
  const value = elements(
    question,
    `cda:entryRelationship/cda:observation[cda:templateId/@root='${OPTIONS_TEMPLATE}']/cda:value`
  )[0];
  const range = value ? interval(value) : undefined;
  return {
    ...(range?.low !== undefined ? { minAnswers: range.low } : {}),
    ...(range?.high !== undefined ? { maxAnswers: range.high } : {}),
  };
}

function sliderScale(question: XmlElement): SliderScale | undefined {
  const value = elements(question, 'cda:referenceRange/cda:observationRange/cda:value')[0];
  if (!value || xsiType(value) !== 'GLIST_PQ') {
    return undefined;
  }
  const min = hl7Number(attr(elements(value, 'cda:head')[0], 'value'));
  const max = hl7Number(attr(value, 'denominator'));
  const step = hl7Number(attr(elements(value, 'cda:increment')[0], 'value'));
  if (min === undefined || max === undefined) {
    return undefined;
  }
  return step !== undefined && step > 0 ? { min, max, step } : { min, max };
}

function numericRange(question: XmlElement): NumericRange | undefined {
  const value = elements(question, 'cda:referenceRange/cda:observationRange/cda:value')[0];
  return value && xsiType(value).startsWith('IVL_') ? interval(value) : undefined;
}

function preconditions(question: XmlElement): Precondition[] {
  return elements(question, `cda:precondition/cda:criterion[cda:templateId/@root='${CRITERION_TEMPLATE}']`).flatMap(
    (criterion) => {
      const code = coded(elements(criterion, 'cda:code')[0]) ?? codeOnly(elements(criterion, 'cda:code')[0]);
      if (!code) {
        return [];
      }
      const values = elements(criterion, 'cda:value');
      const options = values.filter((v) => attr(v, 'code') !== undefined).map((v) => codeOnly(v) as CodedValue);
      const range = values.map(interval).find((r) => r !== undefined);
      return [{ question: code, options, ...(range ? { range } : {}), at: at(criterion) }];
    }
  );
}

/** A code without a code system (a criterion may leave it out): the system is then empty. */
function codeOnly(el: XmlElement | undefined): CodedValue | undefined {
  const code = attr(el, 'code');
  return code === undefined ? undefined : { code, codeSystem: attr(el, 'codeSystem') ?? '' };
}

/** The questions of a QFDD, in document order (associated questions nested in others included). */
export function readQuestionnaireForm(doc: XmlDocument): QuestionnaireForm {
  const idEl = elements(doc, '/cda:ClinicalDocument/cda:id')[0];
  const id = idEl ? instanceId(idEl) : undefined;
  const questions = observationsWith(doc, QUESTION_TEMPLATES).map((el): FormQuestion => {
    const kind = kindOf(el, QUESTION_TEMPLATES) as QuestionKind;
    const code = coded(elements(el, 'cda:code')[0]);
    const range = kind === 'numeric' ? numericRange(el) : undefined;
    const scale = kind === 'analogSlider' ? sliderScale(el) : undefined;
    return {
      kind,
      ids: ids(el),
      ...(code ? { code } : {}),
      options: elements(el, 'cda:value').flatMap((v) => coded(v) ?? []),
      ...optionLimits(el),
      ...(range ? { range } : {}),
      ...(scale ? { scale } : {}),
      preconditions: preconditions(el),
      at: at(el),
    };
  });
  return { ...(id ? { id } : {}), questions };
}

/** The responses of a QRD, in document order. */
export function readQuestionnaireResponse(doc: XmlDocument): QuestionnaireResponse {
  const idEl = elements(doc, '/cda:ClinicalDocument/cda:id')[0];
  const id = idEl ? instanceId(idEl) : undefined;
  const responses = observationsWith(doc, RESPONSE_TEMPLATES).map((el): QuestionResponse => {
    const code = coded(elements(el, 'cda:code')[0]);
    return {
      kind: kindOf(el, RESPONSE_TEMPLATES) as QuestionKind,
      ids: ids(el),
      ...(code ? { code } : {}),
      values: elements(el, 'cda:value').map((v): ResponseValue => {
        const c = coded(v);
        const value = attr(v, 'value');
        return { type: xsiType(v), ...(c ? { coded: c } : {}), ...(value !== undefined ? { value } : {}), at: at(v) };
      }),
      references: ids(el, 'cda:reference/cda:externalDocument/cda:id'),
      at: at(el),
    };
  });
  return { ...(id ? { id } : {}), responses };
}

/**
 * The key a QRD's reference and a QFDD's own id meet on: the extension (the QFDD's UUID) when there
 * is one, since QRD 1.3.2 references the form under root 2.16.840.1.113883.4.873 while the form
 * names itself under its own root; the root otherwise.
 */
export function formKey(id: InstanceId): string {
  return id.extension ?? id.root;
}
