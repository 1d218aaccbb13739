// A rule set's own xsl:function declarations compiled for the subset: params, variables, sequence, choose and if.
import { XSL_NS } from '../sch-source.js';
import type { SchElement } from '../sch-source.js';
import { OutsideSubset } from './xpath-ast.js';
import { compileExpr, Scope } from './xpath-compile.js';
import type { Statics, UserFunction } from './xpath-compile.js';
import type { Compiled, Ctx } from './xpath-context.js';
import { parseXPath } from './xpath-parser.js';
import type { Namespaces } from './xpath-parser.js';
import { Kind, XNode } from './xml-tree.js';
import { atomize, dynamicError, ebv, toInteger, Untyped } from './xpath-values.js';
import type { Item, Seq } from './xpath-values.js';

type Convert = (seq: Seq) => Seq;

function attrOf(el: SchElement, name: string): string | undefined {
  return el.attrs.find((a) => a.local === name && a.ns === '')?.value;
}

function xslChildren(el: SchElement): SchElement[] {
  const out: SchElement[] = [];
  for (const c of el.children) {
    if (c.kind === 'text') {
      if (c.value.trim() !== '') {
        throw new OutsideSubset('text inside an xsl:function');
      }
    } else if (c.ns !== XSL_NS) {
      throw new OutsideSubset(`{${c.ns}}${c.local} inside an xsl:function`);
    } else {
      out.push(c);
    }
  }
  return out;
}

function cardinality(occ: string, n: number): boolean {
  return occ === '*' || (occ === '?' && n <= 1) || (occ === '+' && n >= 1) || (occ === '' && n === 1);
}

/** The function conversion rules for the sequence types the subset knows (`xs:string?`, `element()*`, …). */
export function sequenceType(as: string | undefined): Convert {
  if (as === undefined) {
    return (seq) => seq;
  }
  const m = /^\s*(xs:string|xs:boolean|xs:integer|element\(\)|node\(\)|item\(\))\s*([?*+]?)\s*$/.exec(as);
  if (!m) {
    throw new OutsideSubset(`sequence type ${as}`);
  }
  const type = m[1] ?? '';
  const occ = m[2] ?? '';
  const check = (seq: Seq): void => {
    if (!cardinality(occ, seq.length)) {
      dynamicError('XPTY0004');
    }
  };
  if (type === 'item()') {
    return (seq) => (check(seq), seq);
  }
  if (type === 'element()' || type === 'node()') {
    return (seq) => {
      check(seq);
      for (const i of seq) {
        if (!(i instanceof XNode) || (type === 'element()' && i.kind !== Kind.Element)) {
          dynamicError('XPTY0004');
        }
      }
      return seq;
    };
  }
  return (seq) => {
    const out = seq.map((i): Item => {
      const v = atomize(i);
      if (type === 'xs:string') {
        return typeof v === 'string' ? v : v instanceof Untyped ? v.s : dynamicError('XPTY0004');
      }
      if (type === 'xs:integer') {
        return typeof v === 'number' ? v : v instanceof Untyped ? toInteger(v) : dynamicError('XPTY0004');
      }
      if (typeof v === 'boolean') {
        return v;
      }
      if (v instanceof Untyped) {
        const t = v.s.trim();
        return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : dynamicError('FORG0001');
      }
      return dynamicError('XPTY0004');
    });
    check(out);
    return out;
  };
}

/** One compiled instruction: what it adds to the result, given the function's frame. */
type Instruction = (ctx: Ctx) => Seq;

function compileBody(el: SchElement, namespaces: Namespaces, statics: Statics, start: Scope): Instruction {
  let scope = start;
  const steps: Instruction[] = [];
  const xpath = (text: string | undefined, s: Scope): Compiled => {
    if (text === undefined) {
      throw new OutsideSubset('instruction without select/test');
    }
    return compileExpr(parseXPath(text, namespaces), statics, s);
  };
  for (const c of xslChildren(el)) {
    switch (c.local) {
      case 'variable': {
        const f = xpath(attrOf(c, 'select'), scope);
        const convert = sequenceType(attrOf(c, 'as'));
        const [next, slot] = scope.bind(attrOf(c, 'name') ?? '');
        scope = next;
        steps.push((ctx) => {
          ctx.frame[slot] = convert(f(ctx));
          return [];
        });
        break;
      }
      case 'sequence':
        steps.push(xpath(attrOf(c, 'select'), scope));
        break;
      case 'if': {
        const test = xpath(attrOf(c, 'test'), scope);
        const body = compileBody(c, namespaces, statics, scope);
        steps.push((ctx) => (ebv(test(ctx)) ? body(ctx) : []));
        break;
      }
      case 'choose': {
        const branches: [Compiled | null, Instruction][] = xslChildren(c).map((w) => {
          if (w.local === 'when') {
            return [xpath(attrOf(w, 'test'), scope), compileBody(w, namespaces, statics, scope)];
          }
          if (w.local === 'otherwise') {
            return [null, compileBody(w, namespaces, statics, scope)];
          }
          throw new OutsideSubset(`xsl:${w.local} inside xsl:choose`);
        });
        steps.push((ctx) => {
          for (const [test, body] of branches) {
            if (test === null || ebv(test(ctx))) {
              return body(ctx);
            }
          }
          return [];
        });
        break;
      }
      default:
        throw new OutsideSubset(`xsl:${c.local} inside an xsl:function`);
    }
  }
  if (steps.length === 1) {
    return steps[0] as Instruction;
  }
  return (ctx) => {
    const out: Item[] = [];
    for (const s of steps) {
      out.push(...s(ctx));
    }
    return out;
  };
}

function expanded(qname: string, namespaces: Namespaces): string {
  const colon = qname.indexOf(':');
  const uri = colon < 0 ? undefined : namespaces.get(qname.slice(0, colon));
  if (uri === undefined) {
    throw new OutsideSubset(`function name ${qname}`);
  }
  return `${uri}\u0000${qname.slice(colon + 1)}`;
}

/**
 * Compiles the schema's top-level xsl:function elements (xsl:key, or any other instruction,
 * leaves the rule set to SaxonJS). `baseNamespaces` are the stylesheet's bindings; each
 * function adds its own element's declarations, as the generated stylesheet copies them.
 */
export function compileXslFunctions(
  foreign: readonly SchElement[],
  baseNamespaces: Namespaces,
  globals: ReadonlyMap<string, number>
): Statics['functions'] {
  const table = new Map<string, UserFunction>();
  const lookup: Statics['functions'] = (ns, local, arity) => table.get(`${ns}\u0000${local}/${arity}`);
  const statics: Statics = { globals, functions: lookup };
  const pending: (() => void)[] = [];
  for (const f of foreign) {
    if (f.local !== 'function') {
      throw new OutsideSubset(`xsl:${f.local}`);
    }
    const namespaces = new Map(baseNamespaces);
    for (const [prefix, uri] of Object.entries(f.namespaces)) {
      if (prefix !== '') {
        namespaces.set(prefix, uri);
      }
    }
    const params = xslChildren(f).filter((c) => c.local === 'param');
    const key = `${expanded(attrOf(f, 'name') ?? '', namespaces)}/${params.length}`;
    const result = sequenceType(attrOf(f, 'as'));
    let scope = Scope.empty();
    const converts: Convert[] = [];
    for (const p of params) {
      converts.push(sequenceType(attrOf(p, 'as')));
      [scope] = scope.bind(attrOf(p, 'name') ?? '');
    }
    const body: SchElement = {
      ...f,
      children: f.children.filter((c) => !(c.kind === 'element' && c.local === 'param')),
    };
    let impl: Instruction | undefined;
    let frameSize = 0;
    table.set(key, (args, ctx) => {
      const frame: (Seq | undefined)[] = new Array<Seq | undefined>(frameSize);
      args.forEach((a, i) => {
        frame[i] = (converts[i] ?? ((s: Seq) => s))(a);
      });
      // A function body has no focus of its own.
      return result((impl as Instruction)({ item: undefined, pos: 0, size: 0, frame, env: ctx.env }));
    });
    const start = scope;
    pending.push(() => {
      impl = compileBody(body, namespaces, statics, start);
      frameSize = start.frameSize;
    });
  }
  for (const compile of pending) {
    compile();
  }
  return lookup;
}
