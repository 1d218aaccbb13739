// The certification records: vendors, content-addressed documents, runs, and the one validation, submission and result per run document.
import { createHash, randomUUID } from 'node:crypto';
import { KihError } from '../core/kih-error.js';
import type { CdaHeader } from '../cda/cda-header.js';
import type { DocumentReport } from '../core/report.js';
import type { Database, Transaction } from './database.js';

type Queryable = Pick<Transaction, 'query'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One document of a run: where it stands, from the rows (never a mutable status column). */
export type DocumentState = 'queued' | 'validated' | 'submitting' | 'submitted' | 'done';

/** Which of a document's stage rows exist; its state is the furthest stage with a row. */
export interface StageRows {
  readonly status: string | null;
  readonly claimed: boolean;
  readonly outcome: string | null;
  readonly recorded: boolean;
}

/** A document's state, read from its rows (records are insert-only, so rows only ever move it forward). */
export function documentState(r: StageRows): DocumentState {
  if (r.recorded) {
    return 'done';
  }
  if (r.outcome !== null) {
    return 'submitted';
  }
  if (r.claimed) {
    return 'submitting';
  }
  return r.status !== null ? 'validated' : 'queued';
}

export interface RunDocument {
  readonly runId: string;
  readonly seq: number;
  readonly vendorId: string;
  readonly file: string;
  readonly sha256: string;
  readonly profile: string | null;
  readonly submitTarget: string | null;
  /** The run was cancelled (kih regress --cancel): stages skip what they have not started. */
  readonly cancelled: boolean;
}

export interface NewRun {
  readonly vendorId: string;
  readonly name?: string;
  readonly submitTarget?: string;
  readonly documents: readonly { readonly file: string; readonly sha256: string; readonly profile?: string }[];
}

export interface ValidationRecord {
  readonly runId: string;
  readonly seq: number;
  readonly sha256: string;
  readonly profile: string | null;
  readonly status: DocumentReport['status'];
  readonly errors: number;
  readonly warnings: number;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface SubmissionRecordInput {
  readonly runId: string;
  readonly seq: number;
  readonly sha256: string;
  readonly target: string;
  readonly uniqueId: string | null;
  readonly outcome: string;
  readonly class: string;
  readonly errors: readonly unknown[];
  readonly attempts: readonly unknown[];
  readonly confirmedByQuery: boolean;
  readonly durationMs: number;
}

export interface SubmissionClaim {
  readonly target: string;
  readonly uniqueId: string;
  readonly claimedAt: string;
  readonly claimedBy: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function ensureVendor(db: Queryable, id: string, name: string, actor: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(id)) {
    throw new KihError('STORE_ERR_INVALID_ID', `A vendor id is lower-case letters, digits, ".", "_" or "-": "${id}"`);
  }
  await db.query(`INSERT INTO vendors (id, name, created_by) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, [
    id,
    name,
    actor,
  ]);
}

/** Stores the bytes once under their SHA-256 (a second put of the same bytes is a no-op) and returns the hash. */
export async function putDocument(db: Queryable, bytes: Uint8Array, actor: string): Promise<string> {
  const sha256 = sha256Hex(bytes);
  await db.query(
    `INSERT INTO documents (sha256, size, content, stored_by) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
    [sha256, bytes.byteLength, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), actor]
  );
  return sha256;
}

export async function getDocument(db: Queryable, sha256: string): Promise<Buffer> {
  const [row] = await db.query<{ content: Buffer }>(`SELECT content FROM documents WHERE sha256 = $1`, [sha256]);
  if (!row) {
    throw new KihError('STORE_ERR_NOT_FOUND', `No stored document ${sha256.slice(0, 12)}….`);
  }
  return row.content;
}

/** Creates the run and its document list in one transaction; the documents must be stored already. */
export async function createRun(db: Database, run: NewRun, actor: string): Promise<string> {
  const id = randomUUID();
  await db.transaction((tx) => insertRun(tx, id, run, actor));
  return id;
}

/** The statements of createRun, for callers that store more in the same transaction. */
export async function insertRun(tx: Queryable, id: string, run: NewRun, actor: string): Promise<void> {
  await tx.query(
    `INSERT INTO runs (id, vendor_id, name, submit_target, total, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, run.vendorId, run.name ?? null, run.submitTarget ?? null, run.documents.length, actor]
  );
  // One statement for the whole list: a 10,000-document run is one round trip.
  await tx.query(
    `INSERT INTO run_documents (run_id, seq, file, sha256, profile)
     SELECT $1, t.seq - 1, t.file, t.sha256, t.profile
     FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(file, sha256, profile, seq)`,
    [
      id,
      run.documents.map((d) => d.file),
      run.documents.map((d) => d.sha256),
      run.documents.map((d) => d.profile ?? null),
    ]
  );
  await addEvent(
    tx,
    id,
    null,
    'run-created',
    { total: run.documents.length, submitTarget: run.submitTarget ?? null },
    actor
  );
}

interface RunDocumentRow {
  vendor_id: string;
  file: string;
  sha256: string;
  profile: string | null;
  submit_target: string | null;
  cancelled: boolean;
}

/** The run document's columns: `RUN_DOCUMENT_FROM` names the run document `d`, its run `r`. */
const RUN_DOCUMENT_COLUMNS = `r.vendor_id, d.file, d.sha256, d.profile, r.submit_target, (c.run_id IS NOT NULL) AS cancelled`;
const RUN_DOCUMENT_FROM = `run_documents d JOIN runs r ON r.id = d.run_id
     LEFT JOIN run_cancellations c ON c.run_id = d.run_id`;

function toRunDocument(runId: string, seq: number, row: RunDocumentRow | undefined): RunDocument {
  if (!row) {
    throw new KihError('STORE_ERR_NOT_FOUND', `No document ${seq} in run ${runId}.`);
  }
  return {
    runId,
    seq,
    vendorId: row.vendor_id,
    file: row.file,
    sha256: row.sha256,
    profile: row.profile,
    submitTarget: row.submit_target,
    cancelled: row.cancelled,
  };
}

function contentOf(doc: RunDocument, content: Buffer | null): Buffer {
  if (!content) {
    throw new KihError('STORE_ERR_NOT_FOUND', `No stored document ${doc.sha256.slice(0, 12)}….`);
  }
  return content;
}

/** What a validate job starts from, read in one statement (each separate read is a round trip per document). */
export interface ValidationStart {
  readonly doc: RunDocument;
  /** The record an earlier delivery wrote; absent: not validated yet. */
  readonly validation?: ValidationRecord;
  /** The document's bytes, read only when there is no validation yet and the run is not cancelled. */
  readonly bytes?: Buffer;
  /** Protocol versions (`id@version`) already checked for the document's hash (as `checkedProtocols`). */
  readonly checkedProtocols: ReadonlySet<string>;
}

/** getRunDocument, getValidation, getDocument (when it is still to be validated) and checkedProtocols in one statement. */
export async function readValidationStart(db: Queryable, runId: string, seq: number): Promise<ValidationStart> {
  const [row] = await db.query<
    RunDocumentRow & {
      v_status: DocumentReport['status'] | null;
      v_profile: string | null;
      v_errors: number | null;
      v_warnings: number | null;
      v_created_at: Date | null;
      v_created_by: string | null;
      content: Buffer | null;
      checked: string[];
    }
  >(
    `SELECT ${RUN_DOCUMENT_COLUMNS},
            v.status AS v_status, v.profile AS v_profile, v.errors AS v_errors, v.warnings AS v_warnings,
            v.created_at AS v_created_at, v.created_by AS v_created_by,
            CASE WHEN v.run_id IS NULL AND c.run_id IS NULL
                 THEN (SELECT content FROM documents WHERE sha256 = d.sha256) END AS content,
            ARRAY(SELECT DISTINCT protocol_id || '@' || protocol_version FROM case_checks WHERE sha256 = d.sha256) AS checked
     FROM ${RUN_DOCUMENT_FROM}
     LEFT JOIN validations v ON v.run_id = d.run_id AND v.seq = d.seq
     WHERE d.run_id = $1 AND d.seq = $2`,
    [runId, seq]
  );
  const doc = toRunDocument(runId, seq, row);
  const checkedProtocols = new Set(row?.checked ?? []);
  if (row && row.v_status !== null) {
    const validation = toValidation({
      run_id: runId,
      seq,
      sha256: doc.sha256,
      profile: row.v_profile,
      status: row.v_status,
      errors: row.v_errors ?? 0,
      warnings: row.v_warnings ?? 0,
      created_at: row.v_created_at ?? new Date(0),
      created_by: row.v_created_by ?? '',
    });
    return { doc, validation, checkedProtocols };
  }
  if (doc.cancelled) {
    return { doc, checkedProtocols };
  }
  return { doc, bytes: contentOf(doc, row?.content ?? null), checkedProtocols };
}

/** What a submit job starts from, read in one statement. */
export interface SubmissionStart {
  readonly doc: RunDocument;
  /** The outcome an earlier delivery recorded; absent: none yet. */
  readonly submission?: { readonly outcome: string; readonly class: string; readonly uniqueId: string | null };
  /** The document's bytes, read only when there is no submission yet and the run is not cancelled. */
  readonly bytes?: Buffer;
  /** With the bytes: the header facts and profile its validation recorded (absent for records written without them). */
  readonly validated?: { readonly header: CdaHeader; readonly profile: string };
}

/** getRunDocument, getSubmission and getDocument (when it is still to be sent) in one statement. */
export async function readSubmissionStart(db: Queryable, runId: string, seq: number): Promise<SubmissionStart> {
  const [row] = await db.query<
    RunDocumentRow & {
      outcome: string | null;
      class: string | null;
      unique_id: string | null;
      content: Buffer | null;
      header: CdaHeader | null;
      v_profile: string | null;
    }
  >(
    `SELECT ${RUN_DOCUMENT_COLUMNS}, s.outcome, s.class, s.unique_id,
            CASE WHEN s.run_id IS NULL AND c.run_id IS NULL
                 THEN (SELECT content FROM documents WHERE sha256 = d.sha256) END AS content,
            CASE WHEN s.run_id IS NULL AND c.run_id IS NULL THEN v.header END AS header, v.profile AS v_profile
     FROM ${RUN_DOCUMENT_FROM}
     LEFT JOIN submissions s ON s.run_id = d.run_id AND s.seq = d.seq
     LEFT JOIN validations v ON v.run_id = d.run_id AND v.seq = d.seq
     WHERE d.run_id = $1 AND d.seq = $2`,
    [runId, seq]
  );
  const doc = toRunDocument(runId, seq, row);
  if (row && row.outcome !== null && row.class !== null) {
    return { doc, submission: { outcome: row.outcome, class: row.class, uniqueId: row.unique_id } };
  }
  if (doc.cancelled) {
    return { doc };
  }
  const bytes = contentOf(doc, row?.content ?? null);
  return row && row.header !== null && row.v_profile !== null
    ? { doc, bytes, validated: { header: row.header, profile: row.v_profile } }
    : { doc, bytes };
}

export async function getRunDocument(db: Queryable, runId: string, seq: number): Promise<RunDocument> {
  const [row] = await db.query<RunDocumentRow>(
    `SELECT ${RUN_DOCUMENT_COLUMNS} FROM ${RUN_DOCUMENT_FROM} WHERE d.run_id = $1 AND d.seq = $2`,
    [runId, seq]
  );
  return toRunDocument(runId, seq, row);
}

/**
 * Cancels a run: documents whose stage has not started are skipped by the workers (no record is
 * written for them); what is already validated or claimed finishes. Written once; false when
 * the run was cancelled already.
 */
export async function cancelRun(db: Database, runId: string, reason: string, actor: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx.query(
      `INSERT INTO run_cancellations (run_id, reason, cancelled_by) VALUES ($1, $2, $3)
       ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
      [runId, reason, actor]
    );
    if (rows.length > 0) {
      await addEvent(tx, runId, null, 'run-cancelled', { reason }, actor);
    }
    return rows.length > 0;
  });
}

export async function addEvent(
  db: Queryable,
  runId: string,
  seq: number | null,
  kind: string,
  detail: Readonly<Record<string, unknown>>,
  actor: string
): Promise<void> {
  await db.query(`INSERT INTO events (run_id, seq, kind, detail, actor) VALUES ($1, $2, $3, $4, $5)`, [
    runId,
    seq,
    kind,
    JSON.stringify(detail),
    actor,
  ]);
}

function toValidation(row: {
  run_id: string;
  seq: number;
  sha256: string;
  profile: string | null;
  status: DocumentReport['status'];
  errors: number;
  warnings: number;
  created_at: Date;
  created_by: string;
}): ValidationRecord {
  return {
    runId: row.run_id,
    seq: row.seq,
    sha256: row.sha256,
    profile: row.profile,
    status: row.status,
    errors: row.errors,
    warnings: row.warnings,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}

const VALIDATION_COLUMNS = 'run_id, seq, sha256, profile, status, errors, warnings, created_at, created_by';

/**
 * The validation of a run document, written once: a re-delivered job finds the first record and
 * gets it back (`inserted: false`) instead of a second one.
 */
export async function recordValidation(
  db: Database,
  doc: RunDocument,
  report: DocumentReport,
  versions: { readonly schemaId: string; readonly ruleVersions: Readonly<Record<string, string>> },
  actor: string,
  header?: CdaHeader
): Promise<{ readonly inserted: boolean; readonly record: ValidationRecord }> {
  // One statement writes the record and its event (atomic, one round trip).
  const inserted = await db.query<Parameters<typeof toValidation>[0]>(
    `WITH ins AS (
       INSERT INTO validations (run_id, seq, sha256, profile, status, errors, warnings, schema_id, rule_versions, report, created_by, header)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (run_id, seq) DO NOTHING RETURNING ${VALIDATION_COLUMNS}
     ), ev AS (
       INSERT INTO events (run_id, seq, kind, detail, actor)
       SELECT run_id, seq, 'validated', jsonb_build_object('status', status), $11 FROM ins
     )
     SELECT * FROM ins`,
    [
      doc.runId,
      doc.seq,
      doc.sha256,
      report.profile,
      report.status,
      report.issues.filter((i) => i.severity === 'error').length,
      report.issues.filter((i) => i.severity === 'warning').length,
      versions.schemaId,
      JSON.stringify(versions.ruleVersions),
      JSON.stringify(report),
      actor,
      header ? JSON.stringify(header) : null,
    ]
  );
  const [row] = inserted;
  if (row) {
    return { inserted: true, record: toValidation(row) };
  }
  // Another delivery wrote it first; a new statement sees its committed row.
  const existing = await getValidation(db, doc.runId, doc.seq);
  if (!existing) {
    throw new KihError('STORE_ERR_DATABASE', `The validation of ${doc.runId}/${doc.seq} vanished.`);
  }
  return { inserted: false, record: existing };
}

export async function getValidation(db: Queryable, runId: string, seq: number): Promise<ValidationRecord | undefined> {
  const [row] = await db.query<Parameters<typeof toValidation>[0]>(
    `SELECT ${VALIDATION_COLUMNS} FROM validations WHERE run_id = $1 AND seq = $2`,
    [runId, seq]
  );
  return row ? toValidation(row) : undefined;
}

/**
 * Marks the send as about to happen, before anything goes to the repository. `claimed: false`
 * with the earlier claim means an earlier attempt may have sent it: the caller must find out
 * (query the repository) instead of sending again.
 */
export async function claimSubmission(
  db: Database,
  doc: RunDocument,
  target: string,
  uniqueId: string,
  actor: string
): Promise<{ readonly claimed: true } | { readonly claimed: false; readonly earlier: SubmissionClaim }> {
  const rows = await db.query(
    `WITH ins AS (
       INSERT INTO submission_claims (run_id, seq, target, unique_id, claimed_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (run_id, seq) DO NOTHING RETURNING run_id, seq
     ), ev AS (
       INSERT INTO events (run_id, seq, kind, detail, actor)
       SELECT run_id, seq, 'submission-claimed', jsonb_build_object('target', $3::text, 'uniqueId', $4::text), $5 FROM ins
     )
     SELECT run_id FROM ins`,
    [doc.runId, doc.seq, target, uniqueId, actor]
  );
  if (rows.length > 0) {
    return { claimed: true as const };
  }
  const [earlier] = await db.query<{ target: string; unique_id: string; claimed_at: Date; claimed_by: string }>(
    `SELECT target, unique_id, claimed_at, claimed_by FROM submission_claims WHERE run_id = $1 AND seq = $2`,
    [doc.runId, doc.seq]
  );
  if (!earlier) {
    throw new KihError('STORE_ERR_DATABASE', `The submission claim of ${doc.runId}/${doc.seq} vanished.`);
  }
  return {
    claimed: false as const,
    earlier: {
      target: earlier.target,
      uniqueId: earlier.unique_id,
      claimedAt: earlier.claimed_at.toISOString(),
      claimedBy: earlier.claimed_by,
    },
  };
}

/**
 * Gives a claim back when the repository certainly has not stored the document (it answered
 * busy, 503, or was never reached), so the retried job sends instead of asking. Kept as an event.
 */
export async function releaseSubmissionClaim(
  db: Database,
  doc: RunDocument,
  reason: string,
  actor: string
): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx.query(`DELETE FROM submission_claims WHERE run_id = $1 AND seq = $2 RETURNING run_id`, [
      doc.runId,
      doc.seq,
    ]);
    if (rows.length > 0) {
      await addEvent(tx, doc.runId, doc.seq, 'submission-released', { reason }, actor);
    }
  });
}

/** The submission outcome of a run document, written once; `inserted: false` when it was there already. */
export async function recordSubmission(db: Database, s: SubmissionRecordInput, actor: string): Promise<boolean> {
  const rows = await db.query(
    `WITH ins AS (
       INSERT INTO submissions (run_id, seq, sha256, target, unique_id, outcome, class, errors, attempts, confirmed_by_query, duration_ms, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (run_id, seq) DO NOTHING RETURNING run_id, seq, outcome, class
     ), ev AS (
       INSERT INTO events (run_id, seq, kind, detail, actor)
       SELECT run_id, seq, 'submitted', jsonb_build_object('outcome', outcome, 'class', class), $12 FROM ins
     )
     SELECT run_id FROM ins`,
    [
      s.runId,
      s.seq,
      s.sha256,
      s.target,
      s.uniqueId,
      s.outcome,
      s.class,
      JSON.stringify(s.errors),
      JSON.stringify(s.attempts),
      s.confirmedByQuery,
      s.durationMs,
      actor,
    ]
  );
  return rows.length > 0;
}

export async function getSubmission(
  db: Queryable,
  runId: string,
  seq: number
): Promise<{ readonly outcome: string; readonly class: string; readonly uniqueId: string | null } | undefined> {
  const [row] = await db.query<{ outcome: string; class: string; unique_id: string | null }>(
    `SELECT outcome, class, unique_id FROM submissions WHERE run_id = $1 AND seq = $2`,
    [runId, seq]
  );
  return row ? { outcome: row.outcome, class: row.class, uniqueId: row.unique_id } : undefined;
}

/** The final record of a run document (its verdict and submission outcome), written once. */
export async function recordResult(db: Database, doc: RunDocument, actor: string): Promise<boolean> {
  const rows = await db.query(
    `WITH ins AS (
       INSERT INTO results (run_id, seq, sha256, verdict, submission_outcome, submission_class, recorded_by)
       SELECT v.run_id, v.seq, v.sha256, v.status, s.outcome, s.class, $3
       FROM validations v LEFT JOIN submissions s ON s.run_id = v.run_id AND s.seq = v.seq
       WHERE v.run_id = $1 AND v.seq = $2
       ON CONFLICT (run_id, seq) DO NOTHING RETURNING run_id, seq
     ), ev AS (
       INSERT INTO events (run_id, seq, kind, actor) SELECT run_id, seq, 'recorded', $3 FROM ins
     )
     SELECT run_id FROM ins`,
    [doc.runId, doc.seq, actor]
  );
  if (rows.length > 0) {
    return true;
  }
  const [exists] = await db.query(`SELECT 1 FROM results WHERE run_id = $1 AND seq = $2`, [doc.runId, doc.seq]);
  if (!exists) {
    throw new KihError('STORE_ERR_NOT_FOUND', `Run document ${doc.runId}/${doc.seq} has no validation to record.`);
  }
  return false;
}

/** Final end-to-end results of a run's stored documents, by outcome (beside the states: a check never holds a document back from done). */
export interface VerificationCounts {
  readonly verified: number;
  readonly notFound: number;
  readonly metadataMismatch: number;
  readonly contentMismatch: number;
  readonly failure: number;
}

export interface RunStatus {
  readonly run: string;
  readonly vendor: string;
  readonly name: string | null;
  readonly submitTarget: string | null;
  readonly total: number;
  readonly done: number;
  readonly verifications: VerificationCounts;
  readonly documents: readonly {
    readonly file: string;
    readonly sha256: string;
    readonly state: DocumentState;
    readonly verdict: DocumentReport['status'] | null;
    readonly submission: { readonly outcome: string; readonly class: string } | null;
    /** The final end-to-end check of a stored document; null until it is recorded (or when none is made). */
    readonly verification: { readonly outcome: keyof VerificationCounts; readonly class: string | null } | null;
  }[];
}

/** The run as `kih status` prints it; `vendorId` limits it to that vendor's runs (anything else is not found). */
export async function runStatus(db: Queryable, runId: string, vendorId?: string): Promise<RunStatus> {
  // Not a UUID cannot be a run; asking PostgreSQL would only fail the cast.
  const [run] = UUID.test(runId)
    ? await db.query<{ vendor_id: string; name: string | null; submit_target: string | null; total: number }>(
        `SELECT vendor_id, name, submit_target, total FROM runs WHERE id = $1 AND ($2::text IS NULL OR vendor_id = $2)`,
        [runId, vendorId ?? null]
      )
    : [];
  if (!run) {
    throw new KihError('STORE_ERR_NOT_FOUND', `No run ${runId}.`);
  }
  const rows = await db.query<{
    file: string;
    sha256: string;
    status: DocumentReport['status'] | null;
    claimed: boolean;
    outcome: string | null;
    class: string | null;
    recorded: boolean;
    verification: keyof VerificationCounts | null;
    verification_class: string | null;
  }>(
    `SELECT d.file, d.sha256, v.status, (c.run_id IS NOT NULL) AS claimed, s.outcome, s.class, (r.run_id IS NOT NULL) AS recorded,
            x.outcome AS verification, x.class AS verification_class
     FROM run_documents d
     LEFT JOIN validations v ON v.run_id = d.run_id AND v.seq = d.seq
     LEFT JOIN submission_claims c ON c.run_id = d.run_id AND c.seq = d.seq
     LEFT JOIN submissions s ON s.run_id = d.run_id AND s.seq = d.seq
     LEFT JOIN results r ON r.run_id = d.run_id AND r.seq = d.seq
     LEFT JOIN verifications x ON x.run_id = d.run_id AND x.seq = d.seq
     WHERE d.run_id = $1 ORDER BY d.seq`,
    [runId]
  );
  const verifications = { verified: 0, notFound: 0, metadataMismatch: 0, contentMismatch: 0, failure: 0 };
  const documents = rows.map((r) => {
    // Verification is reported beside the state: `done` means recorded, checked or not.
    const state = documentState(r);
    if (r.verification !== null) {
      verifications[r.verification] += 1;
    }
    return {
      file: r.file,
      sha256: r.sha256,
      state,
      verdict: r.status,
      submission: r.outcome !== null && r.class !== null ? { outcome: r.outcome, class: r.class } : null,
      verification: r.verification !== null ? { outcome: r.verification, class: r.verification_class } : null,
    };
  });
  return {
    run: runId,
    vendor: run.vendor_id,
    name: run.name,
    submitTarget: run.submit_target,
    total: run.total,
    done: documents.filter((d) => d.state === 'done').length,
    verifications,
    documents,
  };
}

export interface RunSummary {
  readonly run: string;
  readonly name: string | null;
  readonly submitTarget: string | null;
  readonly total: number;
  readonly done: number;
  readonly valid: number;
  readonly stored: number;
  readonly createdAt: string;
}

/** A vendor's runs, newest first. */
export async function listRuns(db: Queryable, vendorId: string, limit = 100): Promise<RunSummary[]> {
  const rows = await db.query<{
    id: string;
    name: string | null;
    submit_target: string | null;
    total: number;
    created_at: Date;
    done: string;
    valid: string;
    stored: string;
  }>(
    `SELECT r.id, r.name, r.submit_target, r.total, r.created_at,
            count(x.seq) AS done,
            count(x.seq) FILTER (WHERE x.verdict = 'valid') AS valid,
            count(x.seq) FILTER (WHERE x.submission_outcome = 'success') AS stored
     FROM runs r LEFT JOIN results x ON x.run_id = r.id
     WHERE r.vendor_id = $1 GROUP BY r.id ORDER BY r.created_at DESC, r.id LIMIT $2`,
    [vendorId, limit]
  );
  return rows.map((r) => ({
    run: r.id,
    name: r.name,
    submitTarget: r.submit_target,
    total: r.total,
    done: Number(r.done),
    valid: Number(r.valid),
    stored: Number(r.stored),
    createdAt: r.created_at.toISOString(),
  }));
}

export interface DocumentVerdict {
  readonly sha256: string;
  readonly file: string;
  readonly run: string;
  readonly verdict: DocumentReport['status'];
  readonly profile: string | null;
  readonly errors: number;
  readonly validatedAt: string;
}

/**
 * The latest validation of each distinct document a vendor has sent (by SHA-256), or of one
 * document when `sha256` is given: what a certification overview shows.
 */
export async function latestVerdicts(db: Queryable, vendorId: string, sha256?: string): Promise<DocumentVerdict[]> {
  const rows = await db.query<{
    sha256: string;
    file: string;
    run_id: string;
    status: DocumentReport['status'];
    profile: string | null;
    errors: number;
    created_at: Date;
  }>(
    `SELECT DISTINCT ON (v.sha256) v.sha256, d.file, v.run_id, v.status, v.profile, v.errors, v.created_at
     FROM validations v
     JOIN run_documents d ON d.run_id = v.run_id AND d.seq = v.seq
     JOIN runs r ON r.id = v.run_id
     WHERE r.vendor_id = $1 AND ($2::text IS NULL OR v.sha256 = $2)
     ORDER BY v.sha256, v.created_at DESC, v.id DESC`,
    [vendorId, sha256 ?? null]
  );
  return rows.map((r) => ({
    sha256: r.sha256,
    file: r.file,
    run: r.run_id,
    verdict: r.status,
    profile: r.profile,
    errors: r.errors,
    validatedAt: r.created_at.toISOString(),
  }));
}
