// The validate queue: one stored document through the project's validator, its record written once, then on to submit or record.
import { KihError } from '../core/kih-error.js';
import { recordCaseChecks } from '../store/certification-records.js';
import { getDocument, readValidationStart, recordValidation } from '../store/records.js';
import type { RunDocument } from '../store/records.js';
import type { ValidationRecord } from '../store/records.js';
import type { StageContext, ValidateJobData } from './stage-context.js';
import { jobPriority } from './names.js';

export interface ValidateJobResult {
  /** `skipped`: the run was cancelled before this document was validated; nothing is recorded. */
  readonly status: ValidationRecord['status'] | 'skipped';
  readonly next: 'submit' | 'record' | 'none';
  /** False when an earlier delivery had written the record already. */
  readonly validatedNow: boolean;
}

/**
 * An invalid document is a successful job (its record says FAILED); only tool-level trouble
 * (database, a missing document) throws and is retried.
 */
export async function execValidateJob(ctx: StageContext, data: ValidateJobData): Promise<ValidateJobResult> {
  if (!ctx.validator) {
    throw new KihError('CONFIG_ERR_INVALID', 'This worker has no validator; it cannot take validate jobs.', {
      path: 'KIH_QUEUES',
    });
  }
  // One read for the document, an earlier record, the bytes (only when still to validate) and the
  // case checks done: the same rows the separate reads gave, in one round trip.
  const start = await readValidationStart(ctx.db, data.runId, data.seq);
  const { doc, bytes } = start;
  let record = start.validation;
  let validatedNow = false;
  if (!record && doc.cancelled) {
    return { status: 'skipped', next: 'none', validatedNow };
  }
  if (!record) {
    if (!bytes) {
      throw new KihError('STORE_ERR_NOT_FOUND', `No stored document ${doc.sha256.slice(0, 12)}….`);
    }
    // The job's priority again: among documents waiting for a validation thread, another vendor's
    // first document goes ahead of the rest of a big run, as it did in the queue.
    // With the header facts the validator read: stored with the record, the submit job derives the
    // metadata from them instead of parsing the document again (as `kih submit` does in one process).
    const { report, header } = await ctx.validator.validateBytesWithHeader(bytes, doc.file, jobPriority(data.seq));
    const written = await recordValidation(
      ctx.db,
      doc,
      report,
      { schemaId: ctx.validator.schemaId, ruleVersions: ctx.validator.ruleVersions },
      ctx.actor,
      header
    );
    record = written.record;
    validatedNow = written.inserted;
    if (written.inserted) {
      ctx.metrics?.validated(report);
    }
    // The report keeps the reason too; the log line and the counter make a pattern of them visible to operators.
    for (const [ruleSet, reason] of Object.entries(report.schematronFallbacks ?? {})) {
      ctx.metrics?.schematronFallbacks.inc({ rule_set: ruleSet });
      ctx.log?.info({ ruleSet, reason }, 'Schematron: the own engine left this document to SaxonJS');
    }
  }
  if (record.status === 'valid' && record.profile !== null) {
    await checkCases(ctx, doc, record.profile, bytes, start.checkedProtocols);
  }
  if (record.status === 'valid' && doc.submitTarget !== null) {
    await ctx.enqueue('submit', { runId: doc.runId, seq: doc.seq, sha256: doc.sha256, target: doc.submitTarget });
    return { status: record.status, next: 'submit', validatedNow };
  }
  await ctx.enqueue('record', { runId: doc.runId, seq: doc.seq });
  return { status: record.status, next: 'record', validatedNow };
}

/**
 * The certification test cases a valid document meets, once per document hash and protocol
 * version (a re-delivery or a second upload of the same bytes finds them recorded).
 */
async function checkCases(
  ctx: StageContext,
  doc: RunDocument,
  profile: string,
  bytes: Buffer | undefined,
  done: ReadonlySet<string>
): Promise<void> {
  const checker = ctx.caseChecker;
  if (!checker) {
    return;
  }
  const applicable = checker.protocols.filter((p) => (p.profiles as readonly string[]).includes(profile));
  if (applicable.length === 0) {
    return;
  }
  // Read with the job's document: a job checking the same bytes meanwhile is harmless (insert-once rows).
  if (applicable.every((p) => done.has(`${p.id}@${p.version}`))) {
    return;
  }
  const text = (bytes ?? (await getDocument(ctx.db, doc.sha256))).toString('utf8');
  await recordCaseChecks(ctx.db, doc.sha256, checker.check(text, profile), ctx.actor);
}
