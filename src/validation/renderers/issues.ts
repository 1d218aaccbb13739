// Ordering, counting and wording shared by every renderer, so all formats agree with each other.
import type { DocumentReport, Severity, Stage, ValidationIssue } from '../../core/report.js';

/** Processing order of the stages (a Record, so adding a stage to the model fails to compile here). */
const STAGE_RANK: Readonly<Record<Stage, number>> = {
  input: 0,
  xml: 1,
  profile: 2,
  xsd: 3,
  schematron: 4,
  rules: 5,
  xds: 6,
  pair: 7,
  tool: 8,
};

const STAGE_RANK_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(STAGE_RANK));

export interface StageGroup {
  readonly stage: Stage;
  readonly issues: readonly ValidationIssue[];
}

/**
 * Groups issues by stage, stages in processing order, issues in their original order within a
 * stage (which is document order for the stages that report locations).
 * @param issues - A document's issues.
 * @returns One group per stage that has issues. A stage the model does not know (from hand-edited
 * JSON, say) sorts last rather than being dropped: a report must never hide a finding.
 */
export function groupByStage(issues: readonly ValidationIssue[]): StageGroup[] {
  const groups = new Map<Stage, ValidationIssue[]>();
  for (const issue of issues) {
    const group = groups.get(issue.stage);
    if (group) {
      group.push(issue);
    } else {
      groups.set(issue.stage, [issue]);
    }
  }
  const rank = (stage: Stage): number => STAGE_RANK_BY_NAME.get(stage) ?? Number.MAX_SAFE_INTEGER;
  return [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b)).map(([stage, list]) => ({ stage, issues: list }));
}

/** Issues in the order every renderer lists them: by stage, then as reported. */
export function orderedIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return groupByStage(issues).flatMap((g) => g.issues);
}

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(issues: readonly ValidationIssue[]): SeverityCounts {
  const counts: SeverityCounts = { error: 0, warning: 0, info: 0 };
  for (const issue of issues) {
    counts[issue.severity]++;
  }
  return counts;
}

/** `1 error`, `2 errors`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `errors, warnings` summary such as `2 errors, 1 warning`; empty when there are no issues. */
export function describeCounts(counts: SeverityCounts): string {
  const parts: string[] = [];
  if (counts.error > 0) {
    parts.push(plural(counts.error, 'error'));
  }
  if (counts.warning > 0) {
    parts.push(plural(counts.warning, 'warning'));
  }
  if (counts.info > 0) {
    parts.push(`${counts.info} info`);
  }
  return parts.join(', ');
}

/** The profile as a label; `unknown` when detection found none. */
export function profileLabel(doc: DocumentReport): string {
  return doc.profile ?? 'unknown';
}

/** `line 12`, `line 12:5`, or empty when the line is unknown. */
export function lineLabel(issue: ValidationIssue): string {
  if (issue.line === undefined) {
    return '';
  }
  return issue.column === undefined || issue.column <= 0 ? `line ${issue.line}` : `line ${issue.line}:${issue.column}`;
}

/** Milliseconds as decimal seconds with millisecond precision; garbage in gives `0.000`, not `NaN`. */
export function seconds(ms: number): string {
  return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

/** A duration for people: `850 ms`, `1.3 s`, `2 min 5 s`. */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '0 ms';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const totalSeconds = Math.round(ms / 1000);
  return `${Math.floor(totalSeconds / 60)} min ${totalSeconds % 60} s`;
}
