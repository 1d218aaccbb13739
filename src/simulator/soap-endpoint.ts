// What the simulator's SOAP endpoints (ITI-41, ITI-18, ITI-43) do alike: reading the start of a request, the SOAP and DGWS checks, scenario faults, and how answers and faults are enveloped.
import type { IncomingMessage } from 'node:http';
import type { SoapVersion } from '../xds/soap-envelope.js';
import { maskCpr } from './cpr-mask.js';
import { checkDgws, dgwsFault } from './dgws-check.js';
import type { IdCardVerifier } from './dgws-check.js';
import { readBody, soapReply, textReply } from './http-reply.js';
import type { HttpReply } from './http-reply.js';
import type { DgwsHeaders, ReadResult } from './iti41-reader.js';
import { faultHttpStatus, replyEnvelope, soapFaultXml, WSA_SOAP_FAULT_ACTION } from './registry-response.js';
import type { DgwsReply, FaultSpec } from './registry-response.js';
import { requestScenario, SCENARIO_HEADER } from './scenarios.js';
import type { Scenario } from './scenarios.js';

/** The SOAP facts of a request every endpoint looks at. */
export interface SoapRequestFacts {
  readonly soapVersion: SoapVersion;
  readonly messageId?: string;
  readonly action?: string;
  readonly dgws: DgwsHeaders;
}

/** What the checks need of an endpoint's context. */
export interface EndpointChecks {
  readonly requireDgws: boolean;
  readonly verifyIdCard?: IdCardVerifier;
  readonly now: () => Date;
}

/** The body and the per-request scenario header, or the reply that ends the request (none when the client went away). */
export type RequestStart =
  | { readonly ok: true; readonly body: Buffer; readonly headerScenario?: Scenario }
  | { readonly ok: false; readonly reply?: HttpReply; readonly close?: boolean };

/** Reads the body within `limit` and the scenario header. */
export async function readRequestStart(req: IncomingMessage, limit: number): Promise<RequestStart> {
  const body = await readBody(req, limit);
  if (!body.ok) {
    return body.reason === 'too-large'
      ? { ok: false, reply: textReply(413, `The request is larger than ${limit} bytes.\n`), close: true }
      : { ok: false };
  }
  const { scenario, error } = requestScenario(req.headers[SCENARIO_HEADER]);
  if (error !== undefined) {
    return { ok: false, reply: textReply(400, `${error}\n`) };
  }
  return { ok: true, body: body.body, ...(scenario ? { headerScenario: scenario } : {}) };
}

/** The answer to a request that could not be read: 415 for a media type, else a SOAP fault (no RelatesTo: no MessageID was read). */
export function unreadableReply(read: Exclude<ReadResult, { readonly ok: true }>): HttpReply {
  if (read.kind === 'media-type') {
    return textReply(415, `${read.message}\n`);
  }
  const envelope = replyEnvelope(soapFaultXml(read.soapVersion, read.fault), {
    soapVersion: read.soapVersion,
    action: WSA_SOAP_FAULT_ACTION,
  });
  return soapReply(envelope, read.soapVersion, faultHttpStatus(read.soapVersion, read.fault), false);
}

/** A tool failure while answering; the message passes the CPR mask. */
export function simulatorErrorReply(err: unknown): HttpReply {
  return textReply(500, `Simulator error: ${maskCpr(err instanceof Error ? err.message : String(err))}\n`);
}

/** The DGWS refusals a scenario can force on any endpoint. */
export const SCENARIO_FAULTS = {
  'expired-idcard': dgwsFault('expired_idcard', 'The ID card has expired.'),
  'not-authorized': dgwsFault('not_authorized', 'The ID card is not authorised for this service.'),
} as const satisfies Readonly<Record<string, FaultSpec>>;

function soapActionOf(req: IncomingMessage): string | undefined {
  const raw = req.headers.soapaction;
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value?.trim().replace(/^"(.*)"$/, '$1');
}

/** A refusal and the SOAP version it is answered in. */
export interface Refusal {
  readonly fault: FaultSpec;
  readonly version: SoapVersion;
}

/**
 * The checks before an endpoint's own: SOAP 1.2 at a DGWS-only endpoint, the SOAP 1.1 SOAPAction
 * header, WS-Addressing Action, then the DGWS headers and ID card (KIH's proxy order).
 */
export function checkSoapRequest(
  req: IncomingMessage,
  request: SoapRequestFacts,
  action: string,
  ctx: EndpointChecks
): Refusal | undefined {
  const refuse = (fault: FaultSpec): Refusal => ({ fault, version: request.soapVersion });
  if (request.soapVersion === '1.2' && ctx.requireDgws) {
    // DGWS is SOAP 1.1 only; a SOAP 1.1 node answers another envelope version with a 1.1 VersionMismatch.
    return {
      fault: {
        code: 'VersionMismatch',
        reason:
          'This endpoint speaks DGWS, which is SOAP 1.1 only; send SOAP 1.1 with DGWS headers (or run the simulator without requireDgws for SOAP 1.2).',
      },
      version: '1.1',
    };
  }
  if (request.soapVersion === '1.1') {
    const soapAction = soapActionOf(req);
    if (soapAction !== action) {
      return refuse({
        code: 'Client',
        reason: `The HTTP SOAPAction header must be "${action}" (found ${soapAction === undefined ? 'none' : JSON.stringify(soapAction)}).`,
      });
    }
  }
  if (request.action === undefined) {
    return refuse({
      code: 'Client',
      subcode: 'wsa:MessageAddressingHeaderRequired',
      reason: 'The SOAP header has no wsa:Action.',
    });
  }
  if (request.action !== action) {
    return refuse({
      code: 'Client',
      subcode: 'wsa:ActionNotSupported',
      reason: `wsa:Action ${JSON.stringify(request.action)} is not served here; this endpoint takes ${action}.`,
    });
  }
  const dgws = checkDgws(request.dgws, {
    required: ctx.requireDgws,
    ...(ctx.verifyIdCard ? { verifyIdCard: ctx.verifyIdCard } : {}),
    now: ctx.now(),
  });
  return dgws ? refuse(dgws) : undefined;
}

/** How answers to one request are enveloped: its SOAP version, RelatesTo, and a DGWS header for a DGWS request. */
export interface SoapReplier {
  readonly soapVersion: SoapVersion;
  /** The answer envelope for `body` (DGWS flow finished). */
  envelope(body: string, action: string): string;
  /** A fault as plain SOAP (nothing to optimise, and DGWS faults are plain SOAP 1.1), in `version` (default: the request's). */
  fault(fault: FaultSpec, version?: SoapVersion): HttpReply;
}

/** `relatesTo: false` leaves RelatesTo out (the `no-relates-to` scenario). */
export function soapReplier(request: SoapRequestFacts, options: { readonly relatesTo?: boolean } = {}): SoapReplier {
  const relatesTo = options.relatesTo === false ? undefined : request.messageId;
  const dgws: Omit<DgwsReply, 'finished'> | undefined =
    request.soapVersion === '1.1' && request.dgws.medcomHeaderPresent
      ? {
          ...(request.dgws.securityLevel !== undefined ? { securityLevel: request.dgws.securityLevel } : {}),
          ...(request.dgws.linkingMessageId !== undefined ? { inResponseTo: request.dgws.linkingMessageId } : {}),
        }
      : undefined;
  const envelope = (body: string, action: string, version: SoapVersion, finished: boolean): string =>
    replyEnvelope(body, {
      soapVersion: version,
      action,
      ...(relatesTo !== undefined ? { relatesTo } : {}),
      ...(dgws && version === '1.1' ? { dgws: { ...dgws, finished } } : {}),
    });
  return {
    soapVersion: request.soapVersion,
    envelope: (body, action) => envelope(body, action, request.soapVersion, true),
    fault: (fault, version = request.soapVersion) =>
      soapReply(
        envelope(soapFaultXml(version, fault), WSA_SOAP_FAULT_ACTION, version, false),
        version,
        faultHttpStatus(version, fault),
        false
      ),
  };
}
