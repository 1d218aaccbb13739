// Escaping for XML (and HTML) text and attribute values, shared by the markup renderers.

/**
 * Characters XML 1.0 forbids outright (most C0 controls, lone surrogates, U+FFFE/U+FFFF). No
 * escape makes them legal, and one stray byte from a broken input file must not make the whole
 * report unparseable, so they become U+FFFD.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const TEXT_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  // `>` only needs escaping in `]]>`, but escaping it always is simpler and just as valid.
  '>': '&gt;',
  // A literal CR would be normalised to LF by any parser; keep it as written.
  '\r': '&#13;',
};

const ATTR_ENTITIES: Readonly<Record<string, string>> = {
  ...TEXT_ENTITIES,
  '"': '&quot;',
  // Numeric rather than `&apos;`, which HTML 4 lacks: the HTML renderer shares this function.
  "'": '&#39;',
  // Attribute-value normalisation would turn these into spaces.
  '\t': '&#9;',
  '\n': '&#10;',
};

/** Removes characters XML cannot carry at all. */
export function toXmlChars(value: string): string {
  return value.replace(NOT_XML_CHAR, '\uFFFD');
}

/**
 * Escapes a string for use as element content.
 * @param value - Any string, including ones with markup characters or control characters.
 * @returns Text that parses back to `value` (minus characters XML cannot represent).
 */
export function escapeXmlText(value: string): string {
  return toXmlChars(value).replace(/[&<>\r]/g, (c) => TEXT_ENTITIES[c] ?? c);
}

/**
 * Escapes a string for use inside a double- or single-quoted attribute value.
 * @param value - Any string.
 * @returns Text that parses back to `value`, whitespace included.
 */
export function escapeXmlAttr(value: string): string {
  return toXmlChars(value).replace(/[&<>"'\t\n\r]/g, (c) => ATTR_ENTITIES[c] ?? c);
}
