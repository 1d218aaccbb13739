// Compiles the subset's syntax trees into closures over the JS tree, once per rule set.
import { OutsideSubset } from './xpath-ast.js';
import type { Axis, Expr, NodeTest, Step } from './xpath-ast.js';
import { focus } from './xpath-context.js';
import type { Compiled, Ctx } from './xpath-context.js';
import { castable, compileBuiltin } from './xpath-functions.js';
import { Kind, XNode } from './xml-tree.js';
import {
  atomize,
  dynamicError,
  ebv,
  EMPTY,
  FALSE,
  generalCompare,
  optAtomic,
  toInteger,
  TRUE,
  Untyped,
  valueCompare,
  XDouble,
} from './xpath-values.js';
import type { Item, Seq } from './xpath-values.js';

/** A function the rule set declares itself (xsl:function), looked up by expanded name and arity. */
export type UserFunction = (args: readonly Seq[], ctx: Ctx) => Seq;

export interface Statics {
  /** Global variable name → slot in DocEnv.globals. */
  readonly globals: ReadonlyMap<string, number>;
  readonly functions: (ns: string, local: string, arity: number) => UserFunction | undefined;
}

/** Local variables in scope at one point of a rule (or function) body, and the frame size so far. */
export class Scope {
  private constructor(
    private readonly names: ReadonlyMap<string, number>,
    private readonly size: { n: number }
  ) {}

  static empty(): Scope {
    return new Scope(new Map(), { n: 0 });
  }

  /** A scope with one more variable; returns it and the variable's slot. */
  bind(name: string): [Scope, number] {
    const slot = this.size.n++;
    return [new Scope(new Map(this.names).set(name, slot), this.size), slot];
  }

  /** The same names with a frame of its own, which starts after theirs (a rule's frame under its pattern's lets). */
  child(): Scope {
    return new Scope(this.names, { n: this.size.n });
  }

  slot(name: string): number | undefined {
    return this.names.get(name);
  }

  get frameSize(): number {
    return this.size.n;
  }
}

/** Shared empty result; never written to (callers copy before changing a list). */
const NO_NODES: XNode[] = [];

// --- axes ----------------------------------------------------------------------------------------

function testFn(axis: Axis, test: NodeTest): (n: XNode) => boolean {
  if (test.t === 'kind') {
    switch (test.kind) {
      case 'node':
        return () => true;
      case 'text':
        return (n) => n.kind === Kind.Text;
      case 'comment':
        return (n) => n.kind === Kind.Comment;
      case 'element':
        return (n) => n.kind === Kind.Element;
      case 'attribute':
        return (n) => n.kind === Kind.Attribute;
    }
  }
  const principal = axis === 'attribute' ? Kind.Attribute : Kind.Element;
  const { ns, local } = test;
  if (ns !== undefined && local !== undefined) {
    return (n) => n.kind === principal && n.local === local && n.ns === ns;
  }
  if (ns !== undefined) {
    return (n) => n.kind === principal && n.ns === ns;
  }
  if (local !== undefined) {
    return (n) => n.kind === principal && n.local === local;
  }
  return (n) => n.kind === principal;
}

function descendants(n: XNode, out: XNode[], onlyElements: boolean): void {
  for (const c of onlyElements ? n.elements : n.children) {
    out.push(c);
    if (c.kind === Kind.Element) {
      descendants(c, out, onlyElements);
    }
  }
}

/** The nodes of an axis from one node, in axis order (reverse axes nearest first), filtered by the test. */
function axisFn(axis: Axis, test: NodeTest): (n: XNode) => XNode[] {
  const matches = testFn(axis, test);
  const elementsOnly = test.t === 'name' || test.kind === 'element';
  switch (axis) {
    case 'child':
      if (test.t === 'name' && test.ns !== undefined && test.local !== undefined) {
        const { ns, local } = test;
        // The hot loop of every rule: no closure per child, no list when nothing matches.
        return (n) => {
          const els = n.elements;
          let first: XNode | undefined;
          let out: XNode[] | undefined;
          for (let i = 0; i < els.length; i++) {
            const c = els[i] as XNode;
            if (c.local === local && c.ns === ns) {
              if (first === undefined) {
                first = c;
              } else {
                (out ??= [first]).push(c);
              }
            }
          }
          return out ?? first?.one() ?? NO_NODES;
        };
      }
      return elementsOnly
        ? (n) =>
            test.t === 'name' && test.ns === undefined && test.local === undefined
              ? n.elements
              : n.elements.filter(matches)
        : (n) => n.children.filter(matches);
    case 'attribute':
      if (test.t === 'name' && test.ns !== undefined && test.local !== undefined) {
        const { ns, local } = test;
        return (n) => {
          const attrs = n.attrs;
          for (let i = 0; i < attrs.length; i++) {
            const a = attrs[i] as XNode;
            if (a.local === local && a.ns === ns) {
              return a.one();
            }
          }
          return NO_NODES;
        };
      }
      return (n) => (n.attrs.length === 0 ? NO_NODES : n.attrs.filter(matches));
    case 'self':
      return (n) => (matches(n) ? n.one() : NO_NODES);
    case 'parent':
      return (n) => (n.parent && matches(n.parent) ? n.parent.one() : NO_NODES);
    case 'descendant':
    case 'descendant-or-self':
      return (n) => {
        const all: XNode[] = axis === 'descendant-or-self' ? [n] : [];
        descendants(n, all, elementsOnly);
        return all.filter(matches);
      };
    case 'ancestor':
    case 'ancestor-or-self':
      return (n) => {
        const out: XNode[] = [];
        for (let a = axis === 'ancestor' ? n.parent : n; a; a = a.parent) {
          if (matches(a)) {
            out.push(a);
          }
        }
        return out;
      };
    case 'following-sibling':
    case 'preceding-sibling':
      return (n) => {
        const p = n.parent;
        if (!p || n.kind === Kind.Attribute) {
          return [];
        }
        const sibs = p.children;
        const out: XNode[] = [];
        if (axis === 'following-sibling') {
          for (let i = n.index; i < sibs.length; i++) {
            const s = sibs[i] as XNode;
            if (matches(s)) {
              out.push(s);
            }
          }
        } else {
          for (let i = n.index - 2; i >= 0; i--) {
            const s = sibs[i] as XNode;
            if (matches(s)) {
              out.push(s);
            }
          }
        }
        return out;
      };
  }
}

function axisChild(n: XNode, ns: string, local: string): XNode[] {
  return n.elements.filter((c) => c.local === local && c.ns === ns);
}

/** Nodes into document order without duplicates; cheap when they already are. */
function docOrder(nodes: XNode[]): XNode[] {
  for (let i = 1; i < nodes.length; i++) {
    if ((nodes[i - 1] as XNode).order >= (nodes[i] as XNode).order) {
      const sorted = [...new Set(nodes)].sort((a, b) => a.order - b.order);
      return sorted;
    }
  }
  return nodes;
}

function asNode(item: Item | undefined): XNode {
  if (item === undefined) {
    return dynamicError('XPDY0002');
  }
  return item instanceof XNode ? item : dynamicError('XPTY0020');
}

// --- predicates ----------------------------------------------------------------------------------

type Pred = (items: readonly Item[], ctx: Ctx) => Item[];

/**
 * Whether a predicate always yields a boolean (never a number), so it filters without regard to
 * position: comparisons, logic, and paths whose last step is an axis step.
 */
export function isBooleanExpr(e: Expr): boolean {
  switch (e.t) {
    case 'gcmp':
    case 'vcmp':
    case 'and':
    case 'or':
    case 'quant':
    case 'castable':
      return true;
    case 'path': {
      const last = e.steps[e.steps.length - 1];
      return last === undefined || last.t === 'axis';
    }
    case 'call':
      return [
        'not',
        'exists',
        'empty',
        'boolean',
        'true',
        'false',
        'matches',
        'starts-with',
        'ends-with',
        'contains',
      ].includes(e.local);
    case 'seq':
    case 'for':
    case 'if':
    case 'range':
    case 'arith':
    case 'neg':
    case 'union':
    case 'lit':
    case 'var':
    case 'ctx':
      return false;
  }
}

function usesFocusSize(e: Expr): boolean {
  return JSON.stringify(e).includes('"local":"last"') || JSON.stringify(e).includes('"local":"position"');
}

function compilePred(e: Expr, statics: Statics, scope: Scope): Pred {
  if (e.t === 'lit' && typeof e.v === 'number') {
    const i = e.v;
    return (items) => (i >= 1 && i <= items.length ? [items[i - 1] as Item] : []);
  }
  if (e.t === 'call' && e.local === 'last' && e.args.length === 0) {
    return (items) => (items.length > 0 ? [items[items.length - 1] as Item] : []);
  }
  const f = compileExpr(e, statics, scope);
  const boolean = isBooleanExpr(e) && !usesFocusSize(e);
  return (items, ctx) => {
    const out: Item[] = [];
    const n = items.length;
    for (let i = 0; i < n; i++) {
      const item = items[i] as Item;
      const v = f(focus(ctx, item, i + 1, n));
      if (boolean) {
        // A comparison gives one boolean, a path nodes: either way the first item decides.
        if (v.length > 0 && v[0] !== false) {
          out.push(item);
        }
      } else if (v.length === 1 && (typeof v[0] === 'number' || v[0] instanceof XDouble)) {
        if ((typeof v[0] === 'number' ? v[0] : v[0].v) === i + 1) {
          out.push(item);
        }
      } else if (ebv(v)) {
        out.push(item);
      }
    }
    return out;
  };
}

function applyPreds(items: Item[], preds: readonly Pred[], ctx: Ctx): Item[] {
  let out = items;
  for (const p of preds) {
    if (out.length === 0) {
      return out;
    }
    out = p(out, ctx);
  }
  return out;
}

// --- paths ---------------------------------------------------------------------------------------

type StepFn = (input: readonly Item[], ctx: Ctx) => Item[];

function compileStep(step: Step, statics: Statics, scope: Scope): StepFn {
  const preds = step.preds.map((p) => compilePred(p, statics, scope));
  if (step.t === 'axis') {
    const axis = axisFn(step.axis, step.test);
    const reverse = step.axis === 'ancestor' || step.axis === 'ancestor-or-self' || step.axis === 'preceding-sibling';
    return (input, ctx) => {
      if (input.length === 1) {
        const found = applyPreds(axis(asNode(input[0])), preds, ctx);
        return reverse ? [...found].reverse() : found;
      }
      const out: XNode[] = [];
      for (const item of input) {
        for (const n of applyPreds(axis(asNode(item)), preds, ctx)) {
          out.push(n as XNode);
        }
      }
      return docOrder(out);
    };
  }
  const f = compileExpr(step.e, statics, scope);
  return (input, ctx) => {
    const out: Item[] = [];
    let nodes = 0;
    const n = input.length;
    for (let i = 0; i < n; i++) {
      const item = asNode(input[i]);
      for (const r of applyPreds([...f(focus(ctx, item, i + 1, n))], preds, ctx)) {
        if (r instanceof XNode) {
          nodes++;
        }
        out.push(r);
      }
    }
    if (nodes === 0) {
      return out;
    }
    if (nodes !== out.length) {
      return dynamicError('XPTY0018');
    }
    return docOrder(out as XNode[]);
  };
}

function rootOf(ctx: Ctx): XNode {
  const n = asNode(ctx.item);
  let r = n;
  while (r.parent) {
    r = r.parent;
  }
  return r.kind === Kind.Document ? r : dynamicError('XPDY0050');
}

function compilePath(e: Extract<Expr, { t: 'path' }>, statics: Statics, scope: Scope): Compiled {
  let steps = e.steps;
  let start: (ctx: Ctx) => Item[];
  const first = steps[0];
  if (
    e.root === '//' &&
    first?.t === 'axis' &&
    first.axis === 'child' &&
    first.test.t === 'name' &&
    first.preds.every((p) => isBooleanExpr(p) && !usesFocusSize(p))
  ) {
    // `//name[test]` over the element index instead of a descendant walk per evaluation.
    const { ns, local } = first.test;
    const matches = testFn('child', first.test);
    const preds = first.preds.map((p) => compilePred(p, statics, scope));
    const top = (ctx: Ctx): Item[] =>
      applyPreds(
        (ns !== undefined && local !== undefined
          ? ctx.env.elementsNamed(ns, local)
          : ctx.env.allElements().filter(matches)) as XNode[],
        preds,
        ctx
      );
    start = (ctx) => {
      rootOf(ctx);
      return top(ctx);
    };
    const second = steps[1];
    if (
      second?.t === 'axis' &&
      second.axis === 'child' &&
      second.test.t === 'name' &&
      second.test.ns !== undefined &&
      second.test.local !== undefined &&
      second.preds.every((p) => isBooleanExpr(p) && !usesFocusSize(p))
    ) {
      // `//a[test]/b`: from the b elements up to their parents when there are fewer of those
      // (`cda:*[…]/cda:name` would otherwise test every element of the document).
      const { ns: childNs, local: childLocal } = second.test;
      const childPreds = second.preds.map((p) => compilePred(p, statics, scope));
      start = (ctx) => {
        rootOf(ctx);
        const children = ctx.env.elementsNamed(childNs, childLocal);
        const parents = ns !== undefined && local !== undefined ? ctx.env.elementsNamed(ns, local).length : Infinity;
        if (children.length >= parents) {
          return applyPreds(
            docOrder(top(ctx).flatMap((n) => axisChild(n as XNode, childNs, childLocal))),
            childPreds,
            ctx
          );
        }
        const out: XNode[] = [];
        for (const c of children) {
          const p = c.parent;
          if (p && matches(p) && applyPreds(p.one(), preds, ctx).length > 0) {
            out.push(c);
          }
        }
        return applyPreds(out, childPreds, ctx);
      };
      steps = steps.slice(2);
    } else {
      steps = steps.slice(1);
    }
  } else if (e.root === '/' || e.root === '//') {
    start = (ctx) => [rootOf(ctx)];
    if (e.root === '//') {
      steps = [{ t: 'axis', axis: 'descendant-or-self', test: { t: 'kind', kind: 'node' }, preds: [] }, ...steps];
    }
  } else if (first?.t === 'expr') {
    const f = compileExpr(first.e, statics, scope);
    const preds = first.preds.map((p) => compilePred(p, statics, scope));
    start = (ctx) => applyPreds([...f(ctx)], preds, ctx);
    steps = steps.slice(1);
  } else {
    start = (ctx) => [asNode(ctx.item)];
  }
  const fns = steps.map((s) => compileStep(s, statics, scope));
  return (ctx) => {
    let items = start(ctx);
    for (const f of fns) {
      if (items.length === 0) {
        return EMPTY;
      }
      items = f(items, ctx);
    }
    return items;
  };
}

// --- expressions ---------------------------------------------------------------------------------

function integerOperand(seq: Seq): number | undefined {
  const v = optAtomic(seq);
  if (v === undefined) {
    return undefined;
  }
  if (typeof v === 'number') {
    return v;
  }
  // Untyped operands of arithmetic become doubles, which the subset does not model.
  return v instanceof Untyped ? dynamicError('own:double-arithmetic') : dynamicError('XPTY0004');
}

function arithmetic(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case 'idiv':
      return b === 0 ? dynamicError('FOAR0001') : Math.trunc(a / b);
    default:
      return b === 0 ? dynamicError('FOAR0001') : a % b;
  }
}

/** Compiles one expression. Throws OutsideSubset for what the subset does not cover. */
export function compileExpr(e: Expr, statics: Statics, scope: Scope): Compiled {
  switch (e.t) {
    case 'lit': {
      const v: Seq = [e.v];
      return () => v;
    }
    case 'ctx':
      return (ctx) => (ctx.item === undefined ? dynamicError('XPDY0002') : [ctx.item]);
    case 'var': {
      const local = scope.slot(e.name);
      if (local !== undefined) {
        return (ctx) => ctx.frame[local] ?? dynamicError('own:unset-variable');
      }
      const global = statics.globals.get(e.name);
      if (global === undefined) {
        throw new OutsideSubset(`undeclared variable $${e.name}`);
      }
      return (ctx) => ctx.env.globals[global] ?? dynamicError('own:unset-global');
    }
    case 'seq': {
      const items = e.items.map((i) => compileExpr(i, statics, scope));
      if (items.length === 1) {
        return items[0] as Compiled;
      }
      const constant = e.items.every((i) => i.t === 'lit') ? e.items.map((i) => (i as { v: string | number }).v) : null;
      if (constant) {
        return () => constant;
      }
      return (ctx) => {
        const out: Item[] = [];
        for (const f of items) {
          out.push(...f(ctx));
        }
        return out;
      };
    }
    case 'for': {
      const source = compileExpr(e.in, statics, scope);
      const [inner, slot] = scope.bind(e.v);
      const ret = compileExpr(e.ret, statics, inner);
      return (ctx) => {
        const out: Item[] = [];
        for (const item of source(ctx)) {
          ctx.frame[slot] = [item];
          out.push(...ret(ctx));
        }
        return out;
      };
    }
    case 'quant': {
      const source = compileExpr(e.in, statics, scope);
      const [inner, slot] = scope.bind(e.v);
      const sat = compileExpr(e.sat, statics, inner);
      const every = e.every;
      return (ctx) => {
        for (const item of source(ctx)) {
          ctx.frame[slot] = [item];
          if (ebv(sat(ctx)) !== every) {
            return every ? FALSE : TRUE;
          }
        }
        return every ? TRUE : FALSE;
      };
    }
    case 'if': {
      const c = compileExpr(e.c, statics, scope);
      const a = compileExpr(e.a, statics, scope);
      const b = compileExpr(e.b, statics, scope);
      return (ctx) => (ebv(c(ctx)) ? a(ctx) : b(ctx));
    }
    case 'or': {
      const l = compileExpr(e.l, statics, scope);
      const r = compileExpr(e.r, statics, scope);
      return (ctx) => (ebv(l(ctx)) || ebv(r(ctx)) ? TRUE : FALSE);
    }
    case 'and': {
      const l = compileExpr(e.l, statics, scope);
      const r = compileExpr(e.r, statics, scope);
      return (ctx) => (ebv(l(ctx)) && ebv(r(ctx)) ? TRUE : FALSE);
    }
    case 'gcmp': {
      const l = compileExpr(e.l, statics, scope);
      const r = compileExpr(e.r, statics, scope);
      const op = e.op;
      return (ctx) => (generalCompare(op, l(ctx), r(ctx)) ? TRUE : FALSE);
    }
    case 'vcmp': {
      const l = compileExpr(e.l, statics, scope);
      const r = compileExpr(e.r, statics, scope);
      const op = e.op;
      return (ctx) => valueCompare(op, l(ctx), r(ctx));
    }
    case 'range': {
      const l = compileExpr(e.l, statics, scope);
      const r = compileExpr(e.r, statics, scope);
      const bound = (seq: Seq): number | undefined => {
        const v = optAtomic(seq);
        return v === undefined ? undefined : toInteger(v);
      };
      return (ctx) => {
        const a = bound(l(ctx));
        const b = bound(r(ctx));
        if (a === undefined || b === undefined || a > b) {
          return EMPTY;
        }
        if (b - a > 100_000) {
          return dynamicError('own:long-range');
        }
        const out: number[] = [];
        for (let i = a; i <= b; i++) {
          out.push(i);
        }
        return out;
      };
    }
    case 'arith': {
      const l = compileExpr(e.l, statics, scope);
      const r = compileExpr(e.r, statics, scope);
      const op = e.op;
      return (ctx) => {
        const a = integerOperand(l(ctx));
        const b = integerOperand(r(ctx));
        if (a === undefined || b === undefined) {
          return EMPTY;
        }
        const v = arithmetic(op, a, b);
        return Number.isSafeInteger(v) ? [v] : dynamicError('own:big-integer');
      };
    }
    case 'neg': {
      const f = compileExpr(e.e, statics, scope);
      return (ctx) => {
        const v = integerOperand(f(ctx));
        return v === undefined ? EMPTY : [-v];
      };
    }
    case 'union': {
      const l = compileExpr(e.l, statics, scope);
      const r = compileExpr(e.r, statics, scope);
      return (ctx) => {
        const all = [...l(ctx), ...r(ctx)];
        if (!all.every((i) => i instanceof XNode)) {
          return dynamicError('XPTY0004');
        }
        return docOrder(all);
      };
    }
    case 'castable': {
      const f = compileExpr(e.e, statics, scope);
      const { type, optional } = e;
      return (ctx) => (castable(type, optional, f(ctx).map(atomize)) ? TRUE : FALSE);
    }
    case 'path':
      return compilePath(e, statics, scope);
    case 'call': {
      const args = e.args.map((a) => compileExpr(a, statics, scope));
      const user = statics.functions(e.ns, e.local, args.length);
      if (user) {
        return (ctx) =>
          user(
            args.map((a) => a(ctx)),
            ctx
          );
      }
      if (e.local === 'current' || e.local === 'regex-group') {
        throw new OutsideSubset(`${e.local}()`);
      }
      return compileBuiltin(e.ns, e.local, args, e.args);
    }
  }
}
