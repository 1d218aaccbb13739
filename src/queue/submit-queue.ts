// The submit queue: one validated document to its target, never twice: a claim is written before sending, and a found claim means "ask first".
import { issueAsError } from '../submission/submit-document.js';
import { hasRegistry } from '../submission/target-session.js';
import { KihError } from '../core/kih-error.js';
import { checkArrival } from '../submission/arrival-check.js';
import { sendSubmission } from '../submission/send-submission.js';
import type { SubmissionResult } from '../submission/send-submission.js';
import type { DocumentClass, DocumentOutcome } from '../submission/submit-document.js';
import {
  addEvent,
  claimSubmission,
  readSubmissionStart,
  recordResult,
  recordSubmission,
  releaseSubmissionClaim,
} from '../store/records.js';
import type { RunDocument } from '../store/records.js';
import { prepareFromHeader, prepareSubmission } from '../xds/prepare-submission.js';
import { isProfileId } from '../core/report.js';
import type { StageContext, SubmitJobData } from './stage-context.js';

/** The repository could not take it now and certainly has not stored it: BullMQ retries the job with backoff. */
export class TransientSubmissionError extends Error {
  override readonly name = 'TransientSubmissionError';
}

export interface SubmitJobOptions {
  /** The job's last attempt: a transient outcome is recorded instead of retried. */
  readonly lastAttempt: boolean;
}

export interface SubmitJobResult {
  readonly outcome: string;
  readonly class: string;
  /** How this delivery ended: sent now, found stored by an earlier one, or recorded earlier. */
  readonly how: 'sent' | 'confirmedByQuery' | 'recordedEarlier' | 'unknown' | 'notSent' | 'skipped';
}

/**
 * The steps after a recorded submission: the final record always; verify too when the document is
 * stored and the target has a registry and a repository to ask (adding either job again is a no-op).
 */
async function enqueueNext(ctx: StageContext, doc: RunDocument, target: string, stored: boolean): Promise<void> {
  if (ctx.recordInline) {
    // The record job's own step, here instead of one more job per document (and its reads): it is
    // insert-once from the committed validation and submission rows, so a re-delivered submit job
    // (this worker died before or after it) writes it again as a no-op, and a record job added for
    // the document anyway (a resumed run) finds it written. Before the verify job, as with the
    // record job: a failure here retries the submit job, which finds its submission and comes back.
    await recordResult(ctx.db, doc, ctx.actor);
  } else {
    await ctx.enqueue('record', { runId: doc.runId, seq: doc.seq });
  }
  // The target's session is the one the job sent with (opened once per process).
  if (stored && ctx.senders && hasRegistry((await ctx.senders.get(target)).send)) {
    await ctx.enqueue('verify', { runId: doc.runId, seq: doc.seq, target });
  }
}

async function record(
  ctx: StageContext,
  doc: RunDocument,
  target: string,
  r: Pick<SubmissionResult, 'errors' | 'attempts' | 'durationMs'> & {
    readonly outcome: DocumentOutcome;
    readonly class: DocumentClass;
    readonly uniqueId: string | null;
    readonly confirmedByQuery?: boolean;
  }
): Promise<void> {
  await recordSubmission(
    ctx.db,
    {
      runId: doc.runId,
      seq: doc.seq,
      sha256: doc.sha256,
      target,
      uniqueId: r.uniqueId,
      outcome: r.outcome,
      class: r.class,
      errors: r.errors,
      attempts: r.attempts,
      confirmedByQuery: r.confirmedByQuery ?? false,
      durationMs: r.durationMs,
    },
    ctx.actor
  );
  ctx.metrics?.submissions.inc({ target, class: r.class });
  await enqueueNext(ctx, doc, target, r.outcome === 'success');
}

export async function execSubmitJob(
  ctx: StageContext,
  data: SubmitJobData,
  options: SubmitJobOptions
): Promise<SubmitJobResult> {
  if (!ctx.senders) {
    throw new KihError('CONFIG_ERR_INVALID', 'This worker has no targets; it cannot take submit jobs.', {
      path: 'KIH_QUEUES',
    });
  }
  // The document, an earlier outcome and the bytes (only when still to send) in one round trip.
  const { doc, submission: earlier, bytes, validated } = await readSubmissionStart(ctx.db, data.runId, data.seq);
  if (earlier) {
    // The delivery that recorded it may have died before adding the next jobs.
    await enqueueNext(ctx, doc, data.target, earlier.outcome === 'success');
    return { outcome: earlier.outcome, class: earlier.class, how: 'recordedEarlier' };
  }
  if (doc.cancelled) {
    // The run was cancelled: nothing more is sent (a claim an earlier delivery left stays for a person to check).
    return { outcome: 'notSent', class: 'cancelled', how: 'skipped' };
  }
  if (!bytes) {
    throw new KihError('STORE_ERR_NOT_FOUND', `No stored document ${doc.sha256.slice(0, 12)}….`);
  }
  const sender = await ctx.senders.get(data.target);
  const prepareOptions = {
    settings: sender.settings,
    live: sender.target.live,
    uniqueIdExtensionLimit: sender.target.uniqueIdExtensionLimit,
  };
  // The header facts the validate job stored from the tree it validated (the same bytes, by hash):
  // the same metadata and findings as parsing the bytes again (a unit test compares both ways for
  // every sample), and the uniqueId, which the claim protocol keys on, is the document's own id
  // either way. A record written without them (before migration 7) is parsed as before.
  const prepared =
    validated && isProfileId(validated.profile)
      ? prepareFromHeader(validated.header, validated.profile, bytes, { ...prepareOptions, profile: validated.profile })
      : prepareSubmission(bytes, doc.file, prepareOptions);
  const entry = prepared.metadata?.documentEntries[0];
  if (!prepared.metadata || !entry) {
    const errors = prepared.issues.filter((i) => i.severity === 'error').map(issueAsError);
    await record(ctx, doc, data.target, {
      outcome: 'notSent',
      class: 'invalid',
      errors,
      attempts: [],
      durationMs: 0,
      uniqueId: null,
    });
    return { outcome: 'notSent', class: 'invalid', how: 'notSent' };
  }

  const claim = await claimSubmission(ctx.db, doc, data.target, entry.uniqueId, ctx.actor);
  if (!claim.claimed) {
    // An earlier delivery claimed it and left no record: it may have sent. Ask before sending.
    const arrival = await checkArrival(sender.transport, sender.send, entry.uniqueId, entry.hash, sender.idCards);
    await addEvent(ctx.db, doc.runId, doc.seq, 'arrival-checked', { arrival }, ctx.actor);
    if (arrival === 'stored') {
      await record(ctx, doc, data.target, {
        outcome: 'success',
        class: 'success',
        errors: [],
        attempts: [],
        durationMs: 0,
        uniqueId: entry.uniqueId,
        confirmedByQuery: true,
      });
      return { outcome: 'success', class: 'success', how: 'confirmedByQuery' };
    }
    if (arrival === 'unknown') {
      const message = `An earlier attempt (${claim.earlier.claimedBy}, ${claim.earlier.claimedAt}) may have sent it and ${data.target} cannot be asked; not re-sent.`;
      await record(ctx, doc, data.target, {
        outcome: 'unknown',
        class: 'unknown',
        errors: [{ errorCode: 'KIH_ERR_NETWORK', codeContext: message, severity: 'error' }],
        attempts: [],
        durationMs: 0,
        uniqueId: entry.uniqueId,
      });
      return { outcome: 'unknown', class: 'unknown', how: 'unknown' };
    }
  }

  // The body the metadata rules checked is the one sent (built once).
  const result = await sendSubmission(
    prepared.metadata,
    bytes,
    sender.send,
    {
      transport: sender.transport,
      policy: sender.policy,
      ...(sender.idCards ? { idCards: sender.idCards } : {}),
    },
    prepared.request
  );
  ctx.metrics?.stageSeconds.observe({ stage: 'submission' }, result.durationMs / 1000);
  // Transient means the repository has not stored it (it said so, or was asked, or never reached).
  if (result.class === 'transient' && !options.lastAttempt) {
    await releaseSubmissionClaim(ctx.db, doc, result.message, ctx.actor);
    ctx.metrics?.submissions.inc({ target: data.target, class: 'transient-retried' });
    throw new TransientSubmissionError(`${data.target}: ${result.message}`);
  }
  await record(ctx, doc, data.target, result);
  return {
    outcome: result.outcome,
    class: result.class,
    how: result.confirmedByQuery ? 'confirmedByQuery' : result.outcome === 'unknown' ? 'unknown' : 'sent',
  };
}
