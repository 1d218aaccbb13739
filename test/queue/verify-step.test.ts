// What follows one check of the verify stage: a re-check while the registration may still lag, a BullMQ retry for a transient failure, or the final record.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_VERIFY_TIMING, nextVerifyStep, recheckDelay } from '../../src/queue/verify-queue.js';
import type { VerifyTiming } from '../../src/queue/verify-queue.js';

const TIMING: VerifyTiming = { waitMs: 600_000, recheckMs: 10_000, recheckMaxMs: 120_000 };
const at = (check: number, ageMs: number, lastAttempt = false): Parameters<typeof nextVerifyStep>[1] => ({
  check,
  ageMs,
  lastAttempt,
});

describe('recheckDelay', () => {
  it('starts at recheckMs and doubles per check up to recheckMaxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 40].map((c) => recheckDelay(c, TIMING))).toEqual([
      10_000, 20_000, 40_000, 80_000, 120_000, 120_000, 120_000, 120_000,
    ]);
  });

  it('never waits less than recheckMs, even with a smaller maximum', () => {
    expect(recheckDelay(3, { ...TIMING, recheckMs: 200_000 })).toBe(200_000);
  });

  it('defaults to a 10-minute window with 10 s doubling to 2 min (KIH_VERIFY_WAIT_SECONDS, KIH_VERIFY_RECHECK_SECONDS)', () => {
    expect(DEFAULT_VERIFY_TIMING).toEqual(TIMING);
  });
});

describe('nextVerifyStep', () => {
  it('notFound inside the window is checked again, never after the window ends', () => {
    expect(nextVerifyStep({ outcome: 'notFound' }, at(1, 0), TIMING)).toEqual({ kind: 'recheck', delayMs: 10_000 });
    expect(nextVerifyStep({ outcome: 'notFound' }, at(4, 150_000), TIMING)).toEqual({
      kind: 'recheck',
      delayMs: 80_000,
    });
    // 3.5 s of the window left: the last check falls on its end.
    expect(nextVerifyStep({ outcome: 'notFound' }, at(9, 596_500.2), TIMING)).toEqual({
      kind: 'recheck',
      delayMs: 3_500,
    });
  });

  it('notFound once the window has passed (or with no window) is final', () => {
    expect(nextVerifyStep({ outcome: 'notFound' }, at(10, 600_000), TIMING)).toEqual({ kind: 'record' });
    expect(nextVerifyStep({ outcome: 'notFound' }, at(1, 0), { ...TIMING, waitMs: 0 })).toEqual({ kind: 'record' });
  });

  it('a transient failure is retried by BullMQ, except on the last attempt', () => {
    expect(nextVerifyStep({ outcome: 'failure', class: 'transient' }, at(1, 0), TIMING)).toEqual({ kind: 'retry' });
    expect(nextVerifyStep({ outcome: 'failure', class: 'transient' }, at(2, 0, true), TIMING)).toEqual({
      kind: 'record',
    });
  });

  it('every other outcome is final at once, whatever the window', () => {
    for (const result of [
      { outcome: 'verified' },
      { outcome: 'metadataMismatch' },
      { outcome: 'contentMismatch' },
      { outcome: 'failure', class: 'permanent' },
      { outcome: 'failure', class: 'authPermanent' },
      { outcome: 'failure', class: 'auth' },
    ] as const) {
      expect(nextVerifyStep(result, at(1, 0), TIMING)).toEqual({ kind: 'record' });
    }
  });
});
