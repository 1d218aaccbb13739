// Test helper: parse renderer output with libxml2 (throws if not well-formed) and query it.
import { XmlDocument } from 'libxml2-wasm';
import type { NamespaceMap } from 'libxml2-wasm';

export interface XmlQuery {
  /** XPath returning a string (wrap node-sets in `string()`) or a number (`count()`). */
  value(xpath: string): string | number | boolean;
  str(xpath: string): string;
  num(xpath: string): number;
  /** Text content of each node matched. */
  all(xpath: string): string[];
}

export function withXml<T>(source: string, namespaces: NamespaceMap, fn: (q: XmlQuery) => T): T {
  const doc = XmlDocument.fromString(source);
  try {
    const value = (xpath: string): string | number | boolean => {
      const result = doc.eval(xpath, namespaces);
      if (Array.isArray(result)) {
        throw new Error(`XPath ${xpath} returned nodes; use all()`);
      }
      return result;
    };
    return fn({
      value,
      str: (xpath) => String(value(xpath)),
      num: (xpath) => Number(value(xpath)),
      all: (xpath) => doc.find(xpath, namespaces).map((n) => n.content),
    });
  } finally {
    doc.dispose();
  }
}
