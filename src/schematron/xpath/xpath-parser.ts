// Parses XPath 2.0 text into the subset's syntax tree; anything outside the subset raises OutsideSubset.
import { FN_NS, OutsideSubset, XS_NS } from './xpath-ast.js';
import type { AtomicType, Axis, Expr, GeneralOp, NodeTest, Step, ValueOp } from './xpath-ast.js';

type Token =
  | { readonly k: 'name'; readonly v: string }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'var'; readonly v: string }
  | { readonly k: 'op'; readonly v: string }
  | { readonly k: 'eof'; readonly v: '' };

const NCNAME = String.raw`[\p{L}_][\p{L}\p{N}\p{M}_.\-\u00B7\u203F-\u2040]*`;
const NAME = new RegExp(String.raw`(?:${NCNAME}|\*)(?::(?:${NCNAME}|\*)(?!:))?`, 'uy');
const NUMBER = /[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?/y;
const OPERATORS = ['//', '::', '..', '!=', '<=', '>=', '<<', '>>', '(', ')', '[', ']', ',', '/', '@', '.', '|'];
const SINGLE = new Set(['=', '<', '>', '+', '-', '*', '!', '?', '$', ':']);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (text.startsWith('(:', i)) {
      throw new OutsideSubset('XPath comments');
    }
    if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const end = text.indexOf(c, j);
        if (end < 0) {
          throw new OutsideSubset('unterminated string literal');
        }
        value += text.slice(j, end);
        if (text.charAt(end + 1) === c) {
          value += c;
          j = end + 2;
        } else {
          i = end + 1;
          break;
        }
      }
      out.push({ k: 'str', v: value });
      continue;
    }
    NUMBER.lastIndex = i;
    const num = /[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text.charAt(i + 1))) ? NUMBER.exec(text) : null;
    if (num) {
      if (num[1] !== undefined || num[2] !== undefined || num[3] !== undefined || c === '.') {
        throw new OutsideSubset('decimal and double literals');
      }
      out.push({ k: 'num', v: Number(num[0]) });
      i = NUMBER.lastIndex;
      continue;
    }
    if (c === '$') {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(text);
      if (!m || m[0].includes('*')) {
        throw new OutsideSubset('variable reference');
      }
      out.push({ k: 'var', v: m[0] });
      i = NAME.lastIndex;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op !== undefined && !(op === '.' && /[\p{L}_]/u.test(text.charAt(i + 1)))) {
      out.push({ k: 'op', v: op });
      i += op.length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (name && !(name[0] === '*' && out.length > 0 && isOperandEnd(out[out.length - 1]))) {
      out.push({ k: 'name', v: name[0] });
      i = NAME.lastIndex;
      continue;
    }
    if (SINGLE.has(c)) {
      out.push({ k: 'op', v: c });
      i++;
      continue;
    }
    throw new OutsideSubset(`character ${c}`);
  }
  out.push({ k: 'eof', v: '' });
  return out;
}

/** Whether a `*` after this token multiplies (it follows an operand) rather than being a wildcard. */
function isOperandEnd(t: Token | undefined): boolean {
  if (!t) {
    return false;
  }
  if (t.k === 'str' || t.k === 'num' || t.k === 'var') {
    return true;
  }
  if (t.k === 'op') {
    return t.v === ')' || t.v === ']' || t.v === '.' || t.v === '..';
  }
  return t.k === 'name' && !KEYWORD_OPERATORS.has(t.v);
}

const KEYWORD_OPERATORS = new Set([
  'and',
  'or',
  'div',
  'idiv',
  'mod',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'to',
  'union',
  'intersect',
  'except',
  'return',
  'satisfies',
  'in',
  'then',
  'else',
  'is',
  'instance',
  'treat',
  'castable',
  'cast',
  'as',
  'of',
]);
const AXES = new Set<Axis>([
  'child',
  'attribute',
  'self',
  'parent',
  'descendant',
  'descendant-or-self',
  'ancestor',
  'ancestor-or-self',
  'following-sibling',
  'preceding-sibling',
]);
const KIND_TESTS = new Set(['node', 'text', 'comment', 'element', 'attribute']);
const UNSUPPORTED_KIND_TESTS = new Set([
  'document-node',
  'processing-instruction',
  'schema-element',
  'schema-attribute',
  'item',
  'empty-sequence',
  'function',
  'map',
  'array',
  'namespace-node',
]);
const GENERAL = new Set<string>(['=', '!=', '<', '<=', '>', '>=']);
const VALUE = new Set<string>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const ATOMIC: Readonly<Record<string, AtomicType>> = {
  string: 'string',
  integer: 'integer',
  decimal: 'decimal',
  date: 'date',
  dateTime: 'dateTime',
  boolean: 'boolean',
};

export type Namespaces = ReadonlyMap<string, string>;

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly ns: Namespaces
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] ?? { k: 'eof', v: '' };
  }
  private next(): Token {
    const t = this.peek();
    this.pos++;
    return t;
  }
  private isOp(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.k === 'op' && t.v === v;
  }
  private isName(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.k === 'name' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) {
      throw new OutsideSubset(`expected ${v}`);
    }
    this.pos++;
  }
  private expectName(v: string): void {
    if (!this.isName(v)) {
      throw new OutsideSubset(`expected ${v}`);
    }
    this.pos++;
  }

  parseAll(): Expr {
    const e = this.expr();
    if (this.peek().k !== 'eof') {
      throw new OutsideSubset(`unexpected ${this.peek().v}`);
    }
    return e;
  }

  private expr(): Expr {
    const first = this.single();
    if (!this.isOp(',')) {
      return first;
    }
    const items = [first];
    while (this.isOp(',')) {
      this.pos++;
      items.push(this.single());
    }
    return { t: 'seq', items };
  }

  private single(): Expr {
    const t = this.peek();
    const after = this.peek(1);
    if (t.k === 'name' && after.k === 'var' && (t.v === 'for' || t.v === 'some' || t.v === 'every')) {
      return this.binding(t.v);
    }
    if (t.k === 'name' && t.v === 'let' && after.k === 'var') {
      throw new OutsideSubset('let expressions');
    }
    if (t.k === 'name' && t.v === 'if' && this.isOp('(', 1)) {
      this.pos += 2;
      const c = this.expr();
      this.expectOp(')');
      this.expectName('then');
      const a = this.single();
      this.expectName('else');
      const b = this.single();
      return { t: 'if', c, a, b };
    }
    return this.or();
  }

  private binding(kind: string): Expr {
    this.pos++;
    const vars: [string, Expr][] = [];
    for (;;) {
      const v = this.next();
      if (v.k !== 'var') {
        throw new OutsideSubset('expected a variable');
      }
      this.expectName('in');
      vars.push([v.v, this.single()]);
      if (!this.isOp(',')) {
        break;
      }
      this.pos++;
    }
    this.expectName(kind === 'for' ? 'return' : 'satisfies');
    let body = this.single();
    for (let i = vars.length - 1; i >= 0; i--) {
      const [v, source] = vars[i] ?? ['', body];
      body =
        kind === 'for'
          ? { t: 'for', v, in: source, ret: body }
          : { t: 'quant', every: kind === 'every', v, in: source, sat: body };
    }
    return body;
  }

  private or(): Expr {
    let l = this.and();
    while (this.isName('or')) {
      this.pos++;
      l = { t: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): Expr {
    let l = this.comparison();
    while (this.isName('and')) {
      this.pos++;
      l = { t: 'and', l, r: this.comparison() };
    }
    return l;
  }

  private comparison(): Expr {
    const l = this.range();
    const t = this.peek();
    if (t.k === 'op' && GENERAL.has(t.v)) {
      this.pos++;
      return { t: 'gcmp', op: t.v as GeneralOp, l, r: this.range() };
    }
    if (t.k === 'name' && VALUE.has(t.v)) {
      this.pos++;
      return { t: 'vcmp', op: t.v as ValueOp, l, r: this.range() };
    }
    if ((t.k === 'op' && (t.v === '<<' || t.v === '>>')) || (t.k === 'name' && t.v === 'is')) {
      throw new OutsideSubset('node comparisons');
    }
    return l;
  }

  private range(): Expr {
    const l = this.additive();
    if (this.isName('to')) {
      this.pos++;
      return { t: 'range', l, r: this.additive() };
    }
    return l;
  }

  private additive(): Expr {
    let l = this.multiplicative();
    for (;;) {
      if (this.isOp('+') || this.isOp('-')) {
        const op = this.next().v as '+' | '-';
        l = { t: 'arith', op, l, r: this.multiplicative() };
      } else {
        return l;
      }
    }
  }

  private multiplicative(): Expr {
    let l = this.union();
    for (;;) {
      if (this.isOp('*')) {
        this.pos++;
        l = { t: 'arith', op: '*', l, r: this.union() };
      } else if (this.isName('idiv') || this.isName('mod')) {
        const op = this.next().v as 'idiv' | 'mod';
        l = { t: 'arith', op, l, r: this.union() };
      } else if (this.isName('div')) {
        throw new OutsideSubset('div (decimal results)');
      } else {
        return l;
      }
    }
  }

  private union(): Expr {
    let l = this.castable();
    while (this.isOp('|') || this.isName('union')) {
      this.pos++;
      l = { t: 'union', l, r: this.castable() };
    }
    if (this.isName('intersect') || this.isName('except')) {
      throw new OutsideSubset('intersect/except');
    }
    return l;
  }

  private castable(): Expr {
    const e = this.unary();
    if (this.isName('instance') || this.isName('treat') || this.isName('cast')) {
      throw new OutsideSubset(`${this.peek().v} expressions`);
    }
    if (!this.isName('castable')) {
      return e;
    }
    this.pos++;
    this.expectName('as');
    const name = this.next();
    if (name.k !== 'name') {
      throw new OutsideSubset('castable type');
    }
    const type = this.atomicType(name.v);
    const optional = this.isOp('?');
    if (optional) {
      this.pos++;
    }
    return { t: 'castable', e, type, optional };
  }

  private atomicType(qname: string): AtomicType {
    const { ns, local } = this.resolve(qname, '');
    const type = ns === XS_NS ? ATOMIC[local] : undefined;
    if (type === undefined) {
      throw new OutsideSubset(`type ${qname}`);
    }
    return type;
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      this.pos++;
      return { t: 'neg', e: this.unary() };
    }
    if (this.isOp('+')) {
      throw new OutsideSubset('unary plus');
    }
    const e = this.path();
    if (this.isOp('!')) {
      throw new OutsideSubset('simple map operator');
    }
    return e;
  }

  private path(): Expr {
    if (this.isOp('/')) {
      this.pos++;
      if (!this.startsStep()) {
        return { t: 'path', root: '/', steps: [] };
      }
      return { t: 'path', root: '/', steps: this.relative() };
    }
    if (this.isOp('//')) {
      this.pos++;
      return { t: 'path', root: '//', steps: this.relative() };
    }
    const steps = this.relative();
    const only = steps[0];
    if (steps.length === 1 && only?.t === 'expr' && only.preds.length === 0) {
      return only.e;
    }
    return { t: 'path', root: 'none', steps };
  }

  private startsStep(): boolean {
    const t = this.peek();
    if (t.k === 'name') {
      return !KEYWORD_OPERATORS.has(t.v) || this.isOp('::', 1) || this.isOp('(', 1);
    }
    return t.k === 'var' || t.k === 'str' || t.k === 'num' || (t.k === 'op' && ['@', '.', '..', '('].includes(t.v));
  }

  private relative(): Step[] {
    const steps = [this.step()];
    for (;;) {
      if (this.isOp('/')) {
        this.pos++;
        steps.push(this.step());
      } else if (this.isOp('//')) {
        this.pos++;
        steps.push({ t: 'axis', axis: 'descendant-or-self', test: { t: 'kind', kind: 'node' }, preds: [] });
        steps.push(this.step());
      } else {
        return steps;
      }
    }
  }

  private predicates(): Expr[] {
    const preds: Expr[] = [];
    while (this.isOp('[')) {
      this.pos++;
      preds.push(this.expr());
      this.expectOp(']');
    }
    return preds;
  }

  private step(): Step {
    const t = this.peek();
    if (t.k === 'op' && t.v === '..') {
      this.pos++;
      return { t: 'axis', axis: 'parent', test: { t: 'kind', kind: 'node' }, preds: this.predicates() };
    }
    if (t.k === 'op' && t.v === '@') {
      this.pos++;
      return { t: 'axis', axis: 'attribute', test: this.nodeTest(), preds: this.predicates() };
    }
    if (t.k === 'name' && this.isOp('::', 1)) {
      const axis = t.v as Axis;
      if (!AXES.has(axis)) {
        throw new OutsideSubset(`axis ${t.v}`);
      }
      this.pos += 2;
      return { t: 'axis', axis, test: this.nodeTest(), preds: this.predicates() };
    }
    if (t.k === 'name' && !(this.isOp('(', 1) && !KIND_TESTS.has(t.v))) {
      return { t: 'axis', axis: 'child', test: this.nodeTest(), preds: this.predicates() };
    }
    const e = this.primary();
    return { t: 'expr', e, preds: this.predicates() };
  }

  private nodeTest(): NodeTest {
    const t = this.next();
    if (t.k !== 'name') {
      throw new OutsideSubset('node test');
    }
    if (this.isOp('(')) {
      if (!KIND_TESTS.has(t.v)) {
        throw new OutsideSubset(`kind test ${t.v}()`);
      }
      this.pos++;
      this.expectOp(')');
      return { t: 'kind', kind: t.v as 'node' };
    }
    if (t.v === '*') {
      return { t: 'name' };
    }
    if (t.v.startsWith('*:')) {
      return { t: 'name', local: t.v.slice(2) };
    }
    if (t.v.endsWith(':*')) {
      return { t: 'name', ns: this.prefixUri(t.v.slice(0, -2)) };
    }
    // Unprefixed names are in no namespace for elements and attributes alike (no xpath-default-namespace).
    return { t: 'name', ...this.resolve(t.v, '') };
  }

  private prefixUri(prefix: string): string {
    const uri = this.ns.get(prefix);
    if (uri === undefined) {
      throw new OutsideSubset(`undeclared prefix ${prefix}`);
    }
    return uri;
  }

  private resolve(qname: string, defaultNs: string): { ns: string; local: string } {
    const colon = qname.indexOf(':');
    if (colon < 0) {
      return { ns: defaultNs, local: qname };
    }
    return { ns: this.prefixUri(qname.slice(0, colon)), local: qname.slice(colon + 1) };
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.k) {
      case 'str':
        return { t: 'lit', v: t.v };
      case 'num':
        return { t: 'lit', v: t.v };
      case 'var':
        if (t.v.includes(':')) {
          throw new OutsideSubset('prefixed variable names');
        }
        return { t: 'var', name: t.v };
      case 'op':
        if (t.v === '.') {
          return { t: 'ctx' };
        }
        if (t.v === '(') {
          if (this.isOp(')')) {
            this.pos++;
            return { t: 'seq', items: [] };
          }
          const e = this.expr();
          this.expectOp(')');
          return e.t === 'seq' ? e : { t: 'seq', items: [e] };
        }
        throw new OutsideSubset(`unexpected ${t.v}`);
      case 'name': {
        if (UNSUPPORTED_KIND_TESTS.has(t.v) || t.v === 'if') {
          throw new OutsideSubset(`${t.v}()`);
        }
        const { ns, local } = this.resolve(t.v, FN_NS);
        this.expectOp('(');
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          args.push(this.single());
          while (this.isOp(',')) {
            this.pos++;
            args.push(this.single());
          }
        }
        this.expectOp(')');
        return { t: 'call', ns, local, args };
      }
      case 'eof':
        throw new OutsideSubset('unexpected end of expression');
    }
  }
}

/** Parses an XPath expression with the schema's prefix bindings. Throws OutsideSubset. */
export function parseXPath(text: string, namespaces: Namespaces): Expr {
  return new Parser(tokenize(text), namespaces).parseAll();
}
