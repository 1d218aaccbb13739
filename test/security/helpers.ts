// Shared fixtures of the security tests: the test key pairs and a signed card made from them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { credentialsFromPem } from '../../src/security/credentials.js';
import type { Credentials } from '../../src/security/credentials.js';
import { buildSystemIdCard } from '../../src/security/id-card.js';
import type { SystemIdCardOptions } from '../../src/security/id-card.js';
import { signIdCard } from '../../src/security/sign-id-card.js';
import type { SignatureAlgorithmName } from '../../src/security/sign-id-card.js';

export const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'security');
export const fixtureText = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

export const VENDOR_CERT = fixtureText('vendor-cert.pem');
export const VENDOR_KEY = fixtureText('vendor-key.pem');
export const OTHER_CERT = fixtureText('other-cert.pem');
export const OTHER_KEY = fixtureText('other-key.pem');

export const vendor: Credentials = credentialsFromPem(VENDOR_CERT, VENDOR_KEY);
export const other: Credentials = credentialsFromPem(OTHER_CERT, OTHER_KEY);

/** A moment inside the test certificates' validity (2026-12-02 to 2046-12-02). */
export const T0 = new Date('2030-05-01T10:00:00Z');
export const DAY_MS = 24 * 60 * 60 * 1000;

export const CARD_FIELDS = {
  cvr: '12345678',
  careProviderName: 'Testleverandør ApS & Co <test>',
  itSystemName: 'Hjemmemåling "KIH" 1.0',
} as const;

export function unsignedCard(overrides: Partial<SystemIdCardOptions> = {}): string {
  return buildSystemIdCard({ ...CARD_FIELDS, certificate: vendor, now: T0, idCardId: 'card-1', ...overrides });
}

export function signedCard(
  algorithm: SignatureAlgorithmName = 'rsa-sha256',
  overrides: Partial<SystemIdCardOptions> = {},
  signer: Credentials = vendor
): string {
  return signIdCard(unsignedCard(overrides), signer, { algorithm });
}

/** Replaces exactly one occurrence, so a test never passes because its edit silently did nothing. */
export function replaceOnce(text: string, search: string | RegExp, replacement: string): string {
  const count =
    typeof search === 'string' ? text.split(search).length - 1 : (text.match(new RegExp(search, 'g')) ?? []).length;
  if (count !== 1) {
    throw new Error(`expected one match of ${String(search)}, found ${count}`);
  }
  return text.replace(search, replacement);
}

/** The ds:Signature element's text. */
export function signatureOf(card: string): string {
  const match = /<ds:Signature\b[\s\S]*<\/ds:Signature>/.exec(card);
  if (!match) {
    throw new Error('no ds:Signature in the card');
  }
  return match[0];
}
