// Which Schematron rule sets run on a document: the project's set for its profile plus any the user names, each compiled once.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../core/package-info.js';
import { compileSchematronFile } from '../schematron/index.js';
import type { CompiledRules, RulesEngineSetting, SefCompileListener } from '../schematron/index.js';
import type { ProfileId } from '../core/report.js';
import { PROFILE_IDS } from '../core/report.js';

export const BUILTIN_RULES_DIR = path.join(PACKAGE_ROOT, 'schematron');

export interface RuleSetOptions {
  /** Run the project's rules for the document's profile (`schematron/<profile>.sch`); default true. */
  readonly builtinRules?: boolean;
  /** The user's own `.sch` files, run on every document after the built-in set. */
  readonly schematron?: readonly string[];
  /** SEF cache directory (default `.cache/schematron` in the package). */
  readonly rulesCacheDir?: string;
  /** `auto` (default): the own engine for rule sets within its XPath subset; `saxonjs`: SaxonJS for all. */
  readonly schematronEngine?: RulesEngineSetting;
  /** Progress of SaxonJS compiles (seconds to a minute for a large rule file); never sent to a worker thread. */
  readonly onSefCompile?: SefCompileListener;
}

/** The project's rule file for a profile, when the project has one. */
export function builtinRuleFile(profile: ProfileId): string | undefined {
  const file = path.join(BUILTIN_RULES_DIR, `${profile}.sch`);
  return existsSync(file) ? file : undefined;
}

/** How reports name a rule file: relative to the package when built in, else its absolute path. */
export function ruleFileName(file: string): string {
  const abs = path.resolve(file);
  return abs.startsWith(BUILTIN_RULES_DIR + path.sep) ? path.relative(PACKAGE_ROOT, abs) : abs;
}

export interface RuleSets {
  /** The rule sets to run for a profile (null: unknown profile), in order; compiled on first use. */
  forProfile(profile: ProfileId | null): Promise<readonly CompiledRules[]>;
  /** Compiles every rule set that can be needed, so errors surface before any document is read. */
  prepare(): Promise<void>;
  /** Rule file (relative to the package when built in) → short content hash, for reports. */
  versions(): Record<string, string>;
  /** Rule file → the engine that runs it: `own`, or `saxonjs: <why>`. */
  engines(): Record<string, string>;
  /** Rule file → its compiler notes (ignored elements, generated ids, XPath 1.0 binding), for files that have any. */
  notes(): Record<string, readonly string[]>;
}

export function createRuleSets(options: RuleSetOptions = {}): RuleSets {
  const compiled = new Map<string, Promise<CompiledRules>>();
  const versions: Record<string, string> = {};
  const engines: Record<string, string> = {};
  const notes: Record<string, readonly string[]> = {};
  const compile = (file: string): Promise<CompiledRules> => {
    const abs = path.resolve(file);
    let rules = compiled.get(abs);
    if (!rules) {
      rules = compileSchematronFile(abs, {
        ...(options.rulesCacheDir ? { cacheDir: options.rulesCacheDir } : {}),
        ...(options.schematronEngine ? { engine: options.schematronEngine } : {}),
        ...(options.onSefCompile ? { onSefCompile: options.onSefCompile } : {}),
      }).then((r) => {
        const name = ruleFileName(abs);
        versions[name] = r.sourceHash.slice(0, 12);
        engines[name] = r.engine === 'own' ? 'own' : `saxonjs: ${r.engineReason ?? ''}`;
        if (r.warnings.length > 0) {
          notes[name] = r.warnings;
        }
        return r;
      });
      compiled.set(abs, rules);
    }
    return rules;
  };
  const filesFor = (profile: ProfileId | null): string[] => {
    const builtin = options.builtinRules !== false && profile ? builtinRuleFile(profile) : undefined;
    return [...(builtin ? [builtin] : []), ...(options.schematron ?? [])];
  };
  return {
    forProfile: (profile) => Promise.all(filesFor(profile).map(compile)),
    async prepare() {
      const files = new Set(PROFILE_IDS.flatMap((p) => filesFor(p)).concat(options.schematron ?? []));
      await Promise.all([...files].map(compile));
    },
    versions: () => ({ ...versions }),
    engines: () => ({ ...engines }),
    notes: () => ({ ...notes }),
  };
}
