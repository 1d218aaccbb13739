// The dynamic context a compiled XPath closure runs in: focus, variable frame, and the document's shared state.
import { Kind, XNode } from './xml-tree.js';
import type { Item, Seq } from './xpath-values.js';

/** What every evaluation on one document shares: the tree, its element index, the global variables. */
export class DocEnv {
  private byLocal: Map<string, XNode[]> | undefined;
  private readonly byName = new Map<string, readonly XNode[]>();
  /** Global variable values, by slot, filled once per document. */
  readonly globals: Seq[] = [];

  constructor(readonly root: XNode) {}

  /** Every element with this expanded name, in document order (the index is built on first use). */
  elementsNamed(ns: string, local: string): readonly XNode[] {
    const key = `${ns}\u0000${local}`;
    let found = this.byName.get(key);
    if (found === undefined) {
      if (this.byLocal === undefined) {
        this.byLocal = new Map();
        for (const el of this.root.allElements) {
          const list = this.byLocal.get(el.local);
          if (list === undefined) {
            this.byLocal.set(el.local, [el]);
          } else {
            list.push(el);
          }
        }
      }
      const sameLocal = this.byLocal.get(local) ?? [];
      found = sameLocal.every((e) => e.ns === ns) ? sameLocal : sameLocal.filter((e) => e.ns === ns);
      this.byName.set(key, found);
    }
    return found;
  }

  /** Every element in document order. */
  allElements(): readonly XNode[] {
    return this.root.allElements;
  }
}

/** The focus (context item, position, size) and the current variable frame. */
export interface Ctx {
  readonly item: Item | undefined;
  readonly pos: number;
  readonly size: number;
  readonly frame: (Seq | undefined)[];
  readonly env: DocEnv;
}

export type Compiled = (ctx: Ctx) => Seq;

export function focus(ctx: Ctx, item: Item, pos: number, size: number): Ctx {
  return { item, pos, size, frame: ctx.frame, env: ctx.env };
}

export function isDocument(item: Item | undefined): boolean {
  return item instanceof XNode && item.kind === Kind.Document;
}
