// Assembles the complete ITI-41 HTTP request: ebRIM body, SOAP envelope, MTOM/XOP package and HTTP headers.
import { TOOL_NAME, TOOL_VERSION } from '../core/package-info.js';
import { buildProvideAndRegisterRequest } from './ebrim-build.js';
import { newUuidUrn } from './datatypes.js';
import type { SubmissionMetadata } from './metadata-model.js';
import { buildMtomMessage, cidUrl, newContentId } from './mtom.js';
import { buildSoapEnvelope } from './soap-envelope.js';
import type { SoapVersion } from './soap-envelope.js';
import { ITI41_ACTION } from './vocabulary.js';

export interface Iti41RequestOptions {
  readonly endpoint: string;
  readonly soapVersion: SoapVersion;
  /** DGWS headers and the HTTP SOAPAction header (KIH). */
  readonly dgws: boolean;
  /** The STS-signed ID card XML, for DGWS. */
  readonly idCard?: string;
  readonly securityLevel?: number;
  /** wsa:MessageID (and DGWS Linking/MessageID); default: a new `urn:uuid:`. */
  readonly messageId?: string;
  readonly now?: Date;
  /** Fixed MTOM boundary and Content-IDs (tests, reproducible output). */
  readonly boundary?: string;
  readonly contentIds?: { readonly root: string; readonly document: string };
}

export interface Iti41Request {
  readonly method: 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as chunks to write in order; the document is the caller's own buffer, not a copy. */
  readonly chunks: readonly Uint8Array[];
  readonly length: number;
  readonly messageId: string;
  readonly documentContentId: string;
}

/** Builds the request for one document and its metadata (`document` must be the bytes the metadata's hash was taken from). */
export function buildIti41Request(
  metadata: SubmissionMetadata,
  document: Uint8Array,
  options: Iti41RequestOptions
): Iti41Request {
  const messageId = options.messageId ?? newUuidUrn();
  const documentContentId = options.contentIds?.document ?? newContentId('document');
  const body = buildProvideAndRegisterRequest(metadata, [{ kind: 'xop', href: cidUrl(documentContentId) }]);
  const envelope = buildSoapEnvelope(body, {
    soapVersion: options.soapVersion,
    messageId,
    to: options.endpoint,
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
  const mtom = buildMtomMessage({
    soapXml: envelope,
    soapVersion: options.soapVersion,
    attachments: [{ contentId: documentContentId, contentType: 'text/xml', body: document }],
    action: ITI41_ACTION,
    ...(options.boundary ? { boundary: options.boundary } : {}),
    ...(options.contentIds ? { rootContentId: options.contentIds.root } : {}),
  });
  const headers: Record<string, string> = {
    'Content-Type': mtom.contentType,
    'MIME-Version': '1.0',
    'User-Agent': `${TOOL_NAME}/${TOOL_VERSION}`,
  };
  if (options.soapVersion === '1.1') {
    // SOAP 1.1 names the action in this header; KIH's DGWS proxy requires it.
    headers.SOAPAction = `"${ITI41_ACTION}"`;
  }
  return {
    method: 'POST',
    url: options.endpoint,
    headers,
    chunks: mtom.chunks,
    length: mtom.length,
    messageId,
    documentContentId,
  };
}
