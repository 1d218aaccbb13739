// The certificate and private key (PEM) that sign ID cards, loaded once and checked to belong together.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KihError } from '../core/kih-error.js';

export interface Credentials {
  readonly certificatePem: string;
  /** Never logged, never put in a message. */
  readonly privateKeyPem: string;
  /** The certificate's DER bytes in base64, as ds:X509Certificate carries it. */
  readonly certificateDerBase64: string;
  /** The certificate's subject DN, one RDN per line as node:crypto gives it. */
  readonly subject: string;
}

export interface CredentialFiles {
  readonly certificateFile: string;
  readonly privateKeyFile: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    // The OS message names the file and the reason; the content is never read into the message.
    const reason = (err as { code?: unknown }).code;
    throw new KihError(
      'KIH_ERR_CREDENTIALS',
      `The ${what} file ${file} cannot be read${typeof reason === 'string' ? ` (${reason})` : ''}.`
    );
  }
}

export async function loadCredentials(files: CredentialFiles): Promise<Credentials> {
  const [certPem, keyPem] = await Promise.all([
    readPem(files.certificateFile, 'certificate'),
    readPem(files.privateKeyFile, 'private key'),
  ]);
  return credentialsFromPem(certPem, keyPem, files.certificateFile);
}

/**
 * Credentials from PEM text. Only the first certificate is used (a chain file may follow it
 * with its CAs); the key must be unencrypted PKCS#8 or PKCS#1 and must be the certificate's.
 */
export function credentialsFromPem(certPem: string, keyPem: string, source = 'the certificate'): Credentials {
  const certBlock = PEM_CERTIFICATE.exec(certPem)?.[0];
  if (!certBlock) {
    throw new KihError('KIH_ERR_CREDENTIALS', `${source} holds no PEM certificate.`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certBlock);
  } catch {
    throw new KihError('KIH_ERR_CREDENTIALS', `${source} holds a PEM block that is not an X.509 certificate.`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    // node:crypto's message could quote the input; say only what went wrong.
    throw new KihError(
      'KIH_ERR_CREDENTIALS',
      `The private key for ${source} is not an unencrypted PEM private key (PKCS#8 or PKCS#1).`
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KihError('KIH_ERR_CREDENTIALS', `The private key for ${source} is not an RSA key (DGWS signs with RSA).`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new KihError(
      'KIH_ERR_CREDENTIALS',
      `The private key does not belong to ${source} (${oneLine(cert.subject)}).`
    );
  }
  return {
    certificatePem: cert.toString(),
    privateKeyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
    certificateDerBase64: cert.raw.toString('base64'),
    subject: cert.subject,
  };
}

/** A subject DN on one line, for messages. */
export function oneLine(subject: string): string {
  return subject.split('\n').join(', ');
}
