// The SaxonJS engine behind the RuleEngine seam: the rule set's compiled stylesheet (SEF), run by SaxonJS.
import type { RuleEngine } from './rule-engine.js';
import { svrlToIssues, transformToSvrl } from './run-schematron.js';

export interface SaxonEngine extends RuleEngine {
  readonly name: 'saxonjs';
}

/** SaxonJS for one rule set, on its parsed SEF. */
export function saxonEngine(stylesheet: unknown): SaxonEngine {
  return {
    name: 'saxonjs',
    run: (doc, max) => svrlToIssues(transformToSvrl(stylesheet, doc.text, max), doc.libxml),
  };
}
