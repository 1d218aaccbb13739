// The XDS datatype validators the metadata rules use: CX, XON, XCN, SHA-1 and uniqueId splitting.
import { describe, expect, it } from '@jest/globals';
import { isCx, isSha1Hex, isXcn, isXon, parseXcn, parseXon, splitUniqueId } from '../../src/xds/datatypes.js';

describe('isCx', () => {
  it.each([
    ['2512489996^^^&1.2.208.176.1.2&ISO', true],
    ['2512489996^^^&1.2.208.176.1.2&ISO^PI', false],
    ['2512489996^^^1.2.208.176.1.2', false],
    ['2512489996^^^&1.2.208.176.1.2&DNS', false],
    ['2512489996^^^&1.02.208&ISO', false],
    ['^^^&1.2.208.176.1.2&ISO', false],
  ])('%s → %s', (value, ok) => {
    expect(isCx(value)).toBe(ok);
  });
});

describe('parseXon', () => {
  it('reads name, assigning authority and id', () => {
    expect(parseXon('Hjemmesygeplejen^^^^^&1.2.208.176.1.1&ISO^^^^326721000016008')).toEqual({
      name: 'Hjemmesygeplejen',
      assigningAuthority: '1.2.208.176.1.1',
      id: '326721000016008',
    });
    expect(parseXon('Hjemmesygeplejen')).toEqual({ name: 'Hjemmesygeplejen' });
    expect(parseXon('Org^^^^^^^^^1.2.208.176.1.1')).toEqual({ name: 'Org', id: '1.2.208.176.1.1' });
  });
  it.each([
    ['no name', '^^^^^&1.2.208.176.1.1&ISO^^^^1'],
    ['a component XDS does not allow', 'Org^x^^^^&1.2.208.176.1.1&ISO^^^^1'],
    ['an id that is no OID, without authority', 'Org^^^^^^^^^326721000016008'],
    ['an authority that is no ISO HD', 'Org^^^^^1.2.208.176.1.1^^^^1'],
    ['too many components', 'Org^^^^^&1.2.208.176.1.1&ISO^^^^1^x'],
  ])('refuses %s', (_what, value) => {
    expect(parseXon(value)).toBeNull();
    expect(isXon(value)).toBe(false);
  });
});

describe('parseXcn', () => {
  it('reads a name-only XCN and an XCN with id and authority', () => {
    expect(parseXcn('^Hansen^Anders')).toEqual({ id: '', family: 'Hansen', given: 'Anders' });
    expect(parseXcn('0101010101^Hansen^^^^^^^&1.2.208.176.1.2&ISO')).toEqual({
      id: '0101010101',
      family: 'Hansen',
      given: '',
      assigningAuthority: '1.2.208.176.1.2',
    });
  });
  it.each([
    ['neither id nor family name', '^^Anders'],
    ['an authority without an id', '^Hansen^Anders^^^^^^&1.2.208.176.1.3&ISO'],
    ['an authority that is no ISO HD', '12^Hansen^^^^^^^1.2.3'],
  ])('refuses %s', (_what, value) => {
    expect(parseXcn(value)).toBeNull();
    expect(isXcn(value)).toBe(false);
  });
});

describe('isSha1Hex and splitUniqueId', () => {
  it('accepts 40 hex digits in either case only', () => {
    expect(isSha1Hex('83dac1646a004a4a376a31723e2c24a03ea3e46f')).toBe(true);
    expect(isSha1Hex('83DAC1646A004A4A376A31723E2C24A03EA3E46F')).toBe(true);
    expect(isSha1Hex('83dac1646a004a4a376a31723e2c24a03ea3e46')).toBe(false);
    expect(isSha1Hex('83dac1646a004a4a376a31723e2c24a03ea3e46g')).toBe(false);
  });
  it('splits at the first ^', () => {
    expect(splitUniqueId('1.2.208.184')).toEqual({ root: '1.2.208.184' });
    expect(splitUniqueId('1.2.208.184^a^b')).toEqual({ root: '1.2.208.184', extension: 'a^b' });
    expect(splitUniqueId('1.2.208.184^')).toEqual({ root: '1.2.208.184', extension: '' });
  });
});
