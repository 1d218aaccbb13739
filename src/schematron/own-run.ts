// Runs an own-engine plan on one document: the same findings, in the same order, as the SaxonJS stylesheet's SVRL read by svrlToIssues.
import type { XmlDocument } from 'libxml2-wasm';
import type { Severity, ValidationIssue } from '../core/report.js';
import { CAPPED_FLAG, EVALUATION_ERROR_FLAG } from './compile-schematron.js';
import type { CheckPlan, OwnPlan, PatternPlan } from './own-plan.js';
import type { RuleEngine } from './rule-engine.js';
import { lineOf, severityOf } from './run-schematron.js';
import { locationPath } from './xpath/node-location.js';
import { DocEnv } from './xpath/xpath-context.js';
import type { Ctx } from './xpath/xpath-context.js';
import { buildTree, Kind, XNode } from './xpath/xml-tree.js';
import { dynamicError, ebv } from './xpath/xpath-values.js';
import type { Seq } from './xpath/xpath-values.js';

interface Hit {
  readonly check: CheckPlan;
  readonly node: XNode;
  readonly text: string;
  readonly diagnostics: readonly string[];
}

function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function frameOf(size: number): (Seq | undefined)[] {
  return new Array<Seq | undefined>(size);
}

/** The nodes each rule of a pattern fires on, first matching rule winning, in document order. */
function entries(p: PatternPlan, env: DocEnv): [XNode, number][] {
  const visitable =
    p.visits === 'selection'
      ? null
      : (n: XNode): boolean =>
          n.kind === Kind.Element || n.kind === Kind.Document || (p.visits === 'nodes' && n.kind === Kind.Attribute);
  const select = (ri: number): XNode[] => {
    const rule = p.rules[ri];
    if (!rule) {
      return [];
    }
    // Position and size are those of no walk: a context predicate sees only its own step's.
    const nodes = rule.select({ item: env.root, pos: 1, size: 1, frame: frameOf(rule.selectFrame), env }) as XNode[];
    return visitable ? nodes.filter(visitable) : nodes;
  };
  if (p.rules.length === 1) {
    return select(0).map((n) => [n, 0]);
  }
  const claimed = new Set<XNode>();
  const out: [XNode, number][] = [];
  p.rules.forEach((_, ri) => {
    for (const n of select(ri)) {
      if (!claimed.has(n)) {
        claimed.add(n);
        out.push([n, ri]);
      }
    }
  });
  return out.sort((a, b) => a[0].order - b[0].order);
}

function subjectOf(check: CheckPlan, ctx: Ctx, node: XNode): XNode {
  if (!check.subject) {
    return node;
  }
  for (const item of check.subject(ctx)) {
    if (item instanceof XNode) {
      return item;
    }
  }
  return node;
}

function patternHits(p: PatternPlan, env: DocEnv): Hit[] {
  const patternFrame = frameOf(p.letFrame);
  const docCtx: Ctx = { item: env.root, pos: 0, size: 0, frame: patternFrame, env };
  for (const l of p.lets) {
    patternFrame[l.slot] = l.value(docCtx);
  }
  const hits: Hit[] = [];
  for (const [node, ri] of entries(p, env)) {
    const rule = p.rules[ri];
    if (!rule) {
      continue;
    }
    const frame = frameOf(rule.frameSize);
    for (let i = 0; i < p.letFrame; i++) {
      frame[i] = patternFrame[i];
    }
    // pos 0: position() and last() of the walk itself are SaxonJS's to answer (see xpath-functions).
    const ctx: Ctx = { item: node, pos: 0, size: 0, frame, env };
    for (const l of rule.lets) {
      frame[l.slot] = l.value(ctx);
    }
    for (const check of rule.checks) {
      const holds = ebv(check.test(ctx));
      if (holds === (check.kind === 'report')) {
        hits.push({
          check,
          node: subjectOf(check, ctx, node),
          text: check.message(ctx)[0] as string,
          diagnostics: check.diagnostics.map((d) => d(ctx)[0] as string),
        });
      }
    }
  }
  return hits;
}

/** xs:double as xsl:value-of writes it, for the counts in a capped notice. */
function doubleText(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e6 ? String(n) : dynamicError('own:double-format');
}

function finding(hit: Hit, doc: XmlDocument | undefined): ValidationIssue {
  const { check } = hit;
  const location = locationPath(hit.node);
  const text = normalize(hit.text);
  const diagnostics = hit.diagnostics.map(normalize).filter((d) => d !== '');
  const message = diagnostics.length > 0 ? `${text} (${diagnostics.join('; ')})` : text;
  const severity: Severity =
    check.flag === EVALUATION_ERROR_FLAG
      ? 'error'
      : check.flag === CAPPED_FLAG
        ? 'info'
        : severityOf(check.role, check.kind, check.flag);
  const line = doc && location !== '/' ? lineOf(doc, location) : undefined;
  return {
    ruleId: check.ruleId,
    severity,
    message,
    stage: 'schematron',
    ...(line !== undefined ? { line } : {}),
    ...(location !== '/' ? { xpath: location } : {}),
    test: check.testText,
    ...(check.see !== undefined ? { see: check.see } : {}),
  };
}

/** Injection points for tests only: production code never passes them. */
export interface OwnTestHooks {
  /** Called once the document's tree is built, inside the engine's run (tests throw from it to stand in for a defect). */
  readonly afterTree?: () => void;
}

/**
 * Runs the plan on the document text. Throws FallbackToSaxon (NeedsSaxon, TreeUnsupported) when the
 * document needs something the subset leaves to SaxonJS; the caller then runs SaxonJS instead.
 */
export function runOwn(
  plan: OwnPlan,
  text: string,
  doc: XmlDocument | undefined,
  max: number,
  testHooks?: OwnTestHooks
): ValidationIssue[] {
  const env = new DocEnv(buildTree(text));
  testHooks?.afterTree?.();
  plan.globals.forEach((g, i) => {
    env.globals[i] = g.value({ item: env.root, pos: 0, size: 0, frame: frameOf(g.frame), env });
  });
  const issues: ValidationIssue[] = [];
  for (const p of plan.patterns) {
    const counts = new Map<string, number>();
    const first = new Map<string, Hit>();
    for (const hit of patternHits(p, env)) {
      const key = hit.check.key;
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n === 1) {
        first.set(key, hit);
      }
      if (n <= max) {
        issues.push(finding(hit, doc));
      }
    }
    for (const key of [...counts.keys()].sort()) {
      const n = counts.get(key) ?? 0;
      const hit = first.get(key);
      if (n > max && hit) {
        issues.push({
          ruleId: hit.check.ruleId,
          severity: 'info',
          message: `${doubleText(n - max)} more finding(s) of ${hit.check.ruleId} not listed (limit ${doubleText(max)} per assert; ${n} in all).`,
          stage: 'schematron',
          test: hit.check.testText,
        });
      }
    }
  }
  return issues;
}

/** The own engine behind the RuleEngine seam; `plan` is kept for tests that build a variant of it. */
export interface OwnEngine extends RuleEngine {
  readonly name: 'own';
  readonly plan: OwnPlan;
}

export function ownEngine(plan: OwnPlan, testHooks?: OwnTestHooks): OwnEngine {
  return {
    name: 'own',
    plan,
    run: (doc, max) => runOwn(plan, doc.text, doc.libxml, max, testHooks),
  };
}
