// Walking libxml2-wasm trees: an element's element children, those with a name, the first of them, trimmed text.
import { XmlElement } from 'libxml2-wasm';

export function elementChildren(parent: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let node = parent.firstChild; node; node = node.next) {
    if (node instanceof XmlElement) {
      out.push(node);
    }
  }
  return out;
}

/** The child elements with this namespace and local name, in document order. */
export function childElements(parent: XmlElement, ns: string, name: string): XmlElement[] {
  return elementChildren(parent).filter((c) => c.namespaceUri === ns && c.name === name);
}

/** The first child element with this namespace and local name (none when `parent` is absent). */
export function childElement(parent: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  return parent ? elementChildren(parent).find((c) => c.namespaceUri === ns && c.name === name) : undefined;
}

/** The element's text content, trimmed; undefined when absent or empty. */
export function trimmedText(el: XmlElement | undefined): string | undefined {
  const value = el?.content.trim();
  return value ? value : undefined;
}
