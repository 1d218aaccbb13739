// The service's regression job: queues each configured corpus as a run through validate → submit → record, then compares the records with the manifest.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TOOL_NAME, TOOL_VERSION } from '../core/package-info.js';
import { enqueueRun, resumeRun } from './enqueue-run.js';
import type { Enqueue } from './stage-context.js';
import type { Database } from '../store/database.js';
import { getDocument } from '../store/records.js';
import { resolveSettings } from '../config/metadata-settings.js';
import type { ResolvedSettings } from '../config/metadata-settings.js';
import {
  finishRegressionRun,
  getRegressionRun,
  linkRegressionRun,
  regressionRunDocuments,
  runValidatorVersions,
  startRegressionRun,
} from '../store/regression-records.js';
import type { RegressionRunDetail } from '../store/regression-records.js';
import { loadCorpus } from '../regression/corpus.js';
import type { RegressionSettings } from '../config/regression-settings.js';
import type { ObservedDocument, RegressionResult } from '../regression/result.js';
import { metadataFor } from '../regression/observe-metadata.js';
import { buildResult } from '../regression/run-corpus.js';

export interface RegressJobData {
  readonly trigger: 'schedule' | 'manual';
  /** Corpus names to run; default every configured corpus. */
  readonly corpora?: readonly string[];
  /** `start` queues the runs; `wait` (set by the job itself) only looks at their progress. */
  readonly step?: 'start' | 'wait';
}

export interface RegressContext {
  readonly db: Database;
  readonly actor: string;
  readonly enqueue: Enqueue;
  readonly settings: RegressionSettings;
  /** Settings for deriving the metadata a manifest expects, per corpus submit target (null: none); default: the tool's defaults. */
  readonly metadataSettings?: (submitTarget: string | null) => ResolvedSettings;
}

export interface RegressProgress {
  readonly regressions: readonly {
    readonly id: string;
    readonly corpus: string;
    readonly state: RegressionRunDetail['state'];
    readonly done: number;
    readonly total: number;
  }[];
  /** Every regression of the job has its result. */
  readonly finished: boolean;
}

/** The run's name in `runs`, so a job that died between creating the run and linking it finds the run again. */
export function regressionRunName(regressionId: string): string {
  return `regression ${regressionId}`;
}

/**
 * Step one, idempotent per job key: one regression row per corpus, its documents stored and
 * queued as a run of the regression vendor. Unknown corpus names in `data.corpora` are skipped.
 */
export async function startRegressions(ctx: RegressContext, data: RegressJobData, jobKey: string): Promise<string[]> {
  const wanted = data.corpora ? new Set(data.corpora) : undefined;
  const ids: string[] = [];
  for (const spec of ctx.settings.corpora.filter((c) => !wanted || wanted.has(c.name))) {
    const corpus = await loadCorpus(spec);
    const started = await startRegressionRun(
      ctx.db,
      {
        jobKey,
        corpus: corpus.name,
        corpusDir: corpus.dir,
        trigger: data.trigger,
        ...(spec.submit !== undefined ? { submitTarget: spec.submit } : {}),
        manifest: corpus.manifest,
        total: corpus.files.length,
      },
      ctx.actor
    );
    ids.push(started.id);
    let runId = started.runId;
    if (runId === null) {
      const [orphan] = await ctx.db.query<{ id: string }>(`SELECT id FROM runs WHERE name = $1`, [
        regressionRunName(started.id),
      ]);
      if (orphan) {
        runId = await linkRegressionRun(ctx.db, started.id, orphan.id);
      } else {
        const documents = [];
        for (const file of corpus.files) {
          documents.push({ file, bytes: await readFile(path.join(corpus.dir, ...file.split('/'))) });
        }
        const run = await enqueueRun(
          ctx.db,
          ctx.enqueue,
          {
            vendorId: ctx.settings.vendor,
            vendorName: 'MedCom regression corpora',
            name: regressionRunName(started.id),
            ...(spec.submit !== undefined ? { submitTarget: spec.submit } : {}),
            documents,
          },
          ctx.actor
        );
        // A job that dies here left a run named after the regression: the retry finds and links it.
        await linkRegressionRun(ctx.db, started.id, run.runId);
        continue;
      }
    }
    // Found from an earlier delivery: queue whatever it did not (a no-op when all is queued).
    await resumeRun(ctx.db, ctx.enqueue, runId);
  }
  return ids;
}

function observedOf(
  d: Awaited<ReturnType<typeof regressionRunDocuments>>[number],
  submitted: boolean
): ObservedDocument {
  return {
    profile: d.profile,
    status: d.status ?? 'error',
    ruleIds: d.errorRuleIds,
    warningRuleIds: d.warningRuleIds,
    sha256: d.sha256,
    durationMs: d.durationMs,
    ...(submitted ? { submission: d.submission } : {}),
  };
}

/**
 * The result of a regression run from its records; `cancelled` lists the documents not done as
 * skipped. Metadata a manifest expects is derived from the stored document bytes.
 */
export async function regressionResultFromRecords(
  db: Database,
  regression: RegressionRunDetail,
  cancelled: boolean,
  metadataSettings: ResolvedSettings = resolveSettings()
): Promise<{ result: RegressionResult; validators: Awaited<ReturnType<typeof runValidatorVersions>> }> {
  const runId = regression.runId;
  const docs = runId ? await regressionRunDocuments(db, runId) : [];
  const validators = runId ? await runValidatorVersions(db, runId) : [];
  const submitted = regression.submitTarget !== null;
  const entries = new Map(regression.manifest.documents.map((e) => [e.file, e]));
  const observed = new Map<string, ObservedDocument>();
  for (const d of docs) {
    if (d.observed) {
      const seen = observedOf(d, submitted);
      const metadata = await metadataFor({
        entry: entries.get(d.file),
        file: d.file,
        status: seen.status,
        profile: seen.profile,
        load: () => getDocument(db, d.sha256),
        settings: metadataSettings,
      });
      observed.set(d.file, metadata ? { ...seen, metadata } : seen);
    }
  }
  const queued = new Set(docs.map((d) => d.file));
  const first = validators[0];
  const result = buildResult(
    [{ name: regression.corpus, dir: regression.corpusDir, manifest: regression.manifest }],
    new Map([[regression.corpus, observed]]),
    {
      tool: {
        name: TOOL_NAME,
        version: TOOL_VERSION,
        schemas: first ? `builtin#${first.schemaId}` : 'none',
        rules: first ? first.ruleVersions : {},
      },
      startedAt: regression.startedAt,
      durationMs: Math.max(0, Date.now() - Date.parse(regression.startedAt)),
      submitTarget: regression.submitTarget,
      cancelled,
      absentBecause: (_corpus, file) => (queued.has(file) ? 'skipped' : 'missing'),
    }
  );
  return { result, validators };
}

/**
 * Step two, run until it says finished: each regression of the job whose run is done (or
 * cancelled) gets its result written once; the progress of all of them is returned.
 */
export async function checkRegressions(ctx: RegressContext, jobKey: string): Promise<RegressProgress> {
  const rows = await ctx.db.query<{ id: string }>(`SELECT id FROM regression_runs WHERE job_key = $1 ORDER BY corpus`, [
    jobKey,
  ]);
  const regressions = [];
  for (const { id } of rows) {
    let regression = await getRegressionRun(ctx.db, id);
    const cancelled = regression.cancelledAt !== null;
    if (
      (regression.state === 'running' || regression.state === 'cancelling') &&
      regression.runId !== null &&
      (cancelled || regression.done >= regression.total)
    ) {
      const { result, validators } = await regressionResultFromRecords(
        ctx.db,
        regression,
        cancelled,
        ctx.metadataSettings?.(regression.submitTarget)
      );
      await finishRegressionRun(ctx.db, id, result, { tool: TOOL_VERSION, validators }, ctx.actor);
      regression = await getRegressionRun(ctx.db, id);
    }
    regressions.push({
      id,
      corpus: regression.corpus,
      state: regression.state,
      done: regression.done,
      total: regression.total,
    });
  }
  return {
    regressions,
    finished: regressions.every((r) => r.state !== 'running' && r.state !== 'cancelling'),
  };
}
