// A plain SOAP request (no attachments) for ITI-18 and ITI-43: envelope with WS-Addressing and DGWS headers, and its HTTP headers.
import { TOOL_NAME, TOOL_VERSION } from '../core/package-info.js';
import { newUuidUrn } from './datatypes.js';
import { buildSoapEnvelope } from './soap-envelope.js';
import type { SoapVersion } from './soap-envelope.js';

export interface SoapRequestOptions {
  readonly endpoint: string;
  readonly soapVersion: SoapVersion;
  /** DGWS headers and the HTTP SOAPAction header (KIH/NSP). */
  readonly dgws: boolean;
  /** The STS-signed ID card XML, for DGWS. */
  readonly idCard?: string;
  readonly securityLevel?: number;
  /** wsa:MessageID (and DGWS Linking/MessageID); default: a new `urn:uuid:`. */
  readonly messageId?: string;
  readonly now?: Date;
}

/** What the transport sends: a POST of the body's chunks, with the WS-Addressing message id for matching the answer. */
export interface OutgoingRequest {
  readonly method: 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as chunks to write in order. */
  readonly chunks: readonly Uint8Array[];
  readonly messageId: string;
}

export interface SoapRequest extends OutgoingRequest {
  /** The envelope as sent (tests, schema checks). */
  readonly envelope: string;
}

/**
 * The SOAP envelope of a request: WS-Addressing always, the DGWS headers (ID card, security level,
 * linking message id) for a DGWS peer. `action` goes into wsa:Action where the transport does not
 * carry it (ITI-41's action travels in the MTOM package's content type instead).
 */
export function requestEnvelope(body: string, messageId: string, options: SoapRequestOptions, action?: string): string {
  return buildSoapEnvelope(body, {
    soapVersion: options.soapVersion,
    messageId,
    to: options.endpoint,
    ...(action !== undefined ? { action } : {}),
    ...(options.dgws
      ? {
          dgws: {
            ...(options.idCard !== undefined ? { idCard: options.idCard } : {}),
            securityLevel: options.securityLevel ?? 3,
            messageId,
            created: options.now ?? new Date(),
          },
        }
      : {}),
  });
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * Wraps `body` in an envelope for `action`. Queries and retrieve requests carry no documents, so
 * they go as plain SOAP (`text/xml` or `application/soap+xml`), which every XDS stack accepts.
 */
export function buildSoapRequest(body: string, action: string, options: SoapRequestOptions): SoapRequest {
  const messageId = options.messageId ?? newUuidUrn();
  const envelope = requestEnvelope(body, messageId, options, action);
  const headers: Record<string, string> = {
    'User-Agent': `${TOOL_NAME}/${TOOL_VERSION}`,
  };
  if (options.soapVersion === '1.1') {
    headers['Content-Type'] = 'text/xml; charset=UTF-8';
    // SOAP 1.1 names the action in this header; DGWS proxies require it.
    headers.SOAPAction = quote(action);
  } else {
    headers['Content-Type'] = `application/soap+xml; charset=UTF-8; action=${quote(action)}`;
  }
  return {
    method: 'POST',
    url: options.endpoint,
    headers,
    chunks: [Buffer.from(envelope, 'utf8')],
    messageId,
    envelope,
  };
}
