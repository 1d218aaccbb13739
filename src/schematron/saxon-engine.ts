// The SaxonJS engine behind the RuleEngine seam: the generated XSLT compiled to a SEF only when first needed, then run by SaxonJS.
import { performance } from 'node:perf_hooks';
import { schematronError } from './errors.js';
import type { RuleEngine } from './rule-engine.js';
import { svrlToIssues, transformToSvrl } from './run-schematron.js';
import { obtainSef, obtainSefSync, sefCacheKey } from './sef-cache.js';
import type { SefRequest, SefResult } from './sef-cache.js';

/** Parsed SEFs by cache key: each process (or worker thread) parses a stylesheet once. */
const loaded = new Map<string, unknown>();

/** Drops the in-process SEF memo (tests use it to observe the disk cache). */
export function forgetLoadedSefs(): void {
  loaded.clear();
}

/** How the engine got its SEF. */
export interface SefLoad {
  readonly origin: 'memory' | 'disk' | 'compiled';
  /** xslt3's compile time, when it compiled. */
  readonly xsltToSefMs?: number;
  /** Reading and parsing, without the compile. */
  readonly loadMs: number;
}

export interface SaxonEngine extends RuleEngine {
  readonly name: 'saxonjs';
  /** The SEF cache key (sources, generated XSLT, compiler versions). */
  readonly key: string;
  /** How the SEF was got; undefined while nothing has needed it. */
  readonly load: SefLoad | undefined;
  /** Gets the SEF now without blocking the thread (a rule set that starts on SaxonJS; the build). */
  prepare(): Promise<SefLoad>;
}

/**
 * SaxonJS for one rule set. The SEF is not built here: `prepare()` builds it ahead, otherwise the
 * first `run` does (synchronously: a document the own engine handed over cannot wait).
 */
export function saxonEngine(request: SefRequest): SaxonEngine {
  const key = sefCacheKey(request.xslt, request.sourceHash);
  const memo = request.useCache !== false;
  let stylesheet: unknown = memo ? loaded.get(key) : undefined;
  let load: SefLoad | undefined = stylesheet === undefined ? undefined : { origin: 'memory', loadMs: 0 };
  let pending: Promise<SefLoad> | undefined;

  const adopt = (sef: SefResult, started: number): SefLoad => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(sef.sefText) as unknown;
    } catch (err) {
      throw schematronError('SCH_ERR_COMPILE', `The SEF ${sef.file ?? ''} is not JSON; delete it to rebuild.`, err);
    }
    if (memo) {
      loaded.set(key, parsed);
    }
    stylesheet = parsed;
    const loadMs = Math.max(0, Math.round(performance.now() - started - (sef.compileMs ?? 0)));
    load = { origin: sef.origin, loadMs, ...(sef.compileMs === undefined ? {} : { xsltToSefMs: sef.compileMs }) };
    return load;
  };
  /** Another rule set with the same key may have loaded the SEF since this one was compiled. */
  const fromMemo = (): boolean => {
    const hit = memo ? loaded.get(key) : undefined;
    if (hit !== undefined) {
      stylesheet = hit;
      load = { origin: 'memory', loadMs: 0 };
    }
    return hit !== undefined;
  };

  return {
    name: 'saxonjs',
    key,
    get load() {
      return load;
    },
    prepare() {
      if (load || fromMemo()) {
        return Promise.resolve(load as SefLoad);
      }
      pending ??= (async () => {
        const started = performance.now();
        return adopt(await obtainSef(request), started);
      })();
      return pending;
    },
    run(doc, max) {
      if (stylesheet === undefined && !fromMemo()) {
        const started = performance.now();
        adopt(obtainSefSync(request), started);
      }
      return svrlToIssues(transformToSvrl(stylesheet, doc.text, max), doc.libxml);
    },
  };
}
