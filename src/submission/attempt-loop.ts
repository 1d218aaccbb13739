// The one attempt loop ITI-41 sending and ITI-18/ITI-43 exchanges share: ID card per attempt, timed send, the retry table's steps, one renewal of an expired card.
import { setTimeout as sleepMs } from 'node:timers/promises';
import { isKihError } from '../core/kih-error.js';
import type { OutcomeClass, RegistryErrorInfo, RegistryStatus, SubmissionOutcome } from '../xds/response/outcome.js';
import type { HttpAnswer } from '../xds/response/parse-response.js';
import type { OutgoingRequest } from '../xds/soap-request.js';
import type { Exchange, Transport, TransportFailure } from './http-transport.js';
import { DEFAULT_RETRY_POLICY, nextStep } from './retry-policy.js';
import type { AttemptSummary, RetryPolicy } from './retry-policy.js';

/** Where DGWS ID cards come from (an STS-backed cache, or a fixed card from a file). */
export interface IdCardSource {
  get(): Promise<string>;
  renew(): Promise<string>;
}

export interface AttemptOptions {
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

/** How one attempt ended: the answer as read, or the transport's failure. */
export type AttemptEnd<T> =
  | { readonly kind: 'answer'; readonly outcome: SubmissionOutcome; readonly data?: T }
  | { readonly kind: 'transport'; readonly failure: TransportFailure };

/** How the attempts ended, before the caller adds its own fields. */
export interface AttemptsResult<T> {
  readonly outcome: SubmissionStatus;
  readonly class: SubmissionClass;
  readonly errors: readonly RegistryErrorInfo[];
  readonly warnings: readonly RegistryErrorInfo[];
  readonly message: string;
  /** True when a success was learnt by asking the peer after a lost answer. */
  readonly confirmedByQuery?: boolean;
  readonly attempts: readonly AttemptRecord[];
  /** The last answer's data, when an answer came with some. */
  readonly data?: T;
}

/** What an arrival check settles: the result's status, class and message replaced (none: the last attempt's stand). */
export type Settlement = Partial<Pick<AttemptsResult<never>, 'outcome' | 'class' | 'message' | 'confirmedByQuery'>>;

/** What one kind of exchange brings to the loop. */
export interface AttemptPlan<T> {
  readonly target: { readonly name: string; readonly dgws: boolean };
  /** The request of one attempt (a new MessageID each time), with the ID card when there is one. */
  request(idCard: string | undefined): OutgoingRequest & { readonly messageId: string };
  read(answer: HttpAnswer): { readonly outcome: SubmissionOutcome; readonly data?: T };
  /**
   * Whether a request whose answer was lost may have changed the peer. ITI-41 may have stored the
   * document; a query or retrieve changes nothing, so a lost answer is simply asked again.
   */
  readonly mayChangePeer: boolean;
  /**
   * After a lost answer that may have arrived: ask the peer. A settlement ends the attempts;
   * undefined sends again after the step's delay.
   */
  checkArrival?(last: AttemptEnd<T>, attempt: number): Promise<Settlement | undefined>;
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

function settled<T>(
  last: AttemptEnd<T>,
  attempts: readonly AttemptRecord[],
  override: Settlement = {}
): AttemptsResult<T> {
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
          errors: [{ errorCode: last.failure.code, codeContext: last.failure.message, severity: 'error' as const }],
          warnings: [],
          message: last.failure.message,
        };
  return {
    ...base,
    ...override,
    attempts,
    ...(last.kind === 'answer' && last.data !== undefined ? { data: last.data } : {}),
  };
}

/** Sends attempts of one request until the retry table says done (or an arrival check settles it). */
export async function runAttempts<T>(plan: AttemptPlan<T>, options: AttemptOptions): Promise<AttemptsResult<T>> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const attempts: AttemptRecord[] = [];
  let renewed = false;
  let idCard: string | undefined;
  let renewedCard: string | undefined;
  for (let attempt = 1; ; attempt++) {
    if (plan.target.dgws && options.idCards) {
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
          message: `No ID card for ${plan.target.name}: ${error.codeContext}; not sent.`,
          attempts,
        };
      }
      renewedCard = undefined;
    }
    const request = plan.request(idCard);
    const { exchange, startedAt, durationMs } = await timedSend(options.transport, request);
    const last: AttemptEnd<T> = exchange.ok
      ? { kind: 'answer', ...plan.read(exchange.answer) }
      : { kind: 'transport', failure: exchange.failure };
    const summary: AttemptSummary =
      last.kind === 'answer'
        ? { attempt, class: last.outcome.class, renewedAlready: renewed }
        : {
            attempt,
            class: 'transport',
            mayHaveArrived: plan.mayChangePeer && last.failure.mayHaveArrived,
            renewedAlready: renewed,
          };
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
        return settled(last, attempts);
      case 'renew':
        renewed = true;
        try {
          renewedCard = options.idCards ? await options.idCards.renew() : undefined;
        } catch (err) {
          // A card from a file cannot be renewed, an STS can refuse: the refusal stands, with the reason.
          const error = idCardError(err);
          const refused = settled(last, attempts);
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
        if (!plan.checkArrival) {
          return settled(last, attempts);
        }
        const settlement = await plan.checkArrival(last, attempt);
        if (settlement) {
          return settled(last, attempts, settlement);
        }
        await sleep(step.delayMs);
        break;
      }
    }
  }
}
