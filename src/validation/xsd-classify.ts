// Sorts libxml2's schema-validity messages into the stable XSD_* rule ids users filter and count by.
import type { XsdRuleId } from '../core/codes.js';

// Order matters: the first pattern that matches wins (enumeration before the generic value check).
const CLASSES: ReadonlyArray<readonly [RegExp, XsdRuleId]> = [
  [/This element is not expected/, 'XSD_UNEXPECTED_ELEMENT'],
  [/Missing child element/, 'XSD_MISSING_ELEMENT'],
  [/attribute '[^']*' is not allowed/i, 'XSD_ATTRIBUTE_NOT_ALLOWED'],
  [/attribute '[^']*' is required but missing/i, 'XSD_ATTRIBUTE_REQUIRED'],
  [/is not an element of the set/, 'XSD_VALUE_NOT_IN_SET'],
  [/xsi:type|type definition is abstract|is not validly derived|abstract/i, 'XSD_XSI_TYPE'],
  [
    /is not a valid value of|is not accepted by the pattern|is not facet-valid|has a length of|is not a valid/,
    'XSD_VALUE_INVALID',
  ],
  [
    /Character content|Element content is not allowed|content type is empty|No character data is allowed/i,
    'XSD_CONTENT',
  ],
  [/No matching global declaration available for the validation root/, 'XSD_UNKNOWN_ROOT'],
];

export function classifyXsdMessage(message: string): XsdRuleId {
  for (const [pattern, ruleId] of CLASSES) {
    if (pattern.test(message)) {
      return ruleId;
    }
  }
  return 'XSD_INVALID';
}

/**
 * libxml2 names elements as `{urn:hl7-org:v3}observation`; people read `cda:observation`.
 * The namespace-qualified form stays in the XPath, so nothing is lost.
 */
export function humanizeXsdMessage(message: string): string {
  return message.trim().replaceAll('{urn:hl7-org:v3}', 'cda:').replaceAll('{urn:hl7-org:sdtc}', 'sdtc:');
}
