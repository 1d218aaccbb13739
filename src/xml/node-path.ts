// Canonical, evaluable XPaths of libxml2 nodes (in the format of path-format.ts) and the reverse walk from libxml2's own paths.
import { XmlAttribute, XmlElement } from 'libxml2-wasm';
import type { XmlDocument, XmlNode } from 'libxml2-wasm';
import { elementChildren } from './libxml-tree.js';
import { formatPath } from './path-format.js';
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
