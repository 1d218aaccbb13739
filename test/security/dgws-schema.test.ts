// Cards and STS messages against the DGWS-profiled SAML/XML-DSig/WS-Security schemas (reference material beside the checkout, never copied in).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from '@jest/globals';
import { XmlDocument, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { SAFE_PARSE_OPTIONS, serveFiles } from '../../src/xml/libxml.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { createMockSts, createSimulatorFederation } from '../../src/security/mock-sts.js';
import { buildStsRequest, parseStsResponse } from '../../src/security/sts-client.js';
import { T0, signatureOf, signedCard } from './helpers.js';
import { describeWithReference } from '../helpers/reference.js';

const DGWS_DIR = path.resolve(PACKAGE_ROOT, '..', 'shared', 'reference', 'dgws');
const FILES = ['saml.xsd', 'ds.xsd', 'wsse.xsd', 'wsu.xsd'];
const missing = FILES.filter((f) => !existsSync(path.join(DGWS_DIR, f)));

function compile(file: string): XsdValidator {
  const doc = XmlDocument.fromBuffer(readFileSync(file), { url: file, option: SAFE_PARSE_OPTIONS });
  try {
    return XsdValidator.fromDoc(doc);
  } finally {
    doc.dispose();
  }
}

function errors(validator: XsdValidator, xml: string): string[] {
  const doc = XmlDocument.fromString(xml, { option: SAFE_PARSE_OPTIONS });
  try {
    validator.validate(doc);
    return [];
  } catch (err) {
    if (err instanceof XmlValidateError) {
      return err.details.map((d) => d.message.trim());
    }
    throw err;
  } finally {
    doc.dispose();
  }
}

describeWithReference('dgws-schema.test', missing)('DGWS schemas', () => {
  let saml: XsdValidator;
  let wsse: XsdValidator;

  beforeAll(() => {
    serveFiles(new Map(FILES.map((f) => [path.join(DGWS_DIR, f), readFileSync(path.join(DGWS_DIR, f))] as const)));
    saml = compile(path.join(DGWS_DIR, 'saml.xsd'));
    wsse = compile(path.join(DGWS_DIR, 'wsse.xsd'));
  });

  it('accepts an RSA-SHA1 signed system card', () => {
    expect(errors(saml, signedCard('rsa-sha1'))).toEqual([]);
  });

  it('finds fault only with the algorithms of an RSA-SHA256 card (the profiled ds.xsd lists SHA-1 only)', () => {
    const found = errors(saml, signedCard('rsa-sha256'));
    expect(found).toHaveLength(2);
    expect(found.join('\n')).toMatch(/SignatureMethod[\s\S]*DigestMethod/);
  });

  it('refuses the signature in SAML’s own position (after Issuer), so the check can fail', () => {
    const card = signedCard('rsa-sha1');
    const signature = signatureOf(card);
    const moved = card.replace(signature, '').replace('</saml:Issuer>', `</saml:Issuer>${signature}`);
    expect(errors(saml, moved).length).toBeGreaterThan(0);
  });

  it('accepts the card the simulator STS issues, and the STS request header', () => {
    const federation = createSimulatorFederation();
    const sts = createMockSts({ federation, now: () => T0, signatureAlgorithm: 'rsa-sha1' });
    const request = buildStsRequest(signedCard('rsa-sha1'), { now: T0 });
    const answer = sts.handle(Buffer.from(request));
    const parsed = parseStsResponse(answer.status, Buffer.from(answer.body));
    expect(parsed.ok).toBe(true);
    expect(errors(saml, parsed.ok ? parsed.card : '')).toEqual([]);
    const header = /<wsse:Security>[\s\S]*?<\/wsse:Security>/
      .exec(request)![0]
      .replace(
        '<wsse:Security>',
        '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">'
      );
    expect(errors(wsse, header)).toEqual([]);
  });
});
