// POST /kih-iti41/iti41: one ITI-41 request through KIH's checks (SOAP, DGWS, metadata, CDA, duplicates) to the store, with scenarios applied.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SoapVersion } from '../xds/soap-envelope.js';
import { ITI41_ACTION, ITI41_RESPONSE_ACTION } from '../xds/vocabulary.js';
import type { IdCardVerifier } from './dgws-check.js';
import { send, soapReply, unavailableReply, wait } from './http-reply.js';
import type { HttpReply } from './http-reply.js';
import { readIti41Request } from './iti41-reader.js';
import type { Iti41Request } from './iti41-reader.js';
import { registryResponseXml } from './registry-response.js';
import type { InFlight } from './in-flight.js';
import type { FaultSpec, RegistryErrorEntry, RegistryStatus } from './registry-response.js';
import { delayOf, ENDPOINT_SCENARIO_KINDS } from './scenarios.js';
import type { Scenario, ScenarioQueue } from './scenarios.js';
import {
  checkSoapRequest,
  readRequestStart,
  SCENARIO_FAULTS,
  simulatorErrorReply,
  soapReplier,
  unreadableReply,
} from './soap-endpoint.js';
import type { DocumentStore } from './store.js';
import { checkIti41Submission } from './submission-check.js';
import type { CheckedDocument } from './submission-check.js';

/** Largest ITI-41 request taken: room for a 20 MB document as inline base64 and then some. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/** Rule ids named in an InvalidDocumentContent codeContext; the rest are counted. */
const MAX_RULE_IDS_SHOWN = 5;

export interface CdaValidation {
  valid: boolean;
  issues: { ruleId: string; message: string; severity: string }[];
}

export interface Iti41Context {
  readonly store: DocumentStore;
  readonly scenarios: ScenarioQueue;
  readonly requireDgws: boolean;
  readonly verifyIdCard?: IdCardVerifier;
  readonly validateDocument?: (bytes: Uint8Array) => Promise<CdaValidation>;
  readonly allowedTypeCodes: readonly string[];
  readonly now: () => Date;
  /** Aborts when the simulator closes, ending every scenario wait. */
  readonly signal: AbortSignal;
  readonly stats: { requests: number; stored: number; rejected: number };
  /** Requests that may still store, for the query endpoint to wait for. */
  readonly inFlight: InFlight;
  /** uniqueId → when (ms since epoch) its stored entries become registered (`registration-delay`). */
  readonly registeredFrom: Map<string, number>;
}

/** What processing decided: an answer (with whether it was a Success) or to drop the connection unanswered. */
type Outcome =
  { readonly kind: 'reply'; readonly reply: HttpReply; readonly success: boolean } | { readonly kind: 'drop' };

/** How answers to this request are written: SOAP version, RelatesTo, DGWS header, MTOM or not. */
interface Replier {
  registry(status: RegistryStatus, errors?: readonly RegistryErrorEntry[]): Outcome;
  fault(fault: FaultSpec, version?: SoapVersion): Outcome;
}

function replierFor(request: Iti41Request, scenario: Scenario | undefined): Replier {
  const soap = soapReplier(request, { relatesTo: scenario?.kind !== 'no-relates-to' });
  const multipart = scenario?.kind !== 'non-multipart';
  return {
    registry(status, errors = []) {
      const envelope = soap.envelope(registryResponseXml(status, errors), ITI41_RESPONSE_ACTION);
      // A RegistryResponse Failure is still a processed request: HTTP 200, as XDS repositories answer it.
      return {
        kind: 'reply',
        reply: soapReply(envelope, request.soapVersion, 200, multipart),
        success: status === 'success',
      };
    },
    fault(fault, version) {
      return { kind: 'reply', reply: soap.fault(fault, version), success: false };
    },
  };
}

function cdaErrorContext(result: CdaValidation): string {
  const errors = result.issues.filter((i) => i.severity === 'error');
  const listed = errors.length > 0 ? errors : result.issues;
  const ids = [...new Set(listed.map((i) => i.ruleId))];
  const shown = ids.slice(0, MAX_RULE_IDS_SHOWN).join(', ');
  const more = ids.length > MAX_RULE_IDS_SHOWN ? ` and ${ids.length - MAX_RULE_IDS_SHOWN} more` : '';
  // Rule ids only: issue messages quote document content, which may hold a CPR number.
  return `The document fails CDA validation with ${errors.length} error(s): ${shown || 'no rule id given'}${more}.`;
}

async function validateCda(docs: readonly CheckedDocument[], ctx: Iti41Context): Promise<RegistryErrorEntry[]> {
  const validate = ctx.validateDocument;
  if (!validate) {
    return [];
  }
  const errors: RegistryErrorEntry[] = [];
  for (const doc of docs) {
    let result: CdaValidation;
    try {
      result = await validate(doc.bytes);
    } catch {
      errors.push({
        errorCode: 'XDSRepositoryError',
        codeContext: 'The CDA validator failed on the document.',
        location: doc.uniqueId,
        severity: 'error',
      });
      continue;
    }
    if (!result.valid) {
      errors.push({
        errorCode: 'InvalidDocumentContent',
        codeContext: cdaErrorContext(result),
        location: doc.uniqueId,
        severity: 'error',
      });
    }
  }
  return errors;
}

function storeFailure(err: unknown): RegistryErrorEntry {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  // A full disk passes; anything else needs a person.
  return code === 'ENOSPC' || code === 'EDQUOT'
    ? { errorCode: 'XDSRepositoryOutOfResources', codeContext: 'The repository store is full.', severity: 'error' }
    : {
        errorCode: 'XDSRepositoryError',
        codeContext: 'The repository could not store the document.',
        severity: 'error',
      };
}

/**
 * The XDS duplicate rules, under each uniqueId's lock so no other request can slip in between the
 * check and the insert. Same uniqueId and same hash: stored again as a second DocumentEntry (XDS
 * re-submission is not idempotent). Same uniqueId and another hash: XDSNonIdenticalHash, since it
 * is another document under a used id, which the sender must fix; XDSDuplicateUniqueIdInRegistry
 * would tell the client "already there, reconcile", which is untrue for other content.
 */
async function storeDocuments(
  docs: readonly CheckedDocument[],
  request: Iti41Request,
  ctx: Iti41Context
): Promise<RegistryErrorEntry[]> {
  return ctx.store.locks.with(
    docs.map((d) => d.uniqueId),
    async () => {
      const conflicts: RegistryErrorEntry[] = [];
      for (const doc of docs) {
        const sha1 = createHash('sha1').update(doc.bytes).digest('hex');
        if (ctx.store.lookup(doc.uniqueId).some((e) => e.hash !== sha1)) {
          conflicts.push({
            errorCode: 'XDSNonIdenticalHash',
            codeContext: `DocumentEntry.uniqueId ${doc.uniqueId} is already stored with another hash; a new document needs a new id.`,
            location: doc.uniqueId,
            severity: 'error',
          });
        }
      }
      if (conflicts.length > 0) {
        return conflicts;
      }
      for (const doc of docs) {
        try {
          await ctx.store.add({
            uniqueId: doc.uniqueId,
            submittedEntryUUID: doc.entryId,
            bytes: doc.bytes,
            patientId: doc.patientId,
            ...(doc.entry ? { metadata: doc.entry } : {}),
            messageId: request.messageId ?? request.dgws.linkingMessageId ?? '',
          });
        } catch (err) {
          return [storeFailure(err)];
        }
        ctx.stats.stored += 1;
      }
      return [];
    }
  );
}

/** KIH's checks in order: SOAP, DGWS, metadata, CDA, duplicates; then the store. */
async function process(req: IncomingMessage, request: Iti41Request, ctx: Iti41Context, r: Replier): Promise<Outcome> {
  const refusal = checkSoapRequest(req, request, ITI41_ACTION, ctx);
  if (refusal) {
    return r.fault(refusal.fault, refusal.version);
  }
  const checked = checkIti41Submission(request, { allowedTypeCodes: ctx.allowedTypeCodes });
  if (!checked.ok) {
    return r.registry('failure', checked.errors);
  }
  const invalid = await validateCda(checked.documents, ctx);
  if (invalid.length > 0) {
    return r.registry('failure', invalid);
  }
  const refused = await storeDocuments(checked.documents, request, ctx);
  return refused.length > 0 ? r.registry('failure', refused) : r.registry('success');
}

/** Applies a scenario around the normal processing. */
async function withScenario(
  req: IncomingMessage,
  request: Iti41Request,
  scenario: Scenario | undefined,
  ctx: Iti41Context
): Promise<Outcome> {
  const r = replierFor(request, scenario);
  switch (scenario?.kind) {
    case 'http-503':
      return { kind: 'reply', reply: unavailableReply(), success: false };
    case 'timeout-before-store':
      await wait(delayOf(scenario), ctx.signal);
      return { kind: 'drop' };
    case 'busy':
      return r.registry('failure', [
        {
          errorCode: 'XDSRepositoryBusy',
          codeContext: 'The repository is busy; try again later.',
          severity: 'error',
        },
      ]);
    case 'duplicate-in-registry':
      // What a registry answers when it takes a re-submission for a duplicate: it may be stored already.
      return r.registry('failure', [
        {
          errorCode: 'XDSDuplicateUniqueIdInRegistry',
          codeContext: 'A document with this uniqueId is already in the registry.',
          severity: 'error',
        },
      ]);
    case 'expired-idcard':
    case 'not-authorized':
      return r.fault(SCENARIO_FAULTS[scenario.kind]);
    case 'slow':
      return ctx.inFlight.during(request.uniqueIds, async () => {
        await wait(delayOf(scenario), ctx.signal);
        return process(req, request, ctx, r);
      });
    case 'timeout-after-store': {
      await ctx.inFlight.during(request.uniqueIds, () => process(req, request, ctx, r));
      await wait(delayOf(scenario), ctx.signal);
      return { kind: 'drop' };
    }
    case 'registration-delay': {
      const outcome = await ctx.inFlight.during(request.uniqueIds, () => process(req, request, ctx, r));
      const from = ctx.now().getTime() + delayOf(scenario);
      for (const uniqueId of request.uniqueIds) {
        ctx.registeredFrom.set(uniqueId, from);
      }
      return outcome;
    }
    case 'metadata-changed':
    case 'retrieve-other-bytes':
    case 'repository-unavailable':
      // Kinds of the registry and repository endpoints; an ITI-41 request only gets one by its header.
      return ctx.inFlight.during(request.uniqueIds, () => process(req, request, ctx, r));
    case 'non-multipart':
    case 'no-relates-to':
    case undefined:
      return ctx.inFlight.during(request.uniqueIds, () => process(req, request, ctx, r));
  }
}

function drop(req: IncomingMessage, res: ServerResponse): void {
  res.socket?.destroy();
  req.socket.destroy();
}

/** Handles one request to the ITI-41 endpoint; never throws. */
export async function handleIti41(req: IncomingMessage, res: ServerResponse, ctx: Iti41Context): Promise<void> {
  ctx.stats.requests += 1;
  const finish = (reply: HttpReply, success: boolean, close = false): void => {
    if (!success) {
      ctx.stats.rejected += 1;
    }
    send(res, reply, close);
  };
  try {
    const start = await readRequestStart(req, MAX_REQUEST_BYTES);
    if (!start.ok) {
      if (start.reply) {
        finish(start.reply, false, start.close);
      } else {
        ctx.stats.rejected += 1;
      }
      return;
    }
    const read = readIti41Request(start.body, req.headers['content-type'], MAX_REQUEST_BYTES);
    if (!read.ok) {
      finish(unreadableReply(read), false);
      return;
    }
    const request = read.request;
    // A header scenario is for this request only and leaves the queue alone.
    const scenario = start.headerScenario ?? ctx.scenarios.take(request.uniqueIds, ENDPOINT_SCENARIO_KINDS.iti41);
    const outcome = await withScenario(req, request, scenario, ctx);
    if (outcome.kind === 'drop') {
      ctx.stats.rejected += 1;
      drop(req, res);
      return;
    }
    finish(outcome.reply, outcome.success);
  } catch (err) {
    if (!res.headersSent) {
      finish(simulatorErrorReply(err), false);
    } else {
      drop(req, res);
    }
  }
}
