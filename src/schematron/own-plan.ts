// Compiles a resolved schema for the own engine: every context, let, test and message as closures, or the reason it cannot.
import { stylesheetNamespaces } from './compile-schematron.js';
import { mayMatchAttribute, SelectionPlan } from './context-selection.js';
import type { LetDef, MessagePart, ResolvedCheck, ResolvedSchema } from './sch-model.js';
import { OutsideSubset } from './xpath/xpath-ast.js';
import type { Expr } from './xpath/xpath-ast.js';
import { compileExpr, Scope } from './xpath/xpath-compile.js';
import type { Statics } from './xpath/xpath-compile.js';
import type { Compiled } from './xpath/xpath-context.js';
import { parseXPath } from './xpath/xpath-parser.js';
import type { Namespaces } from './xpath/xpath-parser.js';
import { compileXslFunctions, sequenceType } from './xpath/xsl-functions.js';
import { XSL_NS } from './sch-source.js';
import { Kind, XNode } from './xpath/xml-tree.js';

/** A message: its text with value-of and name parts evaluated, as one string. */
export type MessageFn = Compiled;

export interface CheckPlan {
  readonly kind: 'assert' | 'report';
  /** The capping key, as the stylesheet's `p1r2a3`. */
  readonly key: string;
  readonly ruleId: string;
  readonly test: Compiled;
  readonly testText: string;
  readonly role?: string;
  readonly flag?: string;
  readonly see?: string;
  readonly subject?: Compiled;
  readonly message: MessageFn;
  readonly diagnostics: readonly MessageFn[];
}

export interface LetPlan {
  readonly slot: number;
  readonly value: Compiled;
}

export interface RulePlan {
  /** The nodes the context matches, evaluated once per document from the document node. */
  readonly select: Compiled;
  readonly selectFrame: number;
  readonly lets: readonly LetPlan[];
  readonly checks: readonly CheckPlan[];
  readonly frameSize: number;
}

export interface PatternPlan {
  readonly lets: readonly LetPlan[];
  readonly letFrame: number;
  readonly rules: readonly RulePlan[];
  /** What SaxonJS visits when a context is not a plain path: elements (and attributes) only. */
  readonly visits: 'selection' | 'elements' | 'nodes';
}

export interface OwnPlan {
  readonly globals: readonly { readonly value: Compiled; readonly frame: number }[];
  readonly patterns: readonly PatternPlan[];
}

export type PlanResult =
  { readonly ok: true; readonly plan: OwnPlan } | { readonly ok: false; readonly reason: string };

/**
 * Text a let given as content holds, when that content is text and xsl:text only: the variable is
 * then a document node with that one text node, as XSLT builds a temporary tree. Undefined for
 * any other content.
 */
function letText(l: LetDef): string | undefined {
  let out = '';
  for (const c of l.content ?? []) {
    if (c.kind === 'text') {
      out += c.value;
    } else if (c.ns === XSL_NS && c.local === 'text') {
      for (const t of c.children) {
        if (t.kind !== 'text') {
          return undefined;
        }
        out += t.value;
      }
    } else {
      return undefined;
    }
  }
  return out;
}

/** A document node holding one text node (none for empty text), new per evaluation as XSLT's are. */
function temporaryTree(text: string): XNode {
  const doc = new XNode(Kind.Document, '', '', '', '');
  if (text !== '') {
    const t = new XNode(Kind.Text, '', '', '', text);
    t.parent = doc;
    t.index = 1;
    doc.children = [t];
  }
  return doc;
}

class PlanCompiler {
  private readonly namespaces: Namespaces;
  private readonly globalSlots = new Map<string, number>();
  private statics: Statics;

  constructor(private readonly schema: ResolvedSchema) {
    this.namespaces = stylesheetNamespaces(schema);
    this.statics = { globals: this.globalSlots, functions: () => undefined };
  }

  private parse(text: string, what: string): Expr {
    try {
      return parseXPath(text, this.namespaces);
    } catch (err) {
      if (err instanceof OutsideSubset) {
        throw new OutsideSubset(`${what}: ${err.message}`);
      }
      throw err;
    }
  }

  private xpath(text: string, scope: Scope, what: string): Compiled {
    try {
      return compileExpr(this.parse(text, what), this.statics, scope);
    } catch (err) {
      if (err instanceof OutsideSubset && !err.message.startsWith(what)) {
        throw new OutsideSubset(`${what}: ${err.message}`);
      }
      throw err;
    }
  }

  /** A let's value: its XPath converted to its declared type, or the temporary tree of its text content. */
  private let(l: LetDef, scope: Scope, what: string): Compiled {
    if (l.value === undefined) {
      const text = letText(l);
      if (text === undefined || l.as !== undefined) {
        throw new OutsideSubset(`${what}: element content (${l.where})`);
      }
      return () => [temporaryTree(text)];
    }
    const value = this.xpath(l.value, scope, what);
    if (l.as === undefined) {
      return value;
    }
    let convert: ReturnType<typeof sequenceType>;
    try {
      convert = sequenceType(l.as);
    } catch (err) {
      throw err instanceof OutsideSubset ? new OutsideSubset(`${what}: ${err.message}`) : err;
    }
    return (ctx) => convert(value(ctx));
  }

  /** A rule context as the selection `//context` (or the absolute path itself), branch by branch. */
  private context(text: string, scope: Scope, what: string): Compiled {
    const root = this.parse(text, what);
    const branches: Expr[] = [];
    const collect = (e: Expr): void => {
      if (e.t === 'union') {
        collect(e.l);
        collect(e.r);
      } else if (e.t === 'path' && e.root === 'none') {
        branches.push({ t: 'path', root: '//', steps: e.steps });
      } else if (e.t === 'path') {
        branches.push(e);
      } else {
        throw new OutsideSubset(`${what}: a context that is not a path`);
      }
    };
    collect(root);
    const expr = branches.reduce<Expr | undefined>((l, r) => (l ? { t: 'union', l, r } : r), undefined);
    if (!expr) {
      throw new OutsideSubset(`${what}: empty context`);
    }
    return compileExpr(expr, this.statics, scope);
  }

  private message(parts: readonly MessagePart[], scope: Scope, what: string): MessageFn {
    const fns: Compiled[] = parts.map((p) => {
      if (p.t === 'text') {
        const v = [p.text];
        return () => v;
      }
      if (p.t === 'value-of') {
        // xsl:value-of: each item's string value, joined with spaces.
        return this.xpath(`string-join((${p.select}), ' ')`, scope, what);
      }
      return this.xpath(p.path === undefined ? 'name(.)' : `name((${p.path})[1])`, scope, what);
    });
    return (ctx) => {
      let out = '';
      for (const f of fns) {
        out += f(ctx)[0] as string;
      }
      return [out];
    };
  }

  compile(): OwnPlan {
    const globals: { value: Compiled; frame: number }[] = [];
    for (const l of this.schema.globalLets) {
      // Compiled before its own name is bound: a global may use only the ones declared before it.
      const scope = Scope.empty();
      const value = this.let(l, scope, `let ${l.name}`);
      this.globalSlots.set(l.name, globals.length);
      globals.push({ value, frame: scope.frameSize });
    }
    this.statics = {
      globals: this.globalSlots,
      functions: compileXslFunctions(this.schema.foreign, this.namespaces, this.globalSlots),
    };
    const plan = new SelectionPlan();
    const patterns = this.schema.patterns.map((p, pi): PatternPlan => {
      let scope = Scope.empty();
      const lets: LetPlan[] = [];
      for (const l of p.lets) {
        const value = this.let(l, scope, `pattern ${p.id} let ${l.name}`);
        let slot: number;
        [scope, slot] = scope.bind(l.name);
        lets.push({ slot, value });
      }
      const patternScope = scope;
      const selection = plan.pattern(p.rules.map((r) => r.context));
      const rules = p.rules.map((r, ri): RulePlan => {
        const contextScope = Scope.empty();
        const select = this.context(r.context, contextScope, `pattern ${p.id} rule ${ri + 1} context`);
        let s = patternScope.child();
        const ruleLets: LetPlan[] = [];
        for (const l of r.lets) {
          const value = this.let(l, s, `rule ${r.context} let ${l.name}`);
          let slot: number;
          [s, slot] = s.bind(l.name);
          ruleLets.push({ slot, value });
        }
        const checks = r.checks.map((c, ci) => this.check(c, `p${pi + 1}r${ri + 1}a${ci + 1}`, s));
        return { select, selectFrame: contextScope.frameSize, lets: ruleLets, checks, frameSize: s.frameSize };
      });
      const visits =
        selection !== null ? 'selection' : p.rules.some((r) => mayMatchAttribute(r.context)) ? 'nodes' : 'elements';
      return { lets, letFrame: patternScope.frameSize, rules, visits };
    });
    return { globals, patterns };
  }

  private check(c: ResolvedCheck, key: string, scope: Scope): CheckPlan {
    const what = `${c.kind} ${c.ruleId}`;
    return {
      kind: c.kind,
      key,
      ruleId: c.ruleId,
      test: this.xpath(c.test, scope, what),
      testText: c.test,
      ...(c.role === undefined ? {} : { role: c.role }),
      ...(c.flag === undefined ? {} : { flag: c.flag }),
      ...(c.see === undefined ? {} : { see: c.see }),
      ...(c.subject === undefined ? {} : { subject: this.xpath(c.subject, scope, `${what} subject`) }),
      message: this.message(c.message, scope, what),
      diagnostics: c.diagnostics.map((d) =>
        this.message(this.schema.diagnostics.get(d)?.message ?? [], scope, `${what} diagnostic ${d}`)
      ),
    };
  }
}

/** Compiles a schema for the own engine, or says which construct sends it to SaxonJS. */
export function planOwn(schema: ResolvedSchema): PlanResult {
  try {
    return { ok: true, plan: new PlanCompiler(schema).compile() };
  } catch (err) {
    if (err instanceof OutsideSubset) {
      return { ok: false, reason: err.message };
    }
    throw err;
  }
}
