// Builds an unsigned DGWS 1.0.1 system ID card (a SOSI saml:Assertion) and reads the fields of any card.
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { KihError } from '../core/kih-error.js';
import { escapeXmlAttr, escapeXmlText } from '../core/xml-escape.js';
import type { Credentials } from './credentials.js';
import {
  CVR_FORMAT,
  HOLDER_OF_KEY,
  ID_ATTRIBUTE,
  ID_CARD_DATA,
  ID_CARD_ID,
  ID_CARD_VERSION,
  SIGNATURE_ID,
  SOSI_NS,
  SYSTEM_LOG,
} from './namespaces.js';
import { childElements, isElement, onlyChild, parseXmlText, textOf, XmlRejected } from '../xml/xmldom.js';

export const DEFAULT_ID_CARD_VALIDITY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_ISSUER = 'kih-certify';

export interface SystemIdCardOptions {
  /** The care provider's (vendor's) CVR number, 8 digits. */
  readonly cvr: string;
  readonly careProviderName: string;
  readonly itSystemName: string;
  /** saml:Issuer of the self-signed card; DGWS types it as an NCName. */
  readonly issuer?: string;
  readonly now?: Date;
  readonly validityMs?: number;
  /** The signer's credentials: the card carries the hash of this certificate. */
  readonly certificate: Credentials;
  readonly idCardId?: string;
}

export interface IdCardInfo {
  readonly idCardId: string;
  readonly issuer: string;
  /** The care provider's CVR (SystemLog medcom:CareProviderID); STS-issued cards no longer carry it in NameID. */
  readonly cvr: string;
  readonly itSystemName: string;
  readonly careProviderName: string;
  readonly authenticationLevel: number;
  readonly notBefore: Date;
  readonly notOnOrAfter: Date;
  readonly issueInstant: Date;
  readonly idCardVersion: string;
  readonly idCardType: string;
  /** sosi:OCESCertHash: base64 digest of the DER certificate the card was made for. */
  readonly certHash: string;
  readonly nameIdFormat: string;
  readonly nameId: string;
}

const NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const CVR = /^\d{8}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** xs:dateTime in UTC to the second, as SOSI writes its times. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The card's time truncated to the second, so that IssueInstant and NotBefore never lie in the future. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** sosi:OCESCertHash: SHA-256 of the DER certificate, base64 (current SOSI; older cards used SHA-1). */
export function certificateHash(certificateDerBase64: string, algorithm: 'sha256' | 'sha1' = 'sha256'): string {
  return createHash(algorithm).update(Buffer.from(certificateDerBase64, 'base64')).digest('base64');
}

function attribute(name: string, value: string, nameFormat?: string): string {
  const format = nameFormat === undefined ? '' : ` NameFormat="${escapeXmlAttr(nameFormat)}"`;
  return (
    `<saml:Attribute Name="${escapeXmlAttr(name)}"${format}>` +
    `<saml:AttributeValue>${escapeXmlText(value)}</saml:AttributeValue></saml:Attribute>`
  );
}

function required(value: string, what: string): string {
  if (value.trim() === '') {
    throw new KihError('KIH_ERR_ID_CARD', `The ID card needs a ${what}.`);
  }
  return value;
}

/** The fields an ID card is written from; the STS simulator re-issues cards through this too. */
export interface IdCardContent {
  readonly issuer: string;
  readonly issueInstant: Date;
  readonly notBefore: Date;
  readonly notOnOrAfter: Date;
  readonly nameIdFormat: string;
  readonly nameId: string;
  readonly idCardId: string;
  readonly idCardType: string;
  readonly authenticationLevel: number;
  readonly certHash: string;
  readonly itSystemName: string;
  readonly cvr: string;
  readonly careProviderName: string;
}

/**
 * The assertion as one line of text, in the element order of the DGWS profile of SAML: Issuer,
 * Subject, Conditions, the IDCardData and SystemLog statements; the signature, when added,
 * comes last. Every namespace the card uses is declared on the assertion itself, so the text
 * can be moved into any envelope.
 */
export function writeIdCard(c: IdCardContent): string {
  if (!NCNAME.test(c.issuer)) {
    throw new KihError(
      'KIH_ERR_ID_CARD',
      `The ID card issuer "${c.issuer}" is not an XML name (DGWS types it as NCName).`
    );
  }
  if (!(c.notBefore.getTime() < c.notOnOrAfter.getTime())) {
    throw new KihError('KIH_ERR_ID_CARD', 'The ID card validity must be longer than zero.');
  }
  return (
    `<saml:Assertion xmlns:saml="${SOSI_NS.saml}" xmlns:ds="${SOSI_NS.ds}" xmlns:medcom="${SOSI_NS.medcom}" ` +
    `xmlns:sosi="${SOSI_NS.sosi}" IssueInstant="${isoSeconds(c.issueInstant)}" Version="2.0" ${ID_ATTRIBUTE}="${ID_CARD_ID}">` +
    `<saml:Issuer>${escapeXmlText(c.issuer)}</saml:Issuer>` +
    '<saml:Subject>' +
    `<saml:NameID Format="${escapeXmlAttr(c.nameIdFormat)}">${escapeXmlText(c.nameId)}</saml:NameID>` +
    '<saml:SubjectConfirmation>' +
    `<saml:ConfirmationMethod>${HOLDER_OF_KEY}</saml:ConfirmationMethod>` +
    `<saml:SubjectConfirmationData><ds:KeyInfo><ds:KeyName>${SIGNATURE_ID}</ds:KeyName></ds:KeyInfo></saml:SubjectConfirmationData>` +
    '</saml:SubjectConfirmation>' +
    '</saml:Subject>' +
    `<saml:Conditions NotBefore="${isoSeconds(c.notBefore)}" NotOnOrAfter="${isoSeconds(c.notOnOrAfter)}"/>` +
    `<saml:AttributeStatement ${ID_ATTRIBUTE}="${ID_CARD_DATA.statement}">` +
    attribute(ID_CARD_DATA.idCardId, c.idCardId) +
    attribute(ID_CARD_DATA.version, ID_CARD_VERSION) +
    attribute(ID_CARD_DATA.type, c.idCardType) +
    attribute(ID_CARD_DATA.authenticationLevel, String(c.authenticationLevel)) +
    attribute(ID_CARD_DATA.certHash, c.certHash) +
    '</saml:AttributeStatement>' +
    `<saml:AttributeStatement ${ID_ATTRIBUTE}="${SYSTEM_LOG.statement}">` +
    attribute(SYSTEM_LOG.itSystemName, c.itSystemName) +
    attribute(SYSTEM_LOG.careProviderId, c.cvr, CVR_FORMAT) +
    attribute(SYSTEM_LOG.careProviderName, c.careProviderName) +
    '</saml:AttributeStatement>' +
    '</saml:Assertion>'
  );
}

/** An unsigned, self-issued system ID card (authentication level 3, VOCES/FOCES) for the STS to exchange. */
export function buildSystemIdCard(opts: SystemIdCardOptions): string {
  if (!CVR.test(opts.cvr)) {
    throw new KihError('KIH_ERR_ID_CARD', `The CVR number must be 8 digits, got "${opts.cvr}".`);
  }
  const validityMs = opts.validityMs ?? DEFAULT_ID_CARD_VALIDITY_MS;
  if (!Number.isFinite(validityMs) || validityMs < 1000) {
    throw new KihError('KIH_ERR_ID_CARD', `The ID card validity must be at least one second, got ${validityMs} ms.`);
  }
  const now = wholeSeconds(opts.now ?? new Date());
  return writeIdCard({
    issuer: opts.issuer ?? DEFAULT_ISSUER,
    issueInstant: now,
    notBefore: now,
    notOnOrAfter: new Date(now.getTime() + validityMs),
    nameIdFormat: CVR_FORMAT,
    nameId: opts.cvr,
    idCardId: opts.idCardId ?? randomUUID(),
    idCardType: 'system',
    authenticationLevel: 3,
    certHash: certificateHash(opts.certificate.certificateDerBase64),
    itSystemName: required(opts.itSystemName, 'IT system name'),
    cvr: opts.cvr,
    careProviderName: required(opts.careProviderName, 'care provider name'),
  });
}

function cardError(message: string): KihError {
  return new KihError('KIH_ERR_ID_CARD', `The ID card ${message}.`);
}

function dateAttr(el: Element, name: string, where: string): Date {
  const value = el.getAttribute(name)?.trim() ?? '';
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw cardError(`has no valid ${where}/@${name} (an xs:dateTime with a time zone)`);
  }
  return new Date(value);
}

/** The one AttributeStatement with this id among the assertion's children. */
function statement(root: Element, id: string): Map<string, Element> {
  const found = childElements(root).filter(
    (e) => isElement(e, SOSI_NS.saml, 'AttributeStatement') && e.getAttribute(ID_ATTRIBUTE) === id
  );
  const [only] = found;
  if (!only || found.length !== 1) {
    throw cardError(found.length === 0 ? `has no ${id} AttributeStatement` : `has ${id} twice`);
  }
  const byName = new Map<string, Element>();
  for (const attr of childElements(only)) {
    if (!isElement(attr, SOSI_NS.saml, 'Attribute')) {
      continue;
    }
    const name = attr.getAttribute('Name') ?? '';
    if (byName.has(name)) {
      throw cardError(`has the attribute ${name} twice`);
    }
    byName.set(name, attr);
  }
  return byName;
}

function attrValue(statementAttrs: Map<string, Element>, name: string): string {
  const attr = statementAttrs.get(name);
  const values = attr ? childElements(attr).filter((e) => isElement(e, SOSI_NS.saml, 'AttributeValue')) : [];
  const value = values.length === 1 ? textOf(values[0]) : undefined;
  if (value === undefined || value === '') {
    throw cardError(`has no value for ${name}`);
  }
  return value;
}

/** The fields of a card given as its assertion element; throws KIH_ERR_ID_CARD when a SOSI field is missing. */
export function readIdCardElement(root: Element): IdCardInfo {
  if (!isElement(root, SOSI_NS.saml, 'Assertion')) {
    throw cardError(`is not a saml:Assertion (found ${root.namespaceURI ?? ''} ${root.localName})`);
  }
  const issuer = textOf(onlyChild(root, SOSI_NS.saml, 'Issuer'));
  if (!issuer) {
    throw cardError('has no saml:Issuer');
  }
  const nameIdEl = onlyChild(onlyChild(root, SOSI_NS.saml, 'Subject') ?? root, SOSI_NS.saml, 'NameID');
  const nameId = textOf(nameIdEl);
  if (!nameIdEl || !nameId) {
    throw cardError('has no saml:Subject/saml:NameID');
  }
  const conditions = onlyChild(root, SOSI_NS.saml, 'Conditions');
  if (!conditions) {
    throw cardError('has no saml:Conditions');
  }
  const notBefore = dateAttr(conditions, 'NotBefore', 'Conditions');
  const notOnOrAfter = dateAttr(conditions, 'NotOnOrAfter', 'Conditions');
  const data = statement(root, ID_CARD_DATA.statement);
  const log = statement(root, SYSTEM_LOG.statement);
  const idCardVersion = attrValue(data, ID_CARD_DATA.version);
  if (idCardVersion !== ID_CARD_VERSION) {
    throw cardError(`has version ${idCardVersion}; DGWS ${ID_CARD_VERSION} cards are supported`);
  }
  const idCardType = attrValue(data, ID_CARD_DATA.type);
  if (idCardType !== 'system' && idCardType !== 'user') {
    throw cardError(`has the unknown type ${idCardType}`);
  }
  const level = attrValue(data, ID_CARD_DATA.authenticationLevel);
  if (!/^[1-5]$/.test(level)) {
    throw cardError(`has the authentication level ${level}, not 1 to 5`);
  }
  const careProvider = log.get(SYSTEM_LOG.careProviderId);
  if (careProvider?.getAttribute('NameFormat') !== CVR_FORMAT) {
    throw cardError(`has no ${SYSTEM_LOG.careProviderId} with NameFormat ${CVR_FORMAT}`);
  }
  return {
    idCardId: attrValue(data, ID_CARD_DATA.idCardId),
    issuer,
    cvr: attrValue(log, SYSTEM_LOG.careProviderId),
    itSystemName: attrValue(log, SYSTEM_LOG.itSystemName),
    careProviderName: attrValue(log, SYSTEM_LOG.careProviderName),
    authenticationLevel: Number(level),
    notBefore,
    notOnOrAfter,
    issueInstant: dateAttr(root, 'IssueInstant', 'Assertion'),
    idCardVersion,
    idCardType,
    certHash: attrValue(data, ID_CARD_DATA.certHash),
    nameIdFormat: nameIdEl.getAttribute('Format') ?? '',
    nameId,
  };
}

/** Parses a card's text (no DOCTYPE) and reads its fields. The signature is not checked here: see verifyIdCard. */
export function readIdCard(xml: string): IdCardInfo {
  let doc: Document;
  try {
    doc = parseXmlText(xml);
  } catch (err) {
    if (err instanceof XmlRejected) {
      throw cardError(`cannot be read: ${err.message}`);
    }
    throw err;
  }
  return readIdCardElement(doc.documentElement);
}

/** Whether a certificate's DER (base64) hashes to the card's OCESCertHash with SHA-256 or, for older cards, SHA-1. */
export function certHashMatches(card: IdCardInfo, certificatePem: string): boolean {
  const der = new X509Certificate(certificatePem).raw.toString('base64');
  return card.certHash === certificateHash(der, 'sha256') || card.certHash === certificateHash(der, 'sha1');
}
