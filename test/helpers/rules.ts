// Test harness for the DK rule sets: run schematron/<profile>.sch on a sample or a mutated copy of one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from '@jest/globals';
import { parseXml } from '../../src/xml/xml-parser.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { compileSchematronFile, runRules } from '../../src/schematron/index.js';
import type { CompiledRules } from '../../src/schematron/index.js';
import type { ProfileId, ValidationIssue } from '../../src/core/report.js';

export const RULES_DIR = path.join(PACKAGE_ROOT, 'schematron');
export const SAMPLES_DIR = path.join(PACKAGE_ROOT, 'samples');

const compiled = new Map<string, Promise<CompiledRules>>();

/** The compiled rule set of a profile (compiled once per test file; the SEF cache makes later runs fast). */
export function rulesFor(profile: ProfileId): Promise<CompiledRules> {
  let rules = compiled.get(profile);
  if (!rules) {
    rules = compileSchematronFile(path.join(RULES_DIR, `${profile}.sch`));
    compiled.set(profile, rules);
  }
  return rules;
}

export function readSample(relative: string): string {
  return readFileSync(path.join(SAMPLES_DIR, relative), 'utf8');
}

/** The message SaxonJS's stylesheet gives a finding for a test or rule that raised a dynamic error. */
const EVALUATION_ERROR = /^The (test|rule's variables) could not be evaluated here/;

/**
 * Runs a profile's rules on document text (with line numbers from libxml2), on both engines: the
 * project's own must give exactly SaxonJS's findings, and may leave a document to SaxonJS only
 * where SaxonJS reports a dynamic error (whose message is SaxonJS's own).
 */
export async function check(profile: ProfileId, text: string): Promise<ValidationIssue[]> {
  const rules = await rulesFor(profile);
  const parsed = parseXml(new TextEncoder().encode(text), 'test.xml', text);
  if (!parsed.ok) {
    throw new Error(`test document does not parse: ${JSON.stringify(parsed.issues)}`);
  }
  try {
    expect(rules.engine).toBe('own');
    const before = rules.stats.saxonjs;
    const issues = runRules(rules, text, parsed.doc);
    const fellBack = rules.stats.saxonjs > before;
    const reference = runRules(rules, text, parsed.doc, { engine: 'saxonjs' });
    expect(issues).toEqual(reference);
    if (fellBack) {
      expect({
        fallback: rules.stats.lastFallback,
        evaluationError: reference.some((i) => EVALUATION_ERROR.test(i.message)),
      }).toEqual({
        fallback: rules.stats.lastFallback,
        evaluationError: true,
      });
    }
    return issues;
  } finally {
    parsed.doc.dispose();
  }
}

/** Rule ids of error- and warning-severity findings, sorted and distinct. */
export function firedRuleIds(issues: readonly ValidationIssue[]): string[] {
  return [...new Set(issues.filter((i) => i.severity !== 'info').map((i) => i.ruleId))].sort();
}

/**
 * Applies an edit to a sample and checks the edit really changed it (a mutation that silently
 * matches nothing would make the test pass for the wrong reason).
 */
export function mutate(text: string, edit: (text: string) => string): string {
  const out = edit(text);
  expect(out).not.toBe(text);
  return out;
}

/** Every `id` of an assert/report in a rule file (and its includes, naively: same folder). */
export function assertIds(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/<(?:sch:)?(?:assert|report)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1] ?? '');
}

/** The rule set compiles without compiler warnings and has the expected number of asserts. */
export async function expectCleanCompile(profile: ProfileId, assertCount: number): Promise<void> {
  const rules = await rulesFor(profile);
  expect(rules.warnings).toEqual([]);
  expect(rules.assertCount).toBe(assertCount);
}

/** A sample has no error or warning findings from the profile's rules. */
export async function expectNoFindings(profile: ProfileId, sample: string): Promise<void> {
  const issues = await check(profile, readSample(sample));
  expect(issues.filter((i) => i.severity !== 'info')).toEqual([]);
}

/**
 * Applies a one-defect edit to a sample, checks that exactly rule `id` fires (nothing unrelated),
 * and returns that rule's findings for the caller's own checks.
 */
export async function findingsOfLoneRule(
  profile: ProfileId,
  id: string,
  sample: string,
  edit: (text: string) => string
): Promise<ValidationIssue[]> {
  const issues = await check(profile, mutate(readSample(sample), edit));
  expect(firedRuleIds(issues)).toEqual([id]);
  return issues.filter((i) => i.ruleId === id);
}
