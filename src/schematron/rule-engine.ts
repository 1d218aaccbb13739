// The seam between a compiled rule set and the two engines that can run it: the own XPath-subset engine and SaxonJS.
import type { XmlDocument } from 'libxml2-wasm';
import type { ValidationIssue } from '../core/report.js';

/** `own`: the project's own XPath-subset engine; `saxonjs`: SaxonJS on the generated XSLT. */
export type RuleEngineName = 'own' | 'saxonjs';

/** One document as the engines take it. */
export interface RuleDocument {
  readonly text: string;
  /** A libxml2 parse of the same text: gives each finding its line. */
  readonly libxml?: XmlDocument;
}

/**
 * Runs one rule set on documents. Synchronous, as `runRules` is: the own engine never waits, and
 * SaxonJS's stylesheet, when it must be built on the spot, is built once per process.
 */
export interface RuleEngine {
  readonly name: RuleEngineName;
  /**
   * The findings, in SVRL order, at most `maxFindingsPerAssert` per assert plus a notice. The own
   * engine throws FallbackToSaxon for a document outside its subset; any other error is a failure.
   */
  run(doc: RuleDocument, maxFindingsPerAssert: number): ValidationIssue[];
}
