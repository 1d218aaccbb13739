// Documents uploaded through the API or the pages: stored with their run in one transaction, read back per vendor only.
import { randomUUID } from 'node:crypto';
import type { DocumentReport } from '../core/report.js';
import type { Database, Transaction } from './database.js';
import { addEvent, documentState, insertRun, putDocument } from './records.js';
import type { DocumentState } from './records.js';

type Queryable = Pick<Transaction, 'query'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewUpload {
  readonly vendorId: string;
  /** Each file's bytes are read when it is stored, so one upload holds one file in memory at a time. */
  readonly files: readonly { readonly name: string; read(): Promise<Uint8Array> }[];
  readonly testCase?: string;
  /** Target of the formal test; absent: a self-test (validate only). */
  readonly submitTarget?: string;
}

export interface StoredUpload {
  readonly id: string;
  readonly file: string;
  readonly sha256: string;
  readonly runId: string;
  readonly seq: number;
}

/** All files, the run and the upload rows, or nothing (one transaction). */
export async function storeUploads(
  db: Database,
  upload: NewUpload,
  actor: string
): Promise<{ readonly runId: string; readonly uploads: StoredUpload[] }> {
  const runId = randomUUID();
  return db.transaction(async (tx) => {
    const documents = [];
    for (const f of upload.files) {
      documents.push({ file: f.name, sha256: await putDocument(tx, await f.read(), actor) });
    }
    await insertRun(
      tx,
      runId,
      {
        vendorId: upload.vendorId,
        name: upload.submitTarget === undefined ? 'upload (self-test)' : 'upload (formal test)',
        documents,
        ...(upload.submitTarget === undefined ? {} : { submitTarget: upload.submitTarget }),
      },
      actor
    );
    const uploads = documents.map((d, seq) => ({ id: randomUUID(), file: d.file, sha256: d.sha256, runId, seq }));
    await tx.query(
      `INSERT INTO uploads (id, vendor_id, run_id, seq, test_case, formal, created_by)
       SELECT t.id, $2, $1, t.seq, $3, $4, $5 FROM unnest($6::uuid[], $7::int[]) AS t(id, seq)`,
      [
        runId,
        upload.vendorId,
        upload.testCase ?? null,
        upload.submitTarget !== undefined,
        actor,
        uploads.map((u) => u.id),
        uploads.map((u) => u.seq),
      ]
    );
    return { runId, uploads };
  });
}

/** Marks a run whose jobs could not all be added; the server's sweep resumes it. */
export async function markEnqueuePending(db: Queryable, runId: string, reason: string, actor: string): Promise<void> {
  await addEvent(db, runId, null, 'enqueue-pending', { reason }, actor);
}

export async function markEnqueued(db: Queryable, runId: string, actor: string): Promise<void> {
  await addEvent(db, runId, null, 'enqueued', {}, actor);
}

/** Runs with an enqueue-pending event and no enqueued event after it. */
export async function pendingEnqueues(db: Queryable, limit = 100): Promise<string[]> {
  const rows = await db.query<{ run_id: string }>(
    `SELECT p.run_id FROM events p
     WHERE p.kind = 'enqueue-pending'
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.run_id = p.run_id AND e.kind = 'enqueued' AND e.id > p.id)
     GROUP BY p.run_id ORDER BY min(p.id) LIMIT $1`,
    [limit]
  );
  return rows.map((r) => r.run_id);
}

export interface UploadSummary {
  readonly id: string;
  readonly vendorId: string;
  readonly file: string;
  readonly sha256: string;
  readonly size: number;
  readonly testCase: string | null;
  readonly formal: boolean;
  readonly createdAt: string;
  readonly state: DocumentState;
  readonly verdict: DocumentReport['status'] | null;
  readonly profile: string | null;
  readonly errors: number | null;
  readonly warnings: number | null;
  readonly submission: { readonly target: string; readonly outcome: string; readonly class: string } | null;
  /** The final end-to-end check of the stored document (the verify queue); null until recorded, or when none is made. */
  readonly verification: { readonly outcome: string; readonly class: string | null } | null;
  readonly runId: string;
  readonly seq: number;
}

export interface UploadDetail extends UploadSummary {
  readonly report: DocumentReport | null;
  readonly submissionErrors: readonly unknown[];
  readonly uniqueId: string | null;
  readonly caseChecks: readonly {
    readonly protocolId: string;
    readonly protocolVersion: string;
    readonly caseId: string;
    readonly conditionsMet: boolean;
    readonly failed: readonly string[];
  }[];
}

interface UploadRow {
  id: string;
  vendor_id: string;
  file: string;
  sha256: string;
  size: number;
  test_case: string | null;
  formal: boolean;
  created_at: Date;
  run_id: string;
  seq: number;
  status: DocumentReport['status'] | null;
  profile: string | null;
  errors: number | null;
  warnings: number | null;
  claimed: boolean;
  target: string | null;
  outcome: string | null;
  class: string | null;
  recorded: boolean;
  verification: string | null;
  verification_class: string | null;
}

const SELECT = `
  SELECT u.id, u.vendor_id, d.file, d.sha256, doc.size, u.test_case, u.formal, u.created_at, u.run_id, u.seq,
         v.status, v.profile, v.errors, v.warnings, (c.run_id IS NOT NULL) AS claimed,
         s.target, s.outcome, s.class, (x.run_id IS NOT NULL) AS recorded,
         y.outcome AS verification, y.class AS verification_class %EXTRA%
  FROM uploads u
  JOIN run_documents d ON d.run_id = u.run_id AND d.seq = u.seq
  JOIN documents doc ON doc.sha256 = d.sha256
  LEFT JOIN validations v ON v.run_id = u.run_id AND v.seq = u.seq
  LEFT JOIN submission_claims c ON c.run_id = u.run_id AND c.seq = u.seq
  LEFT JOIN submissions s ON s.run_id = u.run_id AND s.seq = u.seq
  LEFT JOIN results x ON x.run_id = u.run_id AND x.seq = u.seq
  LEFT JOIN verifications y ON y.run_id = u.run_id AND y.seq = u.seq`;

function toSummary(r: UploadRow): UploadSummary {
  const state = documentState(r);
  return {
    id: r.id,
    vendorId: r.vendor_id,
    file: r.file,
    sha256: r.sha256,
    size: r.size,
    testCase: r.test_case,
    formal: r.formal,
    createdAt: r.created_at.toISOString(),
    state,
    verdict: r.status,
    profile: r.profile,
    errors: r.errors,
    warnings: r.warnings,
    submission:
      r.target !== null && r.outcome !== null && r.class !== null
        ? { target: r.target, outcome: r.outcome, class: r.class }
        : null,
    verification: r.verification !== null ? { outcome: r.verification, class: r.verification_class } : null,
    runId: r.run_id,
    seq: r.seq,
  };
}

/**
 * `vendorId` null is MedCom's view (every vendor); a vendor's key always passes its own id, and
 * the filter is in the statement itself.
 */
export async function listUploads(
  db: Queryable,
  vendorId: string | null,
  options: { readonly limit?: number; readonly ids?: readonly string[] } = {}
): Promise<UploadSummary[]> {
  const ids = options.ids?.filter((id) => UUID.test(id)) ?? null;
  const rows = await db.query<UploadRow>(
    `${SELECT.replace('%EXTRA%', '')}
     WHERE ($1::text IS NULL OR u.vendor_id = $1) AND ($3::uuid[] IS NULL OR u.id = ANY($3::uuid[]))
     ORDER BY u.created_at DESC, u.run_id, u.seq LIMIT $2`,
    [vendorId, options.limit ?? 200, ids]
  );
  return rows.map(toSummary);
}

export async function getUpload(db: Queryable, vendorId: string | null, id: string): Promise<UploadDetail | undefined> {
  if (!UUID.test(id)) {
    return undefined;
  }
  const [row] = await db.query<
    UploadRow & { report: DocumentReport | null; submission_errors: unknown[] | null; unique_id: string | null }
  >(
    `${SELECT.replace('%EXTRA%', ', v.report, s.errors AS submission_errors, s.unique_id')}
     WHERE u.id = $1 AND ($2::text IS NULL OR u.vendor_id = $2)`,
    [id, vendorId]
  );
  if (!row) {
    return undefined;
  }
  const checks = await db.query<{
    protocol_id: string;
    protocol_version: string;
    case_id: string;
    conditions_met: boolean;
    failed: string[];
  }>(
    `SELECT protocol_id, protocol_version, case_id, conditions_met, failed FROM case_checks
     WHERE sha256 = $1 ORDER BY protocol_id, protocol_version, case_id`,
    [row.sha256]
  );
  return {
    ...toSummary(row),
    report: row.report,
    submissionErrors: row.submission_errors ?? [],
    uniqueId: row.unique_id,
    caseChecks: checks.map((c) => ({
      protocolId: c.protocol_id,
      protocolVersion: c.protocol_version,
      caseId: c.case_id,
      conditionsMet: c.conditions_met,
      failed: c.failed,
    })),
  };
}

/** The stored bytes of an upload, only for its vendor (or MedCom). */
/** How much of a document the page's excerpts read: lines past it get no excerpt. */
export const EXCERPT_READ_BYTES = 1024 * 1024;
/** Bytes kept of one line: the page shows 400 characters of it. */
const LINE_BYTES = 1600;

/**
 * The wanted lines (numbered from 1) of an upload, from a read of at most `maxBytes` from its
 * start, so a report page never loads a whole large document; undefined when no such upload for
 * this vendor. A line cut off by the read's end is left out.
 */
export async function getUploadLines(
  db: Queryable,
  vendorId: string | null,
  id: string,
  wanted: ReadonlySet<number>,
  maxBytes = EXCERPT_READ_BYTES
): Promise<Map<number, string> | undefined> {
  if (!UUID.test(id)) {
    return undefined;
  }
  const [row] = await db.query<{ head: Buffer; size: number }>(
    `SELECT substring(doc.content FROM 1 FOR $3) AS head, doc.size FROM uploads u
     JOIN run_documents d ON d.run_id = u.run_id AND d.seq = u.seq
     JOIN documents doc ON doc.sha256 = d.sha256
     WHERE u.id = $1 AND ($2::text IS NULL OR u.vendor_id = $2)`,
    [id, vendorId, wanted.size === 0 ? 0 : maxBytes]
  );
  if (!row) {
    return undefined;
  }
  const lines = new Map<number, string>();
  const head = row.head;
  const complete = head.length >= row.size;
  let line = 1;
  let start = 0;
  for (let i = 0; i <= head.length; i++) {
    const atEnd = i === head.length;
    const b = head[i];
    if (!atEnd && b !== 0x0a && b !== 0x0d) {
      continue;
    }
    if (atEnd && !complete) {
      break; // the read ended inside this line
    }
    if (wanted.has(line)) {
      lines.set(line, head.subarray(start, Math.min(i, start + LINE_BYTES)).toString('utf8'));
    }
    if (atEnd) {
      break;
    }
    // CRLF is one line break, as in the validator's line numbers.
    if (b === 0x0d && head[i + 1] === 0x0a) {
      i++;
    }
    line++;
    start = i + 1;
  }
  return lines;
}
