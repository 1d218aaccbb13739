// The regression result model: every document of every corpus, expected against observed, with the versions that produced it (plain data).
import type { DocumentReport, DocumentStatus, ProfileId } from '../core/report.js';
import type { MetadataValues } from './expected-metadata.js';
import type { ObservedMetadata } from './observe-metadata.js';

export const RESULT_FORMAT = 'kih-regression';
export const RESULT_VERSION = 1;

/**
 * How a document differs from its manifest entry. `verdict`: valid expected, invalid found (or the
 * reverse); `rule-missing`: an expected rule id did not fire; `rule-unexpected`: an error rule id
 * fired that the manifest does not list; `profile`: another profile was detected; `file-missing`:
 * listed, not on disk; `file-unlisted`: on disk, not listed; `tool-error`: the validator could not
 * finish; `submission`: a valid document was not stored by the target; `metadata`: a field of
 * the derived XDS metadata differs from the manifest's (or none could be derived); `skipped`: the
 * run was cancelled before the document was done.
 */
export type MismatchKind =
  | 'verdict'
  | 'rule-missing'
  | 'rule-unexpected'
  | 'profile'
  | 'file-missing'
  | 'file-unlisted'
  | 'tool-error'
  | 'submission'
  | 'metadata'
  | 'skipped';

export interface Mismatch {
  readonly kind: MismatchKind;
  /** The rule id, for rule-missing and rule-unexpected. */
  readonly ruleId?: string;
  /** The DocumentEntry field, for metadata. */
  readonly field?: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly message: string;
}

export interface ExpectedDocument {
  readonly profile: ProfileId | null;
  readonly valid: boolean;
  readonly ruleIds: readonly string[];
  readonly metadata?: MetadataValues;
}

export interface ObservedDocument {
  readonly profile: ProfileId | null;
  readonly status: DocumentStatus;
  /** Distinct error rule ids, sorted. */
  readonly ruleIds: readonly string[];
  /** Distinct warning rule ids, sorted. */
  readonly warningRuleIds: readonly string[];
  readonly sha256?: string;
  readonly durationMs: number;
  /** The target's answer when the run submitted this document; null when it was not sent. */
  readonly submission?: { readonly outcome: string; readonly class: string } | null;
  /** The derived metadata fields the manifest expects (only when it expects some). */
  readonly metadata?: ObservedMetadata;
}

export interface RegressionDocument {
  readonly corpus: string;
  /** Relative to the corpus directory, `/` separators. */
  readonly file: string;
  readonly description?: string;
  /** null: on disk but not in the manifest. */
  readonly expected: ExpectedDocument | null;
  /** null: not validated (missing on disk, or skipped by a cancellation). */
  readonly actual: ObservedDocument | null;
  readonly match: boolean;
  readonly mismatches: readonly Mismatch[];
}

export interface RegressionVersions {
  readonly name: string;
  readonly version: string;
  /** Schema set and its id (`builtin#…`). */
  readonly schemas: string;
  /** Rule file → short content hash of each Schematron rule set used. */
  readonly rules: Readonly<Record<string, string>>;
}

export interface CorpusInfo {
  readonly name: string;
  readonly dir: string;
  readonly manifestSha256: string;
  readonly documents: number;
}

export interface RegressionSummary {
  readonly total: number;
  readonly matched: number;
  readonly mismatched: number;
  readonly valid: number;
  readonly invalid: number;
  /** Documents the validator could not finish. */
  readonly errors: number;
  /** Documents not validated: missing on disk or skipped by a cancellation. */
  readonly notRun: number;
}

export type RegressionStatus = 'passed' | 'failed' | 'cancelled';

export interface RegressionResult {
  readonly format: typeof RESULT_FORMAT;
  readonly version: typeof RESULT_VERSION;
  readonly status: RegressionStatus;
  readonly tool: RegressionVersions;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly submitTarget: string | null;
  readonly corpora: readonly CorpusInfo[];
  /** Sorted by corpus, then file. */
  readonly documents: readonly RegressionDocument[];
  readonly summary: RegressionSummary;
}

/** `corpus/file`: how two results name the same document. */
export function documentKey(doc: Pick<RegressionDocument, 'corpus' | 'file'>): string {
  return `${doc.corpus}/${doc.file}`;
}

function distinctSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** What a regression keeps of a validation report: verdict, profile, rule ids, hash, time. */
export function observe(
  report: Pick<DocumentReport, 'profile' | 'status' | 'issues' | 'sha256' | 'durationMs'>,
  submission?: ObservedDocument['submission']
): ObservedDocument {
  return {
    profile: report.profile,
    status: report.status,
    ruleIds: distinctSorted(report.issues.filter((i) => i.severity === 'error').map((i) => i.ruleId)),
    warningRuleIds: distinctSorted(report.issues.filter((i) => i.severity === 'warning').map((i) => i.ruleId)),
    ...(report.sha256 !== undefined ? { sha256: report.sha256 } : {}),
    durationMs: report.durationMs,
    ...(submission !== undefined ? { submission } : {}),
  };
}

export function summarizeRegression(documents: readonly RegressionDocument[]): RegressionSummary {
  const matched = documents.filter((d) => d.match).length;
  return {
    total: documents.length,
    matched,
    mismatched: documents.length - matched,
    valid: documents.filter((d) => d.actual?.status === 'valid').length,
    invalid: documents.filter((d) => d.actual !== null && d.actual.status !== 'valid').length,
    errors: documents.filter((d) => d.actual?.status === 'error').length,
    notRun: documents.filter((d) => d.actual === null).length,
  };
}

export function sortDocuments(documents: readonly RegressionDocument[]): RegressionDocument[] {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return [...documents].sort((a, b) => cmp(a.corpus, b.corpus) || cmp(a.file, b.file));
}
