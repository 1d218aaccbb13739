// Builds ITI-18 Registry Stored Query requests (ebRS 3.0 AdhocQueryRequest): GetDocuments and FindDocuments.
import type { CodedValue } from './metadata-model.js';
import { buildSoapRequest } from './soap-request.js';
import type { SoapRequest, SoapRequestOptions } from './soap-request.js';
import { ITI18_ACTION, RIM, STORED_QUERY, XDS_NS } from './vocabulary.js';

/** LeafClass: the full objects; ObjectRef: only their entryUUIDs. */
export type ReturnType = 'LeafClass' | 'ObjectRef';

/** A time range as DTM bounds: `from` inclusive, `to` exclusive (ITI-18's rule). */
export interface TimeRange {
  readonly from?: string;
  readonly to?: string;
}

export type StoredQuery =
  | {
      readonly kind: 'GetDocuments';
      /** Exactly one of uniqueIds or entryUUIDs, with at least one value. */
      readonly uniqueIds?: readonly string[];
      readonly entryUUIDs?: readonly string[];
      readonly homeCommunityId?: string;
    }
  | {
      readonly kind: 'FindDocuments';
      /** CX, `CPR^^^&1.2.208.176.1.2&ISO`. */
      readonly patientId: string;
      /** Default: Approved only. */
      readonly statuses?: readonly string[];
      readonly creationTime?: TimeRange;
      readonly serviceStartTime?: TimeRange;
      readonly serviceStopTime?: TimeRange;
      readonly typeCodes?: readonly CodedValue[];
      readonly formatCodes?: readonly CodedValue[];
    };

export interface QueryRequestOptions {
  readonly returnType?: ReturnType;
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** An ebRS query string literal: single quotes, a quote inside doubled. */
function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A multi-valued parameter is one Value holding a parenthesised list (ITI TF-2a 3.18.4.1.2.3.5). */
function listValue(values: readonly string[]): string {
  return `(${values.map(literal).join(',')})`;
}

/** Coded parameters are `code^^^&codingScheme&ISO` (ITI TF-2a 3.18.4.1.2.3.4). */
function codedParameter(value: CodedValue): string {
  return `${value.code}^^^&${value.codeSystem}&ISO`;
}

function slot(name: string, value: string): string {
  return `<rim:Slot name="${esc(name)}"><rim:ValueList><rim:Value>${esc(value)}</rim:Value></rim:ValueList></rim:Slot>`;
}

const DTM = /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2})?)?)?)?)?$/;

function timeSlots(name: string, range: TimeRange | undefined): string[] {
  const out: string[] = [];
  for (const [bound, value] of [
    ['From', range?.from],
    ['To', range?.to],
  ] as const) {
    if (value === undefined) {
      continue;
    }
    if (!DTM.test(value)) {
      throw new RangeError(`${name}${bound} ${JSON.stringify(value)} is not a DTM (YYYY[MM[DD[hh[mm[ss]]]]]).`);
    }
    // Time parameters are numbers, written without quotes.
    out.push(slot(`$XDSDocumentEntry${name}${bound}`, value));
  }
  return out;
}

function querySlots(query: StoredQuery): { id: string; slots: string[]; home?: string } {
  if (query.kind === 'GetDocuments') {
    const uniqueIds = query.uniqueIds ?? [];
    const entryUUIDs = query.entryUUIDs ?? [];
    if (uniqueIds.length > 0 === entryUUIDs.length > 0) {
      throw new RangeError('GetDocuments takes uniqueIds or entryUUIDs, one of them and not empty.');
    }
    return {
      id: STORED_QUERY.getDocuments,
      slots: [
        uniqueIds.length > 0
          ? slot('$XDSDocumentEntryUniqueId', listValue(uniqueIds))
          : slot('$XDSDocumentEntryEntryUUID', listValue(entryUUIDs)),
      ],
      ...(query.homeCommunityId !== undefined ? { home: query.homeCommunityId } : {}),
    };
  }
  return {
    id: STORED_QUERY.findDocuments,
    slots: [
      slot('$XDSDocumentEntryPatientId', literal(query.patientId)),
      slot('$XDSDocumentEntryStatus', listValue(query.statuses ?? [RIM.approved])),
      ...timeSlots('CreationTime', query.creationTime),
      ...timeSlots('ServiceStartTime', query.serviceStartTime),
      ...timeSlots('ServiceStopTime', query.serviceStopTime),
      ...(query.typeCodes?.length
        ? [slot('$XDSDocumentEntryTypeCode', listValue(query.typeCodes.map(codedParameter)))]
        : []),
      ...(query.formatCodes?.length
        ? [slot('$XDSDocumentEntryFormatCode', listValue(query.formatCodes.map(codedParameter)))]
        : []),
    ],
  };
}

/** The `query:AdhocQueryRequest` element, with its namespaces declared on itself (schema checks, SOAP body). */
export function buildAdhocQueryRequest(query: StoredQuery, options: QueryRequestOptions = {}): string {
  const { id, slots, home } = querySlots(query);
  return (
    `<query:AdhocQueryRequest xmlns:query="${XDS_NS.query}" xmlns:rim="${XDS_NS.rim}">` +
    `<query:ResponseOption returnComposedObjects="true" returnType="${options.returnType ?? 'LeafClass'}"/>` +
    `<rim:AdhocQuery id="${id}"${home !== undefined ? ` home="${esc(home)}"` : ''}>${slots.join('')}</rim:AdhocQuery>` +
    '</query:AdhocQueryRequest>'
  );
}

/** The whole ITI-18 HTTP request. */
export function buildIti18Request(query: StoredQuery, options: SoapRequestOptions & QueryRequestOptions): SoapRequest {
  return buildSoapRequest(buildAdhocQueryRequest(query, options), ITI18_ACTION, options);
}

/** Reads a query parameter value back: `'a'` or `('a','b')` into its strings; undefined when malformed. */
export function parseQueryValue(value: string): string[] | undefined {
  const text = value.trim();
  const inner = text.startsWith('(') && text.endsWith(')') ? text.slice(1, -1) : text;
  const out: string[] = [];
  const re = /\s*(?:'((?:[^']|'')*)'|(-?\d+))\s*(,|$)/y;
  let pos = 0;
  while (pos < inner.length) {
    re.lastIndex = pos;
    const m = re.exec(inner);
    if (!m) {
      return undefined;
    }
    out.push(m[1] !== undefined ? m[1].replace(/''/g, "'") : (m[2] as string));
    pos = re.lastIndex;
    if (m[3] === '') {
      break;
    }
  }
  return out.length > 0 ? out : undefined;
}
