// Reads a Schematron file into a plain tree with every sch:include resolved, refusing DTDs and cycles.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XmlCData, XmlElement, XmlEntityReference, XmlParseError, XmlText } from 'libxml2-wasm';
import type { XmlDocument } from 'libxml2-wasm';
import { XmlRefused } from '../xml/guard.js';
import { parseLibxml } from '../xml/libxml.js';
import { schematronError } from './errors.js';

export const SCH_NS = 'http://purl.oclc.org/dsdl/schematron';
export const XSL_NS = 'http://www.w3.org/1999/XSL/Transform';

export interface SchAttribute {
  readonly local: string;
  readonly ns: string;
  readonly prefix: string;
  readonly value: string;
}

export interface SchElement {
  readonly kind: 'element';
  readonly ns: string;
  readonly local: string;
  readonly prefix: string;
  readonly attrs: readonly SchAttribute[];
  readonly children: readonly SchNode[];
  /** Absolute path of the file the element came from, and its line there (for error messages). */
  readonly file: string;
  readonly line: number;
  /** Namespaces in scope in the source, needed only to copy foreign (XSLT) elements faithfully. */
  readonly namespaces: Readonly<Record<string, string>>;
}

export interface SchText {
  readonly kind: 'text';
  readonly value: string;
}

export type SchNode = SchElement | SchText;

export interface SourceFile {
  readonly path: string;
  readonly sha256: string;
}

export interface LoadedSchematron {
  readonly root: SchElement;
  /** The main file first, then each included file once, in the order first read. */
  readonly files: readonly SourceFile[];
}

/** Deep enough for any real rule set; stops a runaway chain that is not a cycle (e.g. generated files). */
const MAX_INCLUDE_DEPTH = 50;

export function attr(el: SchElement, local: string): string | undefined {
  return el.attrs.find((a) => a.local === local && a.ns === '')?.value;
}

/** Whether an element is in the Schematron namespace (and has the given local name). */
export function isSch(el: SchElement, local?: string): boolean {
  return el.ns === SCH_NS && (local === undefined || el.local === local);
}

export function where(el: SchElement): string {
  return `${el.file}:${el.line}`;
}

class Loader {
  readonly files: SourceFile[] = [];
  private readonly cache = new Map<string, XmlDocumentTree>();

  /** Parses a file once; later includes of the same file reuse the tree. */
  read(file: string): XmlDocumentTree {
    const cached = this.cache.get(file);
    if (cached) {
      return cached;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw schematronError(
        'SCH_ERR_PARSE',
        `Cannot read Schematron file ${file}: ${err instanceof Error ? err.message : String(err)}`,
        err
      );
    }
    this.files.push({ path: file, sha256: createHash('sha256').update(bytes).digest('hex') });
    const tree = parseTree(bytes, file);
    this.cache.set(file, tree);
    return tree;
  }

  /** Copies an element, replacing each sch:include by the element it points at. */
  expand(el: SchElement, stack: readonly string[]): SchElement {
    const children: SchNode[] = [];
    for (const child of el.children) {
      if (child.kind === 'element' && child.ns === SCH_NS && child.local === 'include') {
        children.push(this.include(child, stack));
      } else if (child.kind === 'element') {
        children.push(this.expand(child, stack));
      } else {
        children.push(child);
      }
    }
    return { ...el, children };
  }

  private include(inc: SchElement, stack: readonly string[]): SchElement {
    const href = attr(inc, 'href');
    if (!href) {
      throw schematronError('SCH_ERR_COMPILE', `${where(inc)}: sch:include has no href.`);
    }
    const hash = href.indexOf('#');
    const target = hash < 0 ? href : href.slice(0, hash);
    const fragment = hash < 0 ? '' : href.slice(hash + 1);
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('file:')) {
      // Rules come from the package only; an include must never reach the network.
      throw schematronError('SCH_ERR_PARSE', `${where(inc)}: only local files can be included, not ${href}.`);
    }
    const file = target.startsWith('file:')
      ? fileURLToPath(target)
      : target === ''
        ? inc.file
        : path.resolve(path.dirname(inc.file), target);
    const id = `${file}#${fragment}`;
    if (stack.includes(id)) {
      throw schematronError(
        'SCH_ERR_COMPILE',
        `${where(inc)}: include cycle: ${[...stack, id].map((s) => s.replace(/#$/, '')).join(' -> ')}.`
      );
    }
    if (stack.length >= MAX_INCLUDE_DEPTH) {
      throw schematronError('SCH_ERR_COMPILE', `${where(inc)}: includes nested deeper than ${MAX_INCLUDE_DEPTH}.`);
    }
    const tree = this.read(file);
    const found = fragment ? findById(tree.root, fragment) : tree.root;
    if (!found) {
      throw schematronError('SCH_ERR_COMPILE', `${where(inc)}: no element with id "${fragment}" in ${file}.`);
    }
    return this.expand(found, [...stack, id]);
  }
}

interface XmlDocumentTree {
  readonly root: SchElement;
}

function findById(el: SchElement, id: string): SchElement | undefined {
  if (attr(el, 'id') === id || el.attrs.some((a) => a.local === 'id' && a.prefix === 'xml' && a.value === id)) {
    return el;
  }
  for (const child of el.children) {
    if (child.kind === 'element') {
      const found = findById(child, id);
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}

function parseTree(bytes: Uint8Array, file: string): XmlDocumentTree {
  let doc: XmlDocument;
  try {
    doc = parseLibxml(bytes, { url: file });
  } catch (err) {
    if (err instanceof XmlRefused) {
      // Rule files need no DTD; refusing it rules out entity expansion and external fetches.
      throw schematronError('SCH_ERR_PARSE', `${file}: DOCTYPE declarations are not allowed in Schematron files.`, err);
    }
    if (err instanceof XmlParseError) {
      const first = err.details[0];
      const at = first ? `${file}:${first.line}: ${first.message.trim()}` : `${file}: ${err.message}`;
      throw schematronError('SCH_ERR_PARSE', `Schematron file is not well-formed XML: ${at}`, err);
    }
    throw err;
  }
  try {
    return { root: convert(doc.root, file) };
  } finally {
    doc.dispose();
  }
}

function convert(el: XmlElement, file: string): SchElement {
  const children: SchNode[] = [];
  for (let child = el.firstChild; child; child = child.next) {
    if (child instanceof XmlElement) {
      children.push(convert(child, file));
    } else if (child instanceof XmlText || child instanceof XmlCData) {
      children.push({ kind: 'text', value: child.content });
    } else if (child instanceof XmlEntityReference) {
      throw schematronError(
        'SCH_ERR_PARSE',
        `${file}:${el.line}: entity references are not allowed (&${child.name};).`
      );
    }
  }
  return {
    kind: 'element',
    ns: el.namespaceUri,
    local: el.name,
    prefix: el.prefix,
    attrs: el.attrs.map((a) => ({ local: a.name, ns: a.namespaceUri, prefix: a.prefix, value: a.value })),
    children,
    file,
    line: el.line,
    namespaces: el.namespaces,
  };
}

/** Loads a Schematron file and everything it includes (relative hrefs resolve against the including file). */
export function loadSchematron(file: string): LoadedSchematron {
  const loader = new Loader();
  const main = path.resolve(file);
  const root = loader.expand(loader.read(main).root, [`${main}#`]);
  if (root.ns !== SCH_NS || root.local !== 'schema') {
    throw schematronError(
      'SCH_ERR_COMPILE',
      `${where(root)}: the root element is {${root.ns}}${root.local}, not {${SCH_NS}}schema.`
    );
  }
  return { root, files: loader.files };
}
