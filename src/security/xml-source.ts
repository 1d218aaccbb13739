// Finds where each element of a well-formed XML text starts and ends, so a signed element can be cut out as its exact original characters.
import { DSIG, SOSI_NS } from './namespaces.js';

/** A namespace binding and the index of the element that declared it (-1: the predeclared `xml`). */
interface Binding {
  readonly uri: string;
  readonly declaredBy: number;
}

export interface SourceElement {
  readonly index: number;
  readonly parent: number;
  readonly qname: string;
  readonly prefix: string;
  readonly localName: string;
  /** Resolved namespace, '' for none. */
  readonly namespaceUri: string;
  /** Offset of `<`. */
  readonly start: number;
  /** Offset just after the start tag's `>`. */
  readonly startTagEnd: number;
  /** Offset just after the end tag (or the empty-element tag). */
  end: number;
  readonly attributes: ReadonlyMap<string, string>;
  readonly scope: ReadonlyMap<string, Binding>;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeValue(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, ref: string) =>
    ref.startsWith('#x')
      ? String.fromCodePoint(parseInt(ref.slice(2), 16))
      : ref.startsWith('#')
        ? String.fromCodePoint(parseInt(ref.slice(1), 10))
        : (ENTITIES[ref] ?? '')
  );
}

function skipPast(text: string, from: number, marker: string): number {
  const at = text.indexOf(marker, from);
  if (at < 0) {
    throw new Error(`unterminated markup, no "${marker}"`);
  }
  return at + marker.length;
}

function splitQName(qname: string): { prefix: string; localName: string } {
  const colon = qname.indexOf(':');
  return colon < 0
    ? { prefix: '', localName: qname }
    : { prefix: qname.slice(0, colon), localName: qname.slice(colon + 1) };
}

/**
 * Every element of `text` in document order. Only for text a conforming parser has already
 * accepted as well-formed and DOCTYPE-free: the scan then needs to know only comments, CDATA,
 * processing instructions, tags and quoted attribute values.
 */
export function scanElements(text: string): SourceElement[] {
  const elements: SourceElement[] = [];
  const open: SourceElement[] = [];
  const rootScope = new Map<string, Binding>([['xml', { uri: SOSI_NS.xml, declaredBy: -1 }]]);
  let i = 0;
  while ((i = text.indexOf('<', i)) >= 0) {
    if (text.startsWith('<!--', i)) {
      i = skipPast(text, i + 4, '-->');
    } else if (text.startsWith('<![CDATA[', i)) {
      i = skipPast(text, i + 9, ']]>');
    } else if (text.startsWith('<?', i)) {
      i = skipPast(text, i + 2, '?>');
    } else if (text.startsWith('<!', i)) {
      throw new Error('a DOCTYPE or other declaration is not expected here');
    } else if (text.startsWith('</', i)) {
      const close = skipPast(text, i + 2, '>');
      const el = open.pop();
      if (!el) {
        throw new Error('an end tag without a start tag');
      }
      el.end = close;
      i = close;
    } else {
      const tag = /^<([^\s/>]+)/.exec(text.slice(i, i + 512));
      const qname = tag?.[1];
      if (!tag || qname === undefined) {
        throw new Error('a start tag without a name');
      }
      let j = i + tag[0].length;
      const attributes = new Map<string, string>();
      let selfClosing = false;
      for (;;) {
        while (/\s/.test(text[j] ?? '')) {
          j++;
        }
        if (text.startsWith('/>', j)) {
          selfClosing = true;
          j += 2;
          break;
        }
        if (text[j] === '>') {
          j += 1;
          break;
        }
        const eq = text.indexOf('=', j);
        if (eq < 0) {
          throw new Error('an attribute without a value');
        }
        const name = text.slice(j, eq).trim();
        j = eq + 1;
        while (/\s/.test(text[j] ?? '')) {
          j++;
        }
        const quote = text[j];
        if (quote !== '"' && quote !== "'") {
          throw new Error('an unquoted attribute value');
        }
        const close = text.indexOf(quote, j + 1);
        if (close < 0) {
          throw new Error('an unterminated attribute value');
        }
        attributes.set(name, decodeValue(text.slice(j + 1, close)));
        j = close + 1;
      }
      const parent = open.at(-1);
      const index = elements.length;
      const scope = new Map(parent?.scope ?? rootScope);
      for (const [name, value] of attributes) {
        if (name === 'xmlns') {
          scope.set('', { uri: value, declaredBy: index });
        } else if (name.startsWith('xmlns:')) {
          scope.set(name.slice(6), { uri: value, declaredBy: index });
        }
      }
      const { prefix, localName } = splitQName(qname);
      const el: SourceElement = {
        index,
        parent: parent?.index ?? -1,
        qname,
        prefix,
        localName,
        namespaceUri: scope.get(prefix)?.uri ?? '',
        start: i,
        startTagEnd: j,
        end: j,
        attributes,
        scope,
      };
      elements.push(el);
      if (!selfClosing) {
        open.push(el);
      }
      i = j;
    }
  }
  if (open.length > 0) {
    throw new Error('an element is not closed');
  }
  return elements;
}

/** The prefixes an element's own names and QName-valued content use ('' for the default namespace). */
function prefixesUsed(el: SourceElement): string[] {
  const used = [el.prefix];
  for (const [name, value] of el.attributes) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      continue;
    }
    // Unprefixed attributes are in no namespace, so only prefixed ones count.
    const { prefix } = splitQName(name);
    if (name.includes(':')) {
      used.push(prefix);
    }
    // xsi:type names a type by QName; a schema-aware receiver resolves that prefix too.
    if (prefix !== '' && el.scope.get(prefix)?.uri === SOSI_NS.xsi && splitQName(name).localName === 'type') {
      used.push(value.includes(':') ? splitQName(value.trim()).prefix : '');
    }
    // Exclusive C14N renders the prefixes an InclusiveNamespaces PrefixList names, so they are part of what is signed.
    if (name === 'PrefixList' && el.localName === 'InclusiveNamespaces' && el.namespaceUri === DSIG.excC14n) {
      used.push(
        ...value
          .split(/\s+/)
          .filter(Boolean)
          .map((p) => (p === '#default' ? '' : p))
      );
    }
  }
  return used;
}

/**
 * The exact original text of `elements[index]`, plus, in its start tag, a declaration for each
 * namespace it uses that an ancestor declares. Without those the cut-out text would not be
 * namespace-well-formed in another document (an STS answer may declare `saml` and `ds` on its
 * Envelope). Adding them does not touch the signature: exclusive C14N writes a namespace
 * declaration where its prefix is used, whichever element declared it, so the canonical form
 * and every digest stay the same. Nothing else changes; when no ancestor declaration is
 * needed, the result is a plain substring.
 */
export function elementText(text: string, elements: readonly SourceElement[], index: number): string {
  const target = elements[index];
  if (!target) {
    throw new Error(`no element ${index}`);
  }
  const needed = new Map<string, string>();
  for (const el of elements.slice(index)) {
    if (el.start >= target.end) {
      break;
    }
    for (const prefix of prefixesUsed(el)) {
      const binding = el.scope.get(prefix);
      // Declared by an ancestor of the target (its index is lower); xml is predeclared (-1).
      if (binding && binding.declaredBy >= 0 && binding.declaredBy < index && !(prefix === '' && binding.uri === '')) {
        needed.set(prefix, binding.uri);
      }
    }
  }
  const original = text.slice(target.start, target.end);
  if (needed.size === 0) {
    return original;
  }
  const declarations = [...needed]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([prefix, uri]) =>
        ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${uri.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"`
    )
    .join('');
  const nameEnd = 1 + target.qname.length;
  return original.slice(0, nameEnd) + declarations + original.slice(nameEnd);
}

/** The elements whose namespace and local name match, in document order. */
export function findSourceElements(elements: readonly SourceElement[], ns: string, localName: string): SourceElement[] {
  return elements.filter((e) => e.namespaceUri === ns && e.localName === localName);
}

export interface PathStep {
  readonly ns: string;
  readonly localName: string;
}

/** The element reached from the root by taking, at each step, the first child with that name. */
export function findSourcePath(
  elements: readonly SourceElement[],
  path: readonly PathStep[]
): SourceElement | undefined {
  let parent = -1;
  let found: SourceElement | undefined;
  for (const step of path) {
    found = elements.find((e) => e.parent === parent && e.namespaceUri === step.ns && e.localName === step.localName);
    if (!found) {
      return undefined;
    }
    parent = found.index;
  }
  return found;
}
