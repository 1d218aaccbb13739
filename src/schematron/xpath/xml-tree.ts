// A compact JS tree (the XPath data model's nodes) built from a document's text, for the own Schematron engine.
import { FallbackToSaxon } from './fallback.js';

/** Node kinds, numbered so that document order within one element is attributes, then children. */
export enum Kind {
  Document = 0,
  Element = 1,
  Attribute = 2,
  Text = 3,
  Comment = 4,
  Instruction = 5,
}

/** Never written to: leaves share it (the reader replaces it before adding). */
const NONE: XNode[] = [];

/** One node; a single class keeps property access monomorphic, which is most of evaluation time. */
export class XNode {
  /** Position in document order over every node, attributes included. */
  order = 0;
  /** 1-based position among the parent's children (or attributes) of any kind. */
  index = 0;
  parent: XNode | null = null;
  /** Shared empty lists until the reader adds the first item: most nodes are leaves. */
  attrs: XNode[] = NONE;
  children: XNode[] = NONE;
  /** Element children only, kept apart because nearly every step walks only these. */
  elements: XNode[] = NONE;
  /** On the document node: every element in document order, listed while reading. */
  allElements: XNode[] = NONE;
  private stringValue: string | undefined;
  private alone: XNode[] | undefined;

  constructor(
    readonly kind: Kind,
    /** Namespace URI ('' for none); the target of a processing instruction is its `local`. */
    readonly ns: string,
    readonly local: string,
    readonly prefix: string,
    /** The value of an attribute, text, comment or processing instruction. */
    public value: string
  ) {}

  /** The XPath string value: an element's or document's text descendants joined, else the node's value. */
  text(): string {
    if (this.kind !== Kind.Element && this.kind !== Kind.Document) {
      return this.value;
    }
    if (this.stringValue === undefined) {
      let out = '';
      const collect = (n: XNode): void => {
        for (const c of n.children) {
          if (c.kind === Kind.Text) {
            out += c.value;
          } else if (c.kind === Kind.Element) {
            collect(c);
          }
        }
      };
      collect(this);
      this.stringValue = out;
    }
    return this.stringValue;
  }

  /** The sequence of this node alone, shared: steps that yield one node return it instead of a new list. */
  one(): XNode[] {
    return (this.alone ??= [this]);
  }

  /** The lexical QName as written in the document (`name()`). */
  qname(): string {
    return this.prefix === '' ? this.local : `${this.prefix}:${this.local}`;
  }
}

/** Appends a child in document order: parent, sibling position and the order counter set here. */
function append(parent: XNode, child: XNode, order: number): void {
  child.parent = parent;
  child.order = order;
  if (parent.children === NONE) {
    parent.children = [];
  }
  parent.children.push(child);
  child.index = parent.children.length;
  if (child.kind === Kind.Element) {
    if (parent.elements === NONE) {
      parent.elements = [];
    }
    parent.elements.push(child);
  }
}

/** Thrown when the text holds something this reader does not model; the caller then uses SaxonJS. */
export class TreeUnsupported extends FallbackToSaxon {}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isNameEnd(c: number): boolean {
  return isSpace(c) || c === 0x2f /* / */ || c === 0x3e; /* > */
}

function decode(raw: string): string {
  if (!raw.includes('&')) {
    return raw;
  }
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) {
      throw new TreeUnsupported('bare ampersand');
    }
    if (ref.startsWith('#')) {
      const code = ref.startsWith('#x') ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[ref];
    if (value === undefined) {
      throw new TreeUnsupported(`entity ${whole}`);
    }
    return value;
  });
}

/** Attribute-value normalisation for CDATA attributes: literal whitespace becomes a space, references stay as written. */
function attributeValue(raw: string): string {
  return decode(raw.includes('\n') || raw.includes('\t') ? raw.replace(/[\t\n]/g, ' ') : raw);
}

function splitName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

type Scope = ReadonlyMap<string, string>;

/**
 * Reads well-formed XML text (libxml2 has already accepted it, and the input stage refused any
 * DOCTYPE) into the tree XPath sees: whitespace text kept, CDATA merged into text, line ends
 * normalised, xmlns attributes turned into namespace scope. Throws TreeUnsupported on anything
 * outside that (entities beyond the predefined five, a DOCTYPE).
 */
export function buildTree(source: string): XNode {
  const text = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source;
  const doc = new XNode(Kind.Document, '', '', '', '');
  const stack: { node: XNode; scope: Scope }[] = [];
  let scope: Scope = new Map([['xml', XML_NS]]);
  let current = doc;
  const all: XNode[] = [];
  doc.allElements = all;
  let order = 1;
  let pending = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const flushText = (): void => {
    if (pending !== '') {
      if (current !== doc) {
        append(current, new XNode(Kind.Text, '', '', '', pending), order++);
      } else if (pending.trim() !== '') {
        throw new TreeUnsupported('text outside the root element');
      }
      pending = '';
    }
  };

  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) {
      pending += decode(text.slice(i));
      break;
    }
    if (lt > i) {
      pending += decode(text.slice(i, lt));
    }
    const next = text.charCodeAt(lt + 1);
    if (next === 0x2f /* / */) {
      flushText();
      const end = text.indexOf('>', lt);
      const frame = stack.pop();
      if (!frame || end < 0) {
        throw new TreeUnsupported('unbalanced end tag');
      }
      current = frame.node;
      scope = frame.scope;
      i = end + 1;
    } else if (next === 0x3f /* ? */) {
      const end = text.indexOf('?>', lt);
      if (end < 0) {
        throw new TreeUnsupported('unterminated instruction');
      }
      const body = text.slice(lt + 2, end);
      const target = /^[^\s]+/.exec(body)?.[0] ?? '';
      if (target.toLowerCase() !== 'xml') {
        flushText();
        const node = new XNode(Kind.Instruction, '', target, '', body.slice(target.length).replace(/^\s+/, ''));
        append(current, node, order++);
      }
      i = end + 2;
    } else if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) {
        throw new TreeUnsupported('unterminated comment');
      }
      flushText();
      append(current, new XNode(Kind.Comment, '', '', '', text.slice(lt + 4, end)), order++);
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) {
        throw new TreeUnsupported('unterminated CDATA section');
      }
      pending += text.slice(lt + 9, end);
      i = end + 3;
    } else if (next === 0x21 /* ! */) {
      throw new TreeUnsupported('DOCTYPE');
    } else {
      flushText();
      // Hand-written scanning: start tags are most of the text, and regexes with captures cost more here.
      let pos = lt + 1;
      while (pos < text.length && !isNameEnd(text.charCodeAt(pos))) {
        pos++;
      }
      const qname = text.slice(lt + 1, pos);
      const raw: string[] = [];
      let declared: Map<string, string> | undefined;
      let selfClosing = false;
      for (;;) {
        while (isSpace(text.charCodeAt(pos))) {
          pos++;
        }
        const c = text.charCodeAt(pos);
        if (c === 0x3e /* > */) {
          pos++;
          break;
        }
        if (c === 0x2f /* / */ && text.charCodeAt(pos + 1) === 0x3e) {
          selfClosing = true;
          pos += 2;
          break;
        }
        const nameStart = pos;
        while (pos < text.length && !isNameEnd(text.charCodeAt(pos)) && text.charCodeAt(pos) !== 0x3d /* = */) {
          pos++;
        }
        const name = text.slice(nameStart, pos);
        while (isSpace(text.charCodeAt(pos))) {
          pos++;
        }
        if (name === '' || text.charCodeAt(pos) !== 0x3d) {
          throw new TreeUnsupported(`unreadable start tag <${qname.slice(0, 40)}`);
        }
        pos++;
        while (isSpace(text.charCodeAt(pos))) {
          pos++;
        }
        const quote = text.charAt(pos);
        const end = quote === '"' || quote === "'" ? text.indexOf(quote, pos + 1) : -1;
        if (end < 0) {
          throw new TreeUnsupported(`unreadable start tag <${qname.slice(0, 40)}`);
        }
        const value = attributeValue(text.slice(pos + 1, end));
        pos = end + 1;
        if (name === 'xmlns' || name.startsWith('xmlns:')) {
          declared ??= new Map(scope);
          declared.set(name === 'xmlns' ? '' : name.slice(6), value);
        } else {
          raw.push(name, value);
        }
      }
      i = pos;
      const inScope = declared ?? scope;
      const [prefix, local] = splitName(qname);
      const ns = inScope.get(prefix);
      if (ns === undefined && prefix !== '') {
        throw new TreeUnsupported(`undeclared prefix ${prefix}`);
      }
      const el = new XNode(Kind.Element, ns ?? '', local, prefix, '');
      append(current, el, order++);
      all.push(el);
      if (raw.length > 0) {
        el.attrs = [];
      }
      for (let k = 0; k < raw.length; k += 2) {
        const name = raw[k] ?? '';
        const value = raw[k + 1] ?? '';
        const [ap, al] = splitName(name);
        const ans = ap === '' ? '' : inScope.get(ap);
        if (ans === undefined) {
          throw new TreeUnsupported(`undeclared prefix ${ap}`);
        }
        const a = new XNode(Kind.Attribute, ans, al, ap, value);
        a.parent = el;
        a.order = order++;
        el.attrs.push(a);
        a.index = el.attrs.length;
      }
      if (!selfClosing) {
        stack.push({ node: current, scope });
        current = el;
        scope = inScope;
      }
    }
  }
  flushText();
  if (stack.length > 0 || doc.children.filter((c) => c.kind === Kind.Element).length !== 1) {
    throw new TreeUnsupported('not one root element');
  }
  return doc;
}
