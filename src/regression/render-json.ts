// The regression result as JSON: the file the next run takes as its baseline, with the changes since this run's baseline when there was one.
import type { RegressionDiff } from './diff-results.js';
import type { RegressionResult } from './result.js';

/** Newline-terminated, two-space indented; `changesSinceBaseline` is ignored when the file is read back as a baseline. */
export function renderRegressionJson(result: RegressionResult, diff?: RegressionDiff): string {
  return JSON.stringify(diff ? { ...result, changesSinceBaseline: diff } : result, null, 2) + '\n';
}
