// Optional expected XDS metadata in a manifest entry: the fields that may be expected, how they are written, and the comparison with what the tool derives.
import type { DocumentEntry } from '../xds/metadata-model.js';
import type { CodedValue } from '../xds/metadata-model.js';

/** Coded fields are written `code` (the code alone is compared) or `code^codeSystem`. */
const CODED = ['typeCode', 'classCode', 'formatCode', 'healthcareFacilityTypeCode', 'practiceSettingCode'] as const;
/** Lists compare as sets: same members, any order. */
const CODED_LISTS = ['confidentialityCode', 'eventCodeList'] as const;
const TEXTS = [
  'uniqueId',
  'languageCode',
  'creationTime',
  'serviceStartTime',
  'serviceStopTime',
  'title',
  'authorPerson',
  'legalAuthenticator',
  'mimeType',
] as const;
const TEXT_LISTS = ['authorInstitution'] as const;

/**
 * The DocumentEntry fields a manifest may expect. The patient's fields (patientId,
 * sourcePatientId, sourcePatientInfo) are left out on purpose: results are stored and shown on
 * pages, and a CPR number or a patient's name does not belong there.
 */
export const EXPECTABLE_METADATA_FIELDS = [...CODED, ...CODED_LISTS, ...TEXTS, ...TEXT_LISTS] as const;
export type MetadataField = (typeof EXPECTABLE_METADATA_FIELDS)[number];

export type MetadataValue = string | readonly string[];
export type MetadataValues = Readonly<Partial<Record<MetadataField, MetadataValue>>>;

const LISTS: ReadonlySet<string> = new Set([...CODED_LISTS, ...TEXT_LISTS]);
const CODES: ReadonlySet<string> = new Set([...CODED, ...CODED_LISTS]);
const FIELDS: ReadonlySet<string> = new Set(EXPECTABLE_METADATA_FIELDS);

export function isMetadataField(name: string): name is MetadataField {
  return FIELDS.has(name);
}

/**
 * Checks one manifest `metadata` object; returns it as typed values or a message saying what is
 * wrong. A list field takes an array, every other field a string.
 */
export function parseExpectedMetadata(
  value: unknown
): { ok: true; metadata: MetadataValues } | { ok: false; message: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'metadata must be an object of field → expected value' };
  }
  const out: Partial<Record<MetadataField, MetadataValue>> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!isMetadataField(name)) {
      return {
        ok: false,
        message: `metadata.${name} is not a field that can be expected; known: ${EXPECTABLE_METADATA_FIELDS.join(', ')}`,
      };
    }
    if (LISTS.has(name)) {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
        return { ok: false, message: `metadata.${name} must be an array of non-empty strings` };
      }
      out[name] = [...(v as string[])];
    } else {
      if (typeof v !== 'string' || v === '') {
        return { ok: false, message: `metadata.${name} must be a non-empty string` };
      }
      out[name] = v;
    }
  }
  if (Object.keys(out).length === 0) {
    return { ok: false, message: 'metadata names no field; leave it out instead' };
  }
  return { ok: true, metadata: out };
}

const coded = (c: CodedValue): string => `${c.code}^${c.codeSystem}`;

/** The expectable fields of a derived DocumentEntry, written as a manifest writes them (`code^codeSystem`). */
export function metadataValues(entry: DocumentEntry, fields: readonly MetadataField[]): MetadataValues {
  const out: Partial<Record<MetadataField, MetadataValue>> = {};
  for (const field of fields) {
    const v = entry[field];
    if (v === undefined) {
      continue;
    }
    if (Array.isArray(v)) {
      out[field] = (v as readonly (string | CodedValue)[]).map((x) => (typeof x === 'string' ? x : coded(x)));
    } else {
      out[field] = typeof v === 'string' ? v : coded(v as CodedValue);
    }
  }
  return out;
}

/** `code` matches `code^anySystem`; `code^system` matches only itself. */
function sameValue(field: MetadataField, expected: string, actual: string): boolean {
  if (CODES.has(field) && !expected.includes('^')) {
    return actual.split('^')[0] === expected;
  }
  return expected === actual;
}

function sameField(field: MetadataField, expected: MetadataValue, actual: MetadataValue | undefined): boolean {
  if (actual === undefined) {
    return false;
  }
  if (typeof expected === 'string' || typeof actual === 'string') {
    return typeof expected === 'string' && typeof actual === 'string' && sameValue(field, expected, actual);
  }
  // Sets: every expected member is present and nothing else is.
  const left = [...actual];
  for (const e of expected) {
    const i = left.findIndex((a) => sameValue(field, e, a));
    if (i < 0) {
      return false;
    }
    left.splice(i, 1);
  }
  return left.length === 0;
}

const show = (v: MetadataValue | undefined): string =>
  v === undefined ? 'absent' : typeof v === 'string' ? v : `[${v.join(', ')}]`;

export interface MetadataDifference {
  readonly field: MetadataField;
  readonly expected: string;
  readonly actual: string;
}

/** Each expected field that the derived metadata does not match, in catalogue order. */
export function compareMetadata(expected: MetadataValues, actual: MetadataValues): MetadataDifference[] {
  const out: MetadataDifference[] = [];
  for (const field of EXPECTABLE_METADATA_FIELDS) {
    const e = expected[field];
    if (e !== undefined && !sameField(field, e, actual[field])) {
      out.push({ field, expected: show(e), actual: show(actual[field]) });
    }
  }
  return out;
}
