// The STS exchange without a network: request envelope, the simulator's STS, and reading answers byte for byte, faults and garbage.
import { describe, expect, it } from '@jest/globals';
import { DOMParser } from '@xmldom/xmldom';
import { readIdCard } from '../../src/security/id-card.js';
import { createMockSts, createSimulatorFederation } from '../../src/security/mock-sts.js';
import { signIdCard, verifyIdCard } from '../../src/security/sign-id-card.js';
import { buildStsRequest, parseStsResponse } from '../../src/security/sts-client.js';
import {
  DAY_MS,
  OTHER_CERT,
  T0,
  VENDOR_CERT,
  other,
  replaceOnce,
  signedCard,
  unsignedCard,
  vendor,
} from './helpers.js';

const federation = createSimulatorFederation();
const AT = new Date(T0.getTime() + 30_000);
const sts = createMockSts({ federation, now: () => AT });
const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

function exchange(card: string, mock = sts): { status: number; body: string } {
  const answer = mock.handle(utf8(buildStsRequest(card, { now: AT })));
  expect(answer.contentType).toBe('text/xml; charset=utf-8');
  return answer;
}

function issuedCard(card = signedCard()): string {
  const answer = exchange(card);
  const parsed = parseStsResponse(answer.status, utf8(answer.body));
  if (!parsed.ok) {
    throw new Error(parsed.message);
  }
  return parsed.card;
}

function faultCodeOf(body: string): string | null | undefined {
  const doc = new DOMParser().parseFromString(body, 'text/xml');
  return doc.getElementsByTagNameNS('http://www.medcom.dk/dgws/2006/04/dgws-1.0.xsd', 'FaultCode')[0]?.textContent;
}

describe('buildStsRequest', () => {
  const card = signedCard();
  const request = buildStsRequest(card, { now: new Date('2030-05-01T10:00:00.500Z') });
  const doc = new DOMParser().parseFromString(request, 'text/xml');
  const wst = 'http://schemas.xmlsoap.org/ws/2005/02/trust';

  it('is a SOAP 1.1 envelope with only the WS-Security timestamp in its header', () => {
    const envelope = doc.documentElement;
    expect([envelope.namespaceURI, envelope.localName]).toEqual([
      'http://schemas.xmlsoap.org/soap/envelope/',
      'Envelope',
    ]);
    const header = envelope.getElementsByTagNameNS(envelope.namespaceURI, 'Header')[0]!;
    expect(header.childNodes.length).toBe(1);
    expect(header.textContent).toBe('2030-05-01T10:00:00Z');
    expect(request).toContain(
      '<wsse:Security><wsu:Timestamp><wsu:Created>2030-05-01T10:00:00Z</wsu:Created></wsu:Timestamp></wsse:Security>'
    );
  });

  it('asks for a SAML token in the SOSI context, the card in Claims byte for byte', () => {
    const rst = doc.getElementsByTagNameNS(wst, 'RequestSecurityToken')[0]!;
    expect(rst.getAttribute('Context')).toBe('www.sosi.dk');
    expect(doc.getElementsByTagNameNS(wst, 'TokenType')[0]!.textContent).toBe('urn:oasis:names:tc:SAML:2.0:assertion:');
    expect(doc.getElementsByTagNameNS(wst, 'RequestType')[0]!.textContent).toBe(
      'http://schemas.xmlsoap.org/ws/2005/02/trust/Issue'
    );
    expect(request).toContain(`<wst:Claims>${card}</wst:Claims>`);
  });

  it('adds a wsa:MessageID only when asked', () => {
    expect(request).not.toContain('MessageID');
    expect(buildStsRequest(card, { messageId: 'urn:uuid:1' })).toContain('<wsa:MessageID>urn:uuid:1</wsa:MessageID>');
  });
});

describe('the simulator STS', () => {
  it('re-issues the card signed by the federation key, and it verifies only against that certificate', () => {
    const card = issuedCard();
    expect(verifyIdCard(card, { now: AT, trustedCertificatesPem: [federation.certificatePem] })).toMatchObject({
      ok: true,
    });
    expect(verifyIdCard(card, { now: AT, trustedCertificatesPem: [VENDOR_CERT] })).toMatchObject({
      ok: false,
      faultCode: 'invalid_certificate',
    });
    // Swapping in the vendor's certificate does not make it a vendor-signed card.
    const swapped = replaceOnce(card, federation.certificateDerBase64, vendor.certificateDerBase64);
    expect(verifyIdCard(swapped, { now: AT, trustedCertificatesPem: [VENDOR_CERT] })).toMatchObject({
      ok: false,
      faultCode: 'invalid_signature',
    });
  });

  it('keeps the attributes and rewrites issuer, subject and validity as the NSP STS does', () => {
    const original = readIdCard(signedCard());
    const issued = readIdCard(issuedCard());
    expect(issued).toEqual({
      ...original,
      issuer: 'KIH-SIM-STS',
      issueInstant: new Date('2030-05-01T10:00:30Z'),
      notBefore: new Date('2030-05-01T10:00:30Z'),
      notOnOrAfter: new Date(new Date('2030-05-01T10:00:30Z').getTime() + DAY_MS),
      nameIdFormat: 'medcom:other',
      nameId: expect.stringMatching(
        /^SubjectDN=.*CN=kih-certify test vendor \(test only\).*,IssuerDN=.*,CertSerial=\d+$/
      ),
    });
    expect(issued.certHash).toBe(original.certHash);
  });

  it('uses the configured issuer, lifetime and algorithm', () => {
    const mock = createMockSts({
      federation,
      now: () => AT,
      issuer: 'TEST2-NSP-STS',
      validityMs: 60_000,
      signatureAlgorithm: 'rsa-sha1',
    });
    const answer = exchange(signedCard(), mock);
    const parsed = parseStsResponse(answer.status, utf8(answer.body));
    expect(parsed.ok).toBe(true);
    const card = parsed.ok ? parsed.card : '';
    expect(readIdCard(card)).toMatchObject({ issuer: 'TEST2-NSP-STS', notOnOrAfter: new Date('2030-05-01T10:01:30Z') });
    expect(card).toContain('xmldsig#rsa-sha1');
    expect(mock.federationCertificatePem).toBe(federation.certificatePem);
  });

  it('refuses settings it could never issue a card with', () => {
    expect(() => createMockSts({ federation, issuer: 'not a name' })).toThrow(/not an XML name/);
    expect(() => createMockSts({ federation, validityMs: 0 })).toThrow(/at least one second/);
  });

  it('echoes a wsa:MessageID as RelatesTo', () => {
    const answer = sts.handle(utf8(buildStsRequest(signedCard(), { now: AT, messageId: 'urn:uuid:42' })));
    expect(answer.body).toContain('<wsa:RelatesTo>urn:uuid:42</wsa:RelatesTo>');
  });

  it.each([
    [
      'a tampered card',
      () => replaceOnce(signedCard(), '>12345678</saml:NameID>', '>12345679</saml:NameID>'),
      'invalid_signature',
    ],
    ['an expired card', () => signedCard('rsa-sha256', { now: new Date(AT.getTime() - 2 * DAY_MS) }), 'expired_idcard'],
    [
      'a card not yet valid',
      () => signedCard('rsa-sha256', { now: new Date(AT.getTime() + 60_000) }),
      'expired_idcard',
    ],
    [
      'a card whose hash names another certificate',
      () => signIdCard(unsignedCard({ certificate: other }), vendor),
      'invalid_idcard',
    ],
    ['a user card', () => signIdCard(replaceOnce(unsignedCard(), '>system<', '>user<'), vendor), 'invalid_idcard'],
    [
      'a card without SOSI attributes',
      () => signIdCard(replaceOnce(unsignedCard(), 'id="SystemLog"', 'id="UserLog"'), vendor),
      'invalid_idcard',
    ],
  ])('refuses %s with a DGWS fault', (_name, card, code) => {
    const answer = exchange(card());
    expect(answer.status).toBe(500);
    expect(faultCodeOf(answer.body)).toBe(code);
    const parsed = parseStsResponse(answer.status, utf8(answer.body));
    expect(parsed).toMatchObject({ ok: false, message: expect.stringContaining(code) });
  });

  it('refuses a client certificate outside its trust list', () => {
    const strict = createMockSts({ federation, now: () => AT, trustedClientCertificatesPem: [OTHER_CERT] });
    expect(faultCodeOf(exchange(signedCard(), strict).body)).toBe('invalid_certificate');
    expect(exchange(signedCard('rsa-sha256', { certificate: other }, other), strict).status).toBe(200);
  });

  it.each([
    ['garbage', 'hello'],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY a "b">]>${buildStsRequest(signedCard())}`],
    [
      'another body',
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x/></soap:Body></soap:Envelope>',
    ],
    ['a wrong context', buildStsRequest(signedCard()).replace('Context="www.sosi.dk"', 'Context="other"')],
    ['a wrong request type', buildStsRequest(signedCard()).replace('/trust/Issue<', '/trust/Renew<')],
  ])('answers %s with syntax_error', (_name, body) => {
    const answer = sts.handle(utf8(body));
    expect(answer.status).toBe(500);
    expect(faultCodeOf(answer.body)).toBe('syntax_error');
  });

  it('answers a request with two cards, or none, with invalid_idcard', () => {
    const card = signedCard();
    const two = buildStsRequest(card).replace(`${card}</wst:Claims>`, `${card}${card}</wst:Claims>`);
    expect(faultCodeOf(sts.handle(utf8(two)).body)).toBe('invalid_idcard');
    expect(faultCodeOf(sts.handle(utf8(buildStsRequest(''))).body)).toBe('invalid_idcard');
  });
});

describe('parseStsResponse', () => {
  it('returns the card exactly as the bytes of the answer hold it', () => {
    const answer = exchange(signedCard());
    const bytes = Buffer.from(answer.body, 'utf8');
    const parsed = parseStsResponse(200, bytes);
    expect(parsed.ok).toBe(true);
    const card = Buffer.from(parsed.ok ? parsed.card : '', 'utf8');
    const start = bytes.indexOf('<saml:Assertion');
    expect(bytes.subarray(start, start + card.length).equals(card)).toBe(true);
    expect(card.subarray(-17).toString()).toBe('</saml:Assertion>');
  });

  it('keeps white space, CRLF and non-ASCII text inside the card untouched', () => {
    // Pretty-printed before signing, so the white space is part of what is signed; CRLF after
    // signing, as a Windows STS might write it (parsers read CRLF as LF, so the signature holds).
    const pretty = signIdCard(unsignedCard().replace(/></g, '>\n\t<'), federation).replace(/\n/g, '\r\n');
    const body = `<?xml version="1.0" encoding="UTF-8"?>\r\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wst="http://schemas.xmlsoap.org/ws/2005/02/trust">\r\n<soap:Body>\r\n<wst:RequestSecurityTokenResponse>\r\n<wst:RequestedSecurityToken>${pretty}</wst:RequestedSecurityToken></wst:RequestSecurityTokenResponse></soap:Body></soap:Envelope>`;
    expect(pretty).toContain('\r\n\t<');
    expect(pretty).toContain('Testleverandør');
    const parsed = parseStsResponse(200, utf8(body));
    expect(parsed).toEqual({ ok: true, card: pretty });
    expect(
      verifyIdCard(parsed.ok ? parsed.card : '', { now: AT, trustedCertificatesPem: [federation.certificatePem] }).ok
    ).toBe(true);
  });

  it('declares on the card the namespaces the envelope declared for it, and the card still verifies', () => {
    const card = issuedCard();
    const rootTag = /^<saml:Assertion[^>]*>/.exec(card)![0];
    const bare = rootTag.replace(/ xmlns:[a-z]+="[^"]*"/g, '');
    const stripped = card.replace(rootTag, bare);
    const body =
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wst="http://schemas.xmlsoap.org/ws/2005/02/trust" ' +
      'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ' +
      'xmlns:medcom="http://www.medcom.dk/dgws/2006/04/dgws-1.0.xsd" xmlns:sosi="http://www.sosi.dk/sosi/2006/04/sosi-1.0.xsd">' +
      `<soap:Body><wst:RequestSecurityTokenResponseCollection><wst:RequestSecurityTokenResponse><wst:RequestedSecurityToken>${stripped}` +
      '</wst:RequestedSecurityToken></wst:RequestSecurityTokenResponse></wst:RequestSecurityTokenResponseCollection></soap:Body></soap:Envelope>';
    const parsed = parseStsResponse(200, utf8(body));
    expect(parsed.ok).toBe(true);
    const extracted = parsed.ok ? parsed.card : '';
    // Only saml and ds are used as prefixes; the rest of the text is unchanged.
    expect(extracted).toBe(
      stripped.replace(
        '<saml:Assertion',
        '<saml:Assertion xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
      )
    );
    expect(verifyIdCard(extracted, { now: AT, trustedCertificatesPem: [federation.certificatePem] }).ok).toBe(true);
    // Cut out without the declarations, the text would not even parse.
    expect(verifyIdCard(stripped, { now: AT })).toMatchObject({ ok: false, faultCode: 'invalid_idcard' });
  });

  it('quotes a SOAP fault with its DGWS code', () => {
    const fault =
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode>' +
      '<faultstring>Certificate revoked</faultstring><detail><medcom:FaultCode xmlns:medcom="http://www.medcom.dk/dgws/2006/04/dgws-1.0.xsd">invalid_certificate</medcom:FaultCode></detail>' +
      '</soap:Fault></soap:Body></soap:Envelope>';
    expect(parseStsResponse(500, utf8(fault))).toEqual({
      ok: false,
      message: 'The STS refused to issue an ID card: Certificate revoked (soap:Server, invalid_certificate).',
    });
  });

  const card = signedCard();
  const rstr = (inner: string): string =>
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wst="http://schemas.xmlsoap.org/ws/2005/02/trust"><soap:Body><wst:RequestSecurityTokenResponse>${inner}</wst:RequestSecurityTokenResponse></soap:Body></soap:Envelope>`;
  it.each([
    ['an HTML error page', 502, '<html><body><h1>Bad gateway</h1></body></html>', /not a SOAP 1\.1 envelope/],
    ['an empty body', 200, '', /not usable XML/],
    ['plain text', 200, 'Service Unavailable', /not usable XML.*Service Unavailable/],
    [
      'a DOCTYPE',
      200,
      `<!DOCTYPE x>${rstr(`<wst:RequestedSecurityToken>${card}</wst:RequestedSecurityToken>`)}`,
      /DOCTYPE/,
    ],
    [
      'HTTP 500 without a fault',
      500,
      rstr(`<wst:RequestedSecurityToken>${card}</wst:RequestedSecurityToken>`),
      /HTTP 500 without a SOAP fault/,
    ],
    ['no card', 200, rstr('<wst:RequestedSecurityToken/>'), /0 ID cards/],
    ['two cards', 200, rstr(`<wst:RequestedSecurityToken>${card}${card}</wst:RequestedSecurityToken>`), /2 ID cards/],
    ['a card in the wrong place', 200, rstr(card), /0 ID cards/],
    [
      'an assertion that is no SOSI card',
      200,
      rstr(
        '<wst:RequestedSecurityToken><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></wst:RequestedSecurityToken>'
      ),
      /not a SOSI ID card/,
    ],
  ])('refuses %s', (_name, status, body, pattern) => {
    expect(parseStsResponse(status, utf8(body))).toEqual({ ok: false, message: expect.stringMatching(pattern) });
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(parseStsResponse(200, Uint8Array.from([0x3c, 0x61, 0xff, 0x2f, 0x3e]))).toEqual({
      ok: false,
      message: expect.stringMatching(/not UTF-8/),
    });
  });
});
