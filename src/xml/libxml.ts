// The libxml2 (WebAssembly) adapter: the guarded parse of untrusted input, its safe options, and an input provider that serves only registered schema files.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ParseOption, XmlDocument, xmlRegisterInputProvider } from 'libxml2-wasm';
import type { XmlInputProvider } from 'libxml2-wasm';
import { refuseDoctype } from './guard.js';

/**
 * Options for untrusted documents: no network, no external entities, line numbers past 65535.
 * Entities are never substituted (no NOENT) and DTDs are never loaded (no DTDLOAD); the guard
 * refuses a DOCTYPE before parsing anyway.
 */
export const SAFE_PARSE_OPTIONS: ParseOption =
  ParseOption.XML_PARSE_NONET |
  ParseOption.XML_PARSE_NO_XXE |
  ParseOption.XML_PARSE_BIG_LINES |
  ParseOption.XML_PARSE_NO_SYS_CATALOG |
  ParseOption.XML_PARSE_COMPACT;

export interface LibxmlParseOptions {
  /** Used only in libxml2's messages; nothing is fetched from it. */
  readonly url?: string;
  /** SAFE_PARSE_OPTIONS unless a caller adds to them (e.g. XML_PARSE_HUGE for large requests). */
  readonly option?: ParseOption;
}

/**
 * The entry for untrusted XML into libxml2: the guard first, then a parse with safe options.
 * Throws XmlRefused for a DOCTYPE and libxml2's XmlParseError for text that is not well-formed;
 * the caller turns either into its own error and owns (disposes) the returned document.
 */
export function parseLibxml(source: string | Uint8Array, options: LibxmlParseOptions = {}): XmlDocument {
  refuseDoctype(source);
  const parseOptions = { url: options.url, option: options.option ?? SAFE_PARSE_OPTIONS };
  return typeof source === 'string'
    ? XmlDocument.fromString(source, parseOptions)
    : XmlDocument.fromBuffer(source, parseOptions);
}

/** Files libxml2 may open (schema documents pulled in by xs:include/xs:import), by absolute path. */
const servedFiles = new Map<string, Uint8Array>();
const openFiles = new Map<number, { bytes: Uint8Array; offset: number }>();
let nextHandle = 1;
let registered = false;

function toPath(filename: string): string {
  return filename.startsWith('file://') ? fileURLToPath(filename) : path.resolve(filename);
}

/**
 * Serves only files the tool registered in memory, so nothing a document or a schema names can
 * make libxml2 read another file or reach the network.
 */
const memoryProvider: XmlInputProvider = {
  match: (filename) => servedFiles.has(toPath(filename)),
  open: (filename) => {
    const bytes = servedFiles.get(toPath(filename));
    if (!bytes) {
      return undefined;
    }
    const handle = nextHandle++;
    openFiles.set(handle, { bytes, offset: 0 });
    return handle;
  },
  read: (fd, buf) => {
    const file = openFiles.get(fd);
    if (!file) {
      return -1;
    }
    const n = Math.min(buf.byteLength, file.bytes.length - file.offset);
    buf.set(file.bytes.subarray(file.offset, file.offset + n));
    file.offset += n;
    return n;
  },
  close: (fd) => openFiles.delete(fd),
};

/** Makes files available to libxml2 by absolute path (idempotent per path). */
export function serveFiles(files: ReadonlyMap<string, Uint8Array>): void {
  if (!registered) {
    xmlRegisterInputProvider(memoryProvider);
    registered = true;
  }
  for (const [file, bytes] of files) {
    servedFiles.set(path.resolve(file), bytes);
  }
}
