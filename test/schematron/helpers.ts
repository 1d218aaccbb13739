// Shared set-up for the Schematron tests: fixture paths, a test-only SEF cache, and running rules on XML text.
import path from 'node:path';
import { expect } from '@jest/globals';
import { XmlDocument } from 'libxml2-wasm';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { compileSchematronFile, runRules } from '../../src/schematron/index.js';
import type { CompileRulesOptions, CompiledRules, RunRulesOptions } from '../../src/schematron/index.js';
import type { ValidationIssue } from '../../src/core/report.js';

export const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'schematron');

/** Kept between runs (like the real cache), so only the first run pays the XSLT → SEF compile. */
export const TEST_CACHE_DIR = path.join(PACKAGE_ROOT, '.cache', 'schematron-test');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export function compileFixture(name: string, options: CompileRulesOptions = {}): Promise<CompiledRules> {
  return compileSchematronFile(fixture(name), { cacheDir: TEST_CACHE_DIR, ...options });
}

/**
 * Runs the rules with a libxml2 parse of the same text, as the pipeline does, so findings get lines;
 * when the rule set runs on the own engine, SaxonJS must give exactly the same findings.
 */
export function run(rules: CompiledRules, text: string, options: RunRulesOptions = {}): ValidationIssue[] {
  const doc = XmlDocument.fromString(text);
  try {
    const issues = runRules(rules, text, doc, options);
    if (rules.engine === 'own' && options.engine === undefined) {
      expect(issues).toEqual(runRules(rules, text, doc, { ...options, engine: 'saxonjs' }));
    }
    return issues;
  } finally {
    doc.dispose();
  }
}

/** `ruleId@xpath` per finding, in report order: compact and exact for assertions. */
export function summary(issues: readonly ValidationIssue[]): string[] {
  return issues.map((i) => `${i.ruleId}@${i.xpath ?? ''}`);
}
