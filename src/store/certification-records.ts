// Certification records: test-case checks per document hash, the evidence a vendor has, and MedCom's decisions.
import type { CaseCheck } from '../certification/case-checker.js';
import type { Decision, DecisionKind, Evidence, Verification } from '../certification/progress.js';
import type { ContentReport } from '../submission/verify-document.js';
import { KihError } from '../core/kih-error.js';
import type { DocumentReport } from '../core/report.js';
import type { Database, Transaction } from './database.js';

type Queryable = Pick<Transaction, 'query'>;

/** Idempotent: a re-delivered job writes nothing new. */
export async function recordCaseChecks(
  db: Queryable,
  sha256: string,
  checks: readonly CaseCheck[],
  actor: string
): Promise<void> {
  if (checks.length === 0) {
    return;
  }
  await db.query(
    `INSERT INTO case_checks (sha256, protocol_id, protocol_version, case_id, conditions_met, failed, checked_by)
     SELECT $1, t.protocol_id, t.protocol_version, t.case_id, t.met, t.failed::jsonb, $2
     FROM unnest($3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[]) AS t(protocol_id, protocol_version, case_id, met, failed)
     ON CONFLICT DO NOTHING`,
    [
      sha256,
      actor,
      checks.map((c) => c.protocolId),
      checks.map((c) => c.protocolVersion),
      checks.map((c) => c.caseId),
      checks.map((c) => c.conditionsMet),
      checks.map((c) => JSON.stringify(c.failed)),
    ]
  );
}

/** Protocol versions (`id@version`) already checked for this document. */
export async function checkedProtocols(db: Queryable, sha256: string): Promise<Set<string>> {
  const rows = await db.query<{ p: string }>(
    `SELECT DISTINCT protocol_id || '@' || protocol_version AS p FROM case_checks WHERE sha256 = $1`,
    [sha256]
  );
  return new Set(rows.map((r) => r.p));
}

/** Every valid document of the vendor meeting a case of this protocol version, with its submission and end-to-end check if any. */
export async function caseEvidence(
  db: Queryable,
  vendorId: string,
  protocolId: string,
  protocolVersion: string
): Promise<Evidence[]> {
  const rows = await db.query<{
    case_id: string;
    run_id: string;
    seq: number;
    upload_id: string | null;
    file: string;
    sha256: string;
    profile: string | null;
    validated_at: Date;
    target: string | null;
    outcome: string | null;
    submitted_at: Date | null;
    v_target: string | null;
    v_unique_id: string | null;
    v_outcome: Verification['outcome'] | null;
    v_class: string | null;
    v_message: string | null;
    v_mismatches: Verification['mismatches'] | null;
    v_content: ContentReport | null;
    verified_at: Date | null;
  }>(
    `SELECT c.case_id, v.run_id, v.seq, u.id AS upload_id, d.file, v.sha256, v.profile, v.created_at AS validated_at,
            s.target, s.outcome, s.created_at AS submitted_at,
            ve.target AS v_target, ve.unique_id AS v_unique_id, ve.outcome AS v_outcome, ve.class AS v_class,
            ve.message AS v_message, ve.mismatches AS v_mismatches, ve.content AS v_content, ve.created_at AS verified_at
     FROM case_checks c
     JOIN validations v ON v.sha256 = c.sha256 AND v.status = 'valid'
     JOIN runs r ON r.id = v.run_id
     JOIN run_documents d ON d.run_id = v.run_id AND d.seq = v.seq
     LEFT JOIN uploads u ON u.run_id = v.run_id AND u.seq = v.seq
     LEFT JOIN submissions s ON s.run_id = v.run_id AND s.seq = v.seq
     LEFT JOIN verifications ve ON ve.run_id = v.run_id AND ve.seq = v.seq
     WHERE r.vendor_id = $1 AND c.protocol_id = $2 AND c.protocol_version = $3 AND c.conditions_met
     ORDER BY v.created_at DESC, v.id DESC`,
    [vendorId, protocolId, protocolVersion]
  );
  return rows.map((r) => ({
    caseId: r.case_id,
    runId: r.run_id,
    seq: r.seq,
    uploadId: r.upload_id,
    file: r.file,
    sha256: r.sha256,
    profile: r.profile,
    validatedAt: r.validated_at.toISOString(),
    submission:
      r.target !== null && r.outcome !== null && r.submitted_at !== null
        ? { target: r.target, outcome: r.outcome, at: r.submitted_at.toISOString() }
        : null,
    verification:
      r.v_target !== null &&
      r.v_unique_id !== null &&
      r.v_outcome !== null &&
      r.v_message !== null &&
      r.v_mismatches !== null &&
      r.verified_at !== null
        ? {
            target: r.v_target,
            uniqueId: r.v_unique_id,
            outcome: r.v_outcome,
            class: r.v_class,
            message: r.v_message,
            mismatches: r.v_mismatches,
            content: r.v_content,
            at: r.verified_at.toISOString(),
          }
        : null,
  }));
}

export async function listDecisions(db: Queryable, vendorId: string, protocolId: string): Promise<Decision[]> {
  const rows = await db.query<{
    id: string;
    decision: DecisionKind;
    comment: string;
    decided_by: string;
    decided_at: Date;
    protocol_version: string;
  }>(
    `SELECT id, decision, comment, decided_by, decided_at, protocol_version FROM decisions
     WHERE vendor_id = $1 AND protocol_id = $2 ORDER BY decided_at DESC, id DESC`,
    [vendorId, protocolId]
  );
  return rows.map((r) => ({
    id: r.id,
    decision: r.decision,
    comment: r.comment,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at.toISOString(),
    protocolVersion: r.protocol_version,
  }));
}

export interface NewDecision {
  readonly vendorId: string;
  readonly protocolId: string;
  readonly protocolVersion: string;
  readonly decision: DecisionKind;
  readonly comment: string;
  readonly evidence: unknown;
}

/**
 * `check` runs inside the transaction, under a lock per vendor and protocol, on the state as it
 * is then: two MedCom users deciding at once cannot both certify, or certify past a reject.
 */
export async function recordDecision(
  db: Database,
  vendorId: string,
  protocolId: string,
  decide: (tx: Queryable) => Promise<NewDecision>,
  actor: string
): Promise<Decision> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('kih-certify decision ' || $1 || ' ' || $2))`, [
      vendorId,
      protocolId,
    ]);
    const d = await decide(tx);
    const [row] = await tx.query<{ id: string; decided_at: Date }>(
      `INSERT INTO decisions (vendor_id, protocol_id, protocol_version, decision, comment, evidence, decided_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, decided_at`,
      [d.vendorId, d.protocolId, d.protocolVersion, d.decision, d.comment, JSON.stringify(d.evidence), actor]
    );
    if (!row) {
      throw new KihError('STORE_ERR_DATABASE', 'The decision was not recorded.');
    }
    return {
      id: row.id,
      decision: d.decision,
      comment: d.comment,
      decidedBy: actor,
      decidedAt: row.decided_at.toISOString(),
      protocolVersion: d.protocolVersion,
    };
  });
}

export interface EvidenceDetail {
  readonly report: DocumentReport;
  readonly schemaId: string;
  readonly ruleVersions: Readonly<Record<string, string>>;
  readonly submission: {
    readonly target: string;
    readonly outcome: string;
    readonly class: string;
    readonly uniqueId: string | null;
    readonly at: string;
  } | null;
}

/** The validation report and submission behind one piece of evidence, limited to the vendor's runs. */
export async function evidenceDetail(
  db: Queryable,
  vendorId: string,
  runId: string,
  seq: number
): Promise<EvidenceDetail | undefined> {
  const [row] = await db.query<{
    report: EvidenceDetail['report'];
    schema_id: string;
    rule_versions: Record<string, string>;
    target: string | null;
    outcome: string | null;
    class: string | null;
    unique_id: string | null;
    submitted_at: Date | null;
  }>(
    `SELECT v.report, v.schema_id, v.rule_versions, s.target, s.outcome, s.class, s.unique_id, s.created_at AS submitted_at
     FROM validations v JOIN runs r ON r.id = v.run_id
     LEFT JOIN submissions s ON s.run_id = v.run_id AND s.seq = v.seq
     WHERE v.run_id = $1 AND v.seq = $2 AND r.vendor_id = $3`,
    [runId, seq, vendorId]
  );
  if (!row) {
    return undefined;
  }
  return {
    report: row.report,
    schemaId: row.schema_id,
    ruleVersions: row.rule_versions,
    submission:
      row.target !== null && row.outcome !== null && row.class !== null && row.submitted_at !== null
        ? {
            target: row.target,
            outcome: row.outcome,
            class: row.class,
            uniqueId: row.unique_id,
            at: row.submitted_at.toISOString(),
          }
        : null,
  };
}
