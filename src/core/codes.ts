// The catalogue of stable error codes: each entry's meaning and its behaviour (HTTP status, retryable, exit status); docs/errors.md documents each one and a test keeps the two in step.

/**
 * One code: a one-line meaning, the HTTP status the API answers with, whether a job that failed
 * with it may succeed on a later try (transient infrastructure only), and the CLI's exit status
 * when a command stops on it (1: a finding about a document, 2: usage or tool error). The API's
 * status, the queues' "do not retry" decision and the CLI's exit status are all read from here.
 */
export interface ErrorEntry {
  readonly summary: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly exit: 1 | 2;
}

/** An entry; most codes are not retryable and stop a command with exit status 2. */
function entry(summary: string, status: number, behaviour: { retryable?: boolean; exit?: 1 | 2 } = {}): ErrorEntry {
  return { summary, status, retryable: behaviour.retryable ?? false, exit: behaviour.exit ?? 2 };
}

/** Settings: one code for any bad value, with the path of the value (`targets.kih-test.endpoint`, `KIH_CONCURRENCY`). */
export const CONFIG_ERRORS = {
  CONFIG_ERR_INVALID: entry(
    'A setting (settings file, environment variable or option) is missing, unknown or malformed.',
    500
  ),
} as const;

export type ConfigErrorCode = keyof typeof CONFIG_ERRORS;

/** Findings that stop a document before or during parsing, and tool errors of the validation stage. */
export const CDA_ERRORS = {
  CDA_ERR_EMPTY: entry('The file is empty.', 422),
  CDA_ERR_TOO_LARGE: entry('The document is larger than the configured size limit.', 413),
  CDA_ERR_ENCODING: entry('The document is not UTF-8 (DK profiles accept UTF-8 only).', 422),
  CDA_ERR_MALFORMED: entry('The document is not well-formed XML.', 422),
  CDA_ERR_DOCTYPE: entry('The document has a DOCTYPE; DTDs and entity declarations are refused.', 422),
  CDA_ERR_XINCLUDE: entry('The document uses XInclude, which is refused.', 422),
  CDA_ERR_NOT_CDA: entry('The root element is not a CDA ClinicalDocument.', 422),
  CDA_ERR_UNKNOWN_PROFILE: entry('No supported DK profile was detected.', 422),
  CDA_ERR_READ: entry('The file could not be read.', 500),
  CDA_ERR_SCHEMA_LOAD: entry('The XML Schema could not be found or compiled.', 500),
  CDA_ERR_INTERNAL: entry('The validator failed unexpectedly on this document.', 500),
  CDA_ERR_TIME_LIMIT: entry(
    'The document used up its validation time budget; its thread was stopped and replaced.',
    422
  ),
  CDA_FINDINGS_CAPPED: entry('More findings of one stage than a document reports; the notice counts the rest.', 422, {
    exit: 1,
  }),
} as const;

export type CdaErrorCode = keyof typeof CDA_ERRORS;

/** Usage errors of the command line (exit status 2). */
export const CLI_ERRORS = {
  CLI_ERR_USAGE: entry('The command line is not valid.', 400),
  CLI_ERR_NO_INPUT: entry('No XML documents were found in the given paths.', 400),
} as const;

export type CliErrorCode = keyof typeof CLI_ERRORS;

/** Schematron engine errors: a rule file that cannot be used, or rules that fail while running. */
export const SCH_ERRORS = {
  SCH_ERR_PARSE: entry('A rule file (or one it includes) cannot be read, is not well-formed, or has a DOCTYPE.', 500),
  SCH_ERR_COMPILE: entry('A rule file is not supported ISO Schematron, or its generated XSLT does not compile.', 500),
  SCH_ERR_RUNTIME: entry('Compiled rules failed while running on a document.', 500),
} as const;

export type SchErrorCode = keyof typeof SCH_ERRORS;

/** Errors of the XDS stage: settings, request building and the wire format. */
export const XDS_ERRORS = {
  XDS_ERR_METADATA: entry('The metadata has error findings, so no request is built.', 422, { exit: 1 }),
  XDS_ERR_REQUEST_XML: entry('An ITI-41 request body is not well-formed or holds no SubmitObjectsRequest.', 400),
  XDS_ERR_MTOM: entry('A multipart/related (MTOM/XOP) message is malformed.', 400),
  XDS_ERR_HTTP: entry(
    'An HTTP message to write or read is malformed (method, URL, header, start line or length).',
    400
  ),
  XDS_ERR_ID_CARD: entry('The ID card file is unreadable or is not a saml:Assertion.', 400),
} as const;

export type XdsErrorCode = keyof typeof XDS_ERRORS;

/** Errors of talking to a KIH repository (or the simulator). */
export const KIH_ERRORS = {
  KIH_ERR_UNEXPECTED_RESPONSE: entry(
    'The repository answered with something that is neither a RegistryResponse nor a SOAP fault.',
    502,
    { retryable: true }
  ),
  KIH_ERR_NETWORK: entry(
    'The repository or STS could not be reached, or the connection broke before the answer was complete.',
    502,
    { retryable: true }
  ),
  KIH_ERR_TIMEOUT: entry(
    'The repository or STS did not connect, send headers or finish its answer within the timeout.',
    504,
    { retryable: true }
  ),
  KIH_ERR_CREDENTIALS: entry(
    'The certificate or private key for signing ID cards or for TLS cannot be read or do not belong together.',
    500
  ),
  KIH_ERR_STS: entry('The STS refused to issue an ID card or answered with something that is not one.', 502),
  KIH_ERR_ID_CARD: entry('An ID card cannot be built, signed or read.', 500),
  KIH_ERR_SIMULATOR: entry(
    'The KIH simulator cannot start (port taken, store unusable) or was given an invalid scenario.',
    500
  ),
} as const;

export type KihErrorCode = keyof typeof KIH_ERRORS;

/** Errors of the service's own records and queues (PostgreSQL, Redis). */
export const STORE_ERRORS = {
  STORE_ERR_DATABASE: entry('PostgreSQL cannot be reached or refused a statement.', 503, { retryable: true }),
  STORE_ERR_MIGRATION: entry('The database schema cannot be brought up to date.', 500),
  STORE_ERR_QUEUE: entry('Redis cannot be reached or refused a queue command.', 503, { retryable: true }),
  STORE_ERR_NOT_FOUND: entry(
    'A run, document or record named by id does not exist (or belongs to another vendor).',
    404
  ),
  STORE_ERR_INVALID_ID: entry(
    'A vendor id or key name is not of the allowed form (lower-case letters, digits, ".", "_", "-").',
    400
  ),
} as const;

export type StoreErrorCode = keyof typeof STORE_ERRORS;

/** Errors of the certification workflow: protocol files and decisions the workflow does not allow. */
export const CERT_ERRORS = {
  CERT_ERR_PROTOCOL: entry(
    'A certification protocol file is unreadable, malformed, or its conditions do not compile.',
    500
  ),
  CERT_ERR_INCOMPLETE: entry(
    'A certification was asked for while a test case of the protocol has no passing document (formal test, end-to-end check).',
    409
  ),
  CERT_ERR_STEP: entry("The decision is not allowed at the vendor's current step of the protocol.", 409),
} as const;

export type CertErrorCode = keyof typeof CERT_ERRORS;

/** Errors the HTTP API answers with (JSON `{ error: { code, message } }`). */
export const API_ERRORS = {
  API_ERR_AUTH: entry('No API key or session, or the key is unknown or revoked.', 401),
  API_ERR_FORBIDDEN: entry('The key is valid but its role may not do this.', 403),
  API_ERR_NOT_FOUND: entry("No such resource for this key (another vendor's resources are not found either).", 404),
  API_ERR_BAD_REQUEST: entry('The request is malformed: a parameter, field or JSON body is missing or invalid.', 400),
  API_ERR_CONTENT_TYPE: entry("The body's content type is not one this endpoint accepts.", 415),
  API_ERR_TOO_LARGE: entry('The body, a file or the number of files is over the limit.', 413),
  API_ERR_NOT_READY: entry('The document has no report yet; follow its state until it is validated.', 409, {
    retryable: true,
  }),
  API_ERR_RATE_LIMITED: entry(
    'Too many requests with this key, or failed authentications from this address; wait for the time in Retry-After.',
    429,
    {
      retryable: true,
    }
  ),
  API_ERR_UNAVAILABLE: entry('The database or queue is not reachable; nothing was stored, try again.', 503, {
    retryable: true,
  }),
  API_ERR_INTERNAL: entry('The server failed unexpectedly.', 500),
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** Errors of the regression runs over corpora (`kih regress`, the nightly schedule). */
export const REGRESS_ERRORS = {
  REGRESS_ERR_MANIFEST: entry("A corpus's manifest.json is missing, not JSON, or has an entry of the wrong form.", 500),
  REGRESS_ERR_CORPUS: entry('A corpus directory does not exist, or two corpora have the same name.', 500),
  REGRESS_ERR_BASELINE: entry('The baseline file cannot be read or is not a kih regress result.', 500),
} as const;

export type RegressErrorCode = keyof typeof REGRESS_ERRORS;

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

/** Every catalogued code with its entry. */
export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, ErrorEntry>> = {
  ...CONFIG_ERRORS,
  ...CDA_ERRORS,
  ...CLI_ERRORS,
  ...SCH_ERRORS,
  ...XDS_ERRORS,
  ...KIH_ERRORS,
  ...STORE_ERRORS,
  ...CERT_ERRORS,
  ...API_ERRORS,
  ...REGRESS_ERRORS,
};

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, value);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

export function isRetryable(code: ErrorCode): boolean {
  return ERROR_CATALOGUE[code].retryable;
}

export function exitCodeOf(code: ErrorCode): 1 | 2 {
  return ERROR_CATALOGUE[code].exit;
}
