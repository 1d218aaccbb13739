// ITI-18 queries and ITI-43 retrieves sent with a target's transport, DGWS ID card and retry table (the shared attempt loop); both are safe to repeat.
import { buildIti18Request } from '../xds/iti18-query.js';
import type { ReturnType as QueryReturnType, StoredQuery } from '../xds/iti18-query.js';
import { buildIti43Request, parseRetrieveResponse } from '../xds/iti43-retrieve.js';
import type { DocumentRequest, RetrievedDocument } from '../xds/iti43-retrieve.js';
import type { DocumentEntry } from '../xds/metadata-model.js';
import type { RegistryErrorInfo, SubmissionOutcome } from '../xds/response/outcome.js';
import type { HttpAnswer } from '../xds/response/parse-response.js';
import { parseQueryResponse } from '../xds/response/query-response.js';
import type { SoapRequest, SoapRequestOptions } from '../xds/soap-request.js';
import type { SoapVersion } from '../xds/soap-envelope.js';
import { runAttempts } from './attempt-loop.js';
import type { AttemptOptions, AttemptRecord, SubmissionClass, SubmissionStatus } from './attempt-loop.js';

/** Where to query and retrieve (a subset of a Target, so tests can pass their own). */
export interface RegistryTarget {
  readonly name: string;
  readonly soapVersion: SoapVersion;
  readonly dgws: boolean;
  readonly registryEndpoint?: string;
  readonly retrieveEndpoint?: string;
  /** The repository a retrieve asks when the registry's answer names none. */
  readonly repositoryUniqueId?: string;
}

export type RegistryOptions = AttemptOptions;

/** How one exchange ended, after retries: the last answer's outcome, or the transport's failure. */
export interface ExchangeResult<T> {
  readonly outcome: SubmissionStatus;
  readonly class: SubmissionClass;
  readonly errors: readonly RegistryErrorInfo[];
  readonly message: string;
  readonly attempts: readonly AttemptRecord[];
  /** Present when an answer of the expected kind came (whatever its status). */
  readonly data?: T;
}

/**
 * Sends one request until an answer settles it. A query or retrieve changes nothing at the peer,
 * so unlike ITI-41 a lost answer is simply asked again: every transport failure retries with
 * backoff, as the submission table does for requests that never arrived.
 */
async function exchange<T>(
  build: (base: SoapRequestOptions) => SoapRequest,
  parse: (answer: HttpAnswer) => { outcome: SubmissionOutcome; data?: T },
  endpoint: string,
  target: RegistryTarget,
  options: RegistryOptions
): Promise<ExchangeResult<T>> {
  const r = await runAttempts(
    {
      target,
      request: (idCard) =>
        build({
          endpoint,
          soapVersion: target.soapVersion,
          dgws: target.dgws,
          ...(idCard !== undefined ? { idCard } : {}),
        }),
      read: parse,
      mayChangePeer: false,
    },
    options
  );
  return {
    outcome: r.outcome,
    class: r.class,
    errors: r.errors,
    message: r.message,
    attempts: r.attempts,
    ...(r.data !== undefined ? { data: r.data } : {}),
  };
}

export interface QueryData {
  readonly entries: readonly DocumentEntry[];
  readonly objectRefs: readonly string[];
  readonly repositoryUniqueIds: Readonly<Record<string, string>>;
}

/** Sends an ITI-18 stored query to the target's registry endpoint (which the caller has checked is set). */
export function queryRegistry(
  query: StoredQuery,
  target: RegistryTarget,
  options: RegistryOptions,
  returnType: QueryReturnType = 'LeafClass'
): Promise<ExchangeResult<QueryData>> {
  if (target.registryEndpoint === undefined) {
    throw new TypeError(`queryRegistry: target ${target.name} has no registryEndpoint`);
  }
  return exchange(
    (base) => buildIti18Request(query, { ...base, returnType }),
    (answer) => {
      const read = parseQueryResponse(answer);
      return {
        outcome: read.outcome,
        data: { entries: read.entries, objectRefs: read.objectRefs, repositoryUniqueIds: read.repositoryUniqueIds },
      };
    },
    target.registryEndpoint,
    target,
    options
  );
}

/** Sends an ITI-43 retrieve to the target's retrieve endpoint (which the caller has checked is set). */
export function retrieveDocuments(
  requests: readonly DocumentRequest[],
  target: RegistryTarget,
  options: RegistryOptions
): Promise<ExchangeResult<readonly RetrievedDocument[]>> {
  if (target.retrieveEndpoint === undefined) {
    throw new TypeError(`retrieveDocuments: target ${target.name} has no retrieveEndpoint`);
  }
  return exchange(
    (base) => buildIti43Request(requests, base),
    (answer) => {
      const read = parseRetrieveResponse(answer);
      return { outcome: read.outcome, data: read.documents };
    },
    target.retrieveEndpoint,
    target,
    options
  );
}
