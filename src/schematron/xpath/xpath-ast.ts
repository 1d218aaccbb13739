// The syntax tree of the XPath 2.0 subset the own Schematron engine evaluates.

export type Axis =
  | 'child'
  | 'attribute'
  | 'self'
  | 'parent'
  | 'descendant'
  | 'descendant-or-self'
  | 'ancestor'
  | 'ancestor-or-self'
  | 'following-sibling'
  | 'preceding-sibling';

/** A name test (`ns` undefined: any namespace; `local` undefined: any name) or a kind test. */
export type NodeTest =
  | { readonly t: 'name'; readonly ns?: string; readonly local?: string }
  | { readonly t: 'kind'; readonly kind: 'node' | 'text' | 'comment' | 'element' | 'attribute' };

export type Step =
  | { readonly t: 'axis'; readonly axis: Axis; readonly test: NodeTest; readonly preds: readonly Expr[] }
  | { readonly t: 'expr'; readonly e: Expr; readonly preds: readonly Expr[] };

export type GeneralOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ValueOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type ArithOp = '+' | '-' | '*' | 'idiv' | 'mod';
/** The atomic types the subset can construct (all but decimal) and test for with `castable as`. */
export type AtomicType = 'string' | 'integer' | 'decimal' | 'date' | 'dateTime' | 'boolean';

export type Expr =
  | { readonly t: 'seq'; readonly items: readonly Expr[] }
  | { readonly t: 'for'; readonly v: string; readonly in: Expr; readonly ret: Expr }
  | { readonly t: 'quant'; readonly every: boolean; readonly v: string; readonly in: Expr; readonly sat: Expr }
  | { readonly t: 'if'; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  | { readonly t: 'or' | 'and'; readonly l: Expr; readonly r: Expr }
  | { readonly t: 'gcmp'; readonly op: GeneralOp; readonly l: Expr; readonly r: Expr }
  | { readonly t: 'vcmp'; readonly op: ValueOp; readonly l: Expr; readonly r: Expr }
  | { readonly t: 'range'; readonly l: Expr; readonly r: Expr }
  | { readonly t: 'arith'; readonly op: ArithOp; readonly l: Expr; readonly r: Expr }
  | { readonly t: 'neg'; readonly e: Expr }
  | { readonly t: 'union'; readonly l: Expr; readonly r: Expr }
  | { readonly t: 'castable'; readonly e: Expr; readonly type: AtomicType; readonly optional: boolean }
  | { readonly t: 'path'; readonly root: 'none' | '/' | '//'; readonly steps: readonly Step[] }
  | { readonly t: 'lit'; readonly v: string | number }
  | { readonly t: 'var'; readonly name: string }
  | { readonly t: 'ctx' }
  | { readonly t: 'call'; readonly ns: string; readonly local: string; readonly args: readonly Expr[] };

/** Namespace URIs of the function names the subset knows. */
export const FN_NS = 'http://www.w3.org/2005/xpath-functions';
export const XS_NS = 'http://www.w3.org/2001/XMLSchema';

/** Raised at compile time for anything outside the subset: the rule set then runs on SaxonJS. */
export class OutsideSubset extends Error {}
