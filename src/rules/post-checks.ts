// Profile checks written in TypeScript, for rules where XPath is the wrong tool; they report through the same model as Schematron.
import type { XmlDocument } from 'libxml2-wasm';
import { CDA_NAMESPACES } from '../core/namespaces.js';
import { canonicalPath } from '../xml/node-path.js';
import type { ProfileId, ValidationIssue } from '../core/report.js';
import { PROFILE_IDS } from '../core/report.js';
import { cprBirthYear, cprProblem, REPLACEMENT_SERIAL_MAX, replacementSerialOutOfRange } from './cpr.js';

export interface PostCheck {
  /** Stable rule id, listed in docs/rules.md like the Schematron rules. */
  readonly id: string;
  readonly profiles: readonly ProfileId[];
  readonly see: string;
  run(doc: XmlDocument): ValidationIssue[];
}

const CPR_ROOT = '1.2.208.176.1.2';

/**
 * Every CPR number in the document (patient, author, any participant): the date part must be a
 * real date in the century its 7th digit gives. The Schematron rules accept a date valid in 19xx or
 * 20xx; this check knows which of the two (or 18xx) the number means, so 29 February of a
 * non-leap century is caught.
 */
const cprDate: PostCheck = {
  id: 'DK-CPR-001',
  profiles: PROFILE_IDS,
  see: 'CPR register: date part and century digit',
  run(doc) {
    // Format errors (not 10 digits) are the Schematron rules' findings; this check adds the date.
    return cprNumbers(doc)
      .filter(({ cpr }) => /^\d{10}$/.test(cpr) && cprProblem(cpr) === 'date')
      .map(({ cpr, xpath, line }) => {
        const year = cprBirthYear(Number(cpr.slice(4, 6)), Number(cpr[6]));
        return {
          ruleId: cprDate.id,
          severity: 'error' as const,
          stage: 'rules' as const,
          // Only the date part and the century digit: reports are stored and shared, a whole CPR number is not.
          message: `A CPR number's date part ${cpr.slice(0, 6)} with 7th digit ${cpr.charAt(6)} is no real date of birth (${cpr.slice(0, 2)}.${cpr.slice(2, 4)}.${year}; the 7th digit gives the century, replacement numbers add 60 to the day).`,
          xpath,
          ...(line !== undefined ? { line } : {}),
          see: cprDate.see,
        };
      });
  },
};

/** Every CPR attribute in the document with its text, line and path (the same for both CPR checks). */
function cprNumbers(doc: XmlDocument): { cpr: string; xpath: string; line?: number }[] {
  return doc.find(`//cda:*[@root = '${CPR_ROOT}']/@extension`, CDA_NAMESPACES).map((attr) => ({
    cpr: attr.content.trim(),
    xpath: canonicalPath(attr),
    // libxml2 keeps lines on elements only; the attribute's is its element's.
    ...(attr.parent && attr.parent.line > 0 ? { line: attr.parent.line } : {}),
  }));
}

/**
 * A replacement number (day + 60) whose serial part is above 5999: MedCom's CDA validator refuses
 * it (CONF-PHMR-DK-4/5), though the CPR office's guidance sets the serial part no range; the
 * project follows the validator a certification is judged by (docs/rules.md, "Where the published
 * guidance conflicts"). A separate rule from DK-CPR-001, so each defect is one finding.
 */
const cprReplacementSerial: PostCheck = {
  id: 'DK-CPR-002',
  profiles: PROFILE_IDS,
  see: 'CONF-PHMR-DK-4/5: CPR replacement numbers',
  run(doc) {
    return cprNumbers(doc)
      .filter(({ cpr }) => replacementSerialOutOfRange(cpr))
      .map(({ cpr, xpath, line }) => ({
        ruleId: cprReplacementSerial.id,
        severity: 'error' as const,
        stage: 'rules' as const,
        // The date part and the 7th digit only: with the serial the message would carry the whole number.
        message: `A CPR replacement number (date part ${cpr.slice(0, 6)}, day + 60) has a serial part starting with ${cpr.charAt(6)}; MedCom's validator accepts replacement serials up to ${REPLACEMENT_SERIAL_MAX} only.`,
        xpath,
        ...(line !== undefined ? { line } : {}),
        see: cprReplacementSerial.see,
      }));
  },
};

export const POST_CHECKS: readonly PostCheck[] = [cprDate, cprReplacementSerial];

/** Runs the checks that apply to the profile (none for an unknown profile). */
export function runPostChecks(doc: XmlDocument, profile: ProfileId | null): ValidationIssue[] {
  if (!profile) {
    return [];
  }
  return POST_CHECKS.filter((c) => c.profiles.includes(profile)).flatMap((c) => c.run(doc));
}
