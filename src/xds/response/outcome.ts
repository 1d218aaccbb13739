// The typed outcome of one ITI-41 submission and the rules that sort it into what the caller should do next.
import type { KihErrorCode } from '../../core/codes.js';

export type RegistryStatus = 'success' | 'partialSuccess' | 'failure';

/**
 * What to do next: `success` record it; `permanent` fix the input, never retry; `duplicate` the
 * document id is already known (reconcile, e.g. after a timed-out attempt); `transient` retry
 * with backoff; `auth` renew the ID card once and retry; `authPermanent` fix credentials or
 * whitelisting.
 */
export type OutcomeClass = 'success' | 'permanent' | 'duplicate' | 'transient' | 'auth' | 'authPermanent';

export interface RegistryErrorInfo {
  readonly errorCode: string;
  readonly codeContext: string;
  readonly location?: string;
  readonly severity: 'error' | 'warning';
}

export interface SoapFaultInfo {
  readonly soapVersion: '1.1' | '1.2';
  /** Local name of the fault code: `Server`/`Client` (1.1), `Receiver`/`Sender`/… (1.2). */
  readonly code: string;
  /** SOAP 1.2 Subcode values in order; for SOAP 1.1 the dotted parts after the code (`Client.Authentication`). */
  readonly subcodes: string[];
  readonly reason: string;
  /** `medcom:FaultCode` from the fault detail (DGWS). */
  readonly dgwsFaultCode?: string;
}

export interface SubmissionOutcome {
  readonly outcome: RegistryStatus;
  readonly class: OutcomeClass;
  /** Error-severity entries only. */
  readonly errors: RegistryErrorInfo[];
  /** Warning-severity entries only. */
  readonly warnings: RegistryErrorInfo[];
  readonly httpStatus: number;
  readonly fault?: SoapFaultInfo;
  /** WS-Addressing RelatesTo: the request's MessageID. */
  readonly relatesTo?: string;
  /** WS-Addressing Action of the answer. */
  readonly action?: string;
  /** One line for people. */
  readonly message: string;
}

/** The error code put in `errors` when the answer is neither a RegistryResponse nor a SOAP fault. */
export const UNEXPECTED_RESPONSE_CODE = 'KIH_ERR_UNEXPECTED_RESPONSE' satisfies KihErrorCode;

/** The document's unique id is already in the registry or twice in the request. */
export const DUPLICATE_ERROR_CODES: readonly string[] = [
  'XDSDuplicateUniqueIdInRegistry',
  'XDSRegistryDuplicateUniqueIdInMessage',
  'XDSRepositoryDuplicateUniqueIdInMessage',
];

/**
 * The registry or repository is overloaded or down. `XDSNonIdenticalHash` is deliberately not a
 * duplicate either: it means a different document under an id already used, so it is permanent.
 */
export const TRANSIENT_ERROR_CODES: readonly string[] = [
  'XDSRegistryBusy',
  'XDSRepositoryBusy',
  'XDSRegistryOutOfResources',
  'XDSRepositoryOutOfResources',
  'XDSRegistryNotAvailable',
];

/** HTTP statuses a gateway or an overloaded server answers with; retrying later can help. */
export const TRANSIENT_HTTP_STATUSES: readonly number[] = [429, 502, 503, 504];

/** DGWS fault codes (Den Gode Webservice 1.0, `medcom:FaultCode`) and their class. */
export const DGWS_FAULT_CLASSES: Readonly<Record<string, OutcomeClass>> = {
  // The ID card has expired: a new one from the STS fixes it.
  expired_idcard: 'auth',
  security_level_failed: 'authPermanent',
  invalid_username_password: 'authPermanent',
  invalid_signature: 'authPermanent',
  invalid_idcard: 'authPermanent',
  invalid_certificate: 'authPermanent',
  not_authorized: 'authPermanent',
  // A malformed request, not a credential problem.
  syntax_error: 'permanent',
  missing_required_header: 'permanent',
  illegal_HTTP_method: 'permanent',
  nonrepudiation_not_supported: 'permanent',
};

/** Gateway codes the SOSI gateway adds (`sosigw_*`); unknown ones are credential or whitelisting problems. */
export const DGWS_GATEWAY_PREFIX = 'sosigw_';

/** SOAP fault codes (local names) whose cause is on the server side, so a retry can succeed. */
export const TRANSIENT_SOAP_FAULT_CODES: readonly string[] = ['Server', 'Receiver'];

/** What `classifyOutcome` looks at. */
export interface OutcomeSignals {
  readonly httpStatus: number;
  /** The RegistryResponse status, when the answer had one. */
  readonly status?: RegistryStatus;
  /** Every RegistryError entry, both severities. */
  readonly entries?: readonly RegistryErrorInfo[];
  readonly fault?: SoapFaultInfo;
}

/** Class of one registry error code. */
export function classifyErrorCode(errorCode: string): 'permanent' | 'duplicate' | 'transient' {
  if (DUPLICATE_ERROR_CODES.includes(errorCode)) {
    return 'duplicate';
  }
  if (TRANSIENT_ERROR_CODES.includes(errorCode)) {
    return 'transient';
  }
  return 'permanent';
}

/** Class of a DGWS fault code. */
export function classifyDgwsFaultCode(code: string): OutcomeClass {
  return DGWS_FAULT_CLASSES[code] ?? (code.startsWith(DGWS_GATEWAY_PREFIX) ? 'authPermanent' : 'permanent');
}

// When a failure mixes classes the first one present wins: retrying cannot fix a permanent error,
// and a duplicate needs reconciling before any retry.
const FAILURE_PRECEDENCE = ['permanent', 'duplicate', 'transient'] as const;

/**
 * Sorts an answer into a class. In order: a DGWS fault code (it names the cause exactly); a
 * Success or PartialSuccess status (the document was stored, so it is never "transient" even
 * behind a 503: a retry would store it twice); a 429/502/503/504 (whatever the body, it came
 * from a gateway or an overloaded server); a Failure's error codes; a plain SOAP fault's code;
 * anything else is permanent.
 */
export function classifyOutcome(signals: OutcomeSignals): OutcomeClass {
  const { fault, status } = signals;
  if (fault?.dgwsFaultCode !== undefined) {
    return classifyDgwsFaultCode(fault.dgwsFaultCode);
  }
  if (status === 'success') {
    return 'success';
  }
  if (status === 'partialSuccess') {
    return 'permanent';
  }
  if (TRANSIENT_HTTP_STATUSES.includes(signals.httpStatus)) {
    return 'transient';
  }
  if (status === 'failure') {
    const entries = signals.entries ?? [];
    const errors = entries.filter((e) => e.severity === 'error');
    const classes = new Set((errors.length > 0 ? errors : entries).map((e) => classifyErrorCode(e.errorCode)));
    return FAILURE_PRECEDENCE.find((c) => classes.has(c)) ?? 'permanent';
  }
  if (fault) {
    return TRANSIENT_SOAP_FAULT_CODES.includes(fault.code) ? 'transient' : 'permanent';
  }
  return 'permanent';
}
