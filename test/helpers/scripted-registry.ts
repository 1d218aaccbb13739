// A scripted XDS registry and repository on 127.0.0.1: canned ITI-18/ITI-43 answers chosen per test, every request recorded and its body checked against the official schemas.
import type { IncomingHttpHeaders } from 'node:http';
import type { describe } from '@jest/globals';
import { XmlElement } from 'libxml2-wasm';
import { loadOfficialSchemas, missingReferenceFiles, validateText } from '../../scripts/xds-schema-check.js';
import type { OfficialSchemas, SchemaFinding } from '../../scripts/xds-schema-check.js';
import { escapeXmlAttr, escapeXmlText } from '../../src/core/xml-escape.js';
import { buildExtrinsicObject } from '../../src/xds/ebrim-build.js';
import type { DocumentEntry } from '../../src/xds/metadata-model.js';
import { ITI18_RESPONSE_ACTION, ITI43_RESPONSE_ACTION, XDS_NS } from '../../src/xds/vocabulary.js';
import { parseLibxml } from '../../src/xml/libxml.js';
import { startTestServer } from './http-server.js';
import { describeWithReference } from './reference.js';

export type PeerEndpoint = 'iti18' | 'iti43';

/** `describe` when the official schemas are beside the checkout (the peer checks every request against them). */
export function describeWithSchemas(testName: string): typeof describe | typeof describe.skip {
  return describeWithReference(testName, missingReferenceFiles());
}

/** The request element each endpoint takes. */
const EXPECTED_BODY: Readonly<Record<PeerEndpoint, { ns: string; name: string }>> = {
  iti18: { ns: XDS_NS.query, name: 'AdhocQueryRequest' },
  iti43: { ns: XDS_NS.xds, name: 'RetrieveDocumentSetRequest' },
};

/** One request as the peer got it. */
export interface RecordedRequest {
  readonly endpoint: PeerEndpoint;
  readonly headers: IncomingHttpHeaders;
  /** From the envelope's namespace; undefined when the body was not a SOAP envelope. */
  readonly soapVersion?: '1.1' | '1.2';
  readonly action?: string;
  readonly messageId?: string;
  /** The SOAP Body's element serialized alone, as the schemas judge it. */
  readonly body?: string;
  /** Schema errors of the body element (and a missing or unexpected body element); empty for a good request. */
  readonly findings: readonly SchemaFinding[];
}

/** What the peer sends back: an HTTP status, content type and bytes. */
export interface CannedAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** Chooses the answer to one request (it sees the request, e.g. for RelatesTo). */
export type Responder = (request: RecordedRequest) => CannedAnswer;

export interface ScriptedRegistry {
  readonly registryUrl: string;
  readonly retrieveUrl: string;
  /** Every request in arrival order. */
  readonly requests: RecordedRequest[];
  /** Queues answers for an endpoint, used in order; a request with none queued gets HTTP 500. */
  script(endpoint: PeerEndpoint, ...answers: Responder[]): void;
  /** Forgets queued answers and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const SOAP_NS: Readonly<Record<string, '1.1' | '1.2'>> = {
  [XDS_NS.soap11]: '1.1',
  [XDS_NS.soap12]: '1.2',
};

function finding(message: string): SchemaFinding {
  return { check: 'request', level: 'error', message };
}

/** Strips the SOAP envelope (and the DGWS header with it) to the Body's one element and checks that against the XDS schemas. */
function readRequest(
  endpoint: PeerEndpoint,
  headers: IncomingHttpHeaders,
  bytes: Buffer,
  schemas: OfficialSchemas
): RecordedRequest {
  let doc;
  try {
    doc = parseLibxml(bytes, { url: `${endpoint}-request.xml` });
  } catch (err) {
    return { endpoint, headers, findings: [finding(`not XML: ${err instanceof Error ? err.message : String(err)}`)] };
  }
  try {
    const root = doc.root;
    const soapVersion = SOAP_NS[root.namespaceUri];
    if (soapVersion === undefined || root.name !== 'Envelope') {
      return { endpoint, headers, findings: [finding(`not a SOAP envelope: {${root.namespaceUri}}${root.name}`)] };
    }
    const ns = { s: root.namespaceUri, wsa: XDS_NS.wsa };
    const text = (xpath: string): string | undefined => {
      const [node] = doc.find(xpath, ns);
      return node instanceof XmlElement ? node.content.trim() : undefined;
    };
    const action = text('/s:Envelope/s:Header/wsa:Action');
    const messageId = text('/s:Envelope/s:Header/wsa:MessageID');
    const base = {
      endpoint,
      headers,
      soapVersion,
      ...(action !== undefined ? { action } : {}),
      ...(messageId !== undefined ? { messageId } : {}),
    };
    const children = doc.find('/s:Envelope/s:Body/*', ns);
    const [element] = children;
    if (children.length !== 1 || !(element instanceof XmlElement)) {
      return { ...base, findings: [finding(`the SOAP Body has ${children.length} elements, expected 1`)] };
    }
    const body = element.toString({ format: false });
    const expected = EXPECTED_BODY[endpoint];
    const findings: SchemaFinding[] =
      element.namespaceUri === expected.ns && element.name === expected.name
        ? []
        : [finding(`the body is {${element.namespaceUri}}${element.name}, expected {${expected.ns}}${expected.name}`)];
    return { ...base, body, findings: [...findings, ...validateText(schemas.xds, body, 'xds')] };
  } finally {
    doc.dispose();
  }
}

/**
 * Starts the peer: POST /iti18 (registry) and POST /iti43 (repository). Loads the official schemas
 * (throws when the reference folder lacks them; callers skip loudly before that).
 */
export async function startScriptedRegistry(): Promise<ScriptedRegistry> {
  const schemas = loadOfficialSchemas();
  const queues: Record<PeerEndpoint, Responder[]> = { iti18: [], iti43: [] };
  const requests: RecordedRequest[] = [];
  const server = await startTestServer(() => (req, res, body) => {
    const endpoint = req.url === '/iti18' ? 'iti18' : req.url === '/iti43' ? 'iti43' : undefined;
    if (req.method !== 'POST' || endpoint === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const request = readRequest(endpoint, req.headers, body, schemas);
    requests.push(request);
    // A real registry refuses a request its schemas refuse; the scripted answer stays queued.
    const responder =
      request.findings.length > 0
        ? soapFault({ code: 'Sender', reason: request.findings.map((f) => f.message).join('; ') })
        : queues[endpoint].shift();
    const answer: CannedAnswer = responder
      ? responder(request)
      : { status: 500, contentType: 'text/plain', body: Buffer.from(`no answer scripted for ${endpoint}\n`) };
    res.statusCode = answer.status;
    res.setHeader('content-type', answer.contentType);
    res.end(answer.body);
  });
  return {
    registryUrl: `${server.base}/iti18`,
    retrieveUrl: `${server.base}/iti43`,
    requests,
    script(endpoint, ...answers) {
      queues[endpoint].push(...answers);
    },
    reset() {
      queues.iti18.length = 0;
      queues.iti43.length = 0;
      requests.length = 0;
    },
    close: () => server.close(),
  };
}

// ---- canned answers: SOAP 1.2 envelopes, statuses, errors, faults and MTOM written here, not with the client's own code; ExtrinsicObjects by the project's ebRIM builder, schema-checked ----

export type AnswerStatus = 'success' | 'partialSuccess' | 'failure';

const STATUS_URN: Readonly<Record<AnswerStatus, string>> = {
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  partialSuccess: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
};

export interface CannedError {
  readonly errorCode: string;
  readonly codeContext: string;
  readonly severity?: 'error' | 'warning';
  readonly location?: string;
}

function errorList(errors: readonly CannedError[]): string {
  if (errors.length === 0) {
    return '';
  }
  const urn = (s: 'error' | 'warning'): string =>
    `urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:${s === 'error' ? 'Error' : 'Warning'}`;
  const highest = errors.some((e) => (e.severity ?? 'error') === 'error') ? 'error' : 'warning';
  return (
    `<rs:RegistryErrorList highestSeverity="${urn(highest)}">` +
    errors
      .map(
        (e) =>
          `<rs:RegistryError errorCode="${escapeXmlAttr(e.errorCode)}" codeContext="${escapeXmlAttr(e.codeContext)}"` +
          (e.location !== undefined ? ` location="${escapeXmlAttr(e.location)}"` : '') +
          ` severity="${urn(e.severity ?? 'error')}"/>`
      )
      .join('') +
    '</rs:RegistryErrorList>'
  );
}

function envelope12(body: string, action: string, relatesTo: string | undefined): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soap:Envelope xmlns:soap="${XDS_NS.soap12}" xmlns:wsa="${XDS_NS.wsa}"><soap:Header>` +
    `<wsa:Action soap:mustUnderstand="true">${escapeXmlText(action)}</wsa:Action>` +
    (relatesTo !== undefined ? `<wsa:RelatesTo>${escapeXmlText(relatesTo)}</wsa:RelatesTo>` : '') +
    `</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

/** A canned answer's body element must itself be valid XDS: a test of the client, not of a broken peer (unless it says so). */
function checkedBody(body: string): string {
  const findings = validateText(loadOfficialSchemas().xds, body, 'xds');
  if (findings.length > 0) {
    throw new Error(`canned answer is not schema-valid: ${findings.map((f) => f.message).join('; ')}\n${body}`);
  }
  return body;
}

export interface ListedEntry {
  readonly entry: DocumentEntry;
  /** The repositoryUniqueId slot; omitted when undefined. */
  readonly repositoryUniqueId?: string;
}

/** An ITI-18 AdhocQueryResponse listing these DocumentEntries (LeafClass) or ObjectRefs, with status and errors. */
export function queryAnswer(
  options: {
    status?: AnswerStatus;
    entries?: readonly ListedEntry[];
    /** An ObjectRef answer's ids. */
    objectRefs?: readonly string[];
    errors?: readonly CannedError[];
  } = {}
): Responder {
  const body = checkedBody(
    `<query:AdhocQueryResponse xmlns:query="${XDS_NS.query}" xmlns:rim="${XDS_NS.rim}" xmlns:rs="${XDS_NS.rs}" ` +
      `status="${STATUS_URN[options.status ?? 'success']}">${errorList(options.errors ?? [])}` +
      '<rim:RegistryObjectList>' +
      (options.entries ?? [])
        .map((e) =>
          buildExtrinsicObject(
            e.entry,
            e.repositoryUniqueId !== undefined ? { repositoryUniqueId: [e.repositoryUniqueId] } : {}
          )
        )
        .join('') +
      (options.objectRefs ?? []).map((id) => `<rim:ObjectRef id="${escapeXmlAttr(id)}"/>`).join('') +
      '</rim:RegistryObjectList></query:AdhocQueryResponse>'
  );
  return (request) => ({
    status: 200,
    contentType: `application/soap+xml; charset=UTF-8; action="${ITI18_RESPONSE_ACTION}"`,
    body: Buffer.from(envelope12(body, ITI18_RESPONSE_ACTION, request.messageId), 'utf8'),
  });
}

export interface RetrievedPart {
  readonly repositoryUniqueId: string;
  readonly documentUniqueId: string;
  readonly bytes: Uint8Array;
  readonly mimeType?: string;
}

const BOUNDARY = 'scripted-peer-boundary-7f3a';

/**
 * An ITI-43 RetrieveDocumentSetResponse as a repository sends it: MTOM/XOP multipart/related, each
 * document an attachment part named by an xop:Include. The body is schema-checked with the
 * documents inline (the XOP-reconstituted form the schema describes).
 */
export function retrieveAnswer(
  options: { status?: AnswerStatus; documents?: readonly RetrievedPart[]; errors?: readonly CannedError[] } = {}
): Responder {
  const documents = options.documents ?? [];
  const body = (document: (d: RetrievedPart, i: number) => string): string =>
    `<xds:RetrieveDocumentSetResponse xmlns:xds="${XDS_NS.xds}" xmlns:rs="${XDS_NS.rs}">` +
    `<rs:RegistryResponse status="${STATUS_URN[options.status ?? 'success']}">${errorList(options.errors ?? [])}</rs:RegistryResponse>` +
    documents
      .map(
        (d, i) =>
          '<xds:DocumentResponse>' +
          `<xds:RepositoryUniqueId>${escapeXmlText(d.repositoryUniqueId)}</xds:RepositoryUniqueId>` +
          `<xds:DocumentUniqueId>${escapeXmlText(d.documentUniqueId)}</xds:DocumentUniqueId>` +
          `<xds:mimeType>${escapeXmlText(d.mimeType ?? 'text/xml')}</xds:mimeType>` +
          `<xds:Document>${document(d, i)}</xds:Document></xds:DocumentResponse>`
      )
      .join('') +
    '</xds:RetrieveDocumentSetResponse>';
  checkedBody(body((d) => Buffer.from(d.bytes).toString('base64')));
  const wire = body((_d, i) => `<xop:Include xmlns:xop="${XDS_NS.xop}" href="cid:doc${i}@scripted.peer"/>`);
  return (request) => {
    const part = (headers: string[], content: Uint8Array | string): Buffer[] => [
      Buffer.from(`--${BOUNDARY}\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'),
      Buffer.from(content),
      Buffer.from('\r\n', 'utf8'),
    ];
    const chunks = [
      ...part(
        [
          `Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"`,
          'Content-Transfer-Encoding: binary',
          'Content-ID: <root@scripted.peer>',
        ],
        envelope12(wire, ITI43_RESPONSE_ACTION, request.messageId)
      ),
      ...documents.flatMap((d, i) =>
        part(
          [
            `Content-Type: ${d.mimeType ?? 'text/xml'}`,
            'Content-Transfer-Encoding: binary',
            `Content-ID: <doc${i}@scripted.peer>`,
          ],
          d.bytes
        )
      ),
      Buffer.from(`--${BOUNDARY}--\r\n`, 'utf8'),
    ];
    return {
      status: 200,
      contentType:
        `multipart/related; boundary="${BOUNDARY}"; type="application/xop+xml"; start="<root@scripted.peer>"; ` +
        `start-info="application/soap+xml"; action="${ITI43_RESPONSE_ACTION}"`,
      body: Buffer.concat(chunks),
    };
  };
}

/** A SOAP 1.2 fault (HTTP 500 for Receiver, 400 for Sender, as SOAP 1.2 over HTTP answers them). */
export function soapFault(options: { code: 'Sender' | 'Receiver'; reason: string; subcode?: string }): Responder {
  const fault =
    '<soap:Fault><soap:Code>' +
    `<soap:Value>soap:${options.code}</soap:Value>` +
    (options.subcode !== undefined
      ? `<soap:Subcode><soap:Value xmlns:wsa="${XDS_NS.wsa}">${escapeXmlText(options.subcode)}</soap:Value></soap:Subcode>`
      : '') +
    `</soap:Code><soap:Reason><soap:Text xml:lang="en">${escapeXmlText(options.reason)}</soap:Text></soap:Reason></soap:Fault>`;
  return (request) => ({
    status: options.code === 'Sender' ? 400 : 500,
    contentType: 'application/soap+xml; charset=UTF-8',
    body: Buffer.from(envelope12(fault, 'http://www.w3.org/2005/08/addressing/soap/fault', request.messageId), 'utf8'),
  });
}

/** Any HTTP answer, e.g. a proxy's 503 page. */
export function httpAnswer(status: number, text: string, contentType = 'text/html'): Responder {
  return () => ({ status, contentType, body: Buffer.from(text, 'utf8') });
}
