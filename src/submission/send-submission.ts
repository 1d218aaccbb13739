// Sends one document's ITI-41 request to a target and retries only what is safe: the typed result of a whole submission.
import { setTimeout as sleepMs } from 'node:timers/promises';
import { isKihError } from '../core/kih-error.js';
import { buildIti41Request } from '../xds/iti41-request.js';
import type { CheckedRequest } from '../xds/iti41-request.js';
import type { SubmissionMetadata } from '../xds/metadata-model.js';
import { parseSubmissionResponse } from '../xds/response/parse-response.js';
import type { OutcomeClass, RegistryErrorInfo, RegistryStatus, SubmissionOutcome } from '../xds/response/outcome.js';
import type { SoapVersion } from '../xds/soap-envelope.js';
import { checkArrival } from './arrival-check.js';
import type { Exchange, Transport, TransportFailure } from './http-transport.js';
import { DEFAULT_RETRY_POLICY, nextStep } from './retry-policy.js';
import type { AttemptSummary, RetryPolicy } from './retry-policy.js';

/** Where and how to send (a subset of a Target, so tests and the worker can pass their own). */
export interface SendTarget {
  readonly name: string;
  readonly endpoint: string;
  readonly soapVersion: SoapVersion;
  readonly dgws: boolean;
  /** "Is uniqueId X stored, with which hash" (the simulator has one; KIH has none for senders). */
  readonly queryEndpoint?: string;
  /** ITI-18 and ITI-43 endpoints and the repository's id, for `kih verify`. */
  readonly registryEndpoint?: string;
  readonly retrieveEndpoint?: string;
  readonly repositoryUniqueId?: string;
}

/** Where DGWS ID cards come from (an STS-backed cache, or a fixed card from a file). */
export interface IdCardSource {
  get(): Promise<string>;
  renew(): Promise<string>;
}

export interface SendOptions {
  readonly transport: Transport;
  readonly idCards?: IdCardSource;
  readonly policy?: RetryPolicy;
  /** Injected for tests; default a real timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface AttemptRecord {
  readonly attempt: number;
  readonly messageId: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly httpStatus?: number;
  readonly class: AttemptSummary['class'];
  readonly errorCodes: readonly string[];
  readonly message: string;
}

/**
 * `unknown`: the request may have arrived but there was no answer and no way to ask (KIH), so a
 * person decides; never guessed as success or silently re-sent.
 */
export type SubmissionStatus = RegistryStatus | 'unknown';
export type SubmissionClass = OutcomeClass | 'unknown';

export interface SubmissionResult {
  readonly outcome: SubmissionStatus;
  readonly class: SubmissionClass;
  readonly errors: readonly RegistryErrorInfo[];
  readonly warnings: readonly RegistryErrorInfo[];
  readonly uniqueId: string;
  readonly target: string;
  readonly durationMs: number;
  readonly message: string;
  /** True when the success was learnt from the query endpoint after a lost answer. */
  readonly confirmedByQuery?: boolean;
  readonly attempts: readonly AttemptRecord[];
}

type Attempt =
  | { readonly kind: 'answer'; readonly outcome: SubmissionOutcome }
  | { readonly kind: 'transport'; readonly failure: TransportFailure };

function transportError(failure: TransportFailure): RegistryErrorInfo {
  return { errorCode: failure.code, codeContext: failure.message, severity: 'error' };
}

/** Why no ID card could be had, as a registry-style error (KIH_ERR_STS, KIH_ERR_ID_CARD, ...). */
export function idCardError(err: unknown): RegistryErrorInfo {
  return {
    errorCode: isKihError(err) ? err.code : 'KIH_ERR_ID_CARD',
    codeContext: err instanceof Error ? err.message : String(err),
    severity: 'error',
  };
}

/** An STS that cannot be reached may answer later; a refusal or a bad card will not change by itself. */
export function idCardClass(error: RegistryErrorInfo): SubmissionClass {
  return error.errorCode === 'KIH_ERR_NETWORK' || error.errorCode === 'KIH_ERR_TIMEOUT' ? 'transient' : 'authPermanent';
}

/** One request over the transport, with when it started and how long it took (for the attempt record). */
export async function timedSend(
  transport: Transport,
  request: {
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly chunks: readonly Uint8Array[];
  }
): Promise<{ readonly exchange: Exchange; readonly startedAt: string; readonly durationMs: number }> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const exchange = await transport.send({
    url: request.url,
    method: 'POST',
    headers: request.headers,
    chunks: request.chunks,
  });
  return { exchange, startedAt, durationMs: Math.round((performance.now() - t0) * 10) / 10 };
}

/**
 * Submits one document. Each attempt gets a new WS-Addressing MessageID but the same metadata
 * (uniqueId, entryUUIDs), so what the repository stores is the same whichever attempt lands.
 * With `checked` (from `prepareSubmission`, for this metadata), every attempt sends that ebRIM body
 * as it is instead of building it again.
 */
export async function sendSubmission(
  metadata: SubmissionMetadata,
  document: Uint8Array,
  target: SendTarget,
  options: SendOptions,
  checked?: CheckedRequest
): Promise<SubmissionResult> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const entry = metadata.documentEntries[0];
  if (!entry) {
    throw new TypeError('sendSubmission needs a DocumentEntry');
  }
  const started = performance.now();
  const attempts: AttemptRecord[] = [];
  let renewed = false;
  let idCard: string | undefined;
  let renewedCard: string | undefined;

  const finish = (
    last: Attempt,
    override?: Partial<Pick<SubmissionResult, 'outcome' | 'class' | 'message' | 'confirmedByQuery'>>
  ): SubmissionResult => {
    const base =
      last.kind === 'answer'
        ? {
            outcome: last.outcome.outcome as SubmissionStatus,
            class: last.outcome.class as SubmissionClass,
            errors: last.outcome.errors,
            warnings: last.outcome.warnings,
            message: last.outcome.message,
          }
        : {
            outcome: 'failure' as SubmissionStatus,
            class: 'transient' as SubmissionClass,
            errors: [transportError(last.failure)],
            warnings: [],
            message: last.failure.message,
          };
    return {
      ...base,
      ...override,
      uniqueId: entry.uniqueId,
      target: target.name,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      attempts,
    };
  };

  for (let attempt = 1; ; attempt++) {
    if (target.dgws && options.idCards) {
      try {
        idCard = renewedCard ?? (await options.idCards.get());
      } catch (err) {
        // Nothing is sent without a card: the outcome says so instead of the run failing.
        const error = idCardError(err);
        return {
          outcome: 'failure',
          class: idCardClass(error),
          errors: [error],
          warnings: [],
          uniqueId: entry.uniqueId,
          target: target.name,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          message: `No ID card for ${target.name}: ${error.codeContext}; not sent.`,
          attempts,
        };
      }
      renewedCard = undefined;
    }
    const request = buildIti41Request(metadata, document, {
      endpoint: target.endpoint,
      soapVersion: target.soapVersion,
      dgws: target.dgws,
      ...(idCard !== undefined ? { idCard } : {}),
      ...(checked ? { checked } : {}),
    });
    const { exchange, startedAt, durationMs } = await timedSend(options.transport, request);
    const last: Attempt = exchange.ok
      ? { kind: 'answer', outcome: parseSubmissionResponse(exchange.answer) }
      : { kind: 'transport', failure: exchange.failure };
    const summary: AttemptSummary =
      last.kind === 'answer'
        ? { attempt, class: last.outcome.class, renewedAlready: renewed }
        : { attempt, class: 'transport', mayHaveArrived: last.failure.mayHaveArrived, renewedAlready: renewed };
    attempts.push({
      attempt,
      messageId: request.messageId,
      startedAt,
      durationMs,
      ...(exchange.ok ? { httpStatus: exchange.answer.status } : {}),
      class: summary.class,
      errorCodes: last.kind === 'answer' ? last.outcome.errors.map((e) => e.errorCode) : [last.failure.code],
      message: last.kind === 'answer' ? last.outcome.message : last.failure.message,
    });

    const step = nextStep(summary, policy, options.random);
    switch (step.kind) {
      case 'done':
        return finish(last);
      case 'renew':
        renewed = true;
        try {
          renewedCard = options.idCards ? await options.idCards.renew() : undefined;
        } catch (err) {
          // A card from a file cannot be renewed, an STS can refuse: the refusal stands, with the reason.
          const error = idCardError(err);
          const refused = finish(last);
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
      case 'check-arrival': {
        const arrival = await checkArrival(options.transport, target, entry.uniqueId, entry.hash, options.idCards);
        if (arrival === 'stored') {
          return finish(last, {
            outcome: 'success',
            class: 'success',
            confirmedByQuery: true,
            message: `No answer came (${last.kind === 'transport' ? last.failure.message : 'lost'}), but the repository has the document: stored.`,
          });
        }
        if (arrival === 'unknown') {
          return finish(last, {
            outcome: 'unknown',
            class: 'unknown',
            message: `No answer came and ${target.name} cannot be asked whether the document arrived; not re-sent (XDS would store it twice). Check the repository before sending it again.`,
          });
        }
        if (attempt >= policy.maxAttempts) {
          return finish(last);
        }
        await sleep(step.delayMs);
        break;
      }
    }
  }
}
