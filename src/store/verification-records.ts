// Verification records: the one end-to-end result (registered and retrievable as sent) per stored run document.
import { KihError } from '../core/kih-error.js';
import type { Database, Transaction } from './database.js';

type Queryable = Pick<Transaction, 'query'>;

export type VerificationOutcome = 'verified' | 'notFound' | 'metadataMismatch' | 'contentMismatch' | 'failure';

/** What the registry registered next to what the project derived, for one field that differs. */
export interface FieldDifference {
  readonly field: string;
  readonly registered: unknown;
  readonly expected: unknown;
}

export interface VerificationRecordInput {
  readonly runId: string;
  readonly seq: number;
  readonly sha256: string;
  readonly target: string;
  readonly uniqueId: string;
  readonly outcome: VerificationOutcome;
  /** For `failure`: the outcome class of the failed exchange (transient, auth, authPermanent, permanent). */
  readonly class: string | null;
  readonly message: string;
  readonly mismatches: readonly FieldDifference[];
  /** Hash and size retrieved next to those registered, when the document was retrieved. */
  readonly content: unknown;
  readonly errors: readonly unknown[];
  /** GetDocuments queries made over all checks. */
  readonly queries: number;
  /** Verify jobs run for it (delayed re-checks while the registry did not know it yet). */
  readonly checks: number;
  readonly durationMs: number;
}

export interface VerificationRecord extends VerificationRecordInput {
  readonly at: string;
}

/** Writes the final result once (a re-delivered job writes nothing) with its event; true when written now. */
export async function recordVerification(db: Database, v: VerificationRecordInput, actor: string): Promise<boolean> {
  const rows = await db.query(
    `WITH ins AS (
       INSERT INTO verifications (run_id, seq, sha256, target, unique_id, outcome, class, message, mismatches, content,
                                  errors, queries, checks, duration_ms, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (run_id, seq) DO NOTHING RETURNING run_id, seq, outcome
     ), ev AS (
       INSERT INTO events (run_id, seq, kind, detail, actor)
       SELECT run_id, seq, 'verified', jsonb_build_object('outcome', outcome), $15 FROM ins
     )
     SELECT run_id FROM ins`,
    [
      v.runId,
      v.seq,
      v.sha256,
      v.target,
      v.uniqueId,
      v.outcome,
      v.class,
      v.message,
      JSON.stringify(v.mismatches),
      v.content === undefined || v.content === null ? null : JSON.stringify(v.content),
      JSON.stringify(v.errors),
      v.queries,
      v.checks,
      v.durationMs,
      actor,
    ]
  );
  return rows.length > 0;
}

interface Row {
  run_id: string;
  seq: number;
  sha256: string;
  target: string;
  unique_id: string;
  outcome: VerificationOutcome;
  class: string | null;
  message: string;
  mismatches: FieldDifference[];
  content: unknown;
  errors: unknown[];
  queries: number;
  checks: number;
  duration_ms: number;
  created_at: Date;
}

function fromRow(r: Row): VerificationRecord {
  return {
    runId: r.run_id,
    seq: r.seq,
    sha256: r.sha256,
    target: r.target,
    uniqueId: r.unique_id,
    outcome: r.outcome,
    class: r.class,
    message: r.message,
    mismatches: r.mismatches,
    content: r.content,
    errors: r.errors,
    queries: r.queries,
    checks: r.checks,
    durationMs: r.duration_ms,
    at: r.created_at.toISOString(),
  };
}

export async function getVerification(
  db: Queryable,
  runId: string,
  seq: number
): Promise<VerificationRecord | undefined> {
  const [row] = await db.query<Row>(
    `SELECT run_id, seq, sha256, target, unique_id, outcome, class, message, mismatches, content, errors, queries,
            checks, duration_ms, created_at
     FROM verifications WHERE run_id = $1 AND seq = $2`,
    [runId, seq]
  );
  return row ? fromRow(row) : undefined;
}

/** The event of a check that was not final (the registry did not know the document yet, or a transient failure). */
export const VERIFY_CHECKED_EVENT = 'verify-checked';

/** Where the verification of a run document stands before its next check. */
export interface VerifyProgress {
  /** The document's submission record, when there is one; `ageMs` is how long ago it was written (database clock). */
  readonly submission?: {
    readonly target: string;
    readonly uniqueId: string | null;
    readonly outcome: string;
    readonly ageMs: number;
  };
  /** Checks made before (their `verify-checked` events), with their queries and time summed. */
  readonly checks: number;
  readonly queries: number;
  readonly durationMs: number;
}

/** The submission to verify and the checks made so far, in one statement (the events are the count, so re-deliveries cannot lose one). */
export async function verifyProgress(db: Queryable, runId: string, seq: number): Promise<VerifyProgress> {
  const [row] = await db.query<{
    target: string | null;
    unique_id: string | null;
    outcome: string | null;
    age_ms: number | null;
    checks: number;
    queries: number;
    duration_ms: number;
  }>(
    `SELECT s.target, s.unique_id, s.outcome,
            (extract(epoch FROM now() - s.created_at) * 1000)::float8 AS age_ms,
            e.checks, e.queries, e.duration_ms
     FROM (SELECT count(*)::int AS checks,
                  coalesce(sum((detail->>'queries')::int), 0)::int AS queries,
                  coalesce(sum((detail->>'durationMs')::float8), 0)::float8 AS duration_ms
           FROM events WHERE run_id = $1 AND seq = $2 AND kind = '${VERIFY_CHECKED_EVENT}') e
     LEFT JOIN submissions s ON s.run_id = $1 AND s.seq = $2`,
    [runId, seq]
  );
  return {
    ...(row !== undefined && row.outcome !== null && row.target !== null
      ? {
          submission: {
            target: row.target,
            uniqueId: row.unique_id,
            outcome: row.outcome,
            ageMs: Math.max(0, row.age_ms ?? 0),
          },
        }
      : {}),
    checks: row?.checks ?? 0,
    queries: row?.queries ?? 0,
    durationMs: row?.duration_ms ?? 0,
  };
}

/** A document of a run that its target stored: what `kih verify <run-id>` checks. */
export interface StoredRunDocument {
  readonly seq: number;
  readonly file: string;
  readonly target: string;
  readonly uniqueId: string;
  readonly bytes: Buffer;
}

/** The run's documents with a successful submission, in run order; STORE_ERR_NOT_FOUND when the run does not exist. */
export async function storedRunDocuments(db: Queryable, runId: string): Promise<StoredRunDocument[]> {
  const [run] = await db.query(`SELECT 1 FROM runs WHERE id = $1`, [runId]);
  if (!run) {
    throw new KihError('STORE_ERR_NOT_FOUND', `No run ${runId}.`);
  }
  const rows = await db.query<{ seq: number; file: string; target: string; unique_id: string; content: Buffer }>(
    `SELECT s.seq, d.file, s.target, s.unique_id, c.content
     FROM submissions s
     JOIN run_documents d ON d.run_id = s.run_id AND d.seq = s.seq
     JOIN documents c ON c.sha256 = s.sha256
     WHERE s.run_id = $1 AND s.outcome = 'success' AND s.unique_id IS NOT NULL
     ORDER BY s.seq`,
    [runId]
  );
  return rows.map((r) => ({ seq: r.seq, file: r.file, target: r.target, uniqueId: r.unique_id, bytes: r.content }));
}
