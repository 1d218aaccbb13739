// Exchanges a self-signed ID card for an STS-signed one at the SOSI STS (WS-Trust 2005/02 over SOAP 1.1, DGWS).
import { errors as undiciErrors, request } from 'undici';
import type { Dispatcher } from 'undici';
import { KihError } from '../core/kih-error.js';
import { escapeXmlText } from '../core/xml-escape.js';
import { isoSeconds, readIdCard } from './id-card.js';
import { SOSI_NS, WS_TRUST } from './namespaces.js';
import { childElements, decodeUtf8, descendants, isElement, onlyChild, parseXmlText, textOf } from '../xml/xmldom.js';
import { elementText, scanElements } from './xml-source.js';
import type { SourceElement } from './xml-source.js';

/** WS-Trust 2005/02 goes with the WS-Addressing of August 2004. */
export const WSA_2004_NS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';

export interface StsRequestOptions {
  readonly now?: Date;
  /** Sent as wsa:MessageID when given; the SOSI request otherwise carries only the timestamp in its header. */
  readonly messageId?: string;
}

export type StsAnswer = { readonly ok: true; readonly card: string } | { readonly ok: false; readonly message: string };

export interface RequestIdCardOptions {
  readonly dispatcher?: Dispatcher;
  /** From the request being sent to the answer's headers; default 30 s. */
  readonly headersTimeoutMs?: number;
  /** Longest pause in the answer body; default 30 s. */
  readonly bodyTimeoutMs?: number;
}

/** An STS answer is a card and some SOAP; anything far larger is not an STS. */
const MAX_ANSWER_BYTES = 1024 * 1024;
const SNIPPET_LENGTH = 200;

/**
 * The RequestSecurityToken envelope. The card goes into wst:Claims as the exact text it was
 * signed as: re-serialising it could change what the signature covers.
 */
export function buildStsRequest(signedCard: string, options: StsRequestOptions = {}): string {
  const created = isoSeconds(options.now ?? new Date());
  const messageId =
    options.messageId === undefined ? '' : `<wsa:MessageID>${escapeXmlText(options.messageId)}</wsa:MessageID>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soap:Envelope xmlns:soap="${SOSI_NS.soap}" xmlns:wsse="${SOSI_NS.wsse}" xmlns:wsu="${SOSI_NS.wsu}" ` +
    `xmlns:wst="${SOSI_NS.wst}"${messageId ? ` xmlns:wsa="${WSA_2004_NS}"` : ''}>` +
    '<soap:Header>' +
    `<wsse:Security><wsu:Timestamp><wsu:Created>${created}</wsu:Created></wsu:Timestamp></wsse:Security>` +
    messageId +
    '</soap:Header>' +
    '<soap:Body>' +
    `<wst:RequestSecurityToken Context="${WS_TRUST.context}">` +
    `<wst:TokenType>${WS_TRUST.tokenType}</wst:TokenType>` +
    `<wst:RequestType>${WS_TRUST.issue}</wst:RequestType>` +
    `<wst:Claims>${signedCard.replace(/^\uFEFF?<\?xml[^?]*\?>\s*/, '')}</wst:Claims>` +
    '</wst:RequestSecurityToken>' +
    '</soap:Body>' +
    '</soap:Envelope>'
  );
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_LENGTH ? `${flat.slice(0, SNIPPET_LENGTH)}…` : flat;
}

function isSource(el: SourceElement | undefined, ns: string, localName: string): el is SourceElement {
  return el !== undefined && el.namespaceUri === ns && el.localName === localName;
}

/**
 * The text of the one saml:Assertion that is a child of `container` (itself a child of
 * `containerParents` up to soap:Body), cut out of the message unchanged (see elementText).
 */
export function cardSource(
  text: string,
  container: readonly [ns: string, localName: string][]
): { card: string } | { problem: string } {
  let elements: SourceElement[];
  try {
    elements = scanElements(text);
  } catch (err) {
    return { problem: `its XML cannot be scanned (${err instanceof Error ? err.message : String(err)})` };
  }
  const matches = elements.filter((el) => {
    if (!isSource(el, SOSI_NS.saml, 'Assertion')) {
      return false;
    }
    let at: SourceElement | undefined = el;
    for (const [ns, localName] of container) {
      at = elements[at.parent];
      if (!isSource(at, ns, localName)) {
        return false;
      }
    }
    const body = elements[at.parent];
    return isSource(body, SOSI_NS.soap, 'Body') && body.parent === 0;
  });
  const [match] = matches;
  if (!match || matches.length !== 1) {
    return { problem: `it holds ${matches.length} ID cards where one is expected` };
  }
  return { card: elementText(text, elements, match.index) };
}

/** The fault's text for people: faultstring, faultcode and the DGWS fault code from the detail. */
function faultMessage(fault: Element): string {
  const code = textOf(childElements(fault).find((e) => e.localName === 'faultcode')) ?? '';
  const reason = textOf(childElements(fault).find((e) => e.localName === 'faultstring')) ?? '(no faultstring)';
  const detail = childElements(fault).find((e) => e.localName === 'detail');
  const dgws = detail ? textOf(descendants(detail, SOSI_NS.medcom, 'FaultCode')[0]) : undefined;
  return `The STS refused to issue an ID card: ${snippet(reason)} (${[code, dgws].filter(Boolean).join(', ')}).`;
}

/** Reads the STS answer; never throws. The card, when there is one, is its exact original text. */
export function parseStsResponse(status: number, body: Uint8Array): StsAnswer {
  let text: string;
  let doc: Document;
  try {
    text = decodeUtf8(body);
    doc = parseXmlText(text);
  } catch (err) {
    const shown = snippet(Buffer.from(body).toString('utf8'));
    return {
      ok: false,
      message: `The STS answer (HTTP ${status}) is not usable XML (${err instanceof Error ? err.message : String(err)})${shown ? `: ${shown}` : ''}.`,
    };
  }
  const envelope = doc.documentElement;
  const soapBody = isElement(envelope, SOSI_NS.soap, 'Envelope')
    ? onlyChild(envelope, SOSI_NS.soap, 'Body')
    : undefined;
  if (!soapBody) {
    return { ok: false, message: `The STS answer (HTTP ${status}) is not a SOAP 1.1 envelope with a Body.` };
  }
  const fault = onlyChild(soapBody, SOSI_NS.soap, 'Fault');
  if (fault) {
    return { ok: false, message: faultMessage(fault) };
  }
  if (status !== 200) {
    return { ok: false, message: `The STS answered HTTP ${status} without a SOAP fault.` };
  }
  const inCollection = onlyChild(soapBody, SOSI_NS.wst, 'RequestSecurityTokenResponseCollection') !== undefined;
  const path: [string, string][] = [
    [SOSI_NS.wst, 'RequestedSecurityToken'],
    [SOSI_NS.wst, 'RequestSecurityTokenResponse'],
    ...(inCollection ? ([[SOSI_NS.wst, 'RequestSecurityTokenResponseCollection']] as [string, string][]) : []),
  ];
  const found = cardSource(text, path);
  if ('problem' in found) {
    return {
      ok: false,
      message: `The STS answer is not a RequestSecurityTokenResponse with an ID card: ${found.problem}.`,
    };
  }
  try {
    readIdCard(found.card);
  } catch (err) {
    return {
      ok: false,
      message: `The STS returned an assertion that is not a SOSI ID card: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  return { ok: true, card: found.card };
}

function transportError(err: unknown, endpoint: string): KihError {
  const where = new URL(endpoint).host;
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new KihError('KIH_ERR_TIMEOUT', `No connection to the STS at ${where} within the timeout.`);
  }
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new KihError('KIH_ERR_TIMEOUT', `The STS at ${where} did not answer within the timeout.`);
  }
  const code = (err as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  return new KihError('KIH_ERR_NETWORK', `The STS at ${where} cannot be reached (${detail}).`);
}

async function readLimited(body: Dispatcher.ResponseData['body']): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      throw new KihError('KIH_ERR_STS', `The STS answer is larger than ${MAX_ANSWER_BYTES} bytes; refused.`);
    }
    parts.push(buf);
  }
  return Buffer.concat(parts, size);
}

/** Posts the card to the STS and returns the STS-signed card as its exact text. */
export async function requestIdCard(
  stsEndpoint: string,
  signedCard: string,
  options: RequestIdCardOptions = {}
): Promise<string> {
  let url: URL;
  try {
    url = new URL(stsEndpoint);
  } catch {
    throw new KihError('KIH_ERR_STS', `The STS endpoint "${stsEndpoint}" is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KihError('KIH_ERR_STS', `The STS endpoint ${stsEndpoint} is not an http: or https: URL.`);
  }
  const payload = Buffer.from(buildStsRequest(signedCard), 'utf8');
  let status: number;
  let body: Uint8Array;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: WS_TRUST.soapAction,
        'content-length': String(payload.byteLength),
      },
      body: payload,
      headersTimeout: options.headersTimeoutMs ?? 30_000,
      bodyTimeout: options.bodyTimeoutMs ?? 30_000,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    status = res.statusCode;
    body = await readLimited(res.body);
  } catch (err) {
    throw err instanceof KihError ? err : transportError(err, stsEndpoint);
  }
  const answer = parseStsResponse(status, body);
  if (!answer.ok) {
    throw new KihError('KIH_ERR_STS', answer.message);
  }
  return answer.card;
}
