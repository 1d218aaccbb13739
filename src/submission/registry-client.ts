// ITI-18 queries and ITI-43 retrieves sent with a target's transport, DGWS ID card and retry table; both are safe to repeat.
import { setTimeout as sleepMs } from 'node:timers/promises';
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
import type { Transport } from './http-transport.js';
import { DEFAULT_RETRY_POLICY, nextStep } from './retry-policy.js';
import type { AttemptSummary, RetryPolicy } from './retry-policy.js';
import { idCardClass, idCardError, timedSend } from './send-submission.js';
import type { AttemptRecord, IdCardSource, SubmissionClass, SubmissionStatus } from './send-submission.js';

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

export interface RegistryOptions {
  readonly transport: Transport;
  readonly idCards?: IdCardSource;
  readonly policy?: RetryPolicy;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

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
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const attempts: AttemptRecord[] = [];
  let renewed = false;
  let renewedCard: string | undefined;
  for (let attempt = 1; ; attempt++) {
    let idCard: string | undefined;
    if (target.dgws && options.idCards) {
      try {
        idCard = renewedCard ?? (await options.idCards.get());
      } catch (err) {
        const error = idCardError(err);
        return {
          outcome: 'failure',
          class: idCardClass(error),
          errors: [error],
          message: `No ID card for ${target.name}: ${error.codeContext}; not sent.`,
          attempts,
        };
      }
      renewedCard = undefined;
    }
    const request = build({
      endpoint,
      soapVersion: target.soapVersion,
      dgws: target.dgws,
      ...(idCard !== undefined ? { idCard } : {}),
    });
    const { exchange: sent, startedAt, durationMs } = await timedSend(options.transport, request);
    const parsed = sent.ok ? parse(sent.answer) : undefined;
    const summary: AttemptSummary = parsed
      ? { attempt, class: parsed.outcome.class, renewedAlready: renewed }
      : // Nothing changes at the peer, so a lost answer is treated as a request that never arrived.
        { attempt, class: 'transport', mayHaveArrived: false, renewedAlready: renewed };
    const errors: readonly RegistryErrorInfo[] = parsed
      ? parsed.outcome.errors
      : sent.ok
        ? []
        : [{ errorCode: sent.failure.code, codeContext: sent.failure.message, severity: 'error' }];
    const message = parsed ? parsed.outcome.message : sent.ok ? '' : sent.failure.message;
    attempts.push({
      attempt,
      messageId: request.messageId,
      startedAt,
      durationMs,
      ...(sent.ok ? { httpStatus: sent.answer.status } : {}),
      class: summary.class,
      errorCodes: errors.map((e) => e.errorCode),
      message,
    });
    const result = (): ExchangeResult<T> => ({
      outcome: parsed ? parsed.outcome.outcome : 'failure',
      class: parsed ? parsed.outcome.class : 'transient',
      errors,
      message,
      attempts,
      ...(parsed?.data !== undefined ? { data: parsed.data } : {}),
    });
    const step = nextStep(summary, policy, options.random);
    switch (step.kind) {
      case 'done':
      case 'check-arrival':
        return result();
      case 'renew':
        renewed = true;
        try {
          renewedCard = options.idCards ? await options.idCards.renew() : undefined;
        } catch (err) {
          const error = idCardError(err);
          const refused = result();
          return {
            ...refused,
            errors: [...refused.errors, error],
            message: `${refused.message} The ID card could not be renewed: ${error.codeContext}`,
          };
        }
        break;
      case 'retry':
        await sleep(step.delayMs);
        break;
    }
  }
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
