// The Schematron engine's API: compile a rule file once, then run it on documents with the own engine or SaxonJS.
import { performance } from 'node:perf_hooks';
import type { XmlDocument } from 'libxml2-wasm';
import type { ValidationIssue } from '../core/report.js';
import { findDoctype } from '../xml/guard.js';
import { compileSchematron, DEFAULT_MAX_FINDINGS } from './compile-schematron.js';
import { schematronError } from './errors.js';
import { planOwn } from './own-plan.js';
import { ownEngine } from './own-run.js';
import type { OwnEngine } from './own-run.js';
import type { RuleEngine, RuleEngineName } from './rule-engine.js';
import { forgetLoadedSefs, saxonEngine } from './saxon-engine.js';
import type { SaxonEngine } from './saxon-engine.js';
import type { SefCompileEvent } from './sef-cache.js';
import { FallbackToSaxon } from './xpath/fallback.js';

export { compileSchematron, DEFAULT_MAX_FINDINGS } from './compile-schematron.js';
export type { SchematronXslt } from './compile-schematron.js';
export { DEFAULT_CACHE_DIR } from './sef-cache.js';
export type { SefCompileEvent } from './sef-cache.js';
export { severityOf, svrlToIssues, transformToSvrl } from './run-schematron.js';
export { ownEngine } from './own-run.js';
export type { OwnEngine, OwnTestHooks } from './own-run.js';
export type { RuleDocument, RuleEngine, RuleEngineName } from './rule-engine.js';
export type { SaxonEngine, SefLoad } from './saxon-engine.js';
export { FallbackToSaxon } from './xpath/fallback.js';

export interface CompileRulesOptions {
  /** `#DEFAULT` (the schema's defaultPhase, else all patterns), `#ALL`, or a phase id. */
  readonly phase?: string;
  /** Findings listed per assert before one summarising notice; default 100. Can be overridden per run. */
  readonly maxFindingsPerAssert?: number;
  /** SEF cache directory; default `<package root>/.cache/schematron`. */
  readonly cacheDir?: string;
  /** `false`: always compile, write nothing. */
  readonly useCache?: boolean;
  /** `auto` (default): the own engine when the rule set fits its XPath subset, else SaxonJS; `saxonjs`: always SaxonJS. */
  readonly engine?: RulesEngineSetting;
  /** Told when xslt3 starts and ends compiling this rule set's SEF (now or at the first handover), for progress. */
  readonly onSefCompile?: SefCompileListener;
}

/** A SEF compile of the rule file `file` starting or ending (see SefCompileEvent). */
export type SefCompileListener = (file: string, event: SefCompileEvent) => void;

export type RulesEngineSetting = 'auto' | 'saxonjs';
export const RULES_ENGINE_SETTINGS: readonly RulesEngineSetting[] = ['auto', 'saxonjs'];

/** How often each engine ran a rule set's documents in this process, and why SaxonJS last took over. */
export interface EngineStats {
  own: number;
  saxonjs: number;
  /** The last document-level fallback (a dynamic error, or a case the subset leaves to SaxonJS). */
  lastFallback?: string;
}

export interface CompiledRules {
  /** Cache key (SHA-256 over sources, generated XSLT and compiler versions). */
  readonly key: string;
  /** SHA-256 over the .sch and its includes; names the rule version in reports. */
  readonly sourceHash: string;
  /** The main rule file first, then its includes. */
  readonly sources: readonly string[];
  readonly phase: string;
  readonly title?: string;
  readonly patternCount: number;
  readonly assertCount: number;
  /** Compiler warnings (generated ids, unknown roles, ignored elements), for the caller to log. */
  readonly warnings: readonly string[];
  /**
   * Where SaxonJS's stylesheet (SEF) came from on this call; `deferred`: the own engine runs the
   * rule set, so the SEF is read or built only when SaxonJS first has to run (`saxonjs.load` then says how).
   */
  readonly origin: 'memory' | 'disk' | 'compiled' | 'deferred';
  readonly maxFindingsPerAssert: number;
  readonly timings: { readonly schToXsltMs: number; readonly xsltToSefMs?: number; readonly loadMs: number };
  /** `own`: the own XPath-subset engine runs the documents (SaxonJS only where it gives up); `saxonjs`: SaxonJS always. */
  readonly engine: RuleEngineName;
  /** Why SaxonJS runs the rule set (the construct outside the subset, or the setting). */
  readonly engineReason?: string;
  /** The own engine, when the rule set is within its subset and the setting allows it. */
  readonly own?: OwnEngine;
  /** SaxonJS: the engine of rule sets outside the subset, and the fallback of the own engine. */
  readonly saxonjs: SaxonEngine;
  readonly stats: EngineStats;
}

/** Drops the in-process SEF memo (tests use it to observe the disk cache). */
export function forgetLoadedRules(): void {
  forgetLoadedSefs();
}

/**
 * Compiles a .sch file to runnable rules: .sch → XSLT always (milliseconds); XSLT → SEF (seconds
 * on a cache miss) only when SaxonJS runs the rule set, else when SaxonJS is first needed.
 */
export async function compileSchematronFile(file: string, options: CompileRulesOptions = {}): Promise<CompiledRules> {
  const maxFindingsPerAssert = options.maxFindingsPerAssert ?? DEFAULT_MAX_FINDINGS;
  if (!Number.isInteger(maxFindingsPerAssert) || maxFindingsPerAssert < 1) {
    throw schematronError(
      'SCH_ERR_COMPILE',
      `maxFindingsPerAssert must be a positive integer, not ${maxFindingsPerAssert}.`
    );
  }
  const started = performance.now();
  const compiled = compileSchematron(file, options.phase === undefined ? {} : { phase: options.phase });
  const schToXsltMs = Math.round(performance.now() - started);

  const saxonjs = saxonEngine({
    xslt: compiled.xslt,
    sourceHash: compiled.sourceHash,
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.useCache === undefined ? {} : { useCache: options.useCache }),
    ...(options.onSefCompile === undefined
      ? {}
      : { onCompile: (e: SefCompileEvent) => options.onSefCompile?.(file, e) }),
  });
  const plan = options.engine === 'saxonjs' ? undefined : planOwn(compiled.schema);
  const engineReason = plan === undefined ? 'the setting asks for SaxonJS' : plan.ok ? undefined : plan.reason;
  const own = plan?.ok ? ownEngine(plan.plan) : undefined;
  // Only a rule set that starts on SaxonJS needs its SEF now (and its compile errors surface here).
  const load = own ? saxonjs.load : await saxonjs.prepare();

  return {
    key: saxonjs.key,
    sourceHash: compiled.sourceHash,
    sources: compiled.files.map((f) => f.path),
    phase: compiled.phase,
    ...(compiled.title === undefined ? {} : { title: compiled.title }),
    patternCount: compiled.patternCount,
    assertCount: compiled.assertCount,
    warnings: compiled.warnings,
    origin: load?.origin ?? 'deferred',
    maxFindingsPerAssert,
    timings: {
      schToXsltMs,
      ...(load?.xsltToSefMs === undefined ? {} : { xsltToSefMs: load.xsltToSefMs }),
      loadMs: load?.loadMs ?? 0,
    },
    engine: own ? 'own' : 'saxonjs',
    ...(engineReason === undefined ? {} : { engineReason }),
    ...(own ? { own } : {}),
    saxonjs,
    stats: { own: 0, saxonjs: 0 },
  };
}

/** Reads or builds SaxonJS's SEF of a rule set now (the build does, so a later fallback does not wait for xslt3). */
export async function prepareSaxonJs(compiled: CompiledRules): Promise<void> {
  await compiled.saxonjs.prepare();
}

export interface RunRulesOptions {
  /** Overrides the compiled default for this run. */
  readonly maxFindingsPerAssert?: number;
  /** `saxonjs`: run SaxonJS even when the own engine could (comparison tests, benchmarks). */
  readonly engine?: RulesEngineSetting;
}

/** One rule set's run on one document. */
export interface RulesRun {
  readonly issues: ValidationIssue[];
  /** The engine whose findings these are. */
  readonly engine: RuleEngineName;
  /** Why the own engine handed this document to SaxonJS (FallbackToSaxon's reason), when it did. */
  readonly fallback?: string;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * runRules with what the caller may log: which engine ran, and why SaxonJS took over when it did.
 * Only the own engine's declared fallback (FallbackToSaxon) hands a document to SaxonJS; any other
 * error from it is a defect, thrown as SCH_ERR_RUNTIME so the document gets a tool error.
 */
export function runRuleSet(
  compiled: CompiledRules,
  text: string,
  libxmlDoc?: XmlDocument,
  options: RunRulesOptions = {}
): RulesRun {
  // The text goes to SaxonJS's or the own engine's parser, so it passes the guard here too (the pipeline has checked it already).
  const doctype = findDoctype(text);
  if (doctype) {
    throw schematronError(
      'SCH_ERR_RUNTIME',
      `The document has a DOCTYPE declaration (line ${doctype.line}); rules run only on documents without one.`
    );
  }
  const max = options.maxFindingsPerAssert ?? compiled.maxFindingsPerAssert;
  const doc = { text, ...(libxmlDoc ? { libxml: libxmlDoc } : {}) };
  const engine: RuleEngine = (options.engine !== 'saxonjs' && compiled.own) || compiled.saxonjs;
  let fallback: string | undefined;
  if (engine.name === 'own') {
    try {
      const issues = engine.run(doc, max);
      compiled.stats.own++;
      return { issues, engine: 'own' };
    } catch (err) {
      if (!(err instanceof FallbackToSaxon)) {
        throw schematronError(
          'SCH_ERR_RUNTIME',
          `The own Schematron engine failed on the document (a defect in the engine, not a finding): ${describe(err)}`,
          err
        );
      }
      // A document the subset cannot decide exactly as SaxonJS would (a dynamic error, whose SaxonJS
      // message becomes the finding; an unusual document) is decided by SaxonJS.
      fallback = err.reason;
      compiled.stats.lastFallback = fallback;
    }
  }
  const issues = compiled.saxonjs.run(doc, max);
  compiled.stats.saxonjs++;
  return { issues, engine: 'saxonjs', ...(fallback === undefined ? {} : { fallback }) };
}

/**
 * Runs the rules on a document's text. `libxmlDoc` (a parse of the same text) gives each finding its
 * line; without it findings have paths only. Throws SCH_ERR_RUNTIME when the rules cannot run.
 */
export function runRules(
  compiled: CompiledRules,
  text: string,
  libxmlDoc?: XmlDocument,
  options: RunRulesOptions = {}
): ValidationIssue[] {
  return runRuleSet(compiled, text, libxmlDoc, options).issues;
}
