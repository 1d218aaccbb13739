// The verify queue: a stored document checked end to end at its target (registered as derived, retrievable as sent), its one verification record written once.
import { KihError } from '../core/kih-error.js';
import {
  DEFAULT_VERIFY_RECHECK_SECONDS,
  DEFAULT_VERIFY_WAIT_SECONDS,
  VERIFY_RECHECK_MAX_MS,
} from '../config/service-config.js';
import { expectedEntry } from '../submission/expected-entry.js';
import { requireRegistry } from '../submission/target-session.js';
import { verifyDocument } from '../submission/verify-document.js';
import type { VerifyResult } from '../submission/verify-document.js';
import { addEvent, getDocument, getRunDocument } from '../store/records.js';
import type { RunDocument } from '../store/records.js';
import {
  getVerification,
  recordVerification,
  VERIFY_CHECKED_EVENT,
  verifyProgress,
} from '../store/verification-records.js';
import type { VerificationOutcome, VerificationRecordInput, VerifyProgress } from '../store/verification-records.js';
import type { StageContext, VerifyJobData } from './stage-context.js';

/** A query or retrieve failed for a reason that may pass (busy, 503, not reached): BullMQ retries the job with backoff. */
export class TransientVerificationError extends Error {
  override readonly name = 'TransientVerificationError';
}

/** How long the registry may lag, and how the re-checks meanwhile are spaced. */
export interface VerifyTiming {
  /** A document the registry does not know is checked again while its submission is younger than this. */
  readonly waitMs: number;
  /** The wait before the second check; it doubles per check, up to `recheckMaxMs`. */
  readonly recheckMs: number;
  readonly recheckMaxMs: number;
}

export const DEFAULT_VERIFY_TIMING: VerifyTiming = {
  waitMs: DEFAULT_VERIFY_WAIT_SECONDS * 1000,
  recheckMs: DEFAULT_VERIFY_RECHECK_SECONDS * 1000,
  recheckMaxMs: VERIFY_RECHECK_MAX_MS,
};

export interface VerifyJobOptions {
  /** The job's last attempt: a transient failure is recorded instead of retried. */
  readonly lastAttempt: boolean;
  readonly timing?: VerifyTiming;
}

export interface VerifyJobResult {
  readonly outcome: VerificationOutcome | 'notChecked';
  /** For `failure`: the class of the failed exchange. */
  readonly class?: string;
  /**
   * `recorded` the final result was written now; `recordedEarlier` an earlier delivery wrote it
   * (nothing written); `recheck` the registry does not know the document yet and the window is
   * open: the caller delays the job by `delayMs` for the next check; `skipped` the run was cancelled.
   */
  readonly how: 'recorded' | 'recordedEarlier' | 'recheck' | 'skipped';
  /** Which check this was (1 for the first). */
  readonly check?: number;
  readonly delayMs?: number;
}

/** What follows one check. */
export type VerifyStep =
  { readonly kind: 'record' } | { readonly kind: 'recheck'; readonly delayMs: number } | { readonly kind: 'retry' };

/** The wait after check number `check` (1-based): `recheckMs`, doubling per check, at most `recheckMaxMs` (or `recheckMs` if that is longer). */
export function recheckDelay(check: number, timing: VerifyTiming): number {
  const cap = Math.max(timing.recheckMs, timing.recheckMaxMs);
  return Math.min(timing.recheckMs * 2 ** Math.max(0, check - 1), cap);
}

/**
 * What to do after a check: `notFound` while the submission is younger than the window is
 * checked again (never later than the window's end, so the last check falls on it); a transient
 * failure is retried by BullMQ unless this is the job's last attempt; everything else is final.
 */
export function nextVerifyStep(
  result: Pick<VerifyResult, 'outcome' | 'class'>,
  at: { readonly check: number; readonly ageMs: number; readonly lastAttempt: boolean },
  timing: VerifyTiming
): VerifyStep {
  if (result.outcome === 'notFound') {
    const left = timing.waitMs - at.ageMs;
    return left > 0
      ? { kind: 'recheck', delayMs: Math.ceil(Math.min(recheckDelay(at.check, timing), left)) }
      : { kind: 'record' };
  }
  if (result.outcome === 'failure' && result.class === 'transient' && !at.lastAttempt) {
    return { kind: 'retry' };
  }
  return { kind: 'record' };
}

/** The final record of the check, with the checks before it counted in. */
function recordInput(
  doc: RunDocument,
  target: string,
  uniqueId: string,
  result: Pick<
    VerifyResult,
    'outcome' | 'class' | 'message' | 'mismatches' | 'content' | 'errors' | 'queries' | 'durationMs'
  >,
  progress: VerifyProgress
): VerificationRecordInput {
  return {
    runId: doc.runId,
    seq: doc.seq,
    sha256: doc.sha256,
    target,
    uniqueId,
    outcome: result.outcome,
    class: result.outcome === 'failure' ? (result.class ?? null) : null,
    message: result.message,
    mismatches: result.mismatches,
    content: result.content ?? null,
    errors: result.errors,
    queries: progress.queries + result.queries,
    checks: progress.checks + 1,
    durationMs: Math.round((progress.durationMs + result.durationMs) * 10) / 10,
  };
}

/**
 * One check of a stored document (ITI-18 GetDocuments, then ITI-43 when registered), never
 * waiting inside the job: while the registry does not know the document yet the result is
 * `recheck` (the worker delays the job), so no worker slot is held for minutes.
 */
export async function execVerifyJob(
  ctx: StageContext,
  data: VerifyJobData,
  options: VerifyJobOptions
): Promise<VerifyJobResult> {
  if (!ctx.senders) {
    throw new KihError('CONFIG_ERR_INVALID', 'This worker has no targets; it cannot take verify jobs.', {
      path: 'KIH_QUEUES',
    });
  }
  const timing = options.timing ?? DEFAULT_VERIFY_TIMING;
  const doc = await getRunDocument(ctx.db, data.runId, data.seq);
  const earlier = await recordedEarlier(ctx, doc);
  if (earlier) {
    return earlier;
  }
  if (doc.cancelled) {
    return { outcome: 'notChecked', how: 'skipped' };
  }
  const progress = await verifyProgress(ctx.db, doc.runId, doc.seq);
  const submission = progress.submission;
  if (submission?.outcome !== 'success' || submission.uniqueId === null) {
    // Only a stored document is verified (the submit job adds this job after recording a success).
    throw new KihError(
      'STORE_ERR_NOT_FOUND',
      `Run document ${doc.runId}/${doc.seq} has no stored submission to verify.`
    );
  }
  const { uniqueId } = submission;
  const sender = await ctx.senders.get(data.target);
  // A target without both endpoints is a setting to fix: the job fails at once.
  requireRegistry(sender.send);
  const check = progress.checks + 1;
  const bytes = await getDocument(ctx.db, doc.sha256);
  // The same derivation as the submit job (and `kih verify`): the comparison is with what was sent.
  const derived = expectedEntry(bytes, doc.file, { target: sender.target, settings: sender.settings });
  if (derived.entry === undefined) {
    // It was derived when it was sent, so the target's metadata settings have changed since: a
    // setting to fix, not a finding about the vendor's document (nothing is recorded).
    throw new KihError(
      'CONFIG_ERR_INVALID',
      `The metadata of the stored document ${doc.runId}/${doc.seq} cannot be derived with the current settings of ${data.target} (${derived.errors.map((e) => e.errorCode).join(', ')}); nothing to compare with.`,
      { path: `targets.${data.target}` }
    );
  }
  const result = await verifyDocument({ uniqueId, file: doc.file, expected: derived.entry, bytes }, sender.send, {
    transport: sender.transport,
    policy: sender.policy,
    ...(sender.idCards ? { idCards: sender.idCards } : {}),
    // One check per job run; waiting for a late registration is the queue's (delayed re-checks).
    waitMs: 0,
  });
  ctx.metrics?.stageSeconds.observe({ stage: 'verification' }, result.durationMs / 1000);
  const step = nextVerifyStep(
    result,
    { check, ageMs: submission.ageMs + result.durationMs, lastAttempt: options.lastAttempt },
    timing
  );
  if (step.kind !== 'record') {
    await addEvent(
      ctx.db,
      doc.runId,
      doc.seq,
      VERIFY_CHECKED_EVENT,
      {
        check,
        outcome: result.outcome,
        ...(result.class !== undefined ? { class: result.class } : {}),
        queries: result.queries,
        durationMs: result.durationMs,
        next: step.kind,
        ...(step.kind === 'recheck' ? { delayMs: step.delayMs } : {}),
        message: result.message,
      },
      ctx.actor
    );
  }
  if (step.kind === 'recheck') {
    ctx.metrics?.verifications.inc({ target: data.target, outcome: 'notFound-rechecked' });
    return { outcome: result.outcome, how: 'recheck', check, delayMs: step.delayMs };
  }
  if (step.kind === 'retry') {
    ctx.metrics?.verifications.inc({ target: data.target, outcome: 'transient-retried' });
    throw new TransientVerificationError(`${data.target}: ${result.message}`);
  }
  const written = await recordVerification(
    ctx.db,
    recordInput(doc, data.target, uniqueId, result, progress),
    ctx.actor
  );
  if (!written) {
    // Another delivery recorded it meanwhile: its result stands.
    const first = await recordedEarlier(ctx, doc);
    if (!first) {
      throw new KihError('STORE_ERR_DATABASE', `The verification of ${doc.runId}/${doc.seq} vanished.`);
    }
    return first;
  }
  ctx.metrics?.verifications.inc({ target: data.target, outcome: result.outcome });
  return {
    outcome: result.outcome,
    ...(result.class !== undefined && result.outcome === 'failure' ? { class: result.class } : {}),
    how: 'recorded',
    check,
  };
}

async function recordedEarlier(ctx: StageContext, doc: RunDocument): Promise<VerifyJobResult | undefined> {
  const earlier = await getVerification(ctx.db, doc.runId, doc.seq);
  return earlier
    ? {
        outcome: earlier.outcome,
        ...(earlier.class !== null ? { class: earlier.class } : {}),
        how: 'recordedEarlier',
        check: earlier.checks,
      }
    : undefined;
}
