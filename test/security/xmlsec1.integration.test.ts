// An independent check of the ID card signatures with xmlsec1 (libxmlsec1 + OpenSSL); `npm test` installs it (scripts/test-env.sh), so a missing binary fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMockSts, createSimulatorFederation } from '../../src/security/mock-sts.js';
import { buildStsRequest, parseStsResponse } from '../../src/security/sts-client.js';
import { FIXTURES, T0, replaceOnce, signatureOf, signedCard } from './helpers.js';

const XMLSEC1 = process.env['XMLSEC1'] ?? 'xmlsec1';
const VENDOR_CERT_FILE = path.join(FIXTURES, 'vendor-cert.pem');
const OTHER_CERT_FILE = path.join(FIXTURES, 'other-cert.pem');

const dir = mkdtempSync(path.join(tmpdir(), 'kih-xmlsec1-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * xmlsec1 --verify with the key taken from the given certificate only. `--id-attr:id` registers
 * the lower-case `id` of saml:Assertion as an XML ID, or `#IDCard` would not resolve (there is no
 * DTD or schema to declare it). `--enabled-key-data key-name` keeps xmlsec1 from taking the key
 * from the card's own X509Data (and from trying to build a chain for it), so the check really is
 * against `certFile`.
 */
function xmlsecVerify(xml: string, certFile: string): { ok: boolean; output: string } {
  const file = path.join(dir, `card-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  const run = spawnSync(
    XMLSEC1,
    [
      '--verify',
      '--enabled-key-data',
      'key-name',
      '--pubkey-cert-pem',
      certFile,
      '--id-attr:id',
      'urn:oasis:names:tc:SAML:2.0:assertion:Assertion',
      file,
    ],
    { encoding: 'utf8' }
  );
  if (run.error) {
    throw run.error;
  }
  const output = `${run.stdout}${run.stderr}`;
  return { ok: run.status === 0 && /^OK$/m.test(output), output };
}

describe('xmlsec1 agrees with our signatures', () => {
  beforeAll(() => {
    const probe = spawnSync(XMLSEC1, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        `xmlsec1 is needed for this independent signature check and was not found (${XMLSEC1}): run "npm run test:setup" (npm test does) or "apt-get install xmlsec1".`
      );
    }
  });

  it.each(['rsa-sha256', 'rsa-sha1'] as const)('accepts a %s card and refuses it tampered', (algorithm) => {
    const card = signedCard(algorithm);
    expect(xmlsecVerify(card, VENDOR_CERT_FILE)).toMatchObject({ ok: true });
    const tampered = replaceOnce(
      card,
      '<saml:AttributeValue>3</saml:AttributeValue>',
      '<saml:AttributeValue>4</saml:AttributeValue>'
    );
    const result = xmlsecVerify(tampered, VENDOR_CERT_FILE);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/FAIL|failed to verify/);
  });

  it('refuses the card against another certificate', () => {
    expect(xmlsecVerify(signedCard(), OTHER_CERT_FILE).ok).toBe(false);
  });

  it('refuses a card whose signature does not reference a registered id', () => {
    const card = signedCard();
    // The signature is intact, but #IDCard now names nothing.
    const renamed = replaceOnce(card, 'id="IDCard"', 'id="Other"');
    expect(renamed).toContain(signatureOf(card));
    expect(xmlsecVerify(renamed, VENDOR_CERT_FILE).ok).toBe(false);
  });

  it('accepts the STS-issued card against the federation certificate only', () => {
    const federation = createSimulatorFederation();
    const at = new Date(T0.getTime() + 1000);
    const answer = createMockSts({ federation, now: () => at }).handle(Buffer.from(buildStsRequest(signedCard())));
    const parsed = parseStsResponse(answer.status, Buffer.from(answer.body));
    if (!parsed.ok) {
      throw new Error(parsed.message);
    }
    const federationCertFile = path.join(dir, 'federation-cert.pem');
    writeFileSync(federationCertFile, federation.certificatePem);
    expect(xmlsecVerify(parsed.card, federationCertFile)).toMatchObject({ ok: true });
    expect(xmlsecVerify(parsed.card, VENDOR_CERT_FILE).ok).toBe(false);
  });
});
