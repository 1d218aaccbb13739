// Reads the CDA header facts XDS metadata is derived from, each with its line and XPath for findings.
import { XmlElement } from 'libxml2-wasm';
import type { XmlDocument, XmlNode } from 'libxml2-wasm';
import { CDA_NAMESPACES } from '../core/namespaces.js';
import { canonicalPath } from '../xml/node-path.js';
import { TEMPLATE } from './profile-detection.js';
import { normalizeSpace } from './hl7-values.js';

/** The Danish id roots the header is read by: CPR (patients) and SOR (organisations). */
export const DK_ID_ROOT = { cpr: '1.2.208.176.1.2', sor: '1.2.208.176.1.1' } as const;

/** Where a value sits in the source document. */
export interface SourceLocation {
  readonly line: number;
  readonly xpath: string;
}

export type Located<T> = T & { readonly at: SourceLocation };

export interface HeaderCode {
  readonly code: string;
  readonly codeSystem: string;
  readonly displayName?: string;
}

export interface HeaderName {
  readonly family: string;
  readonly given: readonly string[];
}

export interface HeaderInstanceId {
  readonly root: string;
  readonly extension?: string;
}

export interface CdaHeader {
  /** The root element, so findings about missing parts can point somewhere. */
  readonly root: SourceLocation;
  readonly id?: Located<HeaderInstanceId>;
  readonly code?: Located<HeaderCode>;
  readonly title?: Located<{ text: string }>;
  readonly effectiveTime?: Located<{ value: string }>;
  readonly confidentialityCode?: Located<HeaderCode>;
  readonly languageCode?: Located<{ code: string }>;
  readonly patient: {
    readonly at?: SourceLocation;
    /** The CPR number (`patientRole/id` with root `1.2.208.176.1.2`), when there is one. */
    readonly cpr?: Located<{ value: string }>;
    readonly name?: HeaderName;
    readonly gender?: string;
    readonly birthTime?: Located<{ value: string }>;
  };
  /** The first author. */
  readonly author?: {
    readonly at: SourceLocation;
    /** SOR id of the author's organisation: `assignedAuthor/id` when SOR, else `representedOrganization/id`. */
    readonly sor?: Located<{ value: string }>;
    readonly organizationName?: string;
    readonly person?: HeaderName;
  };
  readonly legalAuthenticator?: { readonly at: SourceLocation; readonly person?: HeaderName };
  /** The monitoring/answer period: `documentationOf/serviceEvent/effectiveTime/low|high`. */
  readonly serviceStart?: Located<{ value: string }>;
  readonly serviceStop?: Located<{ value: string }>;
  /** Coded serviceEvents other than the version marker (PHMR: the measurement codes). */
  readonly serviceEventCodes: readonly Located<HeaderCode>[];
}

function at(node: XmlNode): SourceLocation {
  return { line: node.line, xpath: canonicalPath(node) };
}

function element(ctx: XmlDocument | XmlElement, xpath: string): XmlElement | undefined {
  const node = ctx.get(xpath, CDA_NAMESPACES);
  return node instanceof XmlElement ? node : undefined;
}

function elements(ctx: XmlDocument | XmlElement, xpath: string): XmlElement[] {
  return ctx.find(xpath, CDA_NAMESPACES).filter((n): n is XmlElement => n instanceof XmlElement);
}

function attr(el: XmlElement | undefined, name: string): string | undefined {
  const value = el?.attr(name)?.value.trim();
  return value ? value : undefined;
}

function located<T extends object>(node: XmlNode, value: T): Located<T> {
  return { ...value, at: at(node) };
}

function code(el: XmlElement | undefined): Located<HeaderCode> | undefined {
  const c = attr(el, 'code');
  const system = attr(el, 'codeSystem');
  if (!el || !c || !system) {
    return undefined;
  }
  const displayName = attr(el, 'displayName');
  return located(el, { code: c, codeSystem: system, ...(displayName ? { displayName } : {}) });
}

function valueAttr(el: XmlElement | undefined): Located<{ value: string }> | undefined {
  const v = attr(el, 'value');
  return el && v ? located(el, { value: v }) : undefined;
}

function name(el: XmlElement | undefined): HeaderName | undefined {
  if (!el) {
    return undefined;
  }
  const family = elements(el, 'cda:family')
    .map((f) => normalizeSpace(f.content))
    .filter(Boolean)
    .join(' ');
  const given = elements(el, 'cda:given')
    .map((g) => normalizeSpace(g.content))
    .filter(Boolean);
  return family || given.length > 0 ? { family, given } : undefined;
}

const CD = '/cda:ClinicalDocument';

/** Extracts the header; never throws for missing parts (derivation reports what it needs). */
export function readCdaHeader(doc: XmlDocument): CdaHeader {
  const root = doc.root;
  const idEl = element(doc, `${CD}/cda:id`);
  const idRoot = attr(idEl, 'root');
  const idExtension = attr(idEl, 'extension');
  const titleEl = element(doc, `${CD}/cda:title`);
  const titleText = titleEl ? normalizeSpace(titleEl.content) : '';
  const languageEl = element(doc, `${CD}/cda:languageCode`);
  const language = attr(languageEl, 'code');

  const patientRole = element(doc, `${CD}/cda:recordTarget[1]/cda:patientRole`);
  const cprEl = patientRole ? element(patientRole, `cda:id[@root='${DK_ID_ROOT.cpr}']`) : undefined;
  const cpr = attr(cprEl, 'extension');
  const patientEl = patientRole ? element(patientRole, 'cda:patient') : undefined;
  const patientName = patientEl ? name(element(patientEl, 'cda:name')) : undefined;
  const gender = patientEl ? attr(element(patientEl, 'cda:administrativeGenderCode'), 'code') : undefined;
  const birthTime = patientEl ? valueAttr(element(patientEl, 'cda:birthTime')) : undefined;

  const assignedAuthor = element(doc, `${CD}/cda:author[1]/cda:assignedAuthor`);
  let author: CdaHeader['author'];
  if (assignedAuthor) {
    const sorEl =
      element(assignedAuthor, `cda:id[@root='${DK_ID_ROOT.sor}'][@extension]`) ??
      element(assignedAuthor, `cda:representedOrganization/cda:id[@root='${DK_ID_ROOT.sor}'][@extension]`);
    const sor = attr(sorEl, 'extension');
    const orgNameEl = element(assignedAuthor, 'cda:representedOrganization/cda:name');
    const orgName = orgNameEl ? normalizeSpace(orgNameEl.content) : '';
    const person = name(element(assignedAuthor, 'cda:assignedPerson/cda:name'));
    author = {
      at: at(assignedAuthor),
      ...(sorEl && sor ? { sor: located(sorEl, { value: sor }) } : {}),
      ...(orgName ? { organizationName: orgName } : {}),
      ...(person ? { person } : {}),
    };
  }

  const legalEntity = element(doc, `${CD}/cda:legalAuthenticator/cda:assignedEntity`);
  const legalPerson = legalEntity ? name(element(legalEntity, 'cda:assignedPerson/cda:name')) : undefined;

  const events = `${CD}/cda:documentationOf/cda:serviceEvent`;
  const period = element(doc, `${events}/cda:effectiveTime[cda:low or cda:high]`);
  const serviceEventCodes = elements(doc, `${events}[not(cda:templateId/@root='${TEMPLATE.versionMarker}')]/cda:code`)
    .map(code)
    .filter((c): c is Located<HeaderCode> => c !== undefined);

  const serviceStart = period ? valueAttr(element(period, 'cda:low')) : undefined;
  const serviceStop = period ? valueAttr(element(period, 'cda:high')) : undefined;
  const effectiveTime = valueAttr(element(doc, `${CD}/cda:effectiveTime`));
  const documentCode = code(element(doc, `${CD}/cda:code`));
  const confidentiality = code(element(doc, `${CD}/cda:confidentialityCode`));
  return {
    root: at(root),
    ...(idEl && idRoot
      ? { id: located(idEl, { root: idRoot, ...(idExtension ? { extension: idExtension } : {}) }) }
      : {}),
    ...(documentCode ? { code: documentCode } : {}),
    ...(titleEl && titleText ? { title: located(titleEl, { text: titleText }) } : {}),
    ...(effectiveTime ? { effectiveTime } : {}),
    ...(confidentiality ? { confidentialityCode: confidentiality } : {}),
    ...(languageEl && language ? { languageCode: located(languageEl, { code: language }) } : {}),
    patient: {
      ...(patientRole ? { at: at(patientRole) } : {}),
      ...(cprEl && cpr ? { cpr: located(cprEl, { value: cpr }) } : {}),
      ...(patientName ? { name: patientName } : {}),
      ...(gender ? { gender } : {}),
      ...(birthTime ? { birthTime } : {}),
    },
    ...(author ? { author } : {}),
    ...(legalEntity
      ? { legalAuthenticator: { at: at(legalEntity), ...(legalPerson ? { person: legalPerson } : {}) } }
      : {}),
    ...(serviceStart ? { serviceStart } : {}),
    ...(serviceStop ? { serviceStop } : {}),
    serviceEventCodes,
  };
}
