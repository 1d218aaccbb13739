/**
 * Mutations of a valid CDA document for differential testing of XML Schemas.
 *
 * Given the text of one schema-valid CDA document, xsdMutations() returns variants that each
 * carry one typical structural fault (or, for some kinds, one legal but unusual construct).
 * A diff script validates every variant against two schemas and reports documents on which
 * they disagree; whether a variant is valid does not matter, only that both schemas agree.
 *
 * The edits are made on the text, guided by a small tag scanner, so the rest of the
 * document (comments, whitespace, prefixes) is left untouched. A mutation whose target does
 * not occur in the document is skipped.
 *
 * No dependencies; pure ES module.
 */

export interface XsdMutation {
  readonly name: string;
  readonly description: string;
  readonly xml: string;
}

const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const SDTC_NS = 'urn:hl7-org:sdtc';

// ---------------------------------------------------------------------------
// A minimal element scanner: enough structure to locate, cut and insert elements.
// ---------------------------------------------------------------------------

interface Attr {
  readonly name: string;
  readonly value: string;
  /** Offsets of the whole `name="value"` text in the document. */
  readonly start: number;
  readonly end: number;
}

interface El {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  /** Offset of '<' of the start tag. */
  readonly start: number;
  /** Offset just after the '>' of the start tag. */
  readonly openEnd: number;
  readonly selfClosing: boolean;
  /** Offset of '</' of the end tag (equals openEnd for an empty-element tag). */
  closeStart: number;
  /** Offset just after the end tag. */
  end: number;
  readonly attrs: Attr[];
  readonly children: El[];
  readonly parent: El | undefined;
}

function splitQName(qname: string): { prefix: string; local: string } {
  const i = qname.indexOf(':');
  return i < 0 ? { prefix: '', local: qname } : { prefix: qname.slice(0, i), local: qname.slice(i + 1) };
}

function parseAttrs(xml: string, from: number, to: number): Attr[] {
  const attrs: Attr[] = [];
  const re = /([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/g;
  re.lastIndex = from;
  const text = xml.slice(0, to);
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    attrs.push({
      name: m[1] ?? '',
      value: m[3] ?? m[4] ?? '',
      start: m.index,
      end: m.index + m[0].length,
    });
  }
  return attrs;
}

/** Scans the document; returns the root element or undefined if the text is not usable. */
function scan(xml: string): El | undefined {
  let root: El | undefined;
  const stack: El[] = [];
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      break;
    }
    if (xml.startsWith('<!--', lt)) {
      const e = xml.indexOf('-->', lt + 4);
      if (e < 0) {
        return undefined;
      }
      i = e + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const e = xml.indexOf(']]>', lt + 9);
      if (e < 0) {
        return undefined;
      }
      i = e + 3;
    } else if (xml.startsWith('<?', lt)) {
      const e = xml.indexOf('?>', lt + 2);
      if (e < 0) {
        return undefined;
      }
      i = e + 2;
    } else if (xml.startsWith('<!', lt)) {
      // DOCTYPE (internal subsets with '>' inside brackets are handled crudely)
      const bracket = xml.indexOf('[', lt);
      const gt = xml.indexOf('>', lt);
      if (gt < 0) {
        return undefined;
      }
      if (bracket >= 0 && bracket < gt) {
        const close = xml.indexOf(']>', bracket);
        if (close < 0) {
          return undefined;
        }
        i = close + 2;
      } else {
        i = gt + 1;
      }
    } else if (xml.startsWith('</', lt)) {
      const gt = xml.indexOf('>', lt);
      if (gt < 0) {
        return undefined;
      }
      const el = stack.pop();
      if (el === undefined) {
        return undefined;
      }
      el.closeStart = lt;
      el.end = gt + 1;
      i = gt + 1;
    } else {
      // start tag: find the closing '>' outside quoted attribute values
      let j = lt + 1;
      let quote = '';
      while (j < xml.length) {
        const c = xml[j];
        if (quote !== '') {
          if (c === quote) {
            quote = '';
          }
        } else if (c === '"' || c === "'") {
          quote = c;
        } else if (c === '>') {
          break;
        }
        j++;
      }
      if (j >= xml.length) {
        return undefined;
      }
      const selfClosing = xml[j - 1] === '/';
      const nameMatch = /^[^\s/>]+/.exec(xml.slice(lt + 1, j));
      if (nameMatch === null) {
        return undefined;
      }
      const qname = nameMatch[0];
      const { prefix, local } = splitQName(qname);
      const parent = stack[stack.length - 1];
      const el: El = {
        qname,
        prefix,
        local,
        start: lt,
        openEnd: j + 1,
        selfClosing,
        closeStart: j + 1,
        end: j + 1,
        attrs: parseAttrs(xml, lt + 1 + qname.length, selfClosing ? j - 1 : j),
        children: [],
        parent,
      };
      if (parent === undefined) {
        if (root !== undefined) {
          return undefined;
        }
        root = el;
      } else {
        parent.children.push(el);
      }
      if (!selfClosing) {
        stack.push(el);
      }
      i = j + 1;
    }
  }
  return stack.length === 0 ? root : undefined;
}

function descendants(el: El): El[] {
  const out: El[] = [];
  const walk = (e: El): void => {
    for (const c of e.children) {
      out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

function child(el: El | undefined, local: string): El | undefined {
  return el?.children.find((c) => c.local === local);
}

function attr(el: El, name: string): Attr | undefined {
  return el.attrs.find((a) => a.name === name);
}

/** Prefix bound to a namespace URI anywhere on the ancestor chain (first declaration found). */
function prefixFor(el: El, ns: string): string | undefined {
  for (let e: El | undefined = el; e !== undefined; e = e.parent) {
    for (const a of e.attrs) {
      if (a.name.startsWith('xmlns:') && a.value === ns) {
        return a.name.slice(6);
      }
    }
  }
  return undefined;
}

/** A qualified name in the same namespace as `el` (same prefix). */
function sibling(el: El, local: string): string {
  return el.prefix === '' ? local : `${el.prefix}:${local}`;
}

// ---------------------------------------------------------------------------
// Text edits
// ---------------------------------------------------------------------------

function splice(xml: string, start: number, end: number, text: string): string {
  return xml.slice(0, start) + text + xml.slice(end);
}

function insertAt(xml: string, at: number, text: string): string {
  return splice(xml, at, at, text);
}

function remove(xml: string, el: El): string {
  return splice(xml, el.start, el.end, '');
}

function outer(xml: string, el: El): string {
  return xml.slice(el.start, el.end);
}

/** Sets (or adds) an attribute on the start tag of `el`. */
function setAttr(xml: string, el: El, name: string, value: string): string {
  const a = attr(el, name);
  const text = `${name}="${value}"`;
  if (a !== undefined) {
    return splice(xml, a.start, a.end, text);
  }
  const at = el.start + 1 + el.qname.length;
  return insertAt(xml, at, ` ${text}`);
}

function removeAttr(xml: string, el: El, name: string): string {
  const a = attr(el, name);
  if (a === undefined) {
    return xml;
  }
  // also drop the white space in front of the attribute
  let s = a.start;
  while (s > 0 && /\s/.test(xml[s - 1] ?? '')) {
    s--;
  }
  return splice(xml, s, a.end, '');
}

/** Inserts text as the first content of `el` (turning an empty-element tag into a pair). */
function prependContent(xml: string, el: El, text: string): string {
  if (!el.selfClosing) {
    return insertAt(xml, el.openEnd, text);
  }
  const startTag = xml.slice(el.start, el.openEnd - 2).replace(/\s+$/, '');
  return splice(xml, el.start, el.end, `${startTag}>${text}</${el.qname}>`);
}

/** Inserts text as the last content of `el`. */
function appendContent(xml: string, el: El, text: string): string {
  if (!el.selfClosing) {
    return insertAt(xml, el.closeStart, text);
  }
  return prependContent(xml, el, text);
}

/** Moves element `a` to just after element `b` (a must precede b and not contain it). */
function moveAfter(xml: string, a: El, b: El): string {
  const moved = outer(xml, a);
  const withInsert = insertAt(xml, b.end, moved);
  return splice(withInsert, a.start, a.end, '');
}

/** Swaps two non-overlapping elements, a before b. */
function swap(xml: string, a: El, b: El): string {
  const ta = outer(xml, a);
  const tb = outer(xml, b);
  return xml.slice(0, a.start) + tb + xml.slice(a.end, b.start) + ta + xml.slice(b.end);
}

/** Qualified name under which `el` can write an xsi attribute, plus a declaration if needed. */
function xsiName(el: El, local: string): { name: string; decl: string } {
  const p = prefixFor(el, XSI_NS);
  if (p !== undefined) {
    return { name: `${p}:${local}`, decl: '' };
  }
  return { name: `xsi:${local}`, decl: ` xmlns:xsi="${XSI_NS}"` };
}

function setXsi(xml: string, el: El, local: string, value: string): string {
  const existing = el.attrs.find((a) => {
    const { prefix, local: l } = splitQName(a.name);
    return l === local && prefix !== '' && prefixFor(el, XSI_NS) === prefix;
  });
  if (existing !== undefined) {
    return splice(xml, existing.start, existing.end, `${existing.name}="${value}"`);
  }
  const { name, decl } = xsiName(el, local);
  return insertAt(xml, el.start + 1 + el.qname.length, `${decl} ${name}="${value}"`);
}

function xsiType(el: El): string | undefined {
  const p = prefixFor(el, XSI_NS);
  if (p === undefined) {
    return undefined;
  }
  return attr(el, `${p}:type`)?.value;
}

/** Declaration text making `sdtc:` usable on the start tag of `el` ('' if already bound there). */
function sdtcDecl(el: El): string {
  if (prefixFor(el, SDTC_NS) === 'sdtc' || attr(el, 'xmlns:sdtc') !== undefined) {
    return '';
  }
  return ` xmlns:sdtc="${SDTC_NS}"`;
}

/** An SDTC element as text, declaring the namespace locally so no prefix needs to be in scope. */
function sdtcEl(local: string, attrs: string, content?: string): string {
  const open = `<sdtc:${local} xmlns:sdtc="${SDTC_NS}"${attrs === '' ? '' : ' ' + attrs}`;
  return content === undefined ? `${open}/>` : `${open}>${content}</sdtc:${local}>`;
}

// ---------------------------------------------------------------------------
// The mutations
// ---------------------------------------------------------------------------

type Maker = (xml: string, root: El) => string | undefined;

interface Kind {
  readonly name: string;
  readonly description: string;
  readonly make: Maker;
}

const all = (root: El, local: string): El[] => descendants(root).filter((e) => e.local === local);
const first = (root: El, local: string): El | undefined => all(root, local)[0];
const header = (root: El, local: string): El | undefined => child(root, local);

/** First element whose xsi:type is one of `types`. */
function withXsiType(root: El, ...types: string[]): El | undefined {
  return descendants(root).find((e) => {
    const t = xsiType(e);
    return t !== undefined && types.includes(splitQName(t).local);
  });
}

function typeRef(el: El, local: string): string {
  return el.prefix === '' ? local : `${el.prefix}:${local}`;
}

const KINDS: readonly Kind[] = [
  // --- unknown elements -----------------------------------------------------
  {
    name: 'unknown-element-header',
    description: 'An undeclared element in the HL7 namespace right after ClinicalDocument/id.',
    make: (xml, root) => {
      const id = header(root, 'id');
      return id && insertAt(xml, id.end, `<${sibling(root, 'unknownHeaderElement')}/>`);
    },
  },
  {
    name: 'unknown-element-entry',
    description: 'An undeclared element as the first child of the first observation.',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      return obs && prependContent(xml, obs, `<${sibling(obs, 'bogus')}/>`);
    },
  },
  {
    name: 'unknown-element-narrative',
    description: 'An undeclared element inside the first section/text narrative block.',
    make: (xml, root) => {
      const text = all(root, 'text').find((t) => t.parent?.local === 'section');
      return text && appendContent(xml, text, `<${sibling(text, 'font')}>x</${sibling(text, 'font')}>`);
    },
  },
  {
    name: 'unknown-sdtc-element',
    description: 'An element of the SDTC namespace that the extension set does not define, in patient.',
    make: (xml, root) => {
      const patient = first(root, 'patient');
      const name = patient && child(patient, 'name');
      return name && insertAt(xml, name.end, sdtcEl('nickName', '', 'x'));
    },
  },

  // --- element order ----------------------------------------------------------
  {
    name: 'order-header-id-code',
    description: 'ClinicalDocument/code moved in front of ClinicalDocument/id.',
    make: (xml, root) => {
      const id = header(root, 'id');
      const code = header(root, 'code');
      return id && code && id.start < code.start ? swap(xml, id, code) : undefined;
    },
  },
  {
    name: 'order-header-effectiveTime',
    description: 'ClinicalDocument/effectiveTime moved after confidentialityCode.',
    make: (xml, root) => {
      const t = header(root, 'effectiveTime');
      const c = header(root, 'confidentialityCode');
      return t && c && t.start < c.start ? moveAfter(xml, t, c) : undefined;
    },
  },
  {
    name: 'order-observation-code-after-value',
    description: 'In the first observation with a value, code moved after the last value.',
    make: (xml, root) => {
      for (const obs of all(root, 'observation')) {
        const code = child(obs, 'code');
        const values = obs.children.filter((c) => c.local === 'value');
        const last = values[values.length - 1];
        if (code && last && code.start < last.start) {
          return moveAfter(xml, code, last);
        }
      }
      return undefined;
    },
  },
  {
    name: 'order-interval-high-before-low',
    description: 'An interval with low and high written as high, low.',
    make: (xml, root) => {
      for (const e of descendants(root)) {
        const low = child(e, 'low');
        const high = child(e, 'high');
        if (low && high && low.start < high.start) {
          return swap(xml, low, high);
        }
      }
      return undefined;
    },
  },
  {
    name: 'order-templateId-after-id',
    description: 'The first templateId of the first section moved after the section code.',
    make: (xml, root) => {
      const section = first(root, 'section');
      const tid = child(section, 'templateId');
      const code = child(section, 'code');
      return tid && code && tid.start < code.start ? moveAfter(xml, tid, code) : undefined;
    },
  },

  // --- missing required parts -------------------------------------------------
  {
    name: 'missing-document-code',
    description: 'ClinicalDocument/code (required) removed.',
    make: (xml, root) => {
      const code = header(root, 'code');
      return code && remove(xml, code);
    },
  },
  {
    name: 'missing-typeId',
    description: 'ClinicalDocument/typeId (required at document level) removed.',
    make: (xml, root) => {
      const t = header(root, 'typeId');
      return t && remove(xml, t);
    },
  },
  {
    name: 'missing-custodian',
    description: 'ClinicalDocument/custodian removed.',
    make: (xml, root) => {
      const c = header(root, 'custodian');
      return c && remove(xml, c);
    },
  },
  {
    name: 'missing-recordTarget',
    description: 'Every recordTarget removed.',
    make: (xml, root) => {
      const rts = root.children.filter((c) => c.local === 'recordTarget');
      if (rts.length === 0) {
        return undefined;
      }
      let out = xml;
      for (const rt of [...rts].reverse()) {
        out = remove(out, rt);
      }
      return out;
    },
  },
  {
    name: 'missing-observation-code',
    description: 'The code of the first observation removed.',
    make: (xml, root) => {
      const code = child(first(root, 'observation'), 'code');
      return code && remove(xml, code);
    },
  },
  {
    name: 'missing-author-time',
    description: 'The time of the first header author removed.',
    make: (xml, root) => {
      const time = child(header(root, 'author'), 'time');
      return time && remove(xml, time);
    },
  },
  {
    name: 'missing-required-attribute',
    description: 'The required extension attribute of ClinicalDocument/typeId removed.',
    make: (xml, root) => {
      const t = header(root, 'typeId');
      return t && attr(t, 'extension') ? removeAttr(xml, t, 'extension') : undefined;
    },
  },
  {
    name: 'missing-classCode',
    description: 'The required classCode of the first observation removed.',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      return obs && attr(obs, 'classCode') ? removeAttr(xml, obs, 'classCode') : undefined;
    },
  },

  // --- too many -----------------------------------------------------------------
  {
    name: 'duplicate-single-element',
    description: 'ClinicalDocument/title (at most one) written twice.',
    make: (xml, root) => {
      const t = header(root, 'title') ?? header(root, 'code');
      return t && insertAt(xml, t.end, outer(xml, t));
    },
  },
  {
    name: 'entry-two-statements',
    description: 'The clinical statement of the first entry repeated inside the same entry.',
    make: (xml, root) => {
      const entry = first(root, 'entry');
      const stmt = entry?.children[entry.children.length - 1];
      return stmt && insertAt(xml, stmt.end, outer(xml, stmt));
    },
  },

  // --- xsi:type ---------------------------------------------------------------
  {
    name: 'xsi-type-unknown',
    description: 'The first xsi:type changed to a type that does not exist.',
    make: (xml, root) => {
      const el = descendants(root).find((e) => xsiType(e) !== undefined);
      return el && setXsi(xml, el, 'type', typeRef(el, 'NoSuchType'));
    },
  },
  {
    name: 'xsi-type-abstract',
    description: 'The first xsi:type changed to the abstract type QTY.',
    make: (xml, root) => {
      const el = descendants(root).find((e) => xsiType(e) !== undefined);
      return el && setXsi(xml, el, 'type', typeRef(el, 'QTY'));
    },
  },
  {
    name: 'xsi-type-pq-as-ts',
    description: 'A PQ value relabelled as TS (unit is not a TS attribute).',
    make: (xml, root) => {
      const el = withXsiType(root, 'PQ');
      return el && setXsi(xml, el, 'type', typeRef(el, 'TS'));
    },
  },
  {
    name: 'xsi-type-ce-as-cs',
    description: 'A CE value relabelled as CS (no codeSystem allowed, no children).',
    make: (xml, root) => {
      const el = withXsiType(root, 'CE', 'CD');
      return el && setXsi(xml, el, 'type', typeRef(el, 'CS'));
    },
  },
  {
    name: 'xsi-type-not-derived',
    description: 'xsi:type="PQ" on ClinicalDocument/effectiveTime, a TS element (PQ is not derived from TS).',
    make: (xml, root) => {
      const t = header(root, 'effectiveTime');
      return t && setXsi(xml, t, 'type', typeRef(t, 'PQ'));
    },
  },
  {
    name: 'xsi-type-derived-extension',
    description: 'xsi:type="IVL_TS" on ClinicalDocument/effectiveTime (IVL_TS extends TS, so allowed).',
    make: (xml, root) => {
      const t = header(root, 'effectiveTime');
      return t && setXsi(xml, t, 'type', typeRef(t, 'IVL_TS'));
    },
  },
  {
    name: 'xsi-type-derived-restriction',
    description: 'xsi:type="CV" on ClinicalDocument/code (CV restricts CE).',
    make: (xml, root) => {
      const c = header(root, 'code');
      return c && setXsi(xml, c, 'type', typeRef(c, 'CV'));
    },
  },
  {
    name: 'xsi-type-base-type',
    description: 'xsi:type="CD" on ClinicalDocument/code (CD is the base of CE, not derived from it).',
    make: (xml, root) => {
      const c = header(root, 'code');
      return c && setXsi(xml, c, 'type', typeRef(c, 'CD'));
    },
  },
  {
    name: 'xsi-type-model-class',
    description: 'xsi:type naming the CDA class type itself on the first observation.',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      return obs && setXsi(xml, obs, 'type', typeRef(obs, 'POCD_MT000040.Observation'));
    },
  },
  {
    name: 'xsi-type-sdtc',
    description: 'An INT value relabelled as the SDTC type INT_POS (value must then be at least 1).',
    make: (xml, root) => {
      const el = withXsiType(root, 'INT');
      if (el === undefined) {
        return undefined;
      }
      return insertAt(setXsi(xml, el, 'type', 'sdtc:INT_POS'), el.start + 1 + el.qname.length, sdtcDecl(el));
    },
  },
  {
    name: 'xsi-type-interval-on-value',
    description: 'A PQ value relabelled as IVL_PQ (keeps value/unit, adds interval semantics).',
    make: (xml, root) => {
      const el = withXsiType(root, 'PQ');
      return el && setXsi(xml, el, 'type', typeRef(el, 'IVL_PQ'));
    },
  },

  // --- lexical formats of data type attributes ----------------------------------
  {
    name: 'bad-ts-iso8601',
    description: 'ClinicalDocument/effectiveTime written in ISO 8601 form.',
    make: (xml, root) => {
      const t = header(root, 'effectiveTime');
      return t && setAttr(xml, t, 'value', '2024-05-13T12:45:00+02:00');
    },
  },
  {
    name: 'bad-ts-short-with-zone',
    description: 'A date-only timestamp with a zone offset (offset needs at least an hour).',
    make: (xml, root) => {
      const t = header(root, 'effectiveTime');
      return t && setAttr(xml, t, 'value', '20240513+0200');
    },
  },
  {
    name: 'ts-fraction',
    description: 'Timestamp with fractional seconds and offset (legal).',
    make: (xml, root) => {
      const t = header(root, 'effectiveTime');
      return t && setAttr(xml, t, 'value', '20240513124500.123+0200');
    },
  },
  {
    name: 'bad-int',
    description: 'An INT value (versionNumber or xsi:type INT) given as a decimal.',
    make: (xml, root) => {
      const el = header(root, 'versionNumber') ?? withXsiType(root, 'INT');
      return el && setAttr(xml, el, 'value', '1.5');
    },
  },
  {
    name: 'bad-real-comma',
    description: 'A PQ value with a decimal comma.',
    make: (xml, root) => {
      const el = withXsiType(root, 'PQ');
      return el && setAttr(xml, el, 'value', '72,5');
    },
  },
  {
    name: 'real-scientific',
    description: 'A PQ value in scientific notation (legal: real admits xs:double).',
    make: (xml, root) => {
      const el = withXsiType(root, 'PQ');
      return el && setAttr(xml, el, 'value', '7.25E1');
    },
  },
  {
    name: 'bad-pq-unit',
    description: 'A PQ unit containing a space.',
    make: (xml, root) => {
      const el = withXsiType(root, 'PQ');
      return el && setAttr(xml, el, 'unit', 'mm Hg');
    },
  },
  {
    name: 'bad-bl',
    description: 'negationInd="1" on the first observation (HL7 booleans are true/false only).',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      return obs && setAttr(xml, obs, 'negationInd', '1');
    },
  },
  {
    name: 'bad-uid',
    description: 'The first templateId root is not an OID, UUID or HL7 identifier.',
    make: (xml, root) => {
      const t = header(root, 'templateId');
      return t && setAttr(xml, t, 'root', '1.2.3.abc');
    },
  },
  {
    name: 'empty-st',
    description: 'An empty extension attribute on ClinicalDocument/id (st must not be empty).',
    make: (xml, root) => {
      const id = header(root, 'id');
      return id && setAttr(xml, id, 'extension', '');
    },
  },
  {
    name: 'bad-cs-space',
    description: 'ClinicalDocument/languageCode code containing a space.',
    make: (xml, root) => {
      const l = header(root, 'languageCode');
      return l && setAttr(xml, l, 'code', 'da DK');
    },
  },
  {
    name: 'bad-ed-representation',
    description: 'representation="HEX" on the first section title (ST allows only TXT).',
    make: (xml, root) => {
      const title = child(first(root, 'section'), 'title') ?? header(root, 'title');
      return title && setAttr(xml, title, 'representation', 'HEX');
    },
  },

  // --- coded structural attributes ------------------------------------------------
  {
    name: 'bad-classCode',
    description: 'classCode of the first observation not in the vocabulary.',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      return obs && setAttr(xml, obs, 'classCode', 'OBSX');
    },
  },
  {
    name: 'other-valid-classCode',
    description: 'classCode="COND" on the first observation (another observation class).',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      return obs && setAttr(xml, obs, 'classCode', 'COND');
    },
  },
  {
    name: 'padded-classCode',
    description: 'classCode with surrounding spaces (codes are collapsed tokens).',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      const cc = obs && attr(obs, 'classCode');
      return obs && cc ? setAttr(xml, obs, 'classCode', ` ${cc.value} `) : undefined;
    },
  },
  {
    name: 'bad-moodCode',
    description: 'moodCode="EVN.CRT" on the first observation (a mood, but not one for observations).',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      return obs && setAttr(xml, obs, 'moodCode', 'EVN.CRT');
    },
  },
  {
    name: 'bad-nullFlavor',
    description: 'nullFlavor="UNKNOWN" on ClinicalDocument/code.',
    make: (xml, root) => {
      const c = header(root, 'code');
      return c && setAttr(xml, c, 'nullFlavor', 'UNKNOWN');
    },
  },
  {
    name: 'valid-nullFlavor',
    description: 'nullFlavor="NI" on the first observation value (allowed next to a value).',
    make: (xml, root) => {
      const v = child(first(root, 'observation'), 'value');
      return v && setAttr(xml, v, 'nullFlavor', 'NI');
    },
  },
  {
    name: 'bad-typeCode',
    description: 'typeCode of the first entryRelationship not in x_ActRelationshipEntryRelationship.',
    make: (xml, root) => {
      const er = first(root, 'entryRelationship');
      return er && setAttr(xml, er, 'typeCode', 'PRCN');
    },
  },
  {
    name: 'entry-typeCode-driv',
    description: 'typeCode="DRIV" on the first entry (legal).',
    make: (xml, root) => {
      const e = first(root, 'entry');
      return e && setAttr(xml, e, 'typeCode', 'DRIV');
    },
  },
  {
    name: 'fixed-contextConductionInd',
    description: 'contextConductionInd="false" on the first entry (fixed to true there).',
    make: (xml, root) => {
      const e = first(root, 'entry');
      return e && setAttr(xml, e, 'contextConductionInd', 'false');
    },
  },
  {
    name: 'bad-contextConductionInd',
    description: 'contextConductionInd="no" on the first entryRelationship.',
    make: (xml, root) => {
      const e = first(root, 'entryRelationship');
      return e && setAttr(xml, e, 'contextConductionInd', 'no');
    },
  },
  {
    name: 'fixed-classCode',
    description: 'classCode="DOCBODY" on the first section (fixed to DOCSECT).',
    make: (xml, root) => {
      const s = first(root, 'section');
      return s && setAttr(xml, s, 'classCode', 'DOCBODY');
    },
  },
  {
    name: 'bad-contextControlCode',
    description: 'contextControlCode="AN" on the first header author (fixed to OP).',
    make: (xml, root) => {
      const a = header(root, 'author');
      return a && setAttr(xml, a, 'contextControlCode', 'AN');
    },
  },
  {
    name: 'bad-telecom-use',
    description: 'use="MOBILE" on the first telecom.',
    make: (xml, root) => {
      const t = first(root, 'telecom');
      return t && setAttr(xml, t, 'use', 'MOBILE');
    },
  },
  {
    name: 'telecom-use-list',
    description: 'use="H WP MC" on the first telecom (a legal list of codes).',
    make: (xml, root) => {
      const t = first(root, 'telecom');
      return t && setAttr(xml, t, 'use', 'H WP MC');
    },
  },
  {
    name: 'bad-addr-use',
    description: 'use="MC" on the first addr (a telecom-only code).',
    make: (xml, root) => {
      const a = first(root, 'addr');
      return a && setAttr(xml, a, 'use', 'MC');
    },
  },
  {
    name: 'bad-name-part-qualifier',
    description: 'qualifier="XX" on the first given name.',
    make: (xml, root) => {
      const g = first(root, 'given');
      return g && setAttr(xml, g, 'qualifier', 'XX');
    },
  },
  {
    name: 'fixed-typeId-root',
    description: 'ClinicalDocument/typeId root changed (fixed to the CDA model OID).',
    make: (xml, root) => {
      const t = header(root, 'typeId');
      return t && setAttr(xml, t, 'root', '2.16.840.1.113883.1.4');
    },
  },
  {
    name: 'fixed-partType',
    description: 'partType="CTY" on the first postalCode (fixed to ZIP).',
    make: (xml, root) => {
      const p = first(root, 'postalCode');
      return p && setAttr(xml, p, 'partType', 'CTY');
    },
  },

  // --- attributes that do not exist ---------------------------------------------
  {
    name: 'unknown-attribute-root',
    description: 'An undeclared attribute on ClinicalDocument.',
    make: (xml, root) => setAttr(xml, root, 'status', 'final'),
  },
  {
    name: 'unknown-attribute-datatype',
    description: 'An undeclared attribute on the first id.',
    make: (xml, root) => {
      const id = first(root, 'id');
      return id && setAttr(xml, id, 'extension2', 'x');
    },
  },
  {
    name: 'prohibited-attribute-cs',
    description: 'codeSystem on ClinicalDocument/languageCode (prohibited on CS).',
    make: (xml, root) => {
      const l = header(root, 'languageCode');
      return l && setAttr(xml, l, 'codeSystem', '1.0.639.1');
    },
  },
  {
    name: 'sdtc-valueSet-attribute',
    description: 'sdtc:valueSet on ClinicalDocument/code (an SDTC attribute allowed on CD and its restrictions).',
    make: (xml, root) => {
      const c = header(root, 'code');
      return c && insertAt(xml, c.start + 1 + c.qname.length, `${sdtcDecl(c)} sdtc:valueSet="1.2.3.4"`);
    },
  },

  // --- content model details of the data types -----------------------------------
  {
    name: 'text-in-coded-element',
    description: 'Character content inside ClinicalDocument/code (CE is not mixed).',
    make: (xml, root) => {
      const c = header(root, 'code');
      return c && appendContent(xml, c, 'text');
    },
  },
  {
    name: 'element-in-string',
    description: 'A child element inside ClinicalDocument/title (ST is text only).',
    make: (xml, root) => {
      const t = header(root, 'title');
      return t && appendContent(xml, t, `<${sibling(t, 'reference')} value="#x"/>`);
    },
  },
  {
    name: 'originalText-in-cs',
    description: 'originalText inside the first statusCode (CS has no children).',
    make: (xml, root) => {
      const s = first(root, 'statusCode');
      return s && appendContent(xml, s, `<${sibling(s, 'originalText')}>x</${sibling(s, 'originalText')}>`);
    },
  },
  {
    name: 'qualifier-in-ce',
    description: 'qualifier inside ClinicalDocument/code (CE has no qualifiers).',
    make: (xml, root) => {
      const c = header(root, 'code');
      return c && appendContent(xml, c, `<${sibling(c, 'qualifier')}/>`);
    },
  },
  {
    name: 'foreign-element-in-ed',
    description: 'An element of a foreign namespace at the end of the first ED-typed text of a statement.',
    make: (xml, root) => {
      const t = all(root, 'text').find((e) => e.parent !== undefined && e.parent.local !== 'section');
      return t && appendContent(xml, t, '<x:note xmlns:x="urn:example:foreign">x</x:note>');
    },
  },
  {
    name: 'xsi-nil-not-nillable',
    description: 'xsi:nil="true" on ClinicalDocument/code (not nillable).',
    make: (xml, root) => {
      const c = header(root, 'code');
      return c && setXsi(xml, c, 'nil', 'true');
    },
  },

  // --- namespaces -----------------------------------------------------------------
  {
    name: 'wrong-namespace-element',
    description: 'ClinicalDocument/title moved into a foreign namespace.',
    make: (xml, root) => {
      const t = header(root, 'title');
      return t && insertAt(xml, t.start + 1 + t.qname.length, ' xmlns="urn:example:other"');
    },
  },
  {
    name: 'wrong-namespace-sdtc',
    description: 'The first header templateId written in the SDTC namespace.',
    make: (xml, root) => {
      const t = header(root, 'templateId');
      if (t === undefined || t.prefix !== '' || !t.selfClosing) {
        return undefined;
      }
      return splice(xml, t.start, t.start + 1 + t.qname.length, `<sdtc:templateId${sdtcDecl(t)}`);
    },
  },
  {
    name: 'no-namespace-document',
    description: 'The default namespace declaration removed from ClinicalDocument.',
    make: (xml, root) => (attr(root, 'xmlns') ? removeAttr(xml, root, 'xmlns') : undefined),
  },

  // --- SDTC extensions where they are and are not allowed ---------------------------
  {
    name: 'sdtc-statusCode-allowed',
    description: 'sdtc:statusCode in the header just before effectiveTime (its defined place).',
    make: (xml, root) => {
      const t = header(root, 'effectiveTime');
      return t && insertAt(xml, t.start, sdtcEl('statusCode', 'code="active"'));
    },
  },
  {
    name: 'sdtc-statusCode-misplaced',
    description: 'sdtc:statusCode in the header after effectiveTime.',
    make: (xml, root) => {
      const t = header(root, 'effectiveTime');
      return t && insertAt(xml, t.end, sdtcEl('statusCode', 'code="active"'));
    },
  },
  {
    name: 'sdtc-deceasedInd-patient',
    description: 'sdtc:deceasedInd in patient right after birthTime (allowed).',
    make: (xml, root) => {
      const bt = child(first(root, 'patient'), 'birthTime');
      return bt && insertAt(xml, bt.end, sdtcEl('deceasedInd', 'value="false"'));
    },
  },
  {
    name: 'sdtc-id-patientRole',
    description: 'sdtc:id in patientRole (defined only for related subjects).',
    make: (xml, root) => {
      const id = child(first(root, 'patientRole'), 'id');
      return id && insertAt(xml, id.end, sdtcEl('id', 'root="1.2.3"'));
    },
  },
  {
    name: 'sdtc-category-observation',
    description: 'sdtc:category before the code of the first observation (allowed).',
    make: (xml, root) => {
      const code = child(first(root, 'observation'), 'code');
      return code && insertAt(xml, code.start, sdtcEl('category', 'code="x" codeSystem="1.2.3"'));
    },
  },
  {
    name: 'sdtc-precondition2-observation',
    description: 'sdtc:precondition2 with a criterion in the first observation, after its links (allowed).',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      if (obs === undefined || obs.selfClosing) {
        return undefined;
      }
      const value = sibling(obs, 'value');
      const t = xsiName(obs, 'type');
      const pc = sdtcEl(
        'precondition2',
        '',
        `<sdtc:criterion><${value}${t.decl} ${t.name}="${typeRef(obs, 'BL')}" value="true"/></sdtc:criterion>`
      );
      const anchor = obs.children.find((c) => c.local === 'referenceRange' || c.local === 'inFulfillmentOf1');
      return anchor ? insertAt(xml, anchor.start, pc) : appendContent(xml, obs, pc);
    },
  },
  {
    name: 'sdtc-precondition-undefined',
    description: 'sdtc:precondition (not an SDTC element; precondition2 is) in the first observation.',
    make: (xml, root) => {
      const obs = first(root, 'observation');
      if (obs === undefined || obs.selfClosing) {
        return undefined;
      }
      const pc = sdtcEl('precondition', '', `<sdtc:criterion/>`);
      const anchor = obs.children.find((c) => c.local === 'referenceRange' || c.local === 'inFulfillmentOf1');
      return anchor ? insertAt(xml, anchor.start, pc) : appendContent(xml, obs, pc);
    },
  },
  {
    name: 'sdtc-precondition2-substanceAdministration',
    description: 'sdtc:precondition2 in a substanceAdministration (SDTC does not allow it there).',
    make: (xml, root) => {
      const sa = first(root, 'substanceAdministration');
      if (sa === undefined) {
        return undefined;
      }
      return appendContent(xml, sa, sdtcEl('precondition2', '', `<sdtc:criterion/>`));
    },
  },
  {
    name: 'sdtc-signatureText',
    description: 'sdtc:signatureText after the legalAuthenticator signatureCode (allowed).',
    make: (xml, root) => {
      const sc = child(header(root, 'legalAuthenticator'), 'signatureCode');
      return sc && insertAt(xml, sc.end, sdtcEl('signatureText', '', 'signed'));
    },
  },

  // --- document level -------------------------------------------------------------
  {
    name: 'realmCode-added',
    description: 'An extra realmCode as the first child of ClinicalDocument (allowed, repeatable).',
    make: (xml, root) => prependContent(xml, root, `<${sibling(root, 'realmCode')} code="DK"/>`),
  },
  {
    name: 'wrong-root-element',
    description: 'The document element renamed to clinicalDocument.',
    make: (xml, root) => {
      if (root.selfClosing) {
        return undefined;
      }
      const renamed = sibling(root, 'clinicalDocument');
      const withEnd = splice(xml, root.closeStart, root.end, `</${renamed}>`);
      return splice(withEnd, root.start, root.start + 1 + root.qname.length, `<${renamed}`);
    },
  },
  {
    name: 'duplicate-ID',
    description: 'An ID attribute value used twice.',
    make: (xml, root) => {
      const withId = descendants(root).filter((e) => attr(e, 'ID') !== undefined);
      const a = withId[0];
      if (a === undefined) {
        return undefined;
      }
      const value = attr(a, 'ID')?.value ?? '';
      const b = withId[1] ?? descendants(root).find((e) => e.local === 'content' && e !== a);
      return b && setAttr(xml, b, 'ID', value);
    },
  },

  // --- narrative block ------------------------------------------------------------
  {
    name: 'narrative-br-with-text',
    description: 'A br element with text in the first section text.',
    make: (xml, root) => {
      const text = all(root, 'text').find((t) => t.parent?.local === 'section');
      return text && appendContent(xml, text, `<${sibling(text, 'br')}>x</${sibling(text, 'br')}>`);
    },
  },
  {
    name: 'narrative-dangling-footnoteRef',
    description: 'A footnoteRef pointing at an ID that does not exist.',
    make: (xml, root) => {
      const text = all(root, 'text').find((t) => t.parent?.local === 'section');
      return text && appendContent(xml, text, `<${sibling(text, 'footnoteRef')} IDREF="no-such-id"/>`);
    },
  },
  {
    name: 'narrative-table-in-td',
    description: 'A table nested in a table cell (cells may hold paragraphs and lists, not tables).',
    make: (xml, root) => {
      const td = first(root, 'td');
      const q = (l: string): string => (td ? sibling(td, l) : l);
      return (
        td &&
        appendContent(
          xml,
          td,
          `<${q('table')}><${q('tbody')}><${q('tr')}><${q('td')}>x</${q('td')}></${q('tr')}></${q('tbody')}></${q('table')}>`
        )
      );
    },
  },
  {
    name: 'narrative-list-ok',
    description: 'A list with one item and styleCode appended to the first section text (legal).',
    make: (xml, root) => {
      const text = all(root, 'text').find((t) => t.parent?.local === 'section');
      const q = (l: string): string => (text ? sibling(text, l) : l);
      return (
        text &&
        appendContent(
          xml,
          text,
          `<${q('list')} listType="ordered" styleCode="Bold Italics"><${q('item')}>x</${q('item')}></${q('list')}>`
        )
      );
    },
  },
  {
    name: 'narrative-bad-listType',
    description: 'A list with listType="numbered".',
    make: (xml, root) => {
      const text = all(root, 'text').find((t) => t.parent?.local === 'section');
      const q = (l: string): string => (text ? sibling(text, l) : l);
      return (
        text &&
        appendContent(xml, text, `<${q('list')} listType="numbered"><${q('item')}>x</${q('item')}></${q('list')}>`)
      );
    },
  },
];

/**
 * Produces the mutated variants of `xml`. Kinds whose target element is absent are skipped,
 * as are all kinds if the text cannot be scanned as a single well-formed element tree.
 */
export function xsdMutations(xml: string): XsdMutation[] {
  const root = scan(xml);
  if (root === undefined) {
    return [];
  }
  const out: XsdMutation[] = [];
  for (const kind of KINDS) {
    let mutated: string | undefined;
    try {
      mutated = kind.make(xml, root);
    } catch {
      mutated = undefined;
    }
    if (mutated !== undefined && mutated !== xml) {
      out.push({ name: kind.name, description: kind.description, xml: mutated });
    }
  }
  return out;
}
