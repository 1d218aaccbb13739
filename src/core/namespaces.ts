// Namespace URIs and the prefixes the tool uses in every XPath it prints or evaluates (paths are written by src/xml/path-format.ts).

export const NS = {
  cda: 'urn:hl7-org:v3',
  sdtc: 'urn:hl7-org:sdtc',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** XInclude namespaces (the 2001 recommendation and the older 2003 draft some tools still write). */
export const XINCLUDE_NAMESPACES: readonly string[] = [
  'http://www.w3.org/2001/XInclude',
  'http://www.w3.org/2003/XInclude',
];

/** Prefix map for XPath evaluation against CDA documents. */
export const CDA_NAMESPACES: Readonly<Record<string, string>> = { cda: NS.cda, sdtc: NS.sdtc, xsi: NS.xsi };
