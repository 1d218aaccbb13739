import { describe, expect, it } from '@jest/globals';
import { classifyXsdMessage, humanizeXsdMessage } from '../../src/validation/xsd-classify.js';

describe('classifyXsdMessage', () => {
  it.each([
    [
      "Element '{urn:hl7-org:v3}foo': This element is not expected. Expected is ( {urn:hl7-org:v3}code ).",
      'XSD_UNEXPECTED_ELEMENT',
    ],
    [
      "Element '{urn:hl7-org:v3}observation': Missing child element(s). Expected is ( {urn:hl7-org:v3}code ).",
      'XSD_MISSING_ELEMENT',
    ],
    [
      "Element '{urn:hl7-org:v3}id', attribute 'color': The attribute 'color' is not allowed.",
      'XSD_ATTRIBUTE_NOT_ALLOWED',
    ],
    ["Element '{urn:hl7-org:v3}typeId': The attribute 'root' is required but missing.", 'XSD_ATTRIBUTE_REQUIRED'],
    [
      "Element '{urn:hl7-org:v3}observation', attribute 'moodCode': [facet 'enumeration'] The value 'X' is not an element of the set {'EVN'}.",
      'XSD_VALUE_NOT_IN_SET',
    ],
    [
      "Element '{urn:hl7-org:v3}effectiveTime', attribute 'value': 'yesterday' is not a valid value of the atomic type 'ts'.",
      'XSD_VALUE_INVALID',
    ],
    [
      "Element '{urn:hl7-org:v3}value', attribute 'value': [facet 'pattern'] The value 'x' is not accepted by the pattern '[0-9]+'.",
      'XSD_VALUE_INVALID',
    ],
    [
      "Element '{urn:hl7-org:v3}value', attribute '{http://www.w3.org/2001/XMLSchema-instance}type': The QName value '{urn:hl7-org:v3}NOPE' of the xsi:type attribute does not resolve to a type definition.",
      'XSD_XSI_TYPE',
    ],
    ["Element '{urn:hl7-org:v3}value': The type definition is abstract.", 'XSD_XSI_TYPE'],
    [
      "Element '{urn:hl7-org:v3}templateId': Character content is not allowed, because the content type is empty.",
      'XSD_CONTENT',
    ],
    ["Element 'Invoice': No matching global declaration available for the validation root.", 'XSD_UNKNOWN_ROOT'],
    ['Something libxml2 may say one day.', 'XSD_INVALID'],
  ])('%s → %s', (message, ruleId) => {
    expect(classifyXsdMessage(message)).toBe(ruleId);
  });
  it('writes namespace URIs as the prefixes people read', () => {
    expect(humanizeXsdMessage("Element '{urn:hl7-org:sdtc}raceCode': x {urn:hl7-org:v3}code\n")).toBe(
      "Element 'sdtc:raceCode': x cda:code"
    );
  });
});
