// Test helpers for regression results: documents and results built by hand, with only what a test cares about spelled out.
import type { ObservedDocument, RegressionDocument, RegressionResult } from '../../src/regression/result.js';
import { summarizeRegression } from '../../src/regression/result.js';
import { compareDocument } from '../../src/regression/compare-manifest.js';

export function observed(ruleIds: string[] = [], over: Partial<ObservedDocument> = {}): ObservedDocument {
  return {
    profile: 'dk-phmr-1.3',
    status: ruleIds.length > 0 ? 'invalid' : 'valid',
    ruleIds,
    warningRuleIds: [],
    durationMs: 10,
    ...over,
  };
}

/** A document expected as `expectedRules` says (valid when empty) and observed firing `firedRules`. */
export function doc(
  file: string,
  expectedRules: string[] | null,
  firedRules: string[] | null,
  over: Partial<ObservedDocument> = {}
): RegressionDocument {
  const expected =
    expectedRules === null
      ? null
      : { profile: 'dk-phmr-1.3' as const, valid: expectedRules.length === 0, ruleIds: expectedRules };
  const actual = firedRules === null ? null : observed(firedRules, over);
  const mismatches = compareDocument(expected, actual);
  return { corpus: 'c', file, expected, actual, match: mismatches.length === 0, mismatches };
}

export function result(
  documents: RegressionDocument[],
  rules: Record<string, string> = { 'r.sch': 'aaa' }
): RegressionResult {
  const summary = summarizeRegression(documents);
  return {
    format: 'kih-regression',
    version: 1,
    status: summary.mismatched === 0 ? 'passed' : 'failed',
    tool: { name: 'kih-certify', version: '0.1.0', schemas: 'builtin#s1', rules },
    startedAt: '2026-12-01T01:00:00.000Z',
    durationMs: 1000,
    submitTarget: null,
    corpora: [{ name: 'c', dir: 'c/', manifestSha256: '0'.repeat(64), documents: documents.length }],
    documents,
    summary,
  };
}
