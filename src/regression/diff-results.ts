// What changed between two regression results: new failures, fixes, rule ids that appeared or vanished, versions, timing.
import { documentKey } from './result.js';
import type { DocumentStatus } from '../core/report.js';
import type { Mismatch, RegressionDocument, RegressionResult, RegressionVersions } from './result.js';

export interface DiffOptions {
  /** A document's time counts as changed when it grew or shrank by this factor (default 1.5)… */
  readonly timingRatio?: number;
  /** …and by at least this many milliseconds (default 100), so jitter and thread warm-up are not news. */
  readonly timingMinMs?: number;
}

export interface DocumentChange {
  readonly key: string;
  readonly corpus: string;
  readonly file: string;
  /** The mismatches in the newer result (new failures) or the older one (fixed). */
  readonly mismatches: readonly Mismatch[];
}

export interface RuleIdChange {
  readonly key: string;
  readonly appeared: readonly string[];
  readonly vanished: readonly string[];
}

export interface TimingChange {
  readonly key: string;
  readonly beforeMs: number;
  readonly afterMs: number;
}

export interface VersionChange {
  readonly what: string;
  readonly before: string | null;
  readonly after: string | null;
}

export interface RegressionDiff {
  readonly baseline: { readonly startedAt: string; readonly status: RegressionResult['status'] };
  /** Documents that matched their manifest before (or were not there) and do not now. */
  readonly newFailures: readonly DocumentChange[];
  /** Documents that did not match before and do now. */
  readonly fixed: readonly DocumentChange[];
  /** Keys of documents mismatched in both. */
  readonly stillFailing: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly verdictChanges: readonly {
    readonly key: string;
    readonly before: DocumentStatus | null;
    readonly after: DocumentStatus | null;
  }[];
  /** Per document: error rule ids that fire now and did not, and the reverse. */
  readonly ruleIds: readonly RuleIdChange[];
  /** Over the whole result: error rule ids that no document fired before, or no document fires now. */
  readonly ruleIdsOverall: { readonly appeared: readonly string[]; readonly vanished: readonly string[] };
  readonly versions: readonly VersionChange[];
  readonly timing: readonly TimingChange[];
  readonly durationMs: { readonly before: number; readonly after: number };
  /** Anything above but timing. */
  readonly changed: boolean;
}

function minus(a: Iterable<string>, b: ReadonlySet<string>): string[] {
  return [...new Set(a)].filter((x) => !b.has(x)).sort();
}

function versionChanges(before: RegressionVersions, after: RegressionVersions): VersionChange[] {
  const out: VersionChange[] = [];
  if (before.version !== after.version) {
    out.push({ what: 'tool', before: before.version, after: after.version });
  }
  if (before.schemas !== after.schemas) {
    out.push({ what: 'schemas', before: before.schemas, after: after.schemas });
  }
  const files = [...new Set([...Object.keys(before.rules), ...Object.keys(after.rules)])].sort();
  for (const file of files) {
    const b = before.rules[file] ?? null;
    const a = after.rules[file] ?? null;
    if (a !== b) {
      out.push({ what: `rules ${file}`, before: b, after: a });
    }
  }
  return out;
}

const change = (d: RegressionDocument, mismatches: readonly Mismatch[]): DocumentChange => ({
  key: documentKey(d),
  corpus: d.corpus,
  file: d.file,
  mismatches,
});

/** Exact: every list is sorted by document key (or rule id), so two diffs of the same results are equal. */
export function diffResults(
  baseline: RegressionResult,
  current: RegressionResult,
  options: DiffOptions = {}
): RegressionDiff {
  const ratio = options.timingRatio ?? 1.5;
  const minMs = options.timingMinMs ?? 100;
  const before = new Map(baseline.documents.map((d) => [documentKey(d), d]));
  const after = new Map(current.documents.map((d) => [documentKey(d), d]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();

  const newFailures: DocumentChange[] = [];
  const fixed: DocumentChange[] = [];
  const stillFailing: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  const verdictChanges: { key: string; before: DocumentStatus | null; after: DocumentStatus | null }[] = [];
  const ruleIds: RuleIdChange[] = [];
  const timing: TimingChange[] = [];
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    if (!b) {
      added.push(key);
    }
    if (!a) {
      removed.push(key);
      continue;
    }
    const matchedBefore = b?.match ?? true;
    if (matchedBefore && !a.match) {
      newFailures.push(change(a, a.mismatches));
    } else if (b && !b.match && a.match) {
      fixed.push(change(b, b.mismatches));
    } else if (b && !b.match && !a.match) {
      stillFailing.push(key);
    }
    if (!b) {
      continue;
    }
    const vb = b.actual?.status ?? null;
    const va = a.actual?.status ?? null;
    if (vb !== va) {
      verdictChanges.push({ key, before: vb, after: va });
    }
    // Rule ids are compared only where both runs validated the document.
    if (b.actual && a.actual) {
      const appeared = minus(a.actual.ruleIds, new Set(b.actual.ruleIds));
      const vanished = minus(b.actual.ruleIds, new Set(a.actual.ruleIds));
      if (appeared.length > 0 || vanished.length > 0) {
        ruleIds.push({ key, appeared, vanished });
      }
      const bm = b.actual.durationMs;
      const am = a.actual.durationMs;
      if (Math.abs(am - bm) >= minMs && (am >= bm * ratio || bm >= am * ratio)) {
        timing.push({ key, beforeMs: bm, afterMs: am });
      }
    }
  }
  const firedBefore = new Set(baseline.documents.flatMap((d) => d.actual?.ruleIds ?? []));
  const firedAfter = new Set(current.documents.flatMap((d) => d.actual?.ruleIds ?? []));
  const ruleIdsOverall = { appeared: minus(firedAfter, firedBefore), vanished: minus(firedBefore, firedAfter) };
  const versions = versionChanges(baseline.tool, current.tool);
  return {
    baseline: { startedAt: baseline.startedAt, status: baseline.status },
    newFailures,
    fixed,
    stillFailing,
    added,
    removed,
    verdictChanges,
    ruleIds,
    ruleIdsOverall,
    versions,
    timing,
    durationMs: { before: baseline.durationMs, after: current.durationMs },
    changed:
      newFailures.length + fixed.length + added.length + removed.length + verdictChanges.length + ruleIds.length > 0 ||
      versions.length > 0,
  };
}
