// Builds ITI-43 Retrieve Document Set requests and reads their MTOM answers: each document's bytes from its XOP part (or inline base64).
import { createHash } from 'node:crypto';
import type { XmlElement } from 'libxml2-wasm';
import { childElement, childElements, trimmedText } from '../xml/libxml-tree.js';
import { findAttachment } from './mtom.js';
import type { MimePart } from './mtom.js';
import { parseSoapAnswer } from './response/parse-response.js';
import type { HttpAnswer, PayloadReader } from './response/parse-response.js';
import type { SubmissionOutcome } from './response/outcome.js';
import { buildSoapRequest } from './soap-request.js';
import type { SoapRequest, SoapRequestOptions } from './soap-request.js';
import { ITI43_ACTION, XDS_NS } from './vocabulary.js';

export interface DocumentRequest {
  readonly repositoryUniqueId: string;
  readonly documentUniqueId: string;
  readonly homeCommunityId?: string;
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** The `xds:RetrieveDocumentSetRequest` element, namespaces declared on itself. */
export function buildRetrieveDocumentSetRequest(requests: readonly DocumentRequest[]): string {
  if (requests.length === 0) {
    throw new RangeError('A RetrieveDocumentSetRequest needs at least one DocumentRequest.');
  }
  const items = requests
    .map(
      (r) =>
        '<xds:DocumentRequest>' +
        (r.homeCommunityId !== undefined
          ? `<xds:HomeCommunityId>${esc(r.homeCommunityId)}</xds:HomeCommunityId>`
          : '') +
        `<xds:RepositoryUniqueId>${esc(r.repositoryUniqueId)}</xds:RepositoryUniqueId>` +
        `<xds:DocumentUniqueId>${esc(r.documentUniqueId)}</xds:DocumentUniqueId>` +
        '</xds:DocumentRequest>'
    )
    .join('');
  return `<xds:RetrieveDocumentSetRequest xmlns:xds="${XDS_NS.xds}">${items}</xds:RetrieveDocumentSetRequest>`;
}

export function buildIti43Request(requests: readonly DocumentRequest[], options: SoapRequestOptions): SoapRequest {
  return buildSoapRequest(buildRetrieveDocumentSetRequest(requests), ITI43_ACTION, options);
}

export interface RetrievedDocument {
  readonly repositoryUniqueId: string;
  readonly documentUniqueId: string;
  readonly homeCommunityId?: string;
  readonly mimeType?: string;
  /** Absent when the answer named a part that is not there, or held no content. */
  readonly bytes?: Uint8Array;
  /** Why `bytes` is absent. */
  readonly problem?: string;
}

export interface RetrieveAnswer {
  readonly outcome: SubmissionOutcome;
  readonly documents: readonly RetrievedDocument[];
}

function readDocumentResponse(el: XmlElement, parts: readonly MimePart[]): RetrievedDocument {
  const text = (name: string): string | undefined => trimmedText(childElement(el, XDS_NS.xds, name));
  const base = {
    repositoryUniqueId: text('RepositoryUniqueId') ?? '',
    documentUniqueId: text('DocumentUniqueId') ?? '',
    ...(text('HomeCommunityId') !== undefined ? { homeCommunityId: text('HomeCommunityId') as string } : {}),
    ...(text('mimeType') !== undefined ? { mimeType: text('mimeType') as string } : {}),
  };
  const document = childElement(el, XDS_NS.xds, 'Document');
  if (!document) {
    return { ...base, problem: 'The DocumentResponse has no Document.' };
  }
  const include = childElement(document, XDS_NS.xop, 'Include');
  if (include) {
    const href = include.attr('href')?.value ?? '';
    const part = findAttachment(parts, href);
    return part
      ? { ...base, bytes: part.body }
      : {
          ...base,
          problem: `The Document's xop:Include names ${JSON.stringify(href)}, which is not a part of the answer.`,
        };
  }
  // Some repositories answer small documents inline when MTOM is off.
  const base64 = document.content.replace(/\s+/g, '');
  return base64 ? { ...base, bytes: Buffer.from(base64, 'base64') } : { ...base, problem: 'The Document is empty.' };
}

const RETRIEVE_RESPONSE: PayloadReader<RetrievedDocument[]> = {
  expected: 'a RetrieveDocumentSetResponse',
  statusElement: (payload) =>
    payload.namespaceUri === XDS_NS.xds && payload.name === 'RetrieveDocumentSetResponse'
      ? childElement(payload, XDS_NS.rs, 'RegistryResponse')
      : undefined,
  read: (payload, parts) =>
    childElements(payload, XDS_NS.xds, 'DocumentResponse').map((d) => readDocumentResponse(d, parts)),
};

/** Reads an ITI-43 answer; never throws for a bad one. The bytes are views into the answer, not copies. */
export function parseRetrieveResponse(answer: HttpAnswer): RetrieveAnswer {
  const { outcome, data } = parseSoapAnswer(answer, RETRIEVE_RESPONSE);
  return { outcome, documents: data ?? [] };
}

export interface ContentCheck {
  readonly hash: string;
  readonly size: number;
  readonly hashMatches: boolean;
  readonly sizeMatches: boolean;
}

/** Compares retrieved bytes with the registered SHA-1 (lower-case hex) and size. */
export function checkContent(
  bytes: Uint8Array,
  expected: { readonly hash: string; readonly size: number }
): ContentCheck {
  const hash = createHash('sha1').update(bytes).digest('hex');
  return {
    hash,
    size: bytes.byteLength,
    hashMatches: hash === expected.hash.toLowerCase(),
    sizeMatches: bytes.byteLength === expected.size,
  };
}
