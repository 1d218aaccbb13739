// Reads an ITI-41 answer (MTOM or plain SOAP, RegistryResponse or fault, or something else entirely) into one outcome; never throws for a bad answer.
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { XmlParseError } from 'libxml2-wasm';
import { checkInputBytes } from '../../xml/input-checks.js';
import { parseLibxml } from '../../xml/libxml.js';
import { isKihError } from '../../core/kih-error.js';
import { parseContentType, parseMultipartRelated } from '../mtom.js';
import type { MimePart } from '../mtom.js';
import { classifyOutcome, UNEXPECTED_RESPONSE_CODE } from './outcome.js';
import type { RegistryErrorInfo, RegistryStatus, SoapFaultInfo, SubmissionOutcome } from './outcome.js';
import { childElement, elementChildren, trimmedText } from '../../xml/libxml-tree.js';

export interface HttpAnswer {
  readonly status: number;
  /** As Node gives them (any case is accepted). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

export const RESPONSE_NS = {
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  wsa: 'http://www.w3.org/2005/08/addressing',
  medcom: 'http://www.medcom.dk/dgws/2006/04/dgws-1.0.xsd',
} as const;

const STATUS_BY_URN: Readonly<Record<string, RegistryStatus>> = {
  'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success': 'success',
  'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure': 'failure',
  'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess': 'partialSuccess',
};

const WARNING_SEVERITY = 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning';

/** Longest piece of an unexpected body quoted in the outcome. */
const SNIPPET_LENGTH = 200;

/** The answer as far as the XML could be read; `undefined` fields were absent. */
interface Reading {
  status?: RegistryStatus;
  entries: RegistryErrorInfo[];
  fault?: SoapFaultInfo;
  relatesTo?: string;
  action?: string;
}

function header(headers: HttpAnswer['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) {
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}

// eslint-disable-next-line no-control-regex -- control characters (and undecodable bytes) are what it finds
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\ufffd]+/g;

/** Printable start of a body for messages: control characters become spaces, runs of space collapse. */
export function bodySnippet(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, SNIPPET_LENGTH * 4)).toString(
    'utf8'
  );
  const clean = text.replace(CONTROL_CHARACTERS, ' ').replace(/ {2,}/g, ' ').trim();
  return clean.length > SNIPPET_LENGTH ? `${clean.slice(0, SNIPPET_LENGTH)}…` : clean;
}

function isElement(el: XmlElement, ns: string, name: string): boolean {
  return el.namespaceUri === ns && el.name === name;
}

function localName(qname: string): string {
  return qname.slice(qname.indexOf(':') + 1);
}

function readRegistryResponse(el: XmlElement, reading: Reading): void {
  const status = el.attr('status')?.value.trim() ?? '';
  // ebRS 2.1 and some test peers write the bare names; they mean the same.
  reading.status =
    STATUS_BY_URN[status] ??
    (status === 'Success'
      ? 'success'
      : status === 'Failure'
        ? 'failure'
        : status === 'PartialSuccess'
          ? 'partialSuccess'
          : undefined);
  if (reading.status === undefined) {
    reading.entries.push({
      errorCode: UNEXPECTED_RESPONSE_CODE,
      codeContext: `RegistryResponse with an unknown status ${JSON.stringify(status)}.`,
      severity: 'error',
    });
  }
  const list = childElement(el, RESPONSE_NS.rs, 'RegistryErrorList');
  for (const error of list ? elementChildren(list) : []) {
    if (!isElement(error, RESPONSE_NS.rs, 'RegistryError')) {
      continue;
    }
    const location = error.attr('location')?.value;
    reading.entries.push({
      errorCode: error.attr('errorCode')?.value ?? '',
      // Some registries put the context in the element's text instead of the attribute.
      codeContext: error.attr('codeContext')?.value ?? trimmedText(error) ?? '',
      ...(location ? { location } : {}),
      // A missing or unknown severity counts as Error: the safe reading.
      severity: error.attr('severity')?.value.trim() === WARNING_SEVERITY ? 'warning' : 'error',
    });
  }
}

function readFault(fault: XmlElement, soapVersion: '1.1' | '1.2'): SoapFaultInfo {
  let code: string;
  let subcodes: string[];
  let reason: string;
  if (soapVersion === '1.1') {
    // SOAP 1.1 fault children are unqualified, though some stacks qualify them; the name is enough.
    const named = (name: string): XmlElement | undefined => elementChildren(fault).find((c) => c.name === name);
    const parts = localName(trimmedText(named('faultcode')) ?? '').split('.');
    code = parts[0] ?? '';
    subcodes = parts.slice(1);
    reason = trimmedText(named('faultstring')) ?? '';
  } else {
    const ns = RESPONSE_NS.soap12;
    const codeEl = childElement(fault, ns, 'Code');
    code = localName(trimmedText(codeEl && childElement(codeEl, ns, 'Value')) ?? '');
    subcodes = [];
    for (let sub = codeEl && childElement(codeEl, ns, 'Subcode'); sub; sub = childElement(sub, ns, 'Subcode')) {
      const value = trimmedText(childElement(sub, ns, 'Value'));
      if (value) {
        subcodes.push(value);
      }
    }
    const reasonEl = childElement(fault, ns, 'Reason');
    reason = trimmedText(reasonEl && childElement(reasonEl, ns, 'Text')) ?? '';
  }
  const dgws = fault.get('.//medcom:FaultCode', { medcom: RESPONSE_NS.medcom });
  const dgwsFaultCode = dgws?.content.trim();
  return { soapVersion, code, subcodes, reason, ...(dgwsFaultCode ? { dgwsFaultCode } : {}) };
}

/**
 * What one kind of answer looks like inside the SOAP body: ITI-41's RegistryResponse, ITI-18's
 * AdhocQueryResponse, ITI-43's RetrieveDocumentSetResponse. All carry an ebRS status and error list.
 */
export interface PayloadReader<T> {
  /** Named in the message when the body holds something else. */
  readonly expected: string;
  /** The element with the ebRS `status` and `rs:RegistryErrorList`, when the payload is this answer. */
  statusElement(payload: XmlElement): XmlElement | undefined;
  /** Reads the answer's own content while the document is open (MTOM parts for XOP includes). */
  read(payload: XmlElement, parts: readonly MimePart[]): T;
}

export interface SoapAnswer<T> {
  readonly outcome: SubmissionOutcome;
  /** Present when the body held the expected answer (whatever its status). */
  readonly data?: T;
}

/** Reads a parsed answer; `undefined` when it is neither the expected answer nor a SOAP fault. */
function readDocument<T>(
  doc: XmlDocument,
  reader: PayloadReader<T>,
  parts: readonly MimePart[]
): { reading: Reading; data?: T } | undefined {
  const root = doc.root;
  const reading: Reading = { entries: [] };
  // A bare answer (no envelope) comes from some test peers; it says the same thing.
  const bare = reader.statusElement(root);
  if (bare) {
    readRegistryResponse(bare, reading);
    return { reading, data: reader.read(root, parts) };
  }
  const soapVersion =
    root.name !== 'Envelope'
      ? undefined
      : root.namespaceUri === RESPONSE_NS.soap11
        ? '1.1'
        : root.namespaceUri === RESPONSE_NS.soap12
          ? '1.2'
          : undefined;
  if (!soapVersion) {
    return undefined;
  }
  const soapNs = root.namespaceUri;
  const head = childElement(root, soapNs, 'Header');
  const relatesTo = trimmedText(head && childElement(head, RESPONSE_NS.wsa, 'RelatesTo'));
  const action = trimmedText(head && childElement(head, RESPONSE_NS.wsa, 'Action'));
  if (relatesTo) {
    reading.relatesTo = relatesTo;
  }
  if (action) {
    reading.action = action;
  }
  const body = childElement(root, soapNs, 'Body');
  const payload = body && elementChildren(body)[0];
  if (!payload) {
    return undefined;
  }
  const statusElement = reader.statusElement(payload);
  if (statusElement) {
    readRegistryResponse(statusElement, reading);
    return { reading, data: reader.read(payload, parts) };
  }
  if (isElement(payload, soapNs, 'Fault')) {
    reading.fault = readFault(payload, soapVersion);
    return { reading };
  }
  return undefined;
}

function describeError(e: RegistryErrorInfo): string {
  const context = e.codeContext.replace(/\s+/g, ' ').trim();
  return context ? `${e.errorCode} (${context.length > 120 ? `${context.slice(0, 120)}…` : context})` : e.errorCode;
}

function listErrors(label: string, list: readonly RegistryErrorInfo[]): string {
  if (list.length === 0) {
    return '';
  }
  const [first] = list;
  const more = list.length > 1 ? ` and ${list.length - 1} more` : '';
  return ` ${list.length} ${label}${list.length > 1 ? 's' : ''}: ${first ? describeError(first) : ''}${more}.`;
}

function summarize(reading: Reading, httpStatus: number): string {
  const errors = reading.entries.filter((e) => e.severity === 'error');
  const warnings = reading.entries.filter((e) => e.severity === 'warning');
  if (reading.fault) {
    const f = reading.fault;
    const code = [f.code, ...f.subcodes].join('/');
    const dgws = f.dgwsFaultCode ? `, DGWS ${f.dgwsFaultCode}` : '';
    return `HTTP ${httpStatus}: SOAP ${f.soapVersion} fault ${code}${dgws}${f.reason ? `: ${f.reason}` : ''}`;
  }
  switch (reading.status) {
    case 'success':
      return (
        `HTTP ${httpStatus}: Success.` +
        listErrors('warning', warnings) +
        (errors.length > 0 ? ` The registry also reported${listErrors('error', errors)}` : '')
      );
    case 'partialSuccess':
      return `HTTP ${httpStatus}: PartialSuccess.${listErrors('error', errors)}${listErrors('warning', warnings)}`;
    case 'failure':
      return `HTTP ${httpStatus}: Failure.${listErrors('error', errors)}${listErrors('warning', warnings)}`;
    case undefined:
      return `HTTP ${httpStatus}: RegistryResponse without a known status.${listErrors('error', errors)}`;
  }
}

function outcomeOf(reading: Reading, httpStatus: number): SubmissionOutcome {
  const klass = classifyOutcome({
    httpStatus,
    entries: reading.entries,
    ...(reading.status ? { status: reading.status } : {}),
    ...(reading.fault ? { fault: reading.fault } : {}),
  });
  return {
    outcome: reading.status ?? 'failure',
    class: klass,
    // A Success that also carries Error-severity entries stays a success (the document is stored,
    // and a retry would store it twice) but keeps them in `errors` and says so in the message.
    errors: reading.entries.filter((e) => e.severity === 'error'),
    warnings: reading.entries.filter((e) => e.severity === 'warning'),
    httpStatus,
    ...(reading.fault ? { fault: reading.fault } : {}),
    ...(reading.relatesTo ? { relatesTo: reading.relatesTo } : {}),
    ...(reading.action ? { action: reading.action } : {}),
    message: summarize(reading, httpStatus),
  };
}

/** An answer that is not a RegistryResponse or a fault: a failure whose one error says what came instead. */
function unexpected(httpStatus: number, contentType: string | undefined, what: string): SubmissionOutcome {
  const type = contentType ? `, content type ${contentType}` : ', no content type';
  const context = `HTTP ${httpStatus}${type}: ${what}`;
  return {
    outcome: 'failure',
    class: classifyOutcome({ httpStatus }),
    errors: [{ errorCode: UNEXPECTED_RESPONSE_CODE, codeContext: context, severity: 'error' }],
    warnings: [],
    httpStatus,
    message: `Unexpected answer: ${context}`,
  };
}

function looksLikeXml(bytes: Uint8Array): boolean {
  return /^(\ufeff)?\s*</.test(
    Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64)).toString('utf8')
  );
}

/**
 * The SOAP bytes of an answer. A multipart content type whose body has no multipart framing
 * (some servers) is read as plain XML; a multipart body that cannot be split is a reason string.
 */
function soapBytes(
  body: Uint8Array,
  contentType: string | undefined
): { xml: Uint8Array; parts: readonly MimePart[] } | string {
  if (contentType === undefined || !parseContentType(contentType).mediaType.startsWith('multipart/')) {
    return { xml: body, parts: [] };
  }
  try {
    const multipart = parseMultipartRelated(body, contentType);
    return { xml: multipart.root.body, parts: multipart.parts };
  } catch (err) {
    if (!isKihError(err)) {
      throw err;
    }
    return looksLikeXml(body)
      ? { xml: body, parts: [] }
      : `${err.message} Body: ${bodySnippet(body) || '(only white space)'}`;
  }
}

const REGISTRY_RESPONSE: PayloadReader<undefined> = {
  expected: 'a RegistryResponse',
  statusElement: (payload) => (isElement(payload, RESPONSE_NS.rs, 'RegistryResponse') ? payload : undefined),
  read: () => undefined,
};

/** Reads an ITI-41 answer. Every answer, however broken, becomes an outcome; nothing is thrown for it. */
export function parseSubmissionResponse(answer: HttpAnswer): SubmissionOutcome {
  return parseSoapAnswer(answer, REGISTRY_RESPONSE).outcome;
}

/**
 * Reads a SOAP answer of the kind `reader` describes, or a fault, or anything else as an
 * unexpected answer. Never throws for a bad answer; `reader.read` runs only on the expected kind.
 */
export function parseSoapAnswer<T>(answer: HttpAnswer, reader: PayloadReader<T>): SoapAnswer<T> {
  const { status: httpStatus, body } = answer;
  const contentType = header(answer.headers, 'content-type');
  if (body.byteLength === 0) {
    return { outcome: unexpected(httpStatus, contentType, 'empty body.') };
  }
  if (bodySnippet(body) === '') {
    return { outcome: unexpected(httpStatus, contentType, `a body of ${body.byteLength} bytes of white space only.`) };
  }
  const split = soapBytes(body, contentType);
  if (typeof split === 'string') {
    return { outcome: unexpected(httpStatus, contentType, split) };
  }
  const { xml, parts } = split;
  // The same raw-byte checks as for documents: UTF-8 only and no DOCTYPE (no DTDs, no entities).
  const checked = checkInputBytes(xml, Number.MAX_SAFE_INTEGER);
  if (!checked.ok) {
    // The checks' own messages speak of CDA documents; say it for an answer.
    const reason = checked.issues
      .map((i) =>
        i.ruleId === 'CDA_ERR_DOCTYPE'
          ? 'XML with a DOCTYPE, refused unread (no DTDs or entities).'
          : i.ruleId === 'CDA_ERR_ENCODING'
            ? 'XML that is not UTF-8.'
            : i.ruleId === 'CDA_ERR_EMPTY'
              ? 'an empty SOAP part.'
              : i.message
      )
      .join(' ');
    return { outcome: unexpected(httpStatus, contentType, `${reason} Body: ${bodySnippet(xml)}`) };
  }
  let doc: XmlDocument;
  try {
    doc = parseLibxml(xml, { url: 'response.xml' });
  } catch (err) {
    if (err instanceof XmlParseError) {
      return { outcome: unexpected(httpStatus, contentType, `not well-formed XML: ${bodySnippet(xml)}`) };
    }
    throw err;
  }
  try {
    const read = readDocument(doc, reader, parts);
    if (!read) {
      const root = doc.root;
      const name = root.namespaceUri ? `{${root.namespaceUri}}${root.name}` : root.name;
      return {
        outcome: unexpected(
          httpStatus,
          contentType,
          `XML that is neither ${reader.expected} nor a SOAP fault (${name}).`
        ),
      };
    }
    return { outcome: outcomeOf(read.reading, httpStatus), ...(read.data !== undefined ? { data: read.data } : {}) };
  } finally {
    doc.dispose();
  }
}
