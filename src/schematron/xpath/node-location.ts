// Canonical location paths of JS-tree nodes: the steps of src/xml/path-format.ts, the format the SaxonJS stylesheet's kihsch:path and src/xml/node-path.ts write too.
import { formatPath } from '../../xml/path-format.js';
import type { PathStep } from '../../xml/path-format.js';
import { Kind } from './xml-tree.js';
import type { XNode } from './xml-tree.js';

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

function elementSteps(el: XNode | null): PathStep[] {
  const steps: PathStep[] = [];
  for (let e = el; e && e.kind === Kind.Element; e = e.parent) {
    const at = position(e, (s) => s.kind === Kind.Element && s.local === e.local && s.ns === e.ns);
    steps.push({ kind: 'element', ns: e.ns, local: e.local, position: at });
  }
  return steps.reverse();
}

function stepsOf(n: XNode): PathStep[] {
  switch (n.kind) {
    case Kind.Document:
      return [];
    case Kind.Element:
      return elementSteps(n);
    case Kind.Attribute:
      return [...elementSteps(n.parent), { kind: 'attribute', ns: n.ns, local: n.local }];
    case Kind.Text:
      return [...elementSteps(n.parent), { kind: 'text', position: position(n, (s) => s.kind === Kind.Text) }];
    case Kind.Comment:
      return [...elementSteps(n.parent), { kind: 'comment', position: position(n, (s) => s.kind === Kind.Comment) }];
    case Kind.Instruction:
      return [...elementSteps(n.parent), { kind: 'node', position: n.index }];
  }
}

export function locationPath(n: XNode): string {
  return formatPath(stepsOf(n));
}
