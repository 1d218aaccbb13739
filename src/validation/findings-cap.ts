// The per-stage findings cap: a document reports at most so many findings of one stage, and one notice says how many more there were.
import type { CdaErrorCode } from '../core/codes.js';
import { DEFAULT_MAX_FINDINGS } from '../config/service-config.js';
import type { Severity, Stage, ValidationIssue } from '../core/report.js';

/** Findings kept per document per stage unless the options say otherwise (the service's default too). */
export const DEFAULT_MAX_FINDINGS_PER_STAGE = DEFAULT_MAX_FINDINGS;

/** The rule id of the notice that stands for the dropped findings of a stage. */
export const FINDINGS_CAPPED: CdaErrorCode = 'CDA_FINDINGS_CAPPED';

/** How many dropped findings had each severity. */
export type DroppedCounts = Readonly<Record<Severity, number>>;

/**
 * The notice for the findings of `stage` beyond `max`. Its severity keeps the verdict what the
 * whole list would give: `error` when an error was dropped and none was kept (the first findings
 * may all be warnings), `warning` likewise, else `info`.
 */
export function cappedNotice(
  stage: Stage,
  kept: readonly ValidationIssue[],
  dropped: DroppedCounts,
  max: number
): ValidationIssue {
  const total = dropped.error + dropped.warning + dropped.info;
  const keptHas = (severity: Severity): boolean => kept.some((i) => i.severity === severity);
  const severity: Severity =
    dropped.error > 0 && !keptHas('error')
      ? 'error'
      : dropped.warning > 0 && !keptHas('error') && !keptHas('warning')
        ? 'warning'
        : 'info';
  const errors = dropped.error > 0 ? ` (${dropped.error} of them error${dropped.error === 1 ? '' : 's'})` : '';
  return {
    ruleId: FINDINGS_CAPPED,
    severity,
    stage,
    message: `${total} more ${stage} finding${total === 1 ? '' : 's'}${errors} not reported: at most ${max} per stage are kept for one document.`,
  };
}

export function countSeverities(issues: readonly ValidationIssue[]): DroppedCounts {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const i of issues) {
    counts[i.severity]++;
  }
  return counts;
}

/** The first `max` findings (in the stage's order) and, when more were found, the notice for the rest. */
export function capFindings(stage: Stage, issues: readonly ValidationIssue[], max: number): ValidationIssue[] {
  if (issues.length <= max) {
    return [...issues];
  }
  const kept = issues.slice(0, max);
  return [...kept, cappedNotice(stage, kept, countSeverities(issues.slice(max)), max)];
}
