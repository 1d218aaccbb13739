// The report of a `kih submit` run as plain data, its summary, and its text rendering (pure functions).
import type { DocumentSubmission } from './submit-document.js';

export interface SubmissionSummary {
  readonly documents: number;
  /** Stored (including success confirmed by the query after a lost answer). */
  readonly success: number;
  readonly partialSuccess: number;
  /** Refused by the repository, or not sent because no ID card could be had. */
  readonly failure: number;
  /** May have arrived; nobody can tell without looking in the repository. */
  readonly unknown: number;
  /** Invalid document or metadata: never sent. */
  readonly notSent: number;
  /** With `--verify`: stored documents the registry and repository confirmed as sent. */
  readonly verified?: number;
}

export interface SubmissionRunReport {
  readonly target: string;
  readonly endpoint: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly documents: readonly DocumentSubmission[];
  readonly summary: SubmissionSummary;
}

export function summarizeSubmissions(documents: readonly DocumentSubmission[]): SubmissionSummary {
  const counts = { documents: documents.length, success: 0, partialSuccess: 0, failure: 0, unknown: 0, notSent: 0 };
  let verified = 0;
  let checked = false;
  for (const doc of documents) {
    counts[doc.outcome]++;
    if (doc.verification) {
      checked = true;
      verified += doc.verification.outcome === 'verified' ? 1 : 0;
    }
  }
  return checked ? { ...counts, verified } : counts;
}

/** Every document stored (and, when checked, verified); anything else is worth a look (exit status 1). */
export function allStored(summary: SubmissionSummary): boolean {
  return (
    summary.success === summary.documents && (summary.verified === undefined || summary.verified === summary.success)
  );
}

/** The errors shown per document in text; JSON has them all. */
const TEXT_ERRORS = 5;

function documentLines(doc: DocumentSubmission): string[] {
  const attempts = doc.attempts.length > 1 ? `, ${doc.attempts.length} attempts` : '';
  const label = doc.outcome === doc.class ? doc.outcome : `${doc.outcome} (${doc.class})`;
  const head = `${doc.file}: ${label} [${Math.round(doc.durationMs)} ms${attempts}]`;
  const lines = [doc.uniqueId ? `${head} ${doc.uniqueId}` : head];
  if (doc.outcome !== 'success' || doc.confirmedByQuery) {
    lines.push(`  ${doc.message}`);
  }
  if (doc.verification) {
    const v = doc.verification;
    lines.push(
      `  verify: ${v.outcome}${v.class ? ` (${v.class})` : ''}${v.outcome === 'verified' ? '' : `: ${v.message}`}`
    );
  }
  for (const e of doc.errors.slice(0, TEXT_ERRORS)) {
    lines.push(`  ${e.errorCode}${e.location ? ` at ${e.location}` : ''}: ${e.codeContext}`);
  }
  if (doc.errors.length > TEXT_ERRORS) {
    lines.push(`  … and ${doc.errors.length - TEXT_ERRORS} more errors (-f json lists them all)`);
  }
  return lines;
}

export function renderSubmissionText(report: SubmissionRunReport): string {
  const s = report.summary;
  const parts = [
    `${s.success} stored`,
    ...(s.partialSuccess ? [`${s.partialSuccess} partly stored`] : []),
    `${s.failure} refused`,
    ...(s.unknown ? [`${s.unknown} unknown (check the repository before re-sending)`] : []),
    `${s.notSent} not sent (invalid)`,
    ...(s.verified !== undefined ? [`${s.verified} verified`] : []),
  ];
  return [
    ...report.documents.flatMap(documentLines),
    `${s.documents} ${s.documents === 1 ? 'document' : 'documents'} to ${report.target} in ${(report.durationMs / 1000).toFixed(1)} s: ${parts.join(', ')}.`,
  ].join('\n');
}
