// The retry decision table and the backoff curve.
import { describe, expect, it } from '@jest/globals';
import { backoffDelay, DEFAULT_RETRY_POLICY, nextStep } from '../../src/submission/retry-policy.js';
import type { AttemptSummary } from '../../src/submission/retry-policy.js';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };
const at = (attempt: number, cls: AttemptSummary['class'], extra: Partial<AttemptSummary> = {}): AttemptSummary => ({
  attempt,
  class: cls,
  renewedAlready: false,
  ...extra,
});

describe('backoffDelay', () => {
  it('doubles per attempt, is capped, and jitters between half and all of the nominal delay', () => {
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, DEFAULT_RETRY_POLICY);
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });
});

describe('nextStep', () => {
  it.each(['success', 'permanent', 'duplicate', 'authPermanent'] as const)('%s ends the submission', (cls) => {
    expect(nextStep(at(1, cls), policy)).toEqual({ kind: 'done' });
  });

  it('transient retries with backoff until the attempts are used up', () => {
    expect(nextStep(at(1, 'transient'), policy, () => 1)).toEqual({ kind: 'retry', delayMs: 100 });
    expect(nextStep(at(3, 'transient'), policy, () => 1)).toEqual({ kind: 'retry', delayMs: 400 });
    expect(nextStep(at(4, 'transient'), policy)).toEqual({ kind: 'done' });
  });

  it('auth renews the ID card once, never twice', () => {
    expect(nextStep(at(1, 'auth'), policy)).toEqual({ kind: 'renew' });
    expect(nextStep(at(2, 'auth', { renewedAlready: true }), policy)).toEqual({ kind: 'done' });
    // Refused as expired on the last attempt: still renewed once (one attempt beyond maxAttempts).
    expect(nextStep(at(policy.maxAttempts, 'auth'), policy)).toEqual({ kind: 'renew' });
  });

  it('a transport failure before anything was sent retries; after, it checks arrival first', () => {
    expect(nextStep(at(1, 'transport', { mayHaveArrived: false }), policy, () => 1)).toEqual({
      kind: 'retry',
      delayMs: 100,
    });
    expect(nextStep(at(1, 'transport', { mayHaveArrived: true }), policy, () => 1)).toEqual({
      kind: 'check-arrival',
      delayMs: 100,
    });
    expect(nextStep(at(4, 'transport', { mayHaveArrived: false }), policy)).toEqual({ kind: 'done' });
    // Even the last attempt asks, so a lost answer to a stored document still ends as a success.
    expect(nextStep(at(4, 'transport', { mayHaveArrived: true }), policy)).toEqual({
      kind: 'check-arrival',
      delayMs: 0,
    });
  });
});
