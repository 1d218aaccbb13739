// The KIH simulator's STS: checks a self-signed system ID card and re-issues it signed with the simulator's test-only federation key.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KihError } from '../core/kih-error.js';
import { PACKAGE_ROOT } from '../core/package-info.js';
import { escapeXmlText } from '../core/xml-escape.js';
import { credentialsFromPem } from './credentials.js';
import type { Credentials } from './credentials.js';
import { certHashMatches, DEFAULT_ID_CARD_VALIDITY_MS, isoSeconds, writeIdCard } from './id-card.js';
import { OTHER_FORMAT, SOSI_NS, WS_TRUST } from './namespaces.js';
import { signIdCard, verifyIdCard } from './sign-id-card.js';
import type { IdCardFaultCode, SignatureAlgorithmName } from './sign-id-card.js';
import { childElements, decodeUtf8, isElement, onlyChild, parseXmlText, textOf } from '../xml/xmldom.js';
import { cardSource, WSA_2004_NS } from './sts-client.js';

export interface MockStsOptions {
  readonly federation: Credentials;
  /** saml:Issuer of the cards it issues; default KIH-SIM-STS (the NSP STSes write e.g. TEST2-NSP-STS). */
  readonly issuer?: string;
  /** Lifetime of issued cards; default 24 h. */
  readonly validityMs?: number;
  readonly now?: () => Date;
  /** Vendor certificates allowed to ask; absent: any certificate whose key signed the card. */
  readonly trustedClientCertificatesPem?: readonly string[];
  /** How issued cards are signed; default rsa-sha256 (NSP TEST1 still signs with rsa-sha1). */
  readonly signatureAlgorithm?: SignatureAlgorithmName;
}

export interface MockStsAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface MockSts {
  readonly federationCertificatePem: string;
  handle(body: Uint8Array): MockStsAnswer;
}

/** The DGWS fault codes this STS answers with. */
export type StsFaultCode = IdCardFaultCode | 'syntax_error';

const CONTENT_TYPE = 'text/xml; charset=utf-8';

/** Where the simulator's federation key pair lives (test-only keys, committed on purpose). */
export const SIMULATOR_FEDERATION_DIR = path.join(PACKAGE_ROOT, 'keys', 'simulator-federation');

/** The simulator's fixed federation credentials; test-only, never for real use. */
export function createSimulatorFederation(): Credentials {
  const certFile = path.join(SIMULATOR_FEDERATION_DIR, 'cert.pem');
  return credentialsFromPem(
    readFileSync(certFile, 'utf8'),
    readFileSync(path.join(SIMULATOR_FEDERATION_DIR, 'key.pem'), 'utf8'),
    certFile
  );
}

/** A DGWS fault: HTTP 500, faultcode Server, the DGWS code (when one fits) in detail/medcom:FaultCode. */
function faultAnswer(code: StsFaultCode | undefined, message: string): MockStsAnswer {
  return {
    status: 500,
    contentType: CONTENT_TYPE,
    body:
      '<?xml version="1.0" encoding="UTF-8"?>' +
      `<soap:Envelope xmlns:soap="${SOSI_NS.soap}"><soap:Body><soap:Fault>` +
      `<faultcode>soap:Server</faultcode><faultstring>${escapeXmlText(message)}</faultstring>` +
      (code ? `<detail><medcom:FaultCode xmlns:medcom="${SOSI_NS.medcom}">${code}</medcom:FaultCode></detail>` : '') +
      '</soap:Fault></soap:Body></soap:Envelope>',
  };
}

/** A DN as one RFC 4514 string, most specific RDN first (node:crypto lists them root first, one per line). */
function distinguishedName(dn: string): string {
  return dn
    .split('\n')
    .reverse()
    .map((rdn) => rdn.replace(/([,+"\\<>;])/g, '\\$1'))
    .join(',');
}

/** The NameID the NSP STS writes into the cards it issues: the signer's certificate, not the CVR. */
function certificateNameId(certPem: string): string {
  const cert = new X509Certificate(certPem);
  const serial = BigInt(`0x${cert.serialNumber}`).toString(10);
  return `SubjectDN=${distinguishedName(cert.subject)},IssuerDN=${distinguishedName(cert.issuer)},CertSerial=${serial}`;
}

/** The RequestSecurityToken's fields, or the reason it is not one. */
function readRequest(body: Uint8Array): { text: string; messageId?: string } | { fault: string } {
  let text: string;
  let doc: Document;
  try {
    text = decodeUtf8(body);
    doc = parseXmlText(text);
  } catch (err) {
    return { fault: `The request is not usable XML (${err instanceof Error ? err.message : String(err)}).` };
  }
  const envelope = doc.documentElement;
  const soapBody = isElement(envelope, SOSI_NS.soap, 'Envelope')
    ? onlyChild(envelope, SOSI_NS.soap, 'Body')
    : undefined;
  const rst = soapBody ? onlyChild(soapBody, SOSI_NS.wst, 'RequestSecurityToken') : undefined;
  if (!soapBody || !rst || childElements(soapBody).length !== 1) {
    return { fault: 'The request is not a SOAP 1.1 envelope with one wst:RequestSecurityToken in its Body.' };
  }
  if (rst.getAttribute('Context') !== WS_TRUST.context) {
    return { fault: `wst:RequestSecurityToken must have Context="${WS_TRUST.context}".` };
  }
  if (textOf(onlyChild(rst, SOSI_NS.wst, 'TokenType')) !== WS_TRUST.tokenType) {
    return { fault: `wst:TokenType must be ${WS_TRUST.tokenType}.` };
  }
  if (textOf(onlyChild(rst, SOSI_NS.wst, 'RequestType')) !== WS_TRUST.issue) {
    return { fault: `wst:RequestType must be ${WS_TRUST.issue}.` };
  }
  const header = onlyChild(envelope, SOSI_NS.soap, 'Header');
  const messageId = header ? textOf(onlyChild(header, WSA_2004_NS, 'MessageID')) : undefined;
  return messageId === undefined ? { text } : { text, messageId };
}

function issueAnswer(card: string, created: Date, expires: Date, relatesTo: string | undefined): MockStsAnswer {
  const wsa = relatesTo === undefined ? '' : ` xmlns:wsa="${WSA_2004_NS}"`;
  return {
    status: 200,
    contentType: CONTENT_TYPE,
    body:
      '<?xml version="1.0" encoding="UTF-8"?>' +
      `<soap:Envelope xmlns:soap="${SOSI_NS.soap}" xmlns:wsse="${SOSI_NS.wsse}" xmlns:wsu="${SOSI_NS.wsu}" xmlns:wst="${SOSI_NS.wst}"${wsa}>` +
      '<soap:Header>' +
      `<wsse:Security><wsu:Timestamp><wsu:Created>${isoSeconds(created)}</wsu:Created></wsu:Timestamp></wsse:Security>` +
      (relatesTo === undefined ? '' : `<wsa:RelatesTo>${escapeXmlText(relatesTo)}</wsa:RelatesTo>`) +
      '</soap:Header>' +
      '<soap:Body>' +
      `<wst:RequestSecurityTokenResponse Context="${WS_TRUST.context}">` +
      `<wst:TokenType>${WS_TRUST.tokenType}</wst:TokenType>` +
      `<wst:RequestedSecurityToken>${card}</wst:RequestedSecurityToken>` +
      `<wst:Lifetime><wsu:Created>${isoSeconds(created)}</wsu:Created><wsu:Expires>${isoSeconds(expires)}</wsu:Expires></wst:Lifetime>` +
      '</wst:RequestSecurityTokenResponse>' +
      '</soap:Body>' +
      '</soap:Envelope>',
  };
}

export function createMockSts(options: MockStsOptions): MockSts {
  const now = options.now ?? ((): Date => new Date());
  const issuer = options.issuer ?? 'KIH-SIM-STS';
  const validityMs = options.validityMs ?? DEFAULT_ID_CARD_VALIDITY_MS;
  // Settings that would make every issued card unwritable fail here, not on the first request.
  if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(issuer)) {
    throw new KihError('KIH_ERR_ID_CARD', `The STS issuer "${issuer}" is not an XML name (DGWS types it as NCName).`);
  }
  if (!Number.isFinite(validityMs) || validityMs < 1000) {
    throw new KihError('KIH_ERR_ID_CARD', `The STS card validity must be at least one second, got ${validityMs} ms.`);
  }

  function issue(body: Uint8Array): MockStsAnswer {
    const request = readRequest(body);
    if ('fault' in request) {
      return faultAnswer('syntax_error', request.fault);
    }
    const found = cardSource(request.text, [
      [SOSI_NS.wst, 'Claims'],
      [SOSI_NS.wst, 'RequestSecurityToken'],
    ]);
    if ('problem' in found) {
      return faultAnswer('invalid_idcard', `wst:Claims must hold one ID card, but ${found.problem}.`);
    }
    const at = now();
    // Self-signed cards carry their own certificate: the signature must verify with it.
    const check = verifyIdCard(found.card, {
      now: at,
      ...(options.trustedClientCertificatesPem ? { trustedCertificatesPem: options.trustedClientCertificatesPem } : {}),
    });
    if (!check.ok) {
      return faultAnswer(check.faultCode, check.message);
    }
    const card = check.card;
    if (card.idCardType !== 'system') {
      return faultAnswer('invalid_idcard', 'This STS issues system ID cards only.');
    }
    if (!certHashMatches(card, check.signerCertificatePem)) {
      return faultAnswer(
        'invalid_idcard',
        'sosi:OCESCertHash is not the hash of the certificate that signed the card.'
      );
    }
    const notBefore = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const notOnOrAfter = new Date(notBefore.getTime() + validityMs);
    const issued = signIdCard(
      writeIdCard({
        ...card,
        issuer,
        issueInstant: notBefore,
        notBefore,
        notOnOrAfter,
        nameIdFormat: OTHER_FORMAT,
        nameId: certificateNameId(check.signerCertificatePem),
      }),
      options.federation,
      { algorithm: options.signatureAlgorithm ?? 'rsa-sha256' }
    );
    return issueAnswer(issued, notBefore, notOnOrAfter, request.messageId);
  }

  return {
    federationCertificatePem: options.federation.certificatePem,
    handle(body: Uint8Array): MockStsAnswer {
      // The simulator's server relies on an answer for every request, so nothing may escape as an exception.
      try {
        return issue(body);
      } catch (err) {
        return faultAnswer(undefined, `The STS failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
