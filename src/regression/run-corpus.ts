// Runs corpora in this process: validates (and optionally submits) every document, then compares each corpus with its manifest.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { submitFiles } from '../submission/submit-files.js';
import type { StartLocalPeer } from '../submission/submit-files.js';
import type { Target } from '../config/targets.js';
import type { DocumentSubmission } from '../submission/submit-document.js';
import { resolveSettings } from '../config/metadata-settings.js';
import type { ResolvedSettings } from '../config/metadata-settings.js';
import { validateRun } from '../validation/validator.js';
import type { RuleSetOptions } from '../validation/rule-sets.js';
import { compareWithManifest } from './compare-manifest.js';
import type { Corpus } from './corpus.js';
import { metadataFor } from './observe-metadata.js';
import { observe, RESULT_FORMAT, RESULT_VERSION, sortDocuments, summarizeRegression } from './result.js';
import type { ObservedDocument, RegressionDocument, RegressionResult } from './result.js';

export interface RunRegressionOptions extends RuleSetOptions {
  /** Validation threads (default: one per core). */
  readonly jobs?: number;
  /** Submit each valid document to this target after validation. */
  readonly submit?: {
    readonly target: Target;
    readonly settings: ResolvedSettings;
    readonly concurrency?: number;
    /** The in-process repository of an `embedded` target, started by the caller. */
    readonly startLocalPeer?: StartLocalPeer;
  };
  /** Settings for deriving metadata a manifest expects (default: the submit settings, else the tool's defaults). */
  readonly metadataSettings?: ResolvedSettings;
  /** Called once per document validated, and once per document submitted. */
  readonly onProgress?: () => void;
}

/** Assembles a result from observations keyed per corpus (shared with the service's runs). */
export function buildResult(
  corpora: readonly Pick<Corpus, 'name' | 'dir' | 'manifest'>[],
  observed: ReadonlyMap<string, ReadonlyMap<string, ObservedDocument>>,
  meta: Pick<RegressionResult, 'tool' | 'startedAt' | 'durationMs' | 'submitTarget'> & {
    readonly cancelled?: boolean;
    readonly absentBecause?: (corpus: string, file: string) => 'missing' | 'skipped';
  }
): RegressionResult {
  const documents: RegressionDocument[] = [];
  const absent = meta.absentBecause;
  for (const corpus of corpora) {
    documents.push(
      ...compareWithManifest(corpus.name, corpus.manifest, observed.get(corpus.name) ?? new Map(), {
        submitted: meta.submitTarget !== null,
        ...(absent ? { absentBecause: (file: string) => absent(corpus.name, file) } : {}),
      })
    );
  }
  const sorted = sortDocuments(documents);
  const summary = summarizeRegression(sorted);
  return {
    format: RESULT_FORMAT,
    version: RESULT_VERSION,
    status: meta.cancelled ? 'cancelled' : summary.mismatched === 0 ? 'passed' : 'failed',
    tool: meta.tool,
    startedAt: meta.startedAt,
    durationMs: meta.durationMs,
    submitTarget: meta.submitTarget,
    corpora: corpora.map((c) => ({
      name: c.name,
      dir: c.dir,
      manifestSha256: c.manifest.sha256,
      documents: c.manifest.documents.length,
    })),
    documents: sorted,
    summary,
  };
}

export async function runRegression(
  corpora: readonly Corpus[],
  options: RunRegressionOptions = {}
): Promise<RegressionResult> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const files = corpora.flatMap((c) =>
    c.files.map((f) => ({ corpus: c.name, file: f, full: path.join(c.dir, ...f.split('/')) }))
  );
  const validation = await validateRun(
    files.map((f) => f.full),
    {
      ...(options.builtinRules !== undefined ? { builtinRules: options.builtinRules } : {}),
      ...(options.schematron ? { schematron: options.schematron } : {}),
      ...(options.rulesCacheDir !== undefined ? { rulesCacheDir: options.rulesCacheDir } : {}),
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
      ...(options.onProgress ? { onReport: options.onProgress } : {}),
    }
  );
  const submissions = new Map<string, DocumentSubmission>();
  if (options.submit) {
    const valid = validation.documents.filter((d) => d.status === 'valid').map((d) => d.file);
    const report = await submitFiles(valid, {
      target: options.submit.target,
      settings: options.submit.settings,
      validate: false,
      ...(options.submit.startLocalPeer ? { startLocalPeer: options.submit.startLocalPeer } : {}),
      ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
      ...(options.submit.concurrency !== undefined ? { concurrency: options.submit.concurrency } : {}),
      ...(options.onProgress ? { onDocument: options.onProgress } : {}),
    });
    for (const d of report.documents) {
      submissions.set(d.file, d);
    }
  }
  const observed = new Map<string, Map<string, ObservedDocument>>(corpora.map((c) => [c.name, new Map()]));
  const entries = new Map(corpora.map((c) => [c.name, new Map(c.manifest.documents.map((d) => [d.file, d]))]));
  const metadataSettings = options.metadataSettings ?? options.submit?.settings ?? resolveSettings();
  for (const [i, report] of validation.documents.entries()) {
    const f = files[i];
    const corpus = f ? observed.get(f.corpus) : undefined;
    if (!f || !corpus) {
      throw new Error('runRegression: a report without its file');
    }
    const sent = submissions.get(report.file);
    const metadata = await metadataFor({
      entry: entries.get(f.corpus)?.get(f.file),
      file: report.file,
      status: report.status,
      profile: report.profile,
      load: () => readFile(f.full),
      settings: metadataSettings,
    });
    const seen = observe(
      report,
      options.submit ? (sent ? { outcome: sent.outcome, class: sent.class } : null) : undefined
    );
    corpus.set(f.file, metadata ? { ...seen, metadata } : seen);
  }
  return buildResult(corpora, observed, {
    // Rule files in name order: the order they finished compiling in is no version fact.
    tool: {
      ...validation.tool,
      rules: Object.fromEntries(Object.entries(validation.tool.rules ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))),
    },
    startedAt,
    durationMs: Math.round(performance.now() - started),
    submitTarget: options.submit?.target.name ?? null,
  });
}
