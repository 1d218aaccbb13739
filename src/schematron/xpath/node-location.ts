// Canonical location paths of JS-tree nodes, in exactly the format of the SaxonJS stylesheet's kihsch:path (and src/cda/node-path.ts).
import { NS } from '../../core/namespaces.js';
import { Kind } from './xml-tree.js';
import type { XNode } from './xml-tree.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

function nameTest(n: XNode): string {
  switch (n.ns) {
    case '':
      return n.local;
    case NS.cda:
      return `cda:${n.local}`;
    case NS.sdtc:
      return `sdtc:${n.local}`;
    case NS.xsi:
      return `xsi:${n.local}`;
    case XML_NS:
      return `xml:${n.local}`;
    default:
      return `*[local-name()='${n.local}' and namespace-uri()='${n.ns}']`;
  }
}

/** 1 + the preceding siblings that `same` accepts. */
function position(n: XNode, same: (s: XNode) => boolean): number {
  const sibs = n.parent?.children ?? [];
  let k = 1;
  for (let i = 0; i < n.index - 1; i++) {
    if (same(sibs[i] as XNode)) {
      k++;
    }
  }
  return k;
}

function elementSteps(el: XNode | null): string {
  const steps: string[] = [];
  for (let e = el; e && e.kind === Kind.Element; e = e.parent) {
    steps.push(
      `/${nameTest(e)}[${position(e, (s) => s.kind === Kind.Element && s.local === e.local && s.ns === e.ns)}]`
    );
  }
  return steps.reverse().join('');
}

export function locationPath(n: XNode): string {
  switch (n.kind) {
    case Kind.Document:
      return '/';
    case Kind.Element:
      return elementSteps(n);
    case Kind.Attribute:
      return `${elementSteps(n.parent)}/@${nameTest(n)}`;
    case Kind.Text:
      return `${elementSteps(n.parent)}/text()[${position(n, (s) => s.kind === Kind.Text)}]`;
    case Kind.Comment:
      return `${elementSteps(n.parent)}/comment()[${position(n, (s) => s.kind === Kind.Comment)}]`;
    case Kind.Instruction:
      return `${elementSteps(n.parent)}/node()[${n.index}]`;
  }
}
