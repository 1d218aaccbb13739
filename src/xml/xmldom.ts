// The xmldom adapter: parses small XML messages (ID cards, STS requests and answers) into xmldom trees through the guard, and walks them.
import { DOMParser } from '@xmldom/xmldom';
import { XmlParseError } from 'libxml2-wasm';
import { XmlRefused } from './guard.js';
import { parseLibxml } from './libxml.js';

/** Thrown for text that is not acceptable XML; callers turn it into their own error or fault. */
export class XmlRejected extends Error {
  override readonly name = 'XmlRejected';
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes to text; DGWS allows UTF-8 only, and a lenient decoder would hide a broken byte. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    throw new XmlRejected('the message is not UTF-8');
  }
}

/**
 * An xmldom Document for `text`. xml-crypto checks signatures on xmldom trees, so the tree our
 * checks read comes from the same parser as the one it verifies; libxml2 runs first because
 * xmldom 0.8 recovers from some malformed input instead of failing.
 */
export function parseXmlText(text: string): Document {
  // The guard (in parseLibxml) refuses a DTD, so neither parser expands entities or fetches anything.
  try {
    parseLibxml(text).dispose();
  } catch (err) {
    if (err instanceof XmlRefused) {
      throw new XmlRejected(err.message);
    }
    throw new XmlRejected(`not well-formed XML (${err instanceof XmlParseError ? err.message.trim() : String(err)})`);
  }
  const problems: string[] = [];
  const record = (msg: unknown): void => {
    problems.push(String(msg));
  };
  const parsed = new DOMParser({
    errorHandler: { warning: record, error: record, fatalError: record },
  }).parseFromString(text, 'text/xml');
  if (problems.length > 0 || !(parsed.documentElement as Element | null)) {
    throw new XmlRejected(`not well-formed XML (${problems[0]?.split('\n')[0] ?? 'no root element'})`);
  }
  return parsed;
}

/** Element children of a node, in document order. */
export function childElements(node: Node): Element[] {
  const out: Element[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1) {
      out.push(child as Element);
    }
  }
  return out;
}

export function isElement(node: Element | undefined, ns: string, localName: string): boolean {
  return node !== undefined && node.namespaceURI === ns && node.localName === localName;
}

/** The only child element with this name, or undefined when there is none or more than one. */
export function onlyChild(node: Node, ns: string, localName: string): Element | undefined {
  const found = childElements(node).filter((e) => isElement(e, ns, localName));
  return found.length === 1 ? found[0] : undefined;
}

/** Every descendant element with this name. */
export function descendants(node: Element | Document, ns: string, localName: string): Element[] {
  return Array.from(node.getElementsByTagNameNS(ns, localName));
}

/** Text content with surrounding white space removed. */
export function textOf(el: Element | undefined): string | undefined {
  return el?.textContent.trim();
}
