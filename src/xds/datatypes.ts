// HL7 v2 data types of XDS metadata (CX, XON, XCN, DTM, OID, uniqueId): formatting, checking, CDA time conversion.
import { isOid } from '../core/oid.js';
import { isRealDate, normalizeSpace } from '../cda/hl7-values.js';
import { randomUUID } from 'node:crypto';

// The CDA-side values (time conversion, white space) live in src/cda, where validation can use them too.
export { cdaDatePart, cdaTimeToUtcDtm, formatUtcDtm, normalizeSpace } from '../cda/hl7-values.js';
export type { TimeConversion } from '../cda/hl7-values.js';

/** HL7 v2 escapes for the separators `| ^ ~ \ &`, so a name can never break a CX/XON/XCN value apart. */
export function escapeHl7(text: string): string {
  return text.replace(/[\\|^~&]/g, (c) =>
    c === '\\' ? '\\E\\' : c === '|' ? '\\F\\' : c === '^' ? '\\S\\' : c === '~' ? '\\R\\' : '\\T\\'
  );
}

/** CX with only CX.1 and CX.4 (what XDS allows): `id^^^&OID&ISO`. */
export function formatCx(id: string, assigningAuthorityOid: string): string {
  return `${escapeHl7(id)}^^^&${assigningAuthorityOid}&ISO`;
}

const CX_PATTERN = /^([^^&|~\\]+)\^\^\^&([^&^]+)&ISO$/;

export function parseCx(value: string): { id: string; assigningAuthority: string } | null {
  const m = CX_PATTERN.exec(value);
  return m?.[1] && m[2] ? { id: m[1], assigningAuthority: m[2] } : null;
}

/** XON with name (XON.1), assigning authority (XON.6) and id (XON.10); the name alone when there is no id. */
export function formatXon(name: string, assigningAuthorityOid?: string, id?: string): string {
  const escaped = escapeHl7(normalizeSpace(name));
  if (!id) {
    return escaped;
  }
  return `${escaped}^^^^^&${assigningAuthorityOid ?? ''}&ISO^^^^${escapeHl7(id)}`;
}

export interface PersonName {
  readonly family: string;
  readonly given?: string;
  /** Further given names, joined with spaces into XCN.4 (the DK `&` joining would collide with the sub-component separator). */
  readonly middle?: string;
}

/**
 * XCN with the name only: `^Family^Given^Middle`. An id would need an assigning authority,
 * and DK authors rarely carry a person id the registry can use, so none is sent.
 */
export function formatXcn(name: PersonName): string {
  const fields = ['', name.family, name.given ?? '', name.middle ?? ''].map((f) => escapeHl7(normalizeSpace(f)));
  while (fields.length > 2 && fields[fields.length - 1] === '') {
    fields.pop();
  }
  return fields.join('^');
}

export { isOid };

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

export function newUuidUrn(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** A fresh OID under the UUID arc `2.25` (ITU-T X.667), for SubmissionSet uniqueIds. */
export function newUuidOid(): string {
  return `2.25.${BigInt('0x' + randomUUID().replace(/-/g, '')).toString(10)}`;
}

/** DTM at second precision in UTC: 14 digits that form a real date and time. */
export function isUtcSecondDtm(value: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) {
    return false;
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return isRealDate(y, mo, d) && h < 24 && mi < 60 && s < 60;
}

/** Any DTM precision XDS allows: `YYYY[MM[DD[hh[mm[ss]]]]]`. */
export function isDtm(value: string): boolean {
  if (!/^\d{4}(\d{2}){0,5}$/.test(value)) {
    return false;
  }
  const padded = (value + '0101000000'.slice(value.length - 4)).slice(0, 14);
  return isUtcSecondDtm(padded);
}

/** Limits of an XDS uniqueId for CDA documents (ITI TF-3 4.2.3.2.26). */
export const UNIQUE_ID_LIMITS = { total: 128, root: 64, extension: 16 } as const;

export function formatUniqueId(root: string, extension?: string): string {
  return extension ? `${root}^${extension}` : root;
}

/** HD with only the universal id and its type (`&OID&ISO`), the one form XDS allows inside CX, XON and XCN. */
function isIsoHd(value: string): boolean {
  const m = /^&([^&]*)&ISO$/.exec(value);
  return m?.[1] !== undefined && isOid(m[1]);
}

export function isCx(value: string): boolean {
  const cx = parseCx(value);
  return cx !== null && isOid(cx.assigningAuthority);
}

export interface Xon {
  readonly name: string;
  /** XON.6 universal id (the OID), when present. */
  readonly assigningAuthority?: string;
  /** XON.10. */
  readonly id?: string;
}

/**
 * Reads an XON the way XDS allows it: name (XON.1), assigning authority (XON.6, `&OID&ISO`) and
 * id (XON.10) only, at most 10 components; an id that is not itself an OID needs an assigning
 * authority. Null when the value breaks any of that.
 */
export function parseXon(value: string): Xon | null {
  const parts = value.split('^');
  const [name = '', , , , , hd = '', , , , id = ''] = parts;
  const others = [1, 2, 3, 4, 6, 7, 8].some((i) => (parts[i] ?? '') !== '');
  if (parts.length > 10 || others || name === '' || (hd !== '' && !isIsoHd(hd))) {
    return null;
  }
  if (id !== '' && !isOid(id) && hd === '') {
    return null;
  }
  const authority = hd === '' ? undefined : hd.slice(1, -4);
  return { name, ...(authority !== undefined ? { assigningAuthority: authority } : {}), ...(id ? { id } : {}) };
}

export function isXon(value: string): boolean {
  return parseXon(value) !== null;
}

export interface Xcn {
  readonly id: string;
  readonly family: string;
  readonly given: string;
  /** XCN.9 universal id (the OID), when present. */
  readonly assigningAuthority?: string;
}

/**
 * Reads an XCN: an id (XCN.1) or a family name (XCN.2) is needed; an assigning authority (XCN.9,
 * `&OID&ISO`) is allowed only with an id, since it says who issued that id.
 */
export function parseXcn(value: string): Xcn | null {
  const parts = value.split('^');
  const [id = '', family = '', given = ''] = parts;
  const hd = parts[8] ?? '';
  if (parts.length > 23 || (id === '' && family === '')) {
    return null;
  }
  if (hd !== '' && (id === '' || !isIsoHd(hd))) {
    return null;
  }
  return { id, family, given, ...(hd !== '' ? { assigningAuthority: hd.slice(1, -4) } : {}) };
}

export function isXcn(value: string): boolean {
  return parseXcn(value) !== null;
}

/** SHA-1 as 40 hexadecimal digits, either case (ITI TF-3 compares it case-insensitively). */
export function isSha1Hex(value: string): boolean {
  return /^[0-9a-fA-F]{40}$/.test(value);
}

/** Splits a uniqueId at its first `^` into the OID root and the extension (absent when there is no `^`). */
export function splitUniqueId(value: string): { root: string; extension?: string } {
  const at = value.indexOf('^');
  return at < 0 ? { root: value } : { root: value.slice(0, at), extension: value.slice(at + 1) };
}
