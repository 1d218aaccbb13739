// HL7 v2 data types of XDS metadata: CDA time conversion to UTC, CX/XON/XCN formatting and escaping, OID checks.
import { describe, expect, it } from '@jest/globals';
import {
  cdaDatePart,
  cdaTimeToUtcDtm,
  escapeHl7,
  formatCx,
  formatXcn,
  formatXon,
  isDtm,
  isOid,
  isUtcSecondDtm,
  newUuidOid,
  parseCx,
} from '../../src/xds/datatypes.js';

describe('cdaTimeToUtcDtm', () => {
  it.each([
    ['20260305093000+0100', '20260305083000'],
    ['20260402081000+0200', '20260402061000'],
    ['20260101003000+0100', '20251231233000'], // back across a year
    ['20261231233000-0500', '20270101043000'], // forward across a year
    ['20240229235959-0001', '20240301000059'], // leap day, odd offset
    ['20260305093000.1234+0000', '20260305093000'], // fraction cut
    ['202603050930+0100', '20260305083000'], // minutes only: seconds are zero
    ['2026030509+0530', '20260305033000'],
  ])('%s → %s', (ts, utc) => {
    expect(cdaTimeToUtcDtm(ts)).toEqual({ ok: true, value: utc });
  });

  it.each([
    ['20260305093000', 'no-offset'],
    ['20260305', 'no-time'],
    ['20260305+0100', 'no-time'],
    ['2026-03-05T09:30:00Z', 'format'],
    ['20260230093000+0100', 'range'],
    ['20250229093000+0100', 'range'],
    ['20260305243000+0100', 'range'],
    ['20260305093000+1500', 'range'],
    ['', 'format'],
  ])('%s is refused (%s)', (ts, reason) => {
    expect(cdaTimeToUtcDtm(ts)).toEqual({ ok: false, reason });
  });
});

describe('DTM checks', () => {
  it('isUtcSecondDtm wants 14 digits of a real instant', () => {
    expect(isUtcSecondDtm('20260305083000')).toBe(true);
    expect(isUtcSecondDtm('202603050830')).toBe(false);
    expect(isUtcSecondDtm('20260231083000')).toBe(false);
    expect(isUtcSecondDtm('20260305086000')).toBe(false);
  });
  it('isDtm accepts every XDS precision', () => {
    expect(['2026', '202603', '20260305', '2026030508', '202603050830', '20260305083000'].every(isDtm)).toBe(true);
    expect(['202', '2026031', '20261305', '2026030508300', '20260305083000+0100'].some(isDtm)).toBe(false);
  });
  it('cdaDatePart keeps the written date (a birth date is not moved across zones)', () => {
    expect(cdaDatePart('19840930000000+0000')).toBe('19840930');
    expect(cdaDatePart('19840930')).toBe('19840930');
    expect(cdaDatePart('19841330')).toBeNull();
  });
});

describe('CX, XON, XCN', () => {
  it('CX has CX.1 and CX.4 only, and parses back', () => {
    const cx = formatCx('1403552970', '1.2.208.176.1.2');
    expect(cx).toBe('1403552970^^^&1.2.208.176.1.2&ISO');
    expect(parseCx(cx)).toEqual({ id: '1403552970', assigningAuthority: '1.2.208.176.1.2' });
    expect(parseCx('1403552970^^^1.2.208.176.1.2')).toBeNull();
    expect(parseCx('1403552970^^^&1.2.208.176.1.2&ISO^x')).toBeNull();
  });
  it('XON carries name, assigning authority and id in components 1, 6 and 10', () => {
    const xon = formatXon('Sundhedscenter  Vestby,\n Eksempel Kommune', '1.2.208.176.1.1', '764521000016003');
    expect(xon).toBe('Sundhedscenter Vestby, Eksempel Kommune^^^^^&1.2.208.176.1.1&ISO^^^^764521000016003');
    expect(xon.split('^')).toHaveLength(10);
    expect(formatXon('Name only')).toBe('Name only');
  });
  it('XCN has no id and no assigning authority, and drops empty trailing components', () => {
    expect(formatXcn({ family: 'Thygesen', given: 'Lone' })).toBe('^Thygesen^Lone');
    expect(formatXcn({ family: 'Mikkelsen', given: 'Hanne', middle: 'Marie Louise' })).toBe(
      '^Mikkelsen^Hanne^Marie Louise'
    );
    expect(formatXcn({ family: 'Holm' })).toBe('^Holm');
  });
  it('separators inside names are escaped, so a name cannot add components', () => {
    expect(escapeHl7('A^B&C|D~E\\F')).toBe('A\\S\\B\\T\\C\\F\\D\\R\\E\\E\\F');
    expect(formatXon('Læge & Co^', '1.2.208.176.1.1', '1')).toBe('Læge \\T\\ Co\\S\\^^^^^&1.2.208.176.1.1&ISO^^^^1');
    expect(formatXcn({ family: 'O^Neil' }).split('^')).toHaveLength(2);
  });
});

describe('OIDs', () => {
  it('accepts OIDs and refuses leading zeros, bad first arcs and over-long values', () => {
    expect(isOid('1.2.208.176.1.2')).toBe(true);
    expect(isOid('2.25.0')).toBe(true);
    expect(isOid('1.02.3')).toBe(false);
    expect(isOid('3.1')).toBe(false);
    expect(isOid('1')).toBe(false);
    expect(isOid('1.2.')).toBe(false);
    expect(isOid('1.' + '2'.repeat(63))).toBe(false);
  });
  it('newUuidOid makes distinct OIDs under 2.25', () => {
    const a = newUuidOid();
    expect(isOid(a)).toBe(true);
    expect(a.startsWith('2.25.')).toBe(true);
    expect(newUuidOid()).not.toBe(a);
  });
});
