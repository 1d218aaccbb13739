// The built-in functions of the subset (fn:* and xs:* constructors), each with XPath's argument conversions and errors.
import { OutsideSubset, XS_NS, FN_NS } from './xpath-ast.js';
import type { AtomicType, Expr } from './xpath-ast.js';
import type { Compiled, Ctx } from './xpath-context.js';
import { checkDotInput, replaceAll, runtimeRegex, tokenizeWith, translateRegex } from './xpath-regex.js';
import type { Regex } from './xpath-regex.js';
import {
  atomize,
  distinctKey,
  dynamicError,
  ebv,
  NeedsSaxon,
  EMPTY,
  FALSE,
  optAtomic,
  optString,
  parseTime,
  stringOf,
  collapse,
  toInteger,
  toNumber,
  TRUE,
  Untyped,
  XDouble,
} from './xpath-values.js';
import type { Item, Seq } from './xpath-values.js';
import { XNode } from './xml-tree.js';

function contextItem(ctx: Ctx): Item {
  return ctx.item ?? dynamicError('XPDY0002');
}

function contextNode(ctx: Ctx): XNode {
  const item = contextItem(ctx);
  return item instanceof XNode ? item : dynamicError('XPTY0004');
}

function optNode(seq: Seq): XNode | undefined {
  if (seq.length === 0) {
    return undefined;
  }
  const item = seq[0];
  if (seq.length > 1 || !(item instanceof XNode)) {
    return dynamicError('XPTY0004');
  }
  return item;
}

function one(s: string): Seq {
  return [s];
}

/** fn:string on an `item()?` argument. */
function stringArg(seq: Seq): string {
  if (seq.length > 1) {
    return dynamicError('XPTY0004');
  }
  return seq.length === 0 ? '' : stringOf(seq[0] as Item);
}

const XML_SPACE_RUNS = /[ \t\r\n]+/g;

function normalizeSpace(s: string): string {
  return s.replace(XML_SPACE_RUNS, ' ').replace(/^ | $/g, '');
}

function hasSurrogates(s: string): boolean {
  return /[\uD800-\uDFFF]/.test(s);
}

/** An argument typed xs:double where the subset holds only integers: integers pass, anything else goes to SaxonJS. */
function integerArg(seq: Seq): number {
  const v = optAtomic(seq);
  if (typeof v !== 'number') {
    return dynamicError(v === undefined ? 'XPTY0004' : 'own:double-argument');
  }
  return v;
}

function substring(s: string, start: number, length?: number): string {
  const chars = hasSurrogates(s) ? Array.from(s) : undefined;
  const n = chars ? chars.length : s.length;
  const from = Math.max(start, 1);
  const to = length === undefined ? n + 1 : Math.min(start + length, n + 1);
  if (to <= from) {
    return '';
  }
  return chars ? chars.slice(from - 1, to - 1).join('') : s.slice(from - 1, to - 1);
}

/** format-number for an integer and a picture of digits only (`00`, `#0`), the one form the rule sets use. */
function formatNumber(value: number, picture: string): string {
  if (!/^#*0+$/.test(picture)) {
    return dynamicError('own:format-number-picture');
  }
  const min = picture.replace(/#/g, '').length;
  const digits = String(Math.abs(value)).padStart(min, '0');
  return value < 0 ? `-${digits}` : digits;
}

function castAs(type: AtomicType, seq: Seq): Seq {
  const v = optAtomic(seq);
  if (v === undefined) {
    return EMPTY;
  }
  switch (type) {
    case 'decimal':
      return dynamicError('own:decimal');
    case 'string':
      return [stringOf(v)];
    case 'integer':
      return [toInteger(v)];
    case 'boolean': {
      if (typeof v === 'boolean') {
        return [v];
      }
      if (typeof v === 'number') {
        return [v !== 0];
      }
      if (v instanceof XDouble) {
        return [v.v !== 0 && !Number.isNaN(v.v)];
      }
      const t = stringOf(v).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      if (t === 'true' || t === '1') {
        return TRUE;
      }
      if (t === 'false' || t === '0') {
        return FALSE;
      }
      return dynamicError('FORG0001');
    }
    case 'date':
    case 'dateTime': {
      if (typeof v !== 'string' && !(v instanceof Untyped)) {
        return dynamicError('own:time-cast');
      }
      return [parseTime(type, stringOf(v)) ?? dynamicError('FORG0001')];
    }
  }
}

const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

/** Whether `castable as` holds for one value (the subset's types only). */
export function castable(type: AtomicType, optional: boolean, seq: Seq): boolean {
  if (seq.length === 0) {
    return optional;
  }
  if (seq.length > 1) {
    return false;
  }
  const v = atomize(seq[0] as Item);
  if (type === 'string') {
    return true;
  }
  if (type === 'decimal') {
    if (typeof v === 'number') {
      return true;
    }
    if (v instanceof XDouble) {
      return Number.isFinite(v.v);
    }
    return (typeof v === 'string' || v instanceof Untyped) && DECIMAL.test(collapse(stringOf(v)));
  }
  if (type === 'date' || type === 'dateTime') {
    if (typeof v !== 'string' && !(v instanceof Untyped)) {
      return dynamicError('own:time-cast');
    }
    return parseTime(type, stringOf(v)) !== null;
  }
  try {
    castAs(type, [v]);
    return true;
  } catch (err) {
    // A case the subset leaves to SaxonJS stays that; only a real cast error means "not castable".
    if (err instanceof NeedsSaxon && err.code.startsWith('own:')) {
      throw err;
    }
    return false;
  }
}

/** A pattern argument: translated once when it is a literal, else per distinct value at run time. */
function regexArg(ast: Expr | undefined, compiled: Compiled | undefined): (ctx: Ctx) => Regex {
  if (ast?.t === 'lit' && typeof ast.v === 'string') {
    const r = translateRegex(ast.v);
    if (!r.ok) {
      throw new OutsideSubset(r.why);
    }
    return () => r;
  }
  if (!compiled) {
    throw new OutsideSubset('regex without a pattern');
  }
  return (ctx) => runtimeRegex(optString(compiled(ctx)));
}

type Impl = (args: readonly Compiled[], ast: readonly Expr[]) => Compiled;

function fixed(arities: readonly number[], f: (ctx: Ctx, a: readonly Compiled[]) => Seq): Impl {
  return (args) => {
    if (!arities.includes(args.length)) {
      throw new OutsideSubset(`arity ${args.length}`);
    }
    return (ctx) => f(ctx, args);
  };
}

function arg(a: readonly Compiled[], i: number, ctx: Ctx): Seq {
  const f = a[i];
  return f ? f(ctx) : EMPTY;
}

const FN: Readonly<Record<string, Impl>> = {
  count: fixed([1], (c, a) => [arg(a, 0, c).length]),
  exists: fixed([1], (c, a) => (arg(a, 0, c).length > 0 ? TRUE : FALSE)),
  empty: fixed([1], (c, a) => (arg(a, 0, c).length === 0 ? TRUE : FALSE)),
  not: fixed([1], (c, a) => (ebv(arg(a, 0, c)) ? FALSE : TRUE)),
  boolean: fixed([1], (c, a) => (ebv(arg(a, 0, c)) ? TRUE : FALSE)),
  true: fixed([0], () => TRUE),
  false: fixed([0], () => FALSE),
  string: fixed([0, 1], (c, a) => one(a.length === 0 ? stringOf(contextItem(c)) : stringArg(arg(a, 0, c)))),
  data: fixed([1], (c, a) => arg(a, 0, c).map(atomize)),
  number: fixed([0, 1], (c, a) => [toNumber(a.length === 0 ? atomize(contextItem(c)) : optAtomic(arg(a, 0, c)))]),
  'normalize-space': fixed([0, 1], (c, a) =>
    one(normalizeSpace(a.length === 0 ? stringOf(contextItem(c)) : optString(arg(a, 0, c))))
  ),
  'string-length': fixed([0, 1], (c, a) => {
    const s = a.length === 0 ? stringOf(contextItem(c)) : optString(arg(a, 0, c));
    return [hasSurrogates(s) ? Array.from(s).length : s.length];
  }),
  'lower-case': fixed([1], (c, a) => one(optString(arg(a, 0, c)).toLowerCase())),
  'upper-case': fixed([1], (c, a) => one(optString(arg(a, 0, c)).toUpperCase())),
  'starts-with': fixed([2], (c, a) => (optString(arg(a, 0, c)).startsWith(optString(arg(a, 1, c))) ? TRUE : FALSE)),
  'ends-with': fixed([2], (c, a) => (optString(arg(a, 0, c)).endsWith(optString(arg(a, 1, c))) ? TRUE : FALSE)),
  contains: fixed([2], (c, a) => (optString(arg(a, 0, c)).includes(optString(arg(a, 1, c))) ? TRUE : FALSE)),
  concat: (args) => {
    if (args.length < 2) {
      throw new OutsideSubset('concat arity');
    }
    return (ctx) => {
      let out = '';
      for (const f of args) {
        const v = optAtomic(f(ctx));
        out += v === undefined ? '' : stringOf(v);
      }
      return [out];
    };
  },
  'string-join': fixed([1, 2], (c, a) => {
    const sep = a.length > 1 ? optString(arg(a, 1, c)) : '';
    return one(
      arg(a, 0, c)
        .map((i) => stringOf(atomize(i)))
        .join(sep)
    );
  }),
  substring: fixed([2, 3], (c, a) => {
    const s = optString(arg(a, 0, c));
    const start = integerArg(arg(a, 1, c));
    return one(substring(s, start, a.length > 2 ? integerArg(arg(a, 2, c)) : undefined));
  }),
  'distinct-values': fixed([1], (c, a) => {
    const seen = new Set<string>();
    const out: Item[] = [];
    for (const item of arg(a, 0, c)) {
      const v = atomize(item);
      const key = distinctKey(v);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(v);
      }
    }
    return out;
  }),
  name: fixed([0, 1], (c, a) => {
    const n = a.length === 0 ? contextNode(c) : optNode(arg(a, 0, c));
    return one(n === undefined ? '' : n.qname());
  }),
  'local-name': fixed([0, 1], (c, a) => {
    const n = a.length === 0 ? contextNode(c) : optNode(arg(a, 0, c));
    return one(n === undefined ? '' : n.local);
  }),
  'namespace-uri': fixed([0, 1], (c, a) => {
    const n = a.length === 0 ? contextNode(c) : optNode(arg(a, 0, c));
    return one(n === undefined ? '' : n.ns);
  }),
  // Outside a predicate the focus is the rule's walk, whose positions depend on how SaxonJS walks: left to it.
  position: fixed([0], (c) => (c.pos === 0 ? dynamicError('own:walk-position') : [c.pos])),
  last: fixed([0], (c) => (c.pos === 0 ? dynamicError('own:walk-position') : [c.size])),
  'format-number': fixed([2], (c, a) => {
    const v = optAtomic(arg(a, 0, c));
    if (typeof v !== 'number') {
      return dynamicError('own:format-number-value');
    }
    return one(formatNumber(v, optString(arg(a, 1, c))));
  }),
  matches: (args, ast) => {
    if (args.length !== 2) {
      throw new OutsideSubset('matches with flags');
    }
    const input = args[0];
    const regex = regexArg(ast[1], args[1]);
    return (ctx) => {
      const s = optString(input ? input(ctx) : EMPTY);
      const { re, dot } = regex(ctx);
      checkDotInput(s, dot);
      return re.test(s) ? TRUE : FALSE;
    };
  },
  replace: (args, ast) => {
    if (args.length !== 3) {
      throw new OutsideSubset('replace with flags');
    }
    const [input, , replacement] = args;
    const regex = regexArg(ast[1], args[1]);
    return (ctx) => {
      const s = optString(input ? input(ctx) : EMPTY);
      const r = regex(ctx);
      checkDotInput(s, r.dot);
      return [replaceAll(s, r, optString(replacement ? replacement(ctx) : EMPTY))];
    };
  },
  tokenize: (args, ast) => {
    if (args.length !== 2) {
      throw new OutsideSubset('tokenize arity');
    }
    const input = args[0];
    const regex = regexArg(ast[1], args[1]);
    return (ctx) => {
      const s = optString(input ? input(ctx) : EMPTY);
      const r = regex(ctx);
      checkDotInput(s, r.dot);
      return tokenizeWith(s, r);
    };
  },
};

const XS: Readonly<Record<string, AtomicType>> = {
  string: 'string',
  integer: 'integer',
  boolean: 'boolean',
  date: 'date',
  dateTime: 'dateTime',
};

/** Compiles a call to a built-in function; throws OutsideSubset for any other name or arity. */
export function compileBuiltin(ns: string, local: string, args: readonly Compiled[], ast: readonly Expr[]): Compiled {
  if (ns === FN_NS) {
    const impl = Object.hasOwn(FN, local) ? FN[local] : undefined;
    if (!impl) {
      throw new OutsideSubset(`function ${local}()`);
    }
    return impl(args, ast);
  }
  if (ns === XS_NS) {
    const type = Object.hasOwn(XS, local) ? XS[local] : undefined;
    const only = args[0];
    if (type === undefined || args.length !== 1 || !only) {
      throw new OutsideSubset(`constructor xs:${local}`);
    }
    return (ctx) => castAs(type, only(ctx));
  }
  throw new OutsideSubset(`function Q{${ns}}${local}`);
}
