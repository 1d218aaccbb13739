// Reads a DGWS ID card (an STS-signed saml:Assertion) from a file, checked but kept byte for byte.
import { readFile } from 'node:fs/promises';
import { XmlParseError } from 'libxml2-wasm';
import type { XmlDocument } from 'libxml2-wasm';
import { XmlRefused } from '../xml/guard.js';
import { parseLibxml } from '../xml/libxml.js';
import { KihError } from '../core/kih-error.js';
import { XDS_NS } from '../xds/vocabulary.js';

const XML_DECLARATION = /^\uFEFF?<\?xml[^?]*\?>\s*/;

/**
 * The card's text without an XML declaration (it goes inside another document) and otherwise
 * unchanged: the signature covers its canonical form, and re-serialising risks breaking it.
 */
export function checkIdCard(text: string, source: string): string {
  const card = text.replace(XML_DECLARATION, '').trimEnd();
  let doc: XmlDocument;
  try {
    doc = parseLibxml(card);
  } catch (err) {
    if (err instanceof XmlRefused) {
      throw new KihError('XDS_ERR_ID_CARD', `${source}: the ID card has a DOCTYPE, which is refused.`);
    }
    const detail = err instanceof XmlParseError ? err.message.trim() : String(err);
    throw new KihError('XDS_ERR_ID_CARD', `${source}: the ID card is not well-formed XML (${detail}).`);
  }
  try {
    const root = doc.root;
    if (root.name !== 'Assertion' || root.namespaceUri !== XDS_NS.saml) {
      throw new KihError(
        'XDS_ERR_ID_CARD',
        `${source}: the ID card must be a {${XDS_NS.saml}}Assertion element, found {${root.namespaceUri}}${root.name}.`
      );
    }
  } finally {
    doc.dispose();
  }
  return card;
}

export async function readIdCardFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new KihError(
      'XDS_ERR_ID_CARD',
      `${file}: cannot be read (${err instanceof Error ? err.message : String(err)}).`
    );
  }
  return checkIdCard(text, file);
}
