// The per-stage findings cap: a document reports at most so many findings of one stage, and one notice says how many more there were.
import type { CdaErrorCode } from '../core/codes.js';
import { DEFAULT_MAX_FINDINGS } from '../config/service-config.js';
import type { Stage, ValidationIssue } from '../core/report.js';

/** Findings kept per document per stage unless the options say otherwise (the service's default too). */
export const DEFAULT_MAX_FINDINGS_PER_STAGE = DEFAULT_MAX_FINDINGS;

/** The rule id of the notice that stands for the dropped findings of a stage. */
export const FINDINGS_CAPPED: CdaErrorCode = 'CDA_FINDINGS_CAPPED';

/**
 * The notice for `dropped` findings of `stage` beyond `max`. It is `info`: the kept findings
 * already decide the verdict (the cap never drops every finding of a stage).
 */
export function cappedNotice(stage: Stage, dropped: number, max: number): ValidationIssue {
  return {
    ruleId: FINDINGS_CAPPED,
    severity: 'info',
    stage,
    message: `${dropped} more ${stage} finding${dropped === 1 ? '' : 's'} not reported: at most ${max} per stage are kept for one document.`,
  };
}

/** The first `max` findings (in the stage's order) and, when more were found, the notice for the rest. */
export function capFindings(stage: Stage, issues: readonly ValidationIssue[], max: number): ValidationIssue[] {
  if (issues.length <= max) {
    return [...issues];
  }
  return [...issues.slice(0, max), cappedNotice(stage, issues.length - max, max)];
}
