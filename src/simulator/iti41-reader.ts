// Reads an incoming ITI-41 request: MTOM/XOP or plain SOAP, SOAP 1.1 or 1.2, the headers the simulator checks, the documents and the ebRIM.
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { ParseOption, XmlParseError } from 'libxml2-wasm';
import { checkInputBytes } from '../xml/input-checks.js';
import { parseLibxml, SAFE_PARSE_OPTIONS } from '../xml/libxml.js';
import { isKihError } from '../core/kih-error.js';
import { elementText, findSourcePath, scanElements } from '../security/xml-source.js';
import type { ValidationIssue } from '../core/report.js';
import { parseSubmission } from '../xds/ebrim-parse.js';
import { externalIdentifiersWithScheme } from '../xds/ebrim-model.js';
import type { RimSubmission } from '../xds/ebrim-model.js';
import { findAttachment, parseContentType, parseMultipartRelated } from '../xds/mtom.js';
import type { ContentType, MimePart } from '../xds/mtom.js';
import type { SoapVersion } from '../xds/soap-envelope.js';
import { DOCUMENT_ENTRY, XDS_NS } from '../xds/vocabulary.js';
import type { FaultSpec } from './registry-response.js';
import { childElement, elementChildren, trimmedText } from '../xml/libxml-tree.js';

export interface DgwsHeaders {
  readonly securityPresent: boolean;
  readonly assertionPresent: boolean;
  /** The ID card exactly as sent, with its inherited namespace declarations. */
  readonly cardXml?: string;
  readonly medcomHeaderPresent: boolean;
  readonly securityLevel?: string;
  readonly linkingMessageId?: string;
}

/** One `xds:Document`: its bytes, or why there are none. */
export interface DocumentContent {
  readonly id: string;
  readonly bytes?: Uint8Array;
  readonly problem?: string;
}

export interface Iti41Request {
  readonly soapVersion: SoapVersion;
  readonly multipart: boolean;
  readonly messageId?: string;
  readonly action?: string;
  readonly dgws: DgwsHeaders;
  readonly documents: readonly DocumentContent[];
  /** Absent when the body holds no readable SubmitObjectsRequest (see `submissionIssues`). */
  readonly submission?: RimSubmission;
  readonly submissionIssues: readonly ValidationIssue[];
  /** DocumentEntry uniqueIds, in order, for scenario matching and locking. */
  readonly uniqueIds: readonly string[];
}

export type ReadResult =
  | { readonly ok: true; readonly request: Iti41Request }
  | { readonly ok: false; readonly kind: 'media-type'; readonly message: string }
  | { readonly ok: false; readonly kind: 'fault'; readonly soapVersion: SoapVersion; readonly fault: FaultSpec };

const PLAIN_SOAP_TYPES = ['text/xml', 'application/soap+xml', 'application/xml'];

/**
 * An inline document is one text node, and libxml2 refuses text nodes over 10 MB unless told
 * otherwise. The request is already bounded by the size limit and has no DOCTYPE, so lifting
 * libxml2's own limits costs nothing in safety.
 */
const REQUEST_PARSE_OPTIONS: ParseOption = SAFE_PARSE_OPTIONS | ParseOption.XML_PARSE_HUGE;

/** What stands in for inline content once its bytes are taken (valid base64, so nothing reads it as empty). */
const INLINE_PLACEHOLDER = 'AA==';

/** The SOAP version a fault should use before the envelope could be read. */
function guessVersion(ct: ContentType): SoapVersion {
  const type = ct.mediaType === 'multipart/related' ? (ct.params['start-info'] ?? ct.params.type ?? '') : ct.mediaType;
  return type.toLowerCase().includes('soap+xml') ? '1.2' : '1.1';
}

function clientFault(soapVersion: SoapVersion, reason: string): ReadResult {
  return { ok: false, kind: 'fault', soapVersion, fault: { code: 'Client', reason } };
}

/** Base64 without white space: whole quads, `=` only as padding at the end. Checked without a repeating regex group, which overflows V8's regex stack on megabytes. */
function isBase64(text: string): boolean {
  const pad = text.indexOf('=');
  return (
    text.length % 4 === 0 &&
    !/[^A-Za-z0-9+/=]/.test(text) &&
    (pad < 0 || (pad >= text.length - 2 && /^=+$/.test(text.slice(pad))))
  );
}

/** Replaces an element's content with the placeholder, so the metadata can be parsed again without the document in it. */
function blankContent(el: XmlElement): void {
  const nodes = [];
  for (let n = el.firstChild; n; n = n.next) {
    nodes.push(n);
  }
  for (const n of nodes) {
    n.remove();
  }
  el.addText(INLINE_PLACEHOLDER);
}

function readDocumentContent(el: XmlElement, parts: readonly MimePart[]): DocumentContent {
  const id = el.attr('id')?.value ?? '';
  const include = childElement(el, XDS_NS.xop, 'Include');
  if (include) {
    const href = include.attr('href')?.value ?? '';
    const part = href ? findAttachment(parts, href) : undefined;
    return part ? { id, bytes: part.body } : { id, problem: `its xop:Include href "${href}" names no MIME part` };
  }
  const base64 = el.content.replace(/\s+/g, '');
  if (base64 === '') {
    return { id, problem: 'it has no content' };
  }
  if (!isBase64(base64)) {
    return { id, problem: 'its inline content is not base64' };
  }
  const bytes = Buffer.from(base64, 'base64');
  blankContent(el);
  return { id, bytes };
}

interface Envelope {
  readonly soapVersion: SoapVersion;
  readonly messageId?: string;
  readonly action?: string;
  readonly dgws: DgwsHeaders;
  readonly documents: DocumentContent[];
  /** Whether inline document content was blanked in the parsed tree. */
  readonly blanked: boolean;
}

/** The body element a request must hold: ITI-41's by default, ITI-18's or ITI-43's for the registry endpoints. */
export interface ExpectedPayload {
  readonly ns: string;
  readonly name: string;
  readonly label: string;
}

const PROVIDE_AND_REGISTER: ExpectedPayload = {
  ns: XDS_NS.xds,
  name: 'ProvideAndRegisterDocumentSetRequest',
  label: 'xds:ProvideAndRegisterDocumentSetRequest',
};

function readEnvelope(
  doc: XmlDocument,
  soapText: string,
  parts: readonly MimePart[],
  guess: SoapVersion,
  expected: ExpectedPayload = PROVIDE_AND_REGISTER
): (Envelope & { readonly payload: XmlElement }) | ReadResult {
  const root = doc.root;
  const soapVersion: SoapVersion | undefined =
    root.namespaceUri === XDS_NS.soap11 ? '1.1' : root.namespaceUri === XDS_NS.soap12 ? '1.2' : undefined;
  if (root.name !== 'Envelope' || !soapVersion) {
    return root.name === 'Envelope'
      ? {
          ok: false,
          kind: 'fault',
          soapVersion: guess,
          fault: { code: 'VersionMismatch', reason: `Unknown SOAP envelope namespace "${root.namespaceUri}".` },
        }
      : clientFault(guess, `The message is not a SOAP envelope (root element ${root.name}).`);
  }
  const soapNs = root.namespaceUri;
  const header = childElement(root, soapNs, 'Header');
  const body = childElement(root, soapNs, 'Body');
  const payload = body ? elementChildren(body)[0] : undefined;
  if (!payload || payload.namespaceUri !== expected.ns || payload.name !== expected.name) {
    const found = payload ? `{${payload.namespaceUri}}${payload.name}` : 'nothing';
    return clientFault(soapVersion, `The SOAP Body holds ${found}, not an ${expected.label} (${expected.ns}).`);
  }
  // The first Security header and its first Assertion, the same ones cardSource follows.
  const security = childElement(header, XDS_NS.wsse, 'Security');
  const assertion = childElement(security, XDS_NS.saml, 'Assertion');
  const medcom = childElement(header, XDS_NS.medcom, 'Header');
  const cardXml = assertion ? cardSource(soapText, soapNs) : undefined;
  const securityLevel = trimmedText(childElement(medcom, XDS_NS.medcom, 'SecurityLevel'));
  const linkingMessageId = trimmedText(
    childElement(childElement(medcom, XDS_NS.medcom, 'Linking'), XDS_NS.medcom, 'MessageID')
  );
  const messageId = trimmedText(childElement(header, XDS_NS.wsa, 'MessageID'));
  const documentElements = elementChildren(payload).filter(
    (c) => c.namespaceUri === XDS_NS.xds && c.name === 'Document'
  );
  const action = trimmedText(childElement(header, XDS_NS.wsa, 'Action'));
  return {
    soapVersion,
    ...(messageId !== undefined ? { messageId } : {}),
    ...(action !== undefined ? { action } : {}),
    dgws: {
      securityPresent: security !== undefined,
      assertionPresent: assertion !== undefined,
      ...(cardXml !== undefined ? { cardXml } : {}),
      medcomHeaderPresent: medcom !== undefined,
      ...(securityLevel !== undefined ? { securityLevel } : {}),
      ...(linkingMessageId !== undefined ? { linkingMessageId } : {}),
    },
    documents: documentElements.map((c) => readDocumentContent(c, parts)),
    blanked: documentElements.some((c) => childElement(c, XDS_NS.xop, 'Include') === undefined),
    payload,
  };
}

function uniqueIdsOf(submission: RimSubmission | undefined): string[] {
  return (submission?.extrinsicObjects ?? []).flatMap((eo) => {
    const value = externalIdentifiersWithScheme(eo, DOCUMENT_ENTRY.uniqueId)[0]?.value;
    return value ? [value] : [];
  });
}

/** Reads a request body; anything that is not an ITI-41 SOAP message becomes the fault (or media-type refusal) to answer. */
export function readIti41Request(
  body: Uint8Array,
  contentTypeHeader: string | undefined,
  maxBytes: number
): ReadResult {
  const ct = parseContentType(contentTypeHeader ?? '');
  const guess = guessVersion(ct);
  let soapBytes: Uint8Array;
  let parts: readonly MimePart[] = [];
  const multipart = ct.mediaType === 'multipart/related';
  if (multipart) {
    try {
      const mime = parseMultipartRelated(body, contentTypeHeader ?? '');
      soapBytes = mime.root.body;
      parts = mime.parts;
    } catch (err) {
      if (!isKihError(err)) {
        throw err;
      }
      return clientFault(guess, `The MTOM/XOP message cannot be read: ${err.message}`);
    }
  } else if (PLAIN_SOAP_TYPES.includes(ct.mediaType)) {
    soapBytes = body;
  } else {
    return {
      ok: false,
      kind: 'media-type',
      message: `Content-Type ${JSON.stringify(ct.mediaType || '(none)')} is neither multipart/related (MTOM/XOP) nor a SOAP type (text/xml, application/soap+xml).`,
    };
  }
  const checked = checkInputBytes(soapBytes, maxBytes);
  if (!checked.ok) {
    const why = checked.issues
      .map((i) =>
        i.ruleId === 'CDA_ERR_DOCTYPE'
          ? 'it has a DOCTYPE (refused: no DTDs or entities)'
          : i.message.replace(/\.$/, '')
      )
      .join('; ');
    return clientFault(guess, `The SOAP envelope cannot be read: ${why}.`);
  }
  let doc: XmlDocument;
  try {
    doc = parseLibxml(soapBytes, { url: 'request.xml', option: REQUEST_PARSE_OPTIONS });
  } catch (err) {
    if (err instanceof XmlParseError) {
      const detail = err.details[0];
      return clientFault(
        guess,
        `The SOAP envelope is not well-formed XML${detail ? ` (line ${detail.line}: ${detail.message.trim()})` : ''}.`
      );
    }
    throw err;
  }
  let envelope: ReturnType<typeof readEnvelope>;
  let metadataSource: Uint8Array | string = soapBytes;
  try {
    envelope = readEnvelope(doc, checked.text, parts, guess);
    if (!('ok' in envelope) && envelope.blanked) {
      // The metadata parser keeps libxml2's default limits; give it the request without the inline bytes.
      metadataSource = doc.toString();
    }
  } finally {
    doc.dispose();
  }
  if ('ok' in envelope) {
    return envelope;
  }
  const { blanked: _blanked, payload: _payload, ...read } = envelope;
  const parsed = parseSubmission(metadataSource, { url: 'request.xml', maxBytes });
  return {
    ok: true,
    request: {
      ...read,
      multipart,
      ...(parsed.submission ? { submission: parsed.submission } : {}),
      submissionIssues: parsed.issues,
      uniqueIds: uniqueIdsOf(parsed.submission),
    },
  };
}

/** The ID card's exact text, cut out of the SOAP text with the namespaces it inherits declared on it. */
function cardSource(soapText: string, soapNs: string): string | undefined {
  try {
    const elements = scanElements(soapText);
    const card = findSourcePath(elements, [
      { ns: soapNs, localName: 'Envelope' },
      { ns: soapNs, localName: 'Header' },
      { ns: XDS_NS.wsse, localName: 'Security' },
      { ns: XDS_NS.saml, localName: 'Assertion' },
    ]);
    return card ? elementText(soapText, elements, card.index) : undefined;
  } catch {
    // libxml2 accepted the text, so the scan fails only on markup it does not model; no card then.
    return undefined;
  }
}

/** A registry or repository request (ITI-18, ITI-43): its SOAP and DGWS facts and what `readPayload` took from the body. */
export interface SoapQueryRequest<T> {
  readonly soapVersion: SoapVersion;
  readonly messageId?: string;
  readonly action?: string;
  readonly dgws: DgwsHeaders;
  readonly payload: T;
}

export type QueryReadResult<T> =
  { readonly ok: true; readonly request: SoapQueryRequest<T> } | Exclude<ReadResult, { readonly ok: true }>;

/**
 * Reads a plain SOAP (or MTOM) request whose body must be `expected`, with the same refusals as
 * ITI-41 (media type, well-formedness, envelope, body element). `readPayload` runs while the
 * document is open.
 */
export function readSoapQuery<T>(
  body: Uint8Array,
  contentTypeHeader: string | undefined,
  maxBytes: number,
  expected: ExpectedPayload,
  readPayload: (payload: XmlElement) => T
): QueryReadResult<T> {
  const ct = parseContentType(contentTypeHeader ?? '');
  const guess = guessVersion(ct);
  let soapBytes: Uint8Array;
  if (ct.mediaType === 'multipart/related') {
    try {
      soapBytes = parseMultipartRelated(body, contentTypeHeader ?? '').root.body;
    } catch (err) {
      if (!isKihError(err)) {
        throw err;
      }
      return clientFault(guess, `The MTOM/XOP message cannot be read: ${err.message}`) as QueryReadResult<T>;
    }
  } else if (PLAIN_SOAP_TYPES.includes(ct.mediaType)) {
    soapBytes = body;
  } else {
    return {
      ok: false,
      kind: 'media-type',
      message: `Content-Type ${JSON.stringify(ct.mediaType || '(none)')} is not a SOAP type (text/xml, application/soap+xml) or multipart/related.`,
    };
  }
  const checked = checkInputBytes(soapBytes, maxBytes);
  if (!checked.ok) {
    return clientFault(
      guess,
      'The SOAP envelope cannot be read (not UTF-8, empty, or with a DOCTYPE).'
    ) as QueryReadResult<T>;
  }
  let doc: XmlDocument;
  try {
    doc = parseLibxml(soapBytes, { url: 'request.xml', option: SAFE_PARSE_OPTIONS });
  } catch (err) {
    if (err instanceof XmlParseError) {
      return clientFault(guess, 'The SOAP envelope is not well-formed XML.') as QueryReadResult<T>;
    }
    throw err;
  }
  try {
    const envelope = readEnvelope(doc, checked.text, [], guess, expected);
    if ('ok' in envelope) {
      return envelope as QueryReadResult<T>;
    }
    return {
      ok: true,
      request: {
        soapVersion: envelope.soapVersion,
        ...(envelope.messageId !== undefined ? { messageId: envelope.messageId } : {}),
        ...(envelope.action !== undefined ? { action: envelope.action } : {}),
        dgws: envelope.dgws,
        payload: readPayload(envelope.payload),
      },
    };
  } finally {
    doc.dispose();
  }
}
