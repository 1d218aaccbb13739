// ITI-18 (Registry Stored Query) and ITI-43 (Retrieve Document Set) answered from the simulator's store, with the DGWS checks of its ITI-41 endpoint.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { XmlElement } from 'libxml2-wasm';
import { escapeXmlAttr, escapeXmlText } from '../core/xml-escape.js';
import { buildExtrinsicObject } from '../xds/ebrim-build.js';
import { parseQueryValue } from '../xds/iti18-query.js';
import type { DocumentEntry } from '../xds/metadata-model.js';
import { buildMtomMessage, newContentId } from '../xds/mtom.js';
import {
  ITI18_ACTION,
  ITI18_RESPONSE_ACTION,
  ITI43_ACTION,
  ITI43_RESPONSE_ACTION,
  RIM,
  STORED_QUERY,
  XDS_NS,
} from '../xds/vocabulary.js';
import { childElement, childElements, trimmedText } from '../xml/libxml-tree.js';
import { send, soapReply, textReply, unavailableReply } from './http-reply.js';
import type { HttpReply } from './http-reply.js';
import type { Iti41Context } from './iti41-handler.js';
import { readSoapQuery } from './iti41-reader.js';
import type { ExpectedPayload } from './iti41-reader.js';
import { registryErrorListXml, RESPONSE_STATUS_URN } from './registry-response.js';
import type { RegistryErrorEntry } from './registry-response.js';
import { ENDPOINT_SCENARIO_KINDS } from './scenarios.js';
import type { Scenario, ScenarioKind } from './scenarios.js';
import {
  checkSoapRequest,
  readRequestStart,
  SCENARIO_FAULTS,
  simulatorErrorReply,
  soapReplier,
  unreadableReply,
} from './soap-endpoint.js';
import type { SoapReplier } from './soap-endpoint.js';
import type { StoredEntry } from './store.js';

/** Queries and retrieve requests are small; a megabyte is plenty. */
const MAX_QUERY_BYTES = 1024 * 1024;

/** A query waits this long at most for a submission of its uniqueId still being processed. */
const SETTLE_MAX_WAIT_MS = 30_000;

/** What the registry alters in answers under `metadata-changed`: the title, as a registry that rewrites one field. */
export const CHANGED_TITLE_SUFFIX = ' (changed by the registry)';

export interface RegistryContext extends Iti41Context {
  readonly repositoryUniqueId: string;
}

type Status = keyof typeof RESPONSE_STATUS_URN;

interface Endpoint<T> {
  readonly action: string;
  readonly responseAction: string;
  readonly payload: ExpectedPayload;
  readonly kinds: readonly ScenarioKind[];
  read(payload: XmlElement): T;
  /** uniqueIds the request names, for scenario matching and waiting on submissions in flight. */
  uniqueIds(payload: T): string[];
  answer(payload: T, scenario: Scenario | undefined, ctx: RegistryContext, reply: SoapReplier): Promise<HttpReply>;
}

/** An entry counts as registered once its `registration-delay` (if any) has passed. */
function registered(entry: StoredEntry, ctx: RegistryContext): boolean {
  const from = ctx.registeredFrom.get(entry.uniqueId);
  return from === undefined || ctx.now().getTime() >= from;
}

async function registeredEntries(uniqueIds: readonly string[], ctx: RegistryContext): Promise<StoredEntry[]> {
  await Promise.all(uniqueIds.map((id) => ctx.inFlight.settled(id, SETTLE_MAX_WAIT_MS)));
  return uniqueIds.flatMap((id) => ctx.store.lookup(id)).filter((e) => registered(e, ctx));
}

// ---- ITI-18 ----

interface AdhocQuery {
  readonly id: string;
  readonly returnType: string;
  readonly slots: ReadonlyMap<string, string>;
}

function readAdhocQuery(payload: XmlElement): AdhocQuery {
  const option = childElement(payload, XDS_NS.query, 'ResponseOption');
  const query = childElement(payload, XDS_NS.rim, 'AdhocQuery');
  const slots = new Map<string, string>();
  for (const slot of query ? childElements(query, XDS_NS.rim, 'Slot') : []) {
    const list = childElement(slot, XDS_NS.rim, 'ValueList');
    const values = list ? childElements(list, XDS_NS.rim, 'Value').map((v) => v.content.trim()) : [];
    // Several Values of one parameter mean OR, as one list does.
    const joined = values.map((v) => v.replace(/^\((.*)\)$/s, '$1')).join(',');
    slots.set(slot.attr('name')?.value ?? '', values.length > 1 ? `(${joined})` : (values[0] ?? ''));
  }
  return {
    id: query?.attr('id')?.value ?? '',
    returnType: option?.attr('returnType')?.value ?? 'LeafClass',
    slots,
  };
}

function queryError(errorCode: string, codeContext: string): RegistryErrorEntry {
  return { errorCode, codeContext, severity: 'error' };
}

/** IHE compares times by their digits; a shorter value stands for the start of its period. */
function dtmKey(value: string): string {
  return value.padEnd(14, '0').slice(0, 14);
}

function inRange(value: string | undefined, from: string | undefined, to: string | undefined): boolean {
  if (from === undefined && to === undefined) {
    return true;
  }
  if (value === undefined) {
    return false;
  }
  const v = dtmKey(value);
  return (from === undefined || v >= dtmKey(from)) && (to === undefined || v < dtmKey(to));
}

function codeMatches(codes: readonly string[] | undefined, value: { code: string; codeSystem: string }): boolean {
  return codes === undefined || codes.some((c) => c === `${value.code}^^^&${value.codeSystem}&ISO`);
}

interface Found {
  readonly entries: StoredEntry[];
  readonly errors: RegistryErrorEntry[];
}

async function runQuery(q: AdhocQuery, ctx: RegistryContext): Promise<Found | RegistryErrorEntry> {
  const list = (name: string): string[] | undefined => {
    const raw = q.slots.get(name);
    return raw === undefined ? undefined : parseQueryValue(raw);
  };
  if (q.id === STORED_QUERY.getDocuments) {
    const uniqueIds = list('$XDSDocumentEntryUniqueId');
    const entryUUIDs = list('$XDSDocumentEntryEntryUUID');
    if ((uniqueIds === undefined) === (entryUUIDs === undefined)) {
      return queryError(
        'XDSStoredQueryParamNumber',
        'GetDocuments needs exactly one of $XDSDocumentEntryUniqueId and $XDSDocumentEntryEntryUUID.'
      );
    }
    if (uniqueIds) {
      return { entries: await registeredEntries(uniqueIds, ctx), errors: [] };
    }
    const entries = (entryUUIDs ?? [])
      .map((id) => ctx.store.byEntryUUID(id))
      .filter((e): e is StoredEntry => e !== undefined && registered(e, ctx));
    return { entries, errors: [] };
  }
  if (q.id === STORED_QUERY.findDocuments) {
    const patient = list('$XDSDocumentEntryPatientId');
    const statuses = list('$XDSDocumentEntryStatus');
    if (patient?.length !== 1 || !statuses) {
      return queryError(
        'XDSStoredQueryParamNumber',
        'FindDocuments needs one $XDSDocumentEntryPatientId and $XDSDocumentEntryStatus.'
      );
    }
    const hash = ctx.store.patientIdHash(patient[0] as string);
    const candidates = ctx.store.entries().filter((e) => e.patientIdHash === hash && registered(e, ctx));
    const one = (name: string): string | undefined => list(name)?.[0];
    const entries: StoredEntry[] = [];
    for (const e of candidates) {
      const m = await ctx.store.registered(e);
      if (
        m &&
        statuses.includes(RIM.approved) &&
        inRange(m.creationTime, one('$XDSDocumentEntryCreationTimeFrom'), one('$XDSDocumentEntryCreationTimeTo')) &&
        inRange(
          m.serviceStartTime,
          one('$XDSDocumentEntryServiceStartTimeFrom'),
          one('$XDSDocumentEntryServiceStartTimeTo')
        ) &&
        inRange(
          m.serviceStopTime,
          one('$XDSDocumentEntryServiceStopTimeFrom'),
          one('$XDSDocumentEntryServiceStopTimeTo')
        ) &&
        codeMatches(list('$XDSDocumentEntryTypeCode'), m.typeCode) &&
        codeMatches(list('$XDSDocumentEntryFormatCode'), m.formatCode)
      ) {
        entries.push(e);
      }
    }
    return { entries, errors: [] };
  }
  return queryError('XDSUnknownStoredQuery', `The stored query id ${q.id || '(none)'} is not known to this registry.`);
}

function adhocQueryResponse(status: Status, errors: readonly RegistryErrorEntry[], objects: string): string {
  return (
    `<query:AdhocQueryResponse xmlns:query="${XDS_NS.query}" xmlns:rim="${XDS_NS.rim}" xmlns:rs="${XDS_NS.rs}" ` +
    `status="${RESPONSE_STATUS_URN[status]}">${registryErrorListXml(errors)}` +
    `<rim:RegistryObjectList>${objects}</rim:RegistryObjectList></query:AdhocQueryResponse>`
  );
}

/** The entry as the registry lists it: Approved (the registry's status for a new entry), maybe with one field changed. */
function listed(m: DocumentEntry, scenario: Scenario | undefined): DocumentEntry {
  const approved = { ...m, availabilityStatus: RIM.approved };
  return scenario?.kind === 'metadata-changed' ? { ...approved, title: `${m.title}${CHANGED_TITLE_SUFFIX}` } : approved;
}

const ITI18: Endpoint<AdhocQuery> = {
  action: ITI18_ACTION,
  responseAction: ITI18_RESPONSE_ACTION,
  payload: { ns: XDS_NS.query, name: 'AdhocQueryRequest', label: 'query:AdhocQueryRequest' },
  kinds: ENDPOINT_SCENARIO_KINDS.iti18,
  read: readAdhocQuery,
  uniqueIds: (q) => parseQueryValue(q.slots.get('$XDSDocumentEntryUniqueId') ?? '') ?? [],
  async answer(q, scenario, ctx, r) {
    const found = await runQuery(q, ctx);
    const body =
      'errorCode' in found
        ? adhocQueryResponse('failure', [found], '')
        : adhocQueryResponse(
            'success',
            [],
            q.returnType === 'ObjectRef'
              ? found.entries.map((e) => `<rim:ObjectRef id="${escapeXmlAttr(e.entryUUID)}"/>`).join('')
              : (
                  await Promise.all(
                    found.entries.map(async (e) => {
                      const m = await ctx.store.registered(e);
                      // Entries stored before the simulator kept metadata cannot be listed in full.
                      return m
                        ? buildExtrinsicObject(listed(m, scenario), { repositoryUniqueId: [ctx.repositoryUniqueId] })
                        : '';
                    })
                  )
                ).join('')
          );
    return soapReply(r.envelope(body, ITI18_RESPONSE_ACTION), r.soapVersion, 200, false);
  },
};

// ---- ITI-43 ----

interface DocumentRequest {
  readonly repositoryUniqueId: string;
  readonly documentUniqueId: string;
  readonly homeCommunityId?: string;
}

function readRetrieve(payload: XmlElement): DocumentRequest[] {
  return childElements(payload, XDS_NS.xds, 'DocumentRequest').map((d) => {
    const text = (name: string): string | undefined => trimmedText(childElement(d, XDS_NS.xds, name));
    const home = text('HomeCommunityId');
    return {
      repositoryUniqueId: text('RepositoryUniqueId') ?? '',
      documentUniqueId: text('DocumentUniqueId') ?? '',
      ...(home !== undefined ? { homeCommunityId: home } : {}),
    };
  });
}

/** What `retrieve-other-bytes` answers instead: the stored bytes with a comment added, so hash and size both differ. */
function otherBytes(bytes: Uint8Array): Buffer {
  return Buffer.concat([bytes, Buffer.from('\n<!-- altered by the kih-certify simulator -->\n', 'utf8')]);
}

const ITI43: Endpoint<DocumentRequest[]> = {
  action: ITI43_ACTION,
  responseAction: ITI43_RESPONSE_ACTION,
  payload: { ns: XDS_NS.xds, name: 'RetrieveDocumentSetRequest', label: 'xds:RetrieveDocumentSetRequest' },
  kinds: ENDPOINT_SCENARIO_KINDS.iti43,
  read: readRetrieve,
  uniqueIds: (requests) => requests.map((d) => d.documentUniqueId),
  async answer(requests, scenario, ctx, r) {
    const errors: RegistryErrorEntry[] = [];
    const responses: string[] = [];
    const attachments: { contentId: string; contentType: string; body: Uint8Array }[] = [];
    if (scenario?.kind === 'repository-unavailable') {
      errors.push(
        queryError(
          'XDSUnavailableCommunity',
          `The repository ${ctx.repositoryUniqueId} cannot be reached from here just now.`
        )
      );
    } else {
      for (const d of requests) {
        if (d.repositoryUniqueId !== ctx.repositoryUniqueId) {
          errors.push({
            ...queryError('XDSUnknownRepositoryId', `This repository is ${ctx.repositoryUniqueId}.`),
            location: d.repositoryUniqueId,
          });
          continue;
        }
        const entry = (await registeredEntries([d.documentUniqueId], ctx)).at(-1);
        if (!entry) {
          errors.push({
            ...queryError('XDSDocumentUniqueIdError', 'No document with this uniqueId is stored here.'),
            location: d.documentUniqueId,
          });
          continue;
        }
        const stored = await ctx.store.readDocument(entry);
        const bytes = scenario?.kind === 'retrieve-other-bytes' ? otherBytes(stored) : stored;
        const contentId = newContentId('document');
        attachments.push({ contentId, contentType: 'text/xml', body: bytes });
        const metadata = await ctx.store.registered(entry);
        responses.push(
          '<xds:DocumentResponse>' +
            (d.homeCommunityId !== undefined
              ? `<xds:HomeCommunityId>${escapeXmlText(d.homeCommunityId)}</xds:HomeCommunityId>`
              : '') +
            `<xds:RepositoryUniqueId>${escapeXmlText(ctx.repositoryUniqueId)}</xds:RepositoryUniqueId>` +
            `<xds:DocumentUniqueId>${escapeXmlText(d.documentUniqueId)}</xds:DocumentUniqueId>` +
            `<xds:mimeType>${escapeXmlText(metadata?.mimeType ?? 'text/xml')}</xds:mimeType>` +
            `<xds:Document><xop:Include xmlns:xop="${XDS_NS.xop}" href="cid:${contentId}"/></xds:Document>` +
            '</xds:DocumentResponse>'
        );
      }
    }
    const status: Status = responses.length === 0 ? 'failure' : errors.length > 0 ? 'partialSuccess' : 'success';
    const body =
      `<xds:RetrieveDocumentSetResponse xmlns:xds="${XDS_NS.xds}" xmlns:rs="${XDS_NS.rs}">` +
      `<rs:RegistryResponse status="${RESPONSE_STATUS_URN[status]}">${registryErrorListXml(errors)}</rs:RegistryResponse>` +
      responses.join('') +
      '</xds:RetrieveDocumentSetResponse>';
    // The document goes as an XOP attachment (MTOM), as ITI-43 requires of a repository.
    const mtom = buildMtomMessage({
      soapXml: r.envelope(body, ITI43_RESPONSE_ACTION),
      soapVersion: r.soapVersion,
      attachments,
      action: ITI43_RESPONSE_ACTION,
    });
    return {
      status: 200,
      headers: { 'content-type': mtom.contentType, 'mime-version': '1.0' },
      body: Buffer.concat(mtom.chunks),
    };
  },
};

async function handle<T>(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RegistryContext,
  endpoint: Endpoint<T>
): Promise<void> {
  try {
    const start = await readRequestStart(req, MAX_QUERY_BYTES);
    if (!start.ok) {
      if (start.reply) {
        send(res, start.reply, start.close);
      }
      return;
    }
    const { headerScenario } = start;
    if (headerScenario && !endpoint.kinds.includes(headerScenario.kind)) {
      send(res, textReply(400, `Scenario ${headerScenario.kind} does not apply to this endpoint.\n`));
      return;
    }
    const read = readSoapQuery(start.body, req.headers['content-type'], MAX_QUERY_BYTES, endpoint.payload, (payload) =>
      endpoint.read(payload)
    );
    if (!read.ok) {
      send(res, unreadableReply(read));
      return;
    }
    const request = read.request;
    const r = soapReplier(request);
    const scenario = headerScenario ?? ctx.scenarios.take(endpoint.uniqueIds(request.payload), endpoint.kinds);
    // Refusals first; the kinds that alter an answer (metadata-changed, …) are applied by the endpoint.
    if (scenario?.kind === 'http-503') {
      send(res, unavailableReply());
      return;
    }
    if (scenario?.kind === 'expired-idcard' || scenario?.kind === 'not-authorized') {
      send(res, r.fault(SCENARIO_FAULTS[scenario.kind]));
      return;
    }
    const refusal = checkSoapRequest(req, request, endpoint.action, ctx);
    if (refusal) {
      send(res, r.fault(refusal.fault, refusal.version));
      return;
    }
    send(res, await endpoint.answer(request.payload, scenario, ctx, r));
  } catch (err) {
    if (!res.headersSent) {
      send(res, simulatorErrorReply(err));
    } else {
      res.destroy();
    }
  }
}

/** POST ITI-18. */
export function handleIti18(req: IncomingMessage, res: ServerResponse, ctx: RegistryContext): Promise<void> {
  return handle(req, res, ctx, ITI18);
}

/** POST ITI-43. */
export function handleIti43(req: IncomingMessage, res: ServerResponse, ctx: RegistryContext): Promise<void> {
  return handle(req, res, ctx, ITI43);
}
