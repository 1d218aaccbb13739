// The unsigned system ID card: its DGWS structure, escaping, input checks, and readIdCard on good and bad cards.
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DOMParser } from '@xmldom/xmldom';
import { buildSystemIdCard, readIdCard } from '../../src/security/id-card.js';
import { CARD_FIELDS, DAY_MS, T0, replaceOnce, unsignedCard, vendor } from './helpers.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

function parse(xml: string): Element {
  return new DOMParser().parseFromString(xml, 'text/xml').documentElement;
}

function children(el: Element): Element[] {
  return Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1);
}

function attributeValues(root: Element, statementId: string): Record<string, string> {
  const statement = children(root).find(
    (e) => e.localName === 'AttributeStatement' && e.getAttribute('id') === statementId
  )!;
  return Object.fromEntries(
    children(statement).map((a): [string, string] => [a.getAttribute('Name') ?? '', a.textContent])
  );
}

describe('buildSystemIdCard', () => {
  const xml = unsignedCard();
  const root = parse(xml);

  it('writes a saml:Assertion with the DGWS root attributes', () => {
    expect(root.namespaceURI).toBe(SAML);
    expect(root.localName).toBe('Assertion');
    expect(root.getAttribute('id')).toBe('IDCard');
    expect(root.getAttribute('Version')).toBe('2.0');
    expect(root.getAttribute('IssueInstant')).toBe('2030-05-01T10:00:00Z');
  });

  it('keeps the DGWS element order: Issuer, Subject, Conditions, IDCardData, SystemLog', () => {
    expect(children(root).map((e) => [e.localName, e.getAttribute('id') ?? ''])).toEqual([
      ['Issuer', ''],
      ['Subject', ''],
      ['Conditions', ''],
      ['AttributeStatement', 'IDCardData'],
      ['AttributeStatement', 'SystemLog'],
    ]);
    expect(children(root)[0]!.textContent).toBe('kih-certify');
  });

  it('names the CVR as subject, holder-of-key, confirmed by the OCESSignature key', () => {
    const subject = children(root)[1]!;
    const [nameId, confirmation] = children(subject);
    expect(nameId!.getAttribute('Format')).toBe('medcom:cvrnumber');
    expect(nameId!.textContent).toBe('12345678');
    const [method, data] = children(confirmation!);
    expect(method!.localName).toBe('ConfirmationMethod');
    expect(method!.textContent).toBe('urn:oasis:names:tc:SAML:2.0:cm:holder-of-key');
    const keyName = data!.getElementsByTagNameNS(DS, 'KeyName')[0]!;
    expect((keyName.parentNode as Element).localName).toBe('KeyInfo');
    expect(keyName.textContent).toBe('OCESSignature');
  });

  it('is valid for 24 hours by default, from the second it was made', () => {
    const conditions = children(root)[2]!;
    expect(conditions.getAttribute('NotBefore')).toBe('2030-05-01T10:00:00Z');
    expect(conditions.getAttribute('NotOnOrAfter')).toBe('2030-05-02T10:00:00Z');
    const short = parse(unsignedCard({ now: new Date('2030-05-01T10:00:00.900Z'), validityMs: 60_000 }));
    expect(children(short)[2]!.getAttribute('NotBefore')).toBe('2030-05-01T10:00:00Z');
    expect(children(short)[2]!.getAttribute('NotOnOrAfter')).toBe('2030-05-01T10:01:00Z');
  });

  it('carries the SOSI card data, with the SHA-256 hash of the DER certificate', () => {
    const der = Buffer.from(vendor.certificateDerBase64, 'base64');
    expect(attributeValues(root, 'IDCardData')).toEqual({
      'sosi:IDCardID': 'card-1',
      'sosi:IDCardVersion': '1.0.1',
      'sosi:IDCardType': 'system',
      'sosi:AuthenticationLevel': '3',
      'sosi:OCESCertHash': createHash('sha256').update(der).digest('base64'),
    });
  });

  it('carries the system log, with the CVR as care provider id, and escapes every value', () => {
    expect(attributeValues(root, 'SystemLog')).toEqual({
      'medcom:ITSystemName': CARD_FIELDS.itSystemName,
      'medcom:CareProviderID': '12345678',
      'medcom:CareProviderName': CARD_FIELDS.careProviderName,
    });
    const careProvider = root.getElementsByTagNameNS(SAML, 'Attribute')[6]!;
    expect(careProvider.getAttribute('NameFormat')).toBe('medcom:cvrnumber');
    expect(xml).toContain('Testleverandør ApS &amp; Co &lt;test&gt;');
  });

  it('makes a fresh card id when none is given', () => {
    const a = readIdCard(buildSystemIdCard({ ...CARD_FIELDS, certificate: vendor })).idCardId;
    const b = readIdCard(buildSystemIdCard({ ...CARD_FIELDS, certificate: vendor })).idCardId;
    expect(a).not.toBe(b);
  });

  it.each([
    ['a CVR that is not 8 digits', { cvr: '1234567' }, /CVR number must be 8 digits/],
    ['an empty IT system name', { itSystemName: ' ' }, /IT system name/],
    ['an empty care provider name', { careProviderName: '' }, /care provider name/],
    ['an issuer that is not an NCName', { issuer: 'My Vendor' }, /not an XML name/],
    ['a validity under a second', { validityMs: 10 }, /at least one second/],
  ])('refuses %s', (_name, overrides, pattern) => {
    expect(() => unsignedCard(overrides)).toThrow(
      expect.objectContaining({ code: 'KIH_ERR_ID_CARD', message: expect.stringMatching(pattern) })
    );
  });
});

describe('readIdCard', () => {
  it('reads every field', () => {
    const card = readIdCard(unsignedCard({ issuer: 'Vendor-1', validityMs: 8 * 60 * 60 * 1000 }));
    expect(card).toEqual({
      idCardId: 'card-1',
      issuer: 'Vendor-1',
      cvr: '12345678',
      itSystemName: CARD_FIELDS.itSystemName,
      careProviderName: CARD_FIELDS.careProviderName,
      authenticationLevel: 3,
      notBefore: T0,
      notOnOrAfter: new Date(T0.getTime() + DAY_MS / 3),
      issueInstant: T0,
      idCardVersion: '1.0.1',
      idCardType: 'system',
      certHash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      nameIdFormat: 'medcom:cvrnumber',
      nameId: '12345678',
    });
  });

  it('reads a card that has an XML declaration and white space between elements', () => {
    const pretty = '<?xml version="1.0" encoding="UTF-8"?>\n' + unsignedCard().replace(/></g, '>\n  <');
    expect(readIdCard(pretty).cvr).toBe('12345678');
  });

  const card = unsignedCard();
  it.each([
    ['no IDCardData', replaceOnce(card, 'id="IDCardData"', 'id="Other"'), /no IDCardData/],
    ['no SystemLog', replaceOnce(card, 'id="SystemLog"', 'id="UserLog"'), /no SystemLog/],
    ['no card id', replaceOnce(card, 'Name="sosi:IDCardID"', 'Name="sosi:Other"'), /sosi:IDCardID/],
    ['no cert hash', replaceOnce(card, 'Name="sosi:OCESCertHash"', 'Name="sosi:X"'), /sosi:OCESCertHash/],
    [
      'an empty IT system name',
      replaceOnce(card, /(medcom:ITSystemName"><saml:AttributeValue>)[^<]*/, '$1'),
      /medcom:ITSystemName/,
    ],
    ['no care provider name', replaceOnce(card, 'Name="medcom:CareProviderName"', 'Name="x"'), /CareProviderName/],
    ['a care provider id without NameFormat', replaceOnce(card, ' NameFormat="medcom:cvrnumber"', ''), /NameFormat/],
    ['an unknown version', replaceOnce(card, '>1.0.1<', '>1.0.0<'), /version 1\.0\.0/],
    ['an unknown type', replaceOnce(card, '>system<', '>robot<'), /unknown type/],
    [
      'an authentication level out of range',
      replaceOnce(card, '<saml:AttributeValue>3<', '<saml:AttributeValue>7<'),
      /level 7/,
    ],
    ['no Conditions', replaceOnce(card, /<saml:Conditions[^>]*\/>/, ''), /no saml:Conditions/],
    [
      'a time without zone',
      replaceOnce(card, 'NotOnOrAfter="2030-05-02T10:00:00Z"', 'NotOnOrAfter="2030-05-02T10:00:00"'),
      /NotOnOrAfter/,
    ],
    ['no Issuer', replaceOnce(card, '<saml:Issuer>kih-certify</saml:Issuer>', ''), /no saml:Issuer/],
    [
      'an attribute twice',
      replaceOnce(
        card,
        '</saml:AttributeStatement><saml:AttributeStatement id="SystemLog">',
        '<saml:Attribute Name="sosi:IDCardID"><saml:AttributeValue>x</saml:AttributeValue></saml:Attribute></saml:AttributeStatement><saml:AttributeStatement id="SystemLog">'
      ),
      /twice/,
    ],
    ['another root element', card.replace(/saml:Assertion/g, 'saml:Statement'), /not a saml:Assertion/],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY e "x">]>${card}`, /DOCTYPE/],
    ['malformed XML', card.slice(0, -5), /not well-formed/],
  ])('refuses a card with %s', (_name, xml, pattern) => {
    expect(() => readIdCard(xml)).toThrow(
      expect.objectContaining({ code: 'KIH_ERR_ID_CARD', message: expect.stringMatching(pattern) })
    );
  });
});
