// Assembles the complete ITI-41 HTTP request: ebRIM body, SOAP envelope, MTOM/XOP package and HTTP headers.
import { TOOL_NAME, TOOL_VERSION } from '../core/package-info.js';
import { buildProvideAndRegisterRequest } from './ebrim-build.js';
import { newUuidUrn } from './datatypes.js';
import type { SubmissionMetadata } from './metadata-model.js';
import { buildMtomMessage, cidUrl, newContentId } from './mtom.js';
import { requestEnvelope } from './soap-request.js';
import type { OutgoingRequest, SoapRequestOptions } from './soap-request.js';
import { ITI41_ACTION } from './vocabulary.js';

/**
 * An ebRIM body the metadata rules checked (`prepareSubmission`) and the Content-ID of the MTOM
 * part its XOP reference names: sent as it is, so what is sent is what was checked.
 */
export interface CheckedRequest {
  readonly ebrim: string;
  readonly documentContentId: string;
}

export interface Iti41RequestOptions extends SoapRequestOptions {
  /** Fixed MTOM boundary and Content-IDs (tests, reproducible output). */
  readonly boundary?: string;
  readonly contentIds?: { readonly root: string; readonly document: string };
  /** The checked body to send instead of building one (its Content-ID wins over `contentIds.document`). */
  readonly checked?: CheckedRequest;
}

/** The chunks hold the document as the caller's own buffer, not a copy. */
export interface Iti41Request extends OutgoingRequest {
  readonly length: number;
  readonly documentContentId: string;
}

/** Builds the request for one document and its metadata (`document` must be the bytes the metadata's hash was taken from). */
export function buildIti41Request(
  metadata: SubmissionMetadata,
  document: Uint8Array,
  options: Iti41RequestOptions
): Iti41Request {
  const messageId = options.messageId ?? newUuidUrn();
  const documentContentId =
    options.checked?.documentContentId ?? options.contentIds?.document ?? newContentId('document');
  const body =
    options.checked?.ebrim ??
    buildProvideAndRegisterRequest(metadata, [{ kind: 'xop', href: cidUrl(documentContentId) }]);
  const envelope = requestEnvelope(body, messageId, options);
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
