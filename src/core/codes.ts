// The catalogue of stable error codes; docs/errors.md documents each one and a test keeps the two in step.

/** Settings: one code for any bad value, with the path of the value (`targets.kih-test.endpoint`, `KIH_CONCURRENCY`). */
export const CONFIG_ERROR_CODES = {
  CONFIG_ERR_INVALID: 'A setting (settings file, environment variable or option) is missing, unknown or malformed.',
} as const;

export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;

/** Findings that stop a document before or during parsing, and tool errors of the validation stage. */
export const CDA_ERROR_CODES = {
  CDA_ERR_EMPTY: 'The file is empty.',
  CDA_ERR_TOO_LARGE: 'The document is larger than the configured size limit.',
  CDA_ERR_ENCODING: 'The document is not UTF-8 (DK profiles accept UTF-8 only).',
  CDA_ERR_MALFORMED: 'The document is not well-formed XML.',
  CDA_ERR_DOCTYPE: 'The document has a DOCTYPE; DTDs and entity declarations are refused.',
  CDA_ERR_XINCLUDE: 'The document uses XInclude, which is refused.',
  CDA_ERR_NOT_CDA: 'The root element is not a CDA ClinicalDocument.',
  CDA_ERR_UNKNOWN_PROFILE: 'No supported DK profile was detected.',
  CDA_ERR_READ: 'The file could not be read.',
  CDA_ERR_SCHEMA_LOAD: 'The XML Schema could not be found or compiled.',
  CDA_ERR_INTERNAL: 'The validator failed unexpectedly on this document.',
  CDA_ERR_TIME_LIMIT: 'The document used up its validation time budget; its thread was stopped and replaced.',
  CDA_FINDINGS_CAPPED: 'More findings of one stage than a document reports; the notice counts the rest.',
} as const;

export type CdaErrorCode = keyof typeof CDA_ERROR_CODES;

/** XSD findings, classified from libxml2's schema-validity messages. */
export const XSD_RULE_IDS = {
  XSD_UNEXPECTED_ELEMENT: 'An element that the schema does not allow here (unknown or misplaced).',
  XSD_MISSING_ELEMENT: 'A required child element is missing.',
  XSD_ATTRIBUTE_NOT_ALLOWED: 'An attribute that the schema does not allow on this element.',
  XSD_ATTRIBUTE_REQUIRED: 'A required attribute is missing.',
  XSD_VALUE_NOT_IN_SET: 'A coded attribute value outside its value set (classCode, moodCode, nullFlavor, …).',
  XSD_VALUE_INVALID: 'A value that does not match its datatype (timestamp, number, boolean, pattern).',
  XSD_XSI_TYPE: 'An xsi:type that is unknown or not derived from the declared type.',
  XSD_CONTENT: 'Text or child content where the type does not allow it.',
  XSD_UNKNOWN_ROOT: 'The root element is not declared by the schema.',
  XSD_INVALID: 'Any other schema-validity error.',
} as const;

export type XsdRuleId = keyof typeof XSD_RULE_IDS;

/** Usage errors of the command line (exit status 2). */
export const CLI_ERROR_CODES = {
  CLI_ERR_USAGE: 'The command line is not valid.',
  CLI_ERR_NO_INPUT: 'No XML documents were found in the given paths.',
} as const;

export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

/** Schematron engine errors: a rule file that cannot be used, or rules that fail while running. */
export const SCH_ERROR_CODES = {
  SCH_ERR_PARSE: 'A rule file (or one it includes) cannot be read, is not well-formed, or has a DOCTYPE.',
  SCH_ERR_COMPILE: 'A rule file is not supported ISO Schematron, or its generated XSLT does not compile.',
  SCH_ERR_RUNTIME: 'Compiled rules failed while running on a document.',
} as const;

export type SchErrorCode = keyof typeof SCH_ERROR_CODES;

/** Errors of the XDS stage: settings, request building and the wire format. */
export const XDS_ERROR_CODES = {
  XDS_ERR_METADATA: 'The metadata has error findings, so no request is built.',
  XDS_ERR_REQUEST_XML: 'An ITI-41 request body is not well-formed or holds no SubmitObjectsRequest.',
  XDS_ERR_MTOM: 'A multipart/related (MTOM/XOP) message is malformed.',
  XDS_ERR_HTTP: 'An HTTP message to write or read is malformed (method, URL, header, start line or length).',
  XDS_ERR_ID_CARD: 'The ID card file is unreadable or is not a saml:Assertion.',
} as const;

export type XdsErrorCode = keyof typeof XDS_ERROR_CODES;

/** Errors of talking to a KIH repository (or the simulator). */
export const KIH_ERROR_CODES = {
  KIH_ERR_UNEXPECTED_RESPONSE:
    'The repository answered with something that is neither a RegistryResponse nor a SOAP fault.',
  KIH_ERR_NETWORK:
    'The repository or STS could not be reached, or the connection broke before the answer was complete.',
  KIH_ERR_TIMEOUT: 'The repository or STS did not connect, send headers or finish its answer within the timeout.',
  KIH_ERR_CREDENTIALS:
    'The certificate or private key for signing ID cards or for TLS cannot be read or do not belong together.',
  KIH_ERR_STS: 'The STS refused to issue an ID card or answered with something that is not one.',
  KIH_ERR_ID_CARD: 'An ID card cannot be built, signed or read.',
  KIH_ERR_SIMULATOR: 'The KIH simulator cannot start (port taken, store unusable) or was given an invalid scenario.',
} as const;

export type KihErrorCode = keyof typeof KIH_ERROR_CODES;

/** Errors of the service's own records and queues (PostgreSQL, Redis). */
export const STORE_ERROR_CODES = {
  STORE_ERR_DATABASE: 'PostgreSQL cannot be reached or refused a statement.',
  STORE_ERR_MIGRATION: 'The database schema cannot be brought up to date.',
  STORE_ERR_QUEUE: 'Redis cannot be reached or refused a queue command.',
  STORE_ERR_NOT_FOUND: 'A run, document or record named by id does not exist (or belongs to another vendor).',
  STORE_ERR_INVALID_ID:
    'A vendor id or key name is not of the allowed form (lower-case letters, digits, ".", "_", "-").',
} as const;

export type StoreErrorCode = keyof typeof STORE_ERROR_CODES;

/** Errors of the certification workflow: protocol files and decisions the workflow does not allow. */
export const CERT_ERROR_CODES = {
  CERT_ERR_PROTOCOL: 'A certification protocol file is unreadable, malformed, or its conditions do not compile.',
  CERT_ERR_INCOMPLETE: 'A certification was asked for while a test case of the protocol has no passing document.',
  CERT_ERR_STEP: "The decision is not allowed at the vendor's current step of the protocol.",
} as const;

export type CertErrorCode = keyof typeof CERT_ERROR_CODES;

/** Errors the HTTP API answers with (JSON `{ error: { code, message } }`). */
export const API_ERROR_CODES = {
  API_ERR_AUTH: 'No API key or session, or the key is unknown or revoked.',
  API_ERR_FORBIDDEN: 'The key is valid but its role may not do this.',
  API_ERR_NOT_FOUND: "No such resource for this key (another vendor's resources are not found either).",
  API_ERR_BAD_REQUEST: 'The request is malformed: a parameter, field or JSON body is missing or invalid.',
  API_ERR_CONTENT_TYPE: "The body's content type is not one this endpoint accepts.",
  API_ERR_TOO_LARGE: 'The body, a file or the number of files is over the limit.',
  API_ERR_NOT_READY: 'The document has no report yet; follow its state until it is validated.',
  API_ERR_RATE_LIMITED: 'Too many requests with this key; wait for the time in Retry-After.',
  API_ERR_UNAVAILABLE: 'The database or queue is not reachable; nothing was stored, try again.',
  API_ERR_INTERNAL: 'The server failed unexpectedly.',
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_CODES;

/** Errors of the regression runs over corpora (`kih regress`, the nightly schedule). */
export const REGRESS_ERROR_CODES = {
  REGRESS_ERR_MANIFEST: "A corpus's manifest.json is missing, not JSON, or has an entry of the wrong form.",
  REGRESS_ERR_CORPUS: 'A corpus directory does not exist, or two corpora have the same name.',
  REGRESS_ERR_BASELINE: 'The baseline file cannot be read or is not a kih regress result.',
} as const;

export type RegressErrorCode = keyof typeof REGRESS_ERROR_CODES;

export type ErrorCode =
  | ConfigErrorCode
  | CdaErrorCode
  | CliErrorCode
  | SchErrorCode
  | XdsErrorCode
  | KihErrorCode
  | StoreErrorCode
  | CertErrorCode
  | ApiErrorCode
  | RegressErrorCode;

/**
 * What each code does, beside its meaning: the HTTP status the API answers with, whether a job
 * that failed with it may succeed on a later try (transient infrastructure only), and the CLI's
 * exit status (1: a finding about a document, 2: usage or tool error). The API's status table,
 * the queues' "do not retry" decision and the CLI's exit status are all read from here.
 */
export interface ErrorBehaviour {
  readonly status: number;
  readonly retryable: boolean;
  readonly exit: 1 | 2;
}

export const ERROR_BEHAVIOUR: Readonly<Record<ErrorCode, ErrorBehaviour>> = {
  CDA_ERR_EMPTY: { status: 422, retryable: false, exit: 2 },
  CDA_ERR_TOO_LARGE: { status: 413, retryable: false, exit: 2 },
  CDA_ERR_ENCODING: { status: 422, retryable: false, exit: 2 },
  CDA_ERR_MALFORMED: { status: 422, retryable: false, exit: 2 },
  CDA_ERR_DOCTYPE: { status: 422, retryable: false, exit: 2 },
  CDA_ERR_XINCLUDE: { status: 422, retryable: false, exit: 2 },
  CDA_ERR_NOT_CDA: { status: 422, retryable: false, exit: 2 },
  CDA_ERR_UNKNOWN_PROFILE: { status: 422, retryable: false, exit: 2 },
  CDA_ERR_READ: { status: 500, retryable: false, exit: 2 },
  CDA_ERR_SCHEMA_LOAD: { status: 500, retryable: false, exit: 2 },
  CDA_ERR_INTERNAL: { status: 500, retryable: false, exit: 2 },
  CDA_ERR_TIME_LIMIT: { status: 422, retryable: false, exit: 2 },
  CDA_FINDINGS_CAPPED: { status: 422, retryable: false, exit: 1 },
  CLI_ERR_USAGE: { status: 400, retryable: false, exit: 2 },
  CLI_ERR_NO_INPUT: { status: 400, retryable: false, exit: 2 },
  SCH_ERR_PARSE: { status: 500, retryable: false, exit: 2 },
  SCH_ERR_COMPILE: { status: 500, retryable: false, exit: 2 },
  SCH_ERR_RUNTIME: { status: 500, retryable: false, exit: 2 },
  XDS_ERR_METADATA: { status: 422, retryable: false, exit: 1 },
  XDS_ERR_REQUEST_XML: { status: 400, retryable: false, exit: 2 },
  XDS_ERR_MTOM: { status: 400, retryable: false, exit: 2 },
  XDS_ERR_HTTP: { status: 400, retryable: false, exit: 2 },
  XDS_ERR_ID_CARD: { status: 400, retryable: false, exit: 2 },
  KIH_ERR_UNEXPECTED_RESPONSE: { status: 502, retryable: true, exit: 2 },
  KIH_ERR_NETWORK: { status: 502, retryable: true, exit: 2 },
  KIH_ERR_TIMEOUT: { status: 504, retryable: true, exit: 2 },
  KIH_ERR_CREDENTIALS: { status: 500, retryable: false, exit: 2 },
  KIH_ERR_STS: { status: 502, retryable: false, exit: 2 },
  KIH_ERR_ID_CARD: { status: 500, retryable: false, exit: 2 },
  KIH_ERR_SIMULATOR: { status: 500, retryable: false, exit: 2 },
  STORE_ERR_DATABASE: { status: 503, retryable: true, exit: 2 },
  STORE_ERR_MIGRATION: { status: 500, retryable: false, exit: 2 },
  STORE_ERR_QUEUE: { status: 503, retryable: true, exit: 2 },
  STORE_ERR_NOT_FOUND: { status: 404, retryable: false, exit: 2 },
  STORE_ERR_INVALID_ID: { status: 400, retryable: false, exit: 2 },
  CERT_ERR_PROTOCOL: { status: 500, retryable: false, exit: 2 },
  CERT_ERR_INCOMPLETE: { status: 409, retryable: false, exit: 2 },
  CERT_ERR_STEP: { status: 409, retryable: false, exit: 2 },
  API_ERR_AUTH: { status: 401, retryable: false, exit: 2 },
  API_ERR_FORBIDDEN: { status: 403, retryable: false, exit: 2 },
  API_ERR_NOT_FOUND: { status: 404, retryable: false, exit: 2 },
  API_ERR_BAD_REQUEST: { status: 400, retryable: false, exit: 2 },
  API_ERR_CONTENT_TYPE: { status: 415, retryable: false, exit: 2 },
  API_ERR_TOO_LARGE: { status: 413, retryable: false, exit: 2 },
  API_ERR_NOT_READY: { status: 409, retryable: true, exit: 2 },
  API_ERR_RATE_LIMITED: { status: 429, retryable: true, exit: 2 },
  API_ERR_UNAVAILABLE: { status: 503, retryable: true, exit: 2 },
  API_ERR_INTERNAL: { status: 500, retryable: false, exit: 2 },
  REGRESS_ERR_MANIFEST: { status: 500, retryable: false, exit: 2 },
  REGRESS_ERR_CORPUS: { status: 500, retryable: false, exit: 2 },
  REGRESS_ERR_BASELINE: { status: 500, retryable: false, exit: 2 },
  CONFIG_ERR_INVALID: { status: 500, retryable: false, exit: 2 },
};

/** Every catalogued code with its one-line meaning. */
export const ERROR_CODES: Readonly<Record<ErrorCode, string>> = {
  ...CONFIG_ERROR_CODES,
  ...CDA_ERROR_CODES,
  ...CLI_ERROR_CODES,
  ...SCH_ERROR_CODES,
  ...XDS_ERROR_CODES,
  ...KIH_ERROR_CODES,
  ...STORE_ERROR_CODES,
  ...CERT_ERROR_CODES,
  ...API_ERROR_CODES,
  ...REGRESS_ERROR_CODES,
};

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_BEHAVIOUR, value);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_BEHAVIOUR[code].status;
}

export function isRetryable(code: ErrorCode): boolean {
  return ERROR_BEHAVIOUR[code].retryable;
}

export function exitCodeOf(code: ErrorCode): 1 | 2 {
  return ERROR_BEHAVIOUR[code].exit;
}
