// When a submission may be tried again, and after how long: capped exponential backoff with jitter, only for what is safe to retry.

import type { RetryPolicy } from '../config/targets.js';

export type { RetryPolicy };

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): base·2^(attempt−1), capped, then
 * "equal jitter" (half fixed, half random) so that many workers retrying after the same outage
 * spread out, while no retry comes sooner than half the nominal delay.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + (nominal / 2) * random());
}

/** What the submit loop does after an attempt. */
export type NextStep =
  | { readonly kind: 'done' }
  | { readonly kind: 'retry'; readonly delayMs: number }
  /** The ID card was refused as expired: get a new one and try at once (once per submission). */
  | { readonly kind: 'renew' }
  /** The request may have arrived: find out before sending it again. */
  | { readonly kind: 'check-arrival'; readonly delayMs: number };

export interface AttemptSummary {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** The outcome class, or `transport` when no answer came. */
  readonly class: 'success' | 'permanent' | 'duplicate' | 'transient' | 'auth' | 'authPermanent' | 'transport';
  /** For `transport`: whether the request may have reached the repository. */
  readonly mayHaveArrived?: boolean;
  readonly renewedAlready: boolean;
}

/**
 * The decision table: success, permanent, duplicate and authPermanent end the submission; auth
 * renews the card once; transient answers (the repository said it did not store) retry with
 * backoff; a transport failure retries at once only when nothing was sent, and otherwise asks
 * first whether the document arrived, because XDS stores a re-sent document a second time.
 */
export function nextStep(last: AttemptSummary, policy: RetryPolicy, random?: () => number): NextStep {
  const exhausted = last.attempt >= policy.maxAttempts;
  switch (last.class) {
    case 'auth':
      // The card, not the document, was refused; its one renewal is owed even after the last attempt.
      return last.renewedAlready ? { kind: 'done' } : { kind: 'renew' };
    case 'transient':
      return exhausted ? { kind: 'done' } : { kind: 'retry', delayMs: backoffDelay(last.attempt, policy, random) };
    case 'transport': {
      const delayMs = backoffDelay(last.attempt, policy, random);
      if (last.mayHaveArrived) {
        // The arrival check is made even on the last attempt: it may turn an unknown into a success.
        return { kind: 'check-arrival', delayMs: exhausted ? 0 : delayMs };
      }
      return exhausted ? { kind: 'done' } : { kind: 'retry', delayMs };
    }
    case 'success':
    case 'permanent':
    case 'duplicate':
    case 'authPermanent':
      return { kind: 'done' };
  }
}
