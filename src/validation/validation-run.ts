// A whole validation run over files: schema and rule sets compiled once, documents on threads, the run report with its versions.
import { performance } from 'node:perf_hooks';
import { DEFAULT_SCHEMAS_DIR, TOOL_NAME, TOOL_VERSION } from '../core/package-info.js';
import type { DocumentReport, ValidationRunReport } from '../core/report.js';
import { summarize } from '../core/report.js';
import { createRuleSets } from './rule-sets.js';
import type { RuleSetOptions } from './rule-sets.js';
import { validateFiles } from './validate-files.js';
import type { ValidateFilesOptions } from './validate-files.js';
import { loadSchema } from './xsd-schema.js';

export type ValidationRunOptions = ValidateFilesOptions & RuleSetOptions;

/**
 * Compiles here first: a broken schema or rule file is one clear error (KihError), not one per
 * thread, and the threads then find the SEF of every rule set that starts on SaxonJS in the cache.
 */
export async function runValidation(
  files: readonly string[],
  options: ValidationRunOptions = {}
): Promise<ValidationRunReport> {
  const schemasDir = options.schemasDir ?? DEFAULT_SCHEMAS_DIR;
  const schema = loadSchema(schemasDir);
  const rules = createRuleSets(options);
  await rules.prepare();
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const documents: DocumentReport[] = await validateFiles(files, { ...options, schemasDir });
  return {
    documents,
    summary: summarize(documents),
    tool: {
      name: TOOL_NAME,
      version: TOOL_VERSION,
      schemas: `${schemasDir === DEFAULT_SCHEMAS_DIR ? 'builtin' : schemasDir}#${schema.id}`,
      rules: rules.versions(),
      ruleEngines: rules.engines(),
    },
    startedAt,
    durationMs: Math.round(performance.now() - started),
  };
}
