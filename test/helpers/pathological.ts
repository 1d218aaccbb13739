// Pathological documents for the bounded-work tests: a valid PHMR sample with many repeated bad entries where the schema refuses them.
import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';

const SAMPLE = `${PACKAGE_ROOT}/samples/dk-phmr-1.3/valid/weight.xml`;

/** One entry with a moodCode outside its value set and no required children: two XSD findings each. */
export const BAD_ENTRY = '<entry><observation classCode="OBS" moodCode="EVENT"/></entry>';

/** The valid sample with `count` copies of `entry` before its first entry (same-named siblings of the real ones). */
export function pathologicalDocument(count: number, entry = BAD_ENTRY): string {
  const text = readFileSync(SAMPLE, 'utf8');
  const at = text.indexOf('<entry typeCode="COMP"');
  if (at < 0) {
    throw new Error(`${SAMPLE} has no entry to insert before`);
  }
  return text.slice(0, at) + `${entry}\n`.repeat(count) + text.slice(at);
}

export function typicalDocument(): string {
  return readFileSync(SAMPLE, 'utf8');
}
