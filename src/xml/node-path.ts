// Canonical, evaluable XPaths of libxml2 nodes (in the format of path-format.ts) and the reverse walk from libxml2's own paths.
import { XmlAttribute, XmlElement } from 'libxml2-wasm';
import type { XmlDocument, XmlNode } from 'libxml2-wasm';
import { elementChildren } from './libxml-tree.js';
import { formatPath, formatStep } from './path-format.js';
import type { PathStep } from './path-format.js';

function sameName(a: XmlElement, b: XmlElement): boolean {
  return a.name === b.name && a.namespaceUri === b.namespaceUri;
}

function positionAmongSiblings(el: XmlElement): number {
  let n = 1;
  for (let sib = el.prev; sib; sib = sib.prev) {
    if (sib instanceof XmlElement && sameName(sib, el)) {
      n++;
    }
  }
  return n;
}

/** The steps from the root down to an element. */
export function elementSteps(el: XmlElement | null): PathStep[] {
  const steps: PathStep[] = [];
  for (; el; el = el.parent) {
    steps.push({ kind: 'element', ns: el.namespaceUri, local: el.name, position: positionAmongSiblings(el) });
  }
  return steps.reverse();
}

/**
 * The canonical path of an element or attribute (of any other node, its parent element's): every
 * step prefixed (`cda:`, `sdtc:`) and indexed, so it can be evaluated with the tool's namespace
 * map and compared across stages.
 */
export function canonicalPath(node: XmlNode): string {
  if (node instanceof XmlAttribute) {
    return formatPath([...elementSteps(node.parent), { kind: 'attribute', ns: node.namespaceUri, local: node.name }]);
  }
  return formatPath(elementSteps(node instanceof XmlElement ? node : node.parent));
}

const STEP = /^(@)?(\*|[^[\]]+?)(?:\[(\d+)\])?$/;

/**
 * Finds the node that libxml2's own path (xmlGetNodePath: `/*` + `[n]` for elements in a default
 * namespace, `prefix:name[n]` otherwise) points at. Returns null when the path does not resolve.
 */
export function resolveLibxmlPath(doc: XmlDocument, libxmlPath: string): XmlNode | null {
  const steps = libxmlPath.split('/').slice(1);
  let current: XmlElement | null = null;
  for (const [i, raw] of steps.entries()) {
    const m = STEP.exec(raw);
    if (!m) {
      return null;
    }
    const [, isAttr, name = '', index] = m;
    if (isAttr) {
      if (!current || i !== steps.length - 1) {
        return null;
      }
      const colon = name.indexOf(':');
      return colon < 0 ? current.attr(name) : current.attr(name.slice(colon + 1), name.slice(0, colon));
    }
    const candidates: XmlElement[] = current ? elementChildren(current) : [doc.root];
    const n = index ? Number(index) : 1;
    let matches: XmlElement[];
    if (name === '*') {
      matches = candidates;
    } else {
      const colon = name.indexOf(':');
      const prefix = colon < 0 ? '' : name.slice(0, colon);
      const local = colon < 0 ? name : name.slice(colon + 1);
      matches = candidates.filter((c) => c.name === local && (c.prefix || '') === prefix);
    }
    current = matches[n - 1] ?? null;
    if (!current) {
      return null;
    }
  }
  return current;
}

/** A resolved libxml2 path: the node and its canonical path. */
export interface ResolvedPath {
  readonly node: XmlNode;
  readonly path: string;
}

/** What one pass over a parent's element children learns: each child, its canonical path, its libxml2 name. */
interface Children {
  readonly elements: readonly XmlElement[];
  readonly paths: readonly string[];
  /** libxml2 step name (`prefix:local`, or `*` counted among all elements) → the children it counts, in order. */
  readonly byLibxmlName: ReadonlyMap<string, readonly number[]>;
}

interface Resolved {
  readonly el: XmlElement;
  readonly path: string;
  children?: Children;
}

export interface LibxmlPathIndex {
  /** The node a libxml2 path points at and its canonical path; null when the path does not resolve. */
  resolve(libxmlPath: string): ResolvedPath | null;
  /** Element children looked at so far: each parent's once, whatever the number of paths through it. */
  readonly childrenVisited: number;
}

/**
 * Resolves many libxml2 paths of one document in time linear in the document: each parent's
 * children are numbered in one pass the first time a path goes through it, and each resolved
 * prefix is remembered. (`resolveLibxmlPath` and `canonicalPath` walk the siblings again for
 * every call, which made a document with thousands of findings among thousands of siblings cost
 * quadratic time.) The document must not change while the index is used.
 */
export function libxmlPathIndex(doc: XmlDocument): LibxmlPathIndex {
  const prefixes = new Map<string, Resolved | null>();
  let childrenVisited = 0;

  const childrenOf = (parent: Resolved): Children => {
    if (parent.children) {
      return parent.children;
    }
    const elements = elementChildren(parent.el);
    childrenVisited += elements.length;
    const canonicalSeen = new Map<string, number>();
    const all: number[] = [];
    const byLibxmlName = new Map<string, number[]>([['*', all]]);
    const paths = elements.map((el, i) => {
      const key = `${el.namespaceUri}\u0000${el.name}`;
      const position = (canonicalSeen.get(key) ?? 0) + 1;
      canonicalSeen.set(key, position);
      // xmlGetNodePath writes `*[n]` for an element in a default namespace (n among all element
      // siblings), `prefix:name[n]` or `name[n]` otherwise (n among those with that name).
      all.push(i);
      const libxmlName = el.prefix ? `${el.prefix}:${el.name}` : el.namespaceUri ? '*' : el.name;
      if (libxmlName !== '*') {
        const named = byLibxmlName.get(libxmlName) ?? [];
        named.push(i);
        byLibxmlName.set(libxmlName, named);
      }
      return parent.path + formatStep({ kind: 'element', ns: el.namespaceUri, local: el.name, position });
    });
    parent.children = { elements, paths, byLibxmlName };
    return parent.children;
  };

  const step = (parent: Resolved | null, raw: string): Resolved | null => {
    const m = STEP.exec(raw);
    if (!m || m[1]) {
      return null;
    }
    const name = m[2] ?? '';
    const n = m[3] ? Number(m[3]) : 1;
    if (!parent) {
      const root = doc.root;
      return n === 1
        ? { el: root, path: formatStep({ kind: 'element', ns: root.namespaceUri, local: root.name, position: 1 }) }
        : null;
    }
    const children = childrenOf(parent);
    const i = children.byLibxmlName.get(name)?.[n - 1];
    const el = i === undefined ? undefined : children.elements[i];
    return el && i !== undefined ? { el, path: children.paths[i] ?? '' } : null;
  };

  const resolveElement = (steps: readonly string[]): Resolved | null => {
    if (steps.length === 0) {
      return null;
    }
    const key = steps.join('/');
    const known = prefixes.get(key);
    if (known !== undefined) {
      return known;
    }
    const parent = steps.length > 1 ? resolveElement(steps.slice(0, -1)) : null;
    const resolved = steps.length > 1 && !parent ? null : step(parent, steps[steps.length - 1] ?? '');
    prefixes.set(key, resolved);
    return resolved;
  };

  return {
    get childrenVisited() {
      return childrenVisited;
    },
    resolve(libxmlPath) {
      const steps = libxmlPath.split('/').slice(1);
      const last = steps[steps.length - 1] ?? '';
      if (!last.startsWith('@')) {
        const resolved = resolveElement(steps);
        return resolved ? { node: resolved.el, path: resolved.path } : null;
      }
      const owner = resolveElement(steps.slice(0, -1));
      const m = STEP.exec(last);
      if (!owner || !m) {
        return null;
      }
      const name = m[2] ?? '';
      const colon = name.indexOf(':');
      const attr = colon < 0 ? owner.el.attr(name) : owner.el.attr(name.slice(colon + 1), name.slice(0, colon));
      return attr
        ? { node: attr, path: owner.path + formatStep({ kind: 'attribute', ns: attr.namespaceUri, local: attr.name }) }
        : null;
    },
  };
}
