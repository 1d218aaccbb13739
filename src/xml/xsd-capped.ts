// XSD validation with libxml2-wasm's own calls but a findings cap: only the first findings get libxml2's node path, the rest are counted.
import type { XmlDocument, XsdValidator } from 'libxml2-wasm';
// libxml2-wasm's collector asks libxml2 for every error's node path (xmlGetNodePath walks all
// earlier siblings), which is quadratic in a document with thousands of findings among thousands
// of siblings (1.4 s of 1.7 s at 40,000 findings). Its low-level module is public in the package
// (no exports map) and typed; this file is the only user, and the XSD tests cover it.
import * as lowLevel from 'libxml2-wasm/lib/libxml2.mjs';
import {
  XmlErrorStruct,
  xmlGetNodePath,
  xmlSchemaFreeValidCtxt,
  xmlSchemaNewValidCtxt,
  xmlSchemaSetValidStructuredErrors,
  xmlSchemaValidateDoc,
} from 'libxml2-wasm/lib/libxml2.mjs';

/** One schema-validity error as libxml2-wasm's XmlValidateError details give it. */
export interface XsdDetail {
  readonly message: string;
  /** 1 warning, 2 error. */
  readonly level: number;
  readonly line: number;
  readonly col: number;
  /** libxml2's node path (`/*\/*[16]/…`), when it has a node. */
  readonly xpath?: string;
}

export interface XsdOutcome {
  /** The first `max` errors, in libxml2's order. */
  readonly details: readonly XsdDetail[];
  /** Every error libxml2 reported, kept or not. */
  readonly total: number;
  /** Of those not kept: how many were errors (level 2 or 3) and how many warnings (level 1). */
  readonly droppedErrors: number;
  readonly droppedWarnings: number;
}

interface Collecting {
  readonly max: number;
  readonly details: XsdDetail[];
  total: number;
  droppedErrors: number;
  droppedWarnings: number;
}

const collecting = new Map<number, Collecting>();
let nextIndex = 1;

/** Registers a JS function in the WebAssembly table (the package exports it, its typings mark it internal). */
const addFunction = (
  lowLevel as unknown as { addFunction?: (fn: (index: number, err: number) => void, sig: string) => number }
).addFunction;
if (typeof addFunction !== 'function') {
  throw new Error('libxml2-wasm no longer exports addFunction; src/xml/xsd-capped.ts needs updating');
}

const collector = addFunction((index: number, err: number) => {
  const into = collecting.get(index);
  if (!into) {
    return;
  }
  into.total++;
  if (into.details.length >= into.max) {
    if (XmlErrorStruct.level(err) === 1) {
      into.droppedWarnings++;
    } else {
      into.droppedErrors++;
    }
    return;
  }
  const xpath = xmlGetNodePath(XmlErrorStruct.node(err));
  into.details.push({
    message: XmlErrorStruct.message(err),
    level: XmlErrorStruct.level(err),
    line: XmlErrorStruct.line(err),
    col: XmlErrorStruct.col(err),
    ...(xpath !== null ? { xpath } : {}),
  });
}, 'vii');

/** The wrappers keep libxml2's pointers in fields the package's typings leave out. */
function pointerOf(wrapper: object): number {
  const ptr = (wrapper as { _ptr?: unknown })._ptr;
  if (typeof ptr !== 'number' || ptr === 0) {
    throw new Error('libxml2-wasm: no native pointer (a disposed document or schema, or a changed package)');
  }
  return ptr;
}

/**
 * Validates `doc`; returns the first `max` errors with their paths and the count of all. Throws
 * only when libxml2 itself fails (an invalid document is an outcome with errors).
 */
export function validateXsdCapped(validator: XsdValidator, doc: XmlDocument, max: number): XsdOutcome {
  const ctx = xmlSchemaNewValidCtxt(pointerOf(validator));
  const index = nextIndex++;
  const into: Collecting = { max, details: [], total: 0, droppedErrors: 0, droppedWarnings: 0 };
  collecting.set(index, into);
  try {
    xmlSchemaSetValidStructuredErrors(ctx, collector, index);
    const ret = xmlSchemaValidateDoc(ctx, pointerOf(doc));
    if (ret < 0) {
      throw new Error('libxml2 could not validate the document (invalid input or internal error)');
    }
    return {
      details: into.details,
      total: into.total,
      droppedErrors: into.droppedErrors,
      droppedWarnings: into.droppedWarnings,
    };
  } finally {
    collecting.delete(index);
    xmlSchemaFreeValidCtxt(ctx);
  }
}
