// Records of the service's regression runs: one row per corpus per triggering job, its run, its result; read functions for the web pages.
import { randomUUID } from 'node:crypto';
import { KihError } from '../core/kih-error.js';
import type { CorpusManifest } from '../regression/manifest.js';
import type { RegressionResult, RegressionStatus } from '../regression/result.js';
import type { DocumentStatus, ProfileId } from '../core/report.js';
import type { Database, Transaction } from './database.js';

type Queryable = Pick<Transaction, 'query'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewRegressionRun {
  /** The job that started it (BullMQ job id): a re-delivered job finds its rows instead of adding more. */
  readonly jobKey: string;
  readonly corpus: string;
  readonly corpusDir: string;
  readonly trigger: 'schedule' | 'manual';
  readonly submitTarget?: string;
  readonly manifest: CorpusManifest;
  /** Documents queued: every `*.xml` on disk (listed in the manifest or not). */
  readonly total: number;
}

/** Where a regression run stands, read from its rows: running until a result exists. */
export type RegressionState = 'running' | 'cancelling' | RegressionStatus;

export interface RegressionRunSummary {
  readonly id: string;
  readonly corpus: string;
  readonly corpusDir: string;
  readonly trigger: string;
  readonly submitTarget: string | null;
  /** The run in `runs` that carries its documents through the queues (null until queued). */
  readonly runId: string | null;
  readonly state: RegressionState;
  readonly total: number;
  /** Documents with a final record (progress). */
  readonly done: number;
  /** From the result; null while running. */
  readonly matched: number | null;
  readonly mismatched: number | null;
  readonly manifestSha256: string;
  /** Schema and rule-set versions the run's validations used; null while running. */
  readonly versions: RegressionRunVersions | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly cancelledAt: string | null;
}

export interface RegressionRunVersions {
  readonly tool: string;
  /** Every distinct (schema, rule sets) pair the validations recorded; more than one means a mixed fleet. */
  readonly validators: readonly {
    readonly schemaId: string;
    readonly ruleVersions: Readonly<Record<string, string>>;
  }[];
}

export interface RegressionRunDetail extends RegressionRunSummary {
  readonly manifest: CorpusManifest;
  /** The whole result (the same JSON `kih regress` writes); null while running. */
  readonly result: RegressionResult | null;
}

/** Inserts the regression run of (job, corpus) once; a second call returns the first row's id and run. */
export async function startRegressionRun(
  db: Database,
  run: NewRegressionRun,
  actor: string
): Promise<{ readonly id: string; readonly runId: string | null; readonly inserted: boolean }> {
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO regression_runs (id, job_key, corpus, corpus_dir, trigger, submit_target, manifest, manifest_sha256, total, started_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (job_key, corpus) DO NOTHING RETURNING id`,
    [
      randomUUID(),
      run.jobKey,
      run.corpus,
      run.corpusDir,
      run.trigger,
      run.submitTarget ?? null,
      JSON.stringify(run.manifest),
      run.manifest.sha256,
      run.total,
      actor,
    ]
  );
  if (inserted[0]) {
    return { id: inserted[0].id, runId: null, inserted: true };
  }
  const [row] = await db.query<{ id: string; run_id: string | null }>(
    `SELECT id, run_id FROM regression_runs WHERE job_key = $1 AND corpus = $2`,
    [run.jobKey, run.corpus]
  );
  if (!row) {
    throw new KihError('STORE_ERR_DATABASE', `The regression run of ${run.jobKey}/${run.corpus} vanished.`);
  }
  return { id: row.id, runId: row.run_id, inserted: false };
}

/** The run that carries the regression's documents: set once (a later call keeps the first). */
export async function linkRegressionRun(db: Queryable, id: string, runId: string): Promise<string> {
  await db.query(`UPDATE regression_runs SET run_id = $2 WHERE id = $1 AND run_id IS NULL`, [id, runId]);
  const [row] = await db.query<{ run_id: string }>(`SELECT run_id FROM regression_runs WHERE id = $1`, [id]);
  if (!row) {
    throw new KihError('STORE_ERR_NOT_FOUND', `No regression run ${id}.`);
  }
  return row.run_id;
}

/** Writes the result once; false when it was written already. */
export async function finishRegressionRun(
  db: Queryable,
  id: string,
  result: RegressionResult,
  versions: RegressionRunVersions,
  actor: string
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO regression_results (regression_id, status, matched, mismatched, versions, result, finished_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (regression_id) DO NOTHING RETURNING regression_id`,
    [
      id,
      result.status,
      result.summary.matched,
      result.summary.mismatched,
      JSON.stringify(versions),
      JSON.stringify(result),
      actor,
    ]
  );
  return rows.length > 0;
}

/** A document of the regression's run as the records have it; `observed` false: no final record yet. */
export interface RegressionRunDocument {
  readonly seq: number;
  readonly file: string;
  readonly observed: boolean;
  readonly profile: ProfileId | null;
  readonly status: DocumentStatus | null;
  readonly errorRuleIds: readonly string[];
  readonly warningRuleIds: readonly string[];
  readonly sha256: string;
  readonly durationMs: number;
  readonly submission: { readonly outcome: string; readonly class: string } | null;
}

/** Every document of a run with what the comparison needs, in one statement (rule ids extracted in SQL, not whole reports). */
export async function regressionRunDocuments(db: Queryable, runId: string): Promise<RegressionRunDocument[]> {
  const rows = await db.query<{
    seq: number;
    file: string;
    recorded: boolean;
    profile: ProfileId | null;
    status: DocumentStatus | null;
    errors: string[] | null;
    warnings: string[] | null;
    sha256: string;
    duration_ms: number | null;
    outcome: string | null;
    class: string | null;
  }>(
    `SELECT d.seq, d.file, d.sha256, (r.run_id IS NOT NULL) AS recorded, v.profile, v.status,
            ARRAY(SELECT DISTINCT i->>'ruleId' FROM jsonb_array_elements(v.report->'issues') i
                  WHERE i->>'severity' = 'error' ORDER BY 1) AS errors,
            ARRAY(SELECT DISTINCT i->>'ruleId' FROM jsonb_array_elements(v.report->'issues') i
                  WHERE i->>'severity' = 'warning' ORDER BY 1) AS warnings,
            (v.report->>'durationMs')::double precision AS duration_ms,
            s.outcome, s.class
     FROM run_documents d
     LEFT JOIN validations v ON v.run_id = d.run_id AND v.seq = d.seq
     LEFT JOIN submissions s ON s.run_id = d.run_id AND s.seq = d.seq
     LEFT JOIN results r ON r.run_id = d.run_id AND r.seq = d.seq
     WHERE d.run_id = $1 ORDER BY d.seq`,
    [runId]
  );
  return rows.map((r) => ({
    seq: r.seq,
    file: r.file,
    observed: r.recorded && r.status !== null,
    profile: r.profile,
    status: r.status,
    errorRuleIds: r.errors ?? [],
    warningRuleIds: r.warnings ?? [],
    sha256: r.sha256,
    durationMs: r.duration_ms ?? 0,
    submission: r.outcome !== null && r.class !== null ? { outcome: r.outcome, class: r.class } : null,
  }));
}

/** Distinct schema and rule-set versions the run's validations recorded. */
export async function runValidatorVersions(db: Queryable, runId: string): Promise<RegressionRunVersions['validators']> {
  const rows = await db.query<{ schema_id: string; rule_versions: Record<string, string> }>(
    `SELECT DISTINCT schema_id, rule_versions FROM validations WHERE run_id = $1 ORDER BY schema_id`,
    [runId]
  );
  return rows.map((r) => ({ schemaId: r.schema_id, ruleVersions: r.rule_versions }));
}

interface SummaryRow {
  id: string;
  corpus: string;
  corpus_dir: string;
  trigger: string;
  submit_target: string | null;
  run_id: string | null;
  total: number;
  done: string;
  manifest_sha256: string;
  started_at: Date;
  status: RegressionStatus | null;
  matched: number | null;
  mismatched: number | null;
  versions: RegressionRunVersions | null;
  finished_at: Date | null;
  cancelled_at: Date | null;
}

const SUMMARY_SELECT = `
  SELECT g.id, g.corpus, g.corpus_dir, g.trigger, g.submit_target, g.run_id, g.total, g.manifest_sha256, g.started_at,
         x.status, x.matched, x.mismatched, x.versions, x.finished_at, c.cancelled_at,
         (SELECT count(*) FROM results r WHERE r.run_id = g.run_id) AS done`;
const SUMMARY_FROM = `
  FROM regression_runs g
  LEFT JOIN regression_results x ON x.regression_id = g.id
  LEFT JOIN run_cancellations c ON c.run_id = g.run_id`;

function toSummary(r: SummaryRow): RegressionRunSummary {
  return {
    id: r.id,
    corpus: r.corpus,
    corpusDir: r.corpus_dir,
    trigger: r.trigger,
    submitTarget: r.submit_target,
    runId: r.run_id,
    state: r.status ?? (r.cancelled_at ? 'cancelling' : 'running'),
    total: r.total,
    done: Number(r.done),
    matched: r.matched,
    mismatched: r.mismatched,
    manifestSha256: r.manifest_sha256,
    versions: r.versions,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
    cancelledAt: r.cancelled_at ? r.cancelled_at.toISOString() : null,
  };
}

/** Regression runs, newest first; `corpus` limits them to one corpus (the history page). */
export async function listRegressionRuns(
  db: Queryable,
  options: { readonly corpus?: string; readonly limit?: number } = {}
): Promise<RegressionRunSummary[]> {
  const rows = await db.query<SummaryRow>(
    `${SUMMARY_SELECT} ${SUMMARY_FROM}
     WHERE ($1::text IS NULL OR g.corpus = $1) ORDER BY g.started_at DESC, g.id LIMIT $2`,
    [options.corpus ?? null, options.limit ?? 100]
  );
  return rows.map(toSummary);
}

/** The newest regression run of each corpus (the overview page). */
export async function latestRegressionRuns(db: Queryable): Promise<RegressionRunSummary[]> {
  const rows = await db.query<SummaryRow>(
    `SELECT * FROM (${SUMMARY_SELECT} ${SUMMARY_FROM}) s
     WHERE s.id IN (SELECT DISTINCT ON (corpus) id FROM regression_runs ORDER BY corpus, started_at DESC, id)
     ORDER BY s.corpus`
  );
  return rows.map(toSummary);
}

/** One regression run with its manifest and whole result; STORE_ERR_NOT_FOUND when there is none. */
export async function getRegressionRun(db: Queryable, id: string): Promise<RegressionRunDetail> {
  const [row] = UUID.test(id)
    ? await db.query<SummaryRow & { manifest: CorpusManifest; result: RegressionResult | null }>(
        `${SUMMARY_SELECT}, g.manifest, x.result ${SUMMARY_FROM} WHERE g.id = $1`,
        [id]
      )
    : [];
  if (!row) {
    throw new KihError('STORE_ERR_NOT_FOUND', `No regression run ${id}.`);
  }
  return { ...toSummary(row), manifest: row.manifest, result: row.result };
}
