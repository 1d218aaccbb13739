// Signing and verifying ID cards: round trips, every tampering and wrapping shape, certificates, algorithms and validity windows.
import { describe, expect, it } from '@jest/globals';
import { SignedXml } from 'xml-crypto';
import { createCachingIdCardVerifier, signIdCard, verifyIdCard } from '../../src/security/sign-id-card.js';
import type { IdCardCheck } from '../../src/security/sign-id-card.js';
import {
  DAY_MS,
  OTHER_CERT,
  T0,
  VENDOR_CERT,
  other,
  replaceOnce,
  signatureOf,
  signedCard,
  unsignedCard,
  vendor,
} from './helpers.js';

const AT = new Date(T0.getTime() + 60_000);

function faultOf(check: IdCardCheck): string {
  return check.ok ? 'ok' : check.faultCode;
}

/** What xml-crypto alone says, trusting the embedded certificate: shows which attacks only our extra checks stop. */
function xmlCryptoAlone(xml: string): boolean {
  const sig = new SignedXml({ publicCert: VENDOR_CERT, getCertFromKeyInfo: () => null });
  sig.loadSignature(signatureOf(xml));
  try {
    return sig.checkSignature(xml);
  } catch {
    return false;
  }
}

describe.each(['rsa-sha256', 'rsa-sha1'] as const)('%s', (algorithm) => {
  const card = signedCard(algorithm);

  it('signs the assertion itself, DGWS style', () => {
    const signature = signatureOf(card);
    expect(card.endsWith(`${signature}</saml:Assertion>`)).toBe(true);
    expect(signature).toMatch(/^<ds:Signature id="OCESSignature"/);
    expect(signature).toContain('<ds:Reference URI="#IDCard">');
    expect(signature).toContain(
      '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    );
    expect(signature).toContain(`<ds:X509Certificate>${vendor.certificateDerBase64}</ds:X509Certificate>`);
    const method =
      algorithm === 'rsa-sha256'
        ? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
        : 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
    expect(signature).toContain(`<ds:SignatureMethod Algorithm="${method}"/>`);
  });

  it('verifies, and reads the card from what was signed', () => {
    const check = verifyIdCard(card, { now: AT, trustedCertificatesPem: [OTHER_CERT, VENDOR_CERT] });
    expect(check).toMatchObject({ ok: true, card: { cvr: '12345678', idCardId: 'card-1', authenticationLevel: 3 } });
    expect(check.ok && check.signerCertificatePem).toBe(vendor.certificatePem);
  });

  it('still verifies inside another document, the text inserted verbatim', () => {
    const envelope = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:saml="urn:other"><soap:Body>${card}</soap:Body></soap:Envelope>`;
    const inner = envelope.slice(envelope.indexOf('<saml:Assertion'), envelope.indexOf('</soap:Body>'));
    expect(inner).toBe(card);
    expect(faultOf(verifyIdCard(inner, { now: AT }))).toBe('ok');
  });

  it('fails when one attribute value changes', () => {
    const tampered = replaceOnce(
      card,
      '<saml:AttributeValue>12345678</saml:AttributeValue>',
      '<saml:AttributeValue>87654321</saml:AttributeValue>'
    );
    expect(faultOf(verifyIdCard(tampered, { now: AT }))).toBe('invalid_signature');
  });

  it('fails when the validity is extended', () => {
    const tampered = replaceOnce(card, 'NotOnOrAfter="2030-05-02T10:00:00Z"', 'NotOnOrAfter="2031-05-02T10:00:00Z"');
    expect(faultOf(verifyIdCard(tampered, { now: AT }))).toBe('invalid_signature');
  });

  it('fails when the signature value changes', () => {
    const tampered = card.replace(
      /<ds:SignatureValue>(.)/,
      (_m, c: string) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`
    );
    expect(tampered).not.toBe(card);
    expect(faultOf(verifyIdCard(tampered, { now: AT }))).toBe('invalid_signature');
  });
});

describe('signature wrapping and misplaced signatures', () => {
  const card = signedCard();
  const signature = signatureOf(card);
  const unsigned = card.replace(signature, '');

  it('refuses a signature moved to the front of the assertion, which xml-crypto alone accepts', () => {
    const moved = replaceOnce(card.replace(signature, ''), '<saml:Issuer>', `${signature}<saml:Issuer>`);
    expect(xmlCryptoAlone(moved)).toBe(true);
    expect(verifyIdCard(moved, { now: AT })).toMatchObject({
      ok: false,
      faultCode: 'invalid_signature',
      message: expect.stringMatching(/last child/),
    });
  });

  it('refuses the signed card wrapped in a forged assertion, which xml-crypto alone accepts', () => {
    // The forged root carries other data; the genuine card sits inside it, the signature last.
    const forged = unsignedCard({ cvr: '99999999', idCardId: 'forged' })
      .replace('id="IDCard"', 'id="Forged"')
      .replace('</saml:Assertion>', `<saml:Advice>${unsigned}</saml:Advice>${signature}</saml:Assertion>`);
    expect(xmlCryptoAlone(forged)).toBe(true);
    expect(verifyIdCard(forged, { now: AT })).toMatchObject({ ok: false, faultCode: 'invalid_signature' });
  });

  it('refuses a forged root with the same id as the wrapped genuine card', () => {
    const forged = unsignedCard({ cvr: '99999999' }).replace(
      '</saml:Assertion>',
      `<saml:Advice>${unsigned}</saml:Advice>${signature}</saml:Assertion>`
    );
    expect(faultOf(verifyIdCard(forged, { now: AT }))).toBe('invalid_signature');
  });

  it('refuses a second signature', () => {
    // The genuine signature stays last; a copy sits before it.
    const twice = replaceOnce(card, signature, `<saml:Advice>${signature}</saml:Advice>${signature}`);
    expect(verifyIdCard(twice, { now: AT })).toMatchObject({
      ok: false,
      faultCode: 'invalid_signature',
      message: expect.stringMatching(/2 ds:Signature/),
    });
  });

  it('refuses a reference to anything but the assertion', () => {
    const elsewhere = replaceOnce(card, 'URI="#IDCard"', 'URI="#IDCardData"');
    expect(verifyIdCard(elsewhere, { now: AT })).toMatchObject({
      ok: false,
      faultCode: 'invalid_signature',
      message: expect.stringMatching(/#IDCardData/),
    });
    const whole = replaceOnce(card, 'URI="#IDCard"', 'URI=""');
    expect(faultOf(verifyIdCard(whole, { now: AT }))).toBe('invalid_signature');
  });

  it('refuses an unsigned card', () => {
    expect(verifyIdCard(unsignedCard(), { now: AT })).toMatchObject({
      ok: false,
      faultCode: 'invalid_signature',
      message: expect.stringMatching(/0 ds:Signature/),
    });
  });

  it('refuses to sign a card twice or something that is not a card', () => {
    expect(() => signIdCard(card, vendor)).toThrow(
      expect.objectContaining({ code: 'KIH_ERR_ID_CARD', message: expect.stringMatching(/already signed/) })
    );
    expect(() => signIdCard('<a id="IDCard"/>', vendor)).toThrow(expect.objectContaining({ code: 'KIH_ERR_ID_CARD' }));
  });
});

describe('certificates', () => {
  const card = signedCard();

  it('fails when the embedded certificate is swapped for another', () => {
    const swapped = replaceOnce(card, vendor.certificateDerBase64, other.certificateDerBase64);
    expect(faultOf(verifyIdCard(swapped, { now: AT }))).toBe('invalid_signature');
    expect(faultOf(verifyIdCard(swapped, { now: AT, trustedCertificatesPem: [OTHER_CERT] }))).toBe('invalid_signature');
  });

  it('refuses a valid signature by a certificate outside the trust list', () => {
    expect(verifyIdCard(card, { now: AT, trustedCertificatesPem: [OTHER_CERT] })).toMatchObject({
      ok: false,
      faultCode: 'invalid_certificate',
      message: expect.stringContaining('kih-certify test vendor'),
    });
    expect(faultOf(verifyIdCard(card, { now: AT, trustedCertificatesPem: [] }))).toBe('invalid_certificate');
    expect(
      faultOf(verifyIdCard(signedCard('rsa-sha256', {}, other), { now: AT, trustedCertificatesPem: [VENDOR_CERT] }))
    ).toBe('invalid_certificate');
  });

  it('refuses an embedded certificate that is not one', () => {
    const broken = replaceOnce(card, vendor.certificateDerBase64, 'AAAA');
    expect(faultOf(verifyIdCard(broken, { now: AT }))).toBe('invalid_certificate');
  });

  it('refuses a card signed outside the certificate validity', () => {
    const late = new Date('2047-01-01T00:00:00Z');
    const card2047 = signedCard('rsa-sha256', { now: late });
    expect(verifyIdCard(card2047, { now: new Date(late.getTime() + 1000) })).toMatchObject({
      ok: false,
      faultCode: 'invalid_certificate',
    });
  });
});

describe('algorithms', () => {
  it('refuses SHA-1 when it is turned off, and accepts SHA-256 then', () => {
    expect(verifyIdCard(signedCard('rsa-sha1'), { now: AT, allowSha1: false })).toMatchObject({
      ok: false,
      faultCode: 'invalid_signature',
      message: expect.stringMatching(/rsa-sha1 is not accepted/),
    });
    expect(faultOf(verifyIdCard(signedCard('rsa-sha256'), { now: AT, allowSha1: false }))).toBe('ok');
  });
});

describe('validity window', () => {
  const card = signedCard();
  const at = (ms: number): string => faultOf(verifyIdCard(card, { now: new Date(T0.getTime() + ms) }));

  it('is valid from NotBefore up to, not including, NotOnOrAfter', () => {
    expect(at(-1000)).toBe('expired_idcard');
    expect(at(-1)).toBe('expired_idcard');
    expect(at(0)).toBe('ok');
    expect(at(DAY_MS - 1)).toBe('ok');
    expect(at(DAY_MS)).toBe('expired_idcard');
    expect(at(30 * DAY_MS)).toBe('expired_idcard');
  });

  it('says when the card is valid', () => {
    expect(verifyIdCard(card, { now: new Date(T0.getTime() + DAY_MS) })).toMatchObject({
      message: expect.stringContaining('until 2030-05-02T10:00:00.000Z'),
    });
  });
});

describe('SOSI attributes', () => {
  it.each([
    ['the card id', 'Name="sosi:IDCardID"', 'Name="sosi:Unknown"'],
    ['the authentication level', 'Name="sosi:AuthenticationLevel"', 'Name="sosi:Level"'],
    ['the IT system name', 'Name="medcom:ITSystemName"', 'Name="medcom:System"'],
    ['the SystemLog statement', 'id="SystemLog"', 'id="UserLog"'],
  ])('refuses a correctly signed card without %s', (_name, search, replacement) => {
    const card = signIdCard(replaceOnce(unsignedCard(), search, replacement), vendor);
    expect(faultOf(verifyIdCard(card, { now: AT }))).toBe('invalid_idcard');
  });

  it('refuses text that is not a card', () => {
    expect(faultOf(verifyIdCard('not xml', { now: AT }))).toBe('invalid_idcard');
    expect(faultOf(verifyIdCard('<x/>', { now: AT }))).toBe('invalid_idcard');
    expect(faultOf(verifyIdCard(`<!DOCTYPE a>${signedCard()}`, { now: AT }))).toBe('invalid_idcard');
  });
});

describe('createCachingIdCardVerifier', () => {
  const card = signedCard();

  it('agrees with verifyIdCard, and checks the validity times on every call, cached or not', () => {
    const verify = createCachingIdCardVerifier({ trustedCertificatesPem: [VENDOR_CERT] });
    expect(verify(card, AT)).toEqual(verifyIdCard(card, { now: AT, trustedCertificatesPem: [VENDOR_CERT] }));
    expect(faultOf(verify(card, AT))).toBe('ok');
    expect(faultOf(verify(card, new Date(T0.getTime() + 2 * DAY_MS)))).toBe('expired_idcard');
    expect(faultOf(verify(card, new Date(T0.getTime() - 60_000)))).toBe('expired_idcard');
  });

  it('a changed card is a different text: verified afresh and refused', () => {
    const verify = createCachingIdCardVerifier();
    expect(faultOf(verify(card, AT))).toBe('ok');
    const tampered = replaceOnce(card, 'NotOnOrAfter="2030-05-02T10:00:00Z"', 'NotOnOrAfter="2031-05-02T10:00:00Z"');
    expect(faultOf(verify(tampered, AT))).toBe('invalid_signature');
  });

  it('trust is part of what is remembered: an untrusted signer stays refused', () => {
    const verify = createCachingIdCardVerifier({ trustedCertificatesPem: [OTHER_CERT] });
    expect(faultOf(verify(card, AT))).toBe('invalid_certificate');
    expect(faultOf(verify(card, AT))).toBe('invalid_certificate');
  });

  it('keeps at most maxEntries cards and still verifies the ones it dropped', () => {
    const verify = createCachingIdCardVerifier({ maxEntries: 1 });
    const second = signedCard('rsa-sha256', { cvr: '11223344' });
    for (const c of [card, second, card, second]) {
      expect(faultOf(verify(c, AT))).toBe('ok');
    }
  });
});
