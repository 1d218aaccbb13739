// Loading certificate and key: they must be PEM and belong together, and errors never quote key material.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { isKihError } from '../../src/core/kih-error.js';
import { credentialsFromPem, loadCredentials } from '../../src/security/credentials.js';
import { FIXTURES, OTHER_CERT, OTHER_KEY, VENDOR_CERT, VENDOR_KEY } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kih-credentials-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function codeAndMessage(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isKihError(err)) {
      return { code: err.code, message: err.message };
    }
    throw err;
  }
  throw new Error('no error thrown');
}

/** The base64 body of a PEM block, which must never show up in a message. */
function pemBody(pem: string): string {
  return pem.split('\n').filter((l) => l && !l.startsWith('-----'))[2]!;
}

describe('credentials', () => {
  it('loads a matching pair from files', async () => {
    const creds = await loadCredentials({
      certificateFile: path.join(FIXTURES, 'vendor-cert.pem'),
      privateKeyFile: path.join(FIXTURES, 'vendor-key.pem'),
    });
    expect(creds.subject).toContain('CN=kih-certify test vendor (test only)');
    expect(creds.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(creds.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    // The DER in base64 is the PEM body without line breaks.
    expect(creds.certificateDerBase64).toBe(
      VENDOR_CERT.split('\n')
        .filter((l) => l && !l.startsWith('-----'))
        .join('')
    );
  });

  it('refuses a key that belongs to another certificate, without quoting the key', () => {
    const { code, message } = codeAndMessage(() => credentialsFromPem(VENDOR_CERT, OTHER_KEY));
    expect(code).toBe('KIH_ERR_CREDENTIALS');
    expect(message).toMatch(/does not belong/);
    expect(message).not.toContain(pemBody(OTHER_KEY));
  });

  it.each([
    ['no certificate', 'not a certificate', VENDOR_KEY, /no PEM certificate/],
    [
      'a broken certificate',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
      VENDOR_KEY,
      /not an X\.509/,
    ],
    ['a key that is not PEM', VENDOR_CERT, 'garbage', /not an unencrypted PEM private key/],
    ['a certificate given as the key', VENDOR_CERT, OTHER_CERT, /not an unencrypted PEM private key/],
  ])('refuses %s', (_name, cert, key, pattern) => {
    const { code, message } = codeAndMessage(() => credentialsFromPem(cert, key));
    expect(code).toBe('KIH_ERR_CREDENTIALS');
    expect(message).toMatch(pattern);
    expect(message).not.toContain(pemBody(VENDOR_KEY));
  });

  it('names a file that cannot be read', async () => {
    const missing = path.join(dir, 'missing-key.pem');
    writeFileSync(path.join(dir, 'cert.pem'), VENDOR_CERT);
    await expect(
      loadCredentials({ certificateFile: path.join(dir, 'cert.pem'), privateKeyFile: missing })
    ).rejects.toMatchObject({ code: 'KIH_ERR_CREDENTIALS', message: expect.stringContaining(missing) });
  });
});
