// Turns a protocol condition into the XPath 2 test the Schematron engine evaluates at the document root.
import type { Condition } from './protocol.js';

const METHOD_CODES = '1.2.208.184.100.1';
const ROLE_CODES = '2.16.840.1.113883.5.111';
const COMMENT_CODE = '48767-8';

/** A string literal; values come from strict patterns, but a quote must never end the literal. */
function lit(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function anyOf(values: readonly string[]): string {
  return `(${values.map(lit).join(', ')})`;
}

/** PHMR 1.3 carries the NPU/MCS code in a translation, 2.1 in the code itself: either counts. */
function hasCode(codes: readonly string[]): string {
  return `(cda:code/@code, cda:code/cda:translation/@code) = ${anyOf(codes)}`;
}

export function conditionXPath(c: Condition): string {
  switch (c.predicate) {
    case 'xpath':
      return c.xpath;
    case 'observation': {
      const filters = [
        ...(c.codes ? [`[${hasCode(c.codes)}]`] : []),
        ...(c.methodCodes ?? []).map(
          (m) => `[cda:methodCode[@code = ${lit(m)} and @codeSystem = ${lit(METHOD_CODES)}]]`
        ),
        ...(c.status ? [`[cda:statusCode/@code = ${lit(c.status)}]`] : []),
      ];
      return `exists(//cda:observation${filters.join('')})`;
    }
    case 'organizer':
      return `exists(//cda:organizer${c.codes.map((code) => `[cda:component/cda:observation[${hasCode([code])}]]`).join('')})`;
    case 'template': {
      const without = (c.without ?? []).map((t) => `[not(cda:templateId/@root = ${lit(t)})]`).join('');
      return `exists(//*[cda:templateId/@root = ${lit(c.root)}]${without})`;
    }
    case 'author-role':
      return `exists(/cda:ClinicalDocument/cda:author/cda:assignedAuthor/cda:code[@code = ${lit(c.code)} and @codeSystem = ${lit(ROLE_CODES)}])`;
    case 'device':
      return `exists(//cda:participantRole[@classCode = 'MANU']/cda:playingDevice)`;
    case 'nullified-with-comment':
      return `exists(//cda:observation[cda:statusCode/@code = 'nullified'][cda:entryRelationship/cda:act/cda:code/@code = ${lit(COMMENT_CODE)}])`;
  }
}
