// Round trips of the complete ITI-41 request: build → HTTP bytes → MTOM parts → SOAP → ebRIM → metadata, for every valid sample and both SOAP flavours.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { XmlDocument } from 'libxml2-wasm';
import { BUILTIN_TARGETS } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { parseSubmission } from '../../src/xds/ebrim-parse.js';
import { parseHttpMessage, renderHttpRequest } from '../../src/xds/http-message.js';
import { buildIti41Request } from '../../src/xds/iti41-request.js';
import type { Iti41RequestOptions } from '../../src/xds/iti41-request.js';
import type { SubmissionMetadata } from '../../src/xds/metadata-model.js';
import { resolveSettings } from '../../src/config/metadata-settings.js';
import { findAttachment, parseContentType, parseMultipartRelated } from '../../src/xds/mtom.js';
import { prepareSubmission } from '../../src/xds/prepare-submission.js';
import { rimToMetadata } from '../../src/xds/rim-to-metadata.js';
import { XDS_NS } from '../../src/xds/vocabulary.js';

const SAMPLES = path.join(PACKAGE_ROOT, 'samples');
const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  documents: { file: string; valid: boolean }[];
};
const VALID = manifest.documents.filter((d) => d.valid).map((d) => d.file);

const ID_CARD =
  `<saml:Assertion xmlns:saml="${XDS_NS.saml}" xmlns:ds="${XDS_NS.ds}" ID="IDCard" Version="2.0">\n` +
  '  <saml:Issuer>TEST-STS</saml:Issuer>  <ds:Signature Id="OCESSignature"><ds:SignatureValue>AAAA\r\nBBBB</ds:SignatureValue></ds:Signature>\n' +
  '</saml:Assertion>';

function prepared(file: string): { bytes: Buffer; metadata: SubmissionMetadata } {
  const bytes = readFileSync(path.join(SAMPLES, file));
  const result = prepareSubmission(bytes, file, { settings: resolveSettings(BUILTIN_TARGETS.local?.metadata ?? {}) });
  if (!result.metadata) {
    throw new Error(`${file}: ${JSON.stringify(result.issues)}`);
  }
  return { bytes, metadata: result.metadata };
}

const FLAVOURS: [string, Omit<Iti41RequestOptions, 'endpoint'>][] = [
  ['SOAP 1.1 + DGWS', { soapVersion: '1.1', dgws: true, idCard: ID_CARD }],
  ['SOAP 1.2', { soapVersion: '1.2', dgws: false }],
];

const ENDPOINT = 'http://127.0.0.1:8041/kih-iti41/iti41?x=1';

describe.each(FLAVOURS)('%s', (_name, flavour) => {
  it.each(VALID)('%s survives the round trip', (file) => {
    const { bytes, metadata } = prepared(file);
    const request = buildIti41Request(metadata, bytes, { ...flavour, endpoint: ENDPOINT });

    // The document goes out as the caller's buffer itself, never a copy.
    expect(request.chunks.filter((c) => c === bytes)).toHaveLength(1);

    const wire = Buffer.concat(
      renderHttpRequest({ ...request, headers: { ...request.headers }, chunks: [...request.chunks] })
    );
    const http = parseHttpMessage(wire);
    expect(http.startLine).toBe('POST /kih-iti41/iti41?x=1 HTTP/1.1');
    expect(http.headers.host).toBe('127.0.0.1:8041');
    expect(Number(http.headers['content-length'])).toBe(request.length);
    expect(http.body.length).toBe(request.length);

    const type = parseContentType(http.headers['content-type'] ?? '');
    expect(type.mediaType).toBe('multipart/related');
    expect(type.params.type).toBe('application/xop+xml');
    expect(type.params['start-info']).toBe(flavour.soapVersion === '1.1' ? 'text/xml' : 'application/soap+xml');
    if (flavour.soapVersion === '1.1') {
      expect(http.headers.soapaction).toBe('"urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"');
    } else {
      expect(http.headers.soapaction).toBeUndefined();
    }

    const mime = parseMultipartRelated(http.body, http.headers['content-type'] ?? '');
    expect(mime.parts).toHaveLength(2); // only the document is an attachment
    expect(`<${mime.root.contentId ?? ''}>`).toBe(type.params.start);
    const soapText = Buffer.from(mime.root.body).toString('utf8');
    const soap = XmlDocument.fromString(soapText);
    try {
      const ns = { ...XDS_NS, soap: flavour.soapVersion === '1.1' ? XDS_NS.soap11 : XDS_NS.soap12 };
      expect(soap.root.namespaceUri).toBe(ns.soap);
      expect(soap.eval('string(/soap:Envelope/soap:Header/wsa:Action)', ns)).toBe(
        'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b'
      );
      expect(soap.eval('string(/soap:Envelope/soap:Header/wsa:MessageID)', ns)).toBe(request.messageId);
      expect(soap.eval('string(/soap:Envelope/soap:Header/wsa:To)', ns)).toBe(ENDPOINT);
      expect(soap.eval('string(/soap:Envelope/soap:Header/wsa:ReplyTo/wsa:Address)', ns)).toBe(
        'http://www.w3.org/2005/08/addressing/anonymous'
      );
      expect(soap.eval('count(/soap:Envelope/soap:Header/medcom:Header)', ns)).toBe(flavour.dgws ? 1 : 0);
      expect(soap.eval('count(/soap:Envelope/soap:Header/wsse:Security/saml:Assertion)', ns)).toBe(
        flavour.dgws ? 1 : 0
      );
      if (flavour.dgws) {
        expect(soap.eval('string(//medcom:Linking/medcom:MessageID)', ns)).toBe(request.messageId);
        expect(soap.eval('string(//medcom:SecurityLevel)', ns)).toBe('3');
      }
      const href = soap.eval('string(//xds:Document/xop:Include/@href)', ns);
      expect(typeof href).toBe('string');
      const attachment = findAttachment(mime.parts, href as string);
      expect(attachment?.contentId).toBe(request.documentContentId);
      expect(Buffer.compare(Buffer.from(attachment?.body ?? []), bytes)).toBe(0);
    } finally {
      soap.dispose();
    }
    // The ID card is inserted byte for byte (its signature depends on it).
    if (flavour.idCard) {
      expect(soapText).toContain(flavour.idCard);
    }

    const rim = parseSubmission(soapText);
    expect(rim.issues).toEqual([]);
    const back = rimToMetadata(rim.submission!);
    expect(back.issues).toEqual([]);
    expect(back.metadata).toEqual(metadata);
  });
});

describe('request details', () => {
  const { bytes, metadata } = prepared(VALID[0] ?? '');

  it('a fixed boundary and content ids give byte-identical requests', () => {
    const options: Iti41RequestOptions = {
      endpoint: ENDPOINT,
      soapVersion: '1.1',
      dgws: true,
      messageId: 'urn:uuid:11111111-1111-4111-8111-111111111111',
      now: new Date('2026-11-22T08:00:00Z'),
      boundary: 'MIMEBoundary_fixed',
      contentIds: { root: 'root@kih-certify.local', document: 'doc@kih-certify.local' },
    };
    const a = Buffer.concat(buildIti41Request(metadata, bytes, options).chunks);
    const b = Buffer.concat(buildIti41Request(metadata, bytes, options).chunks);
    expect(a.equals(b)).toBe(true);
    expect(a.toString('utf8')).toContain('<wsu:Created>2026-11-22T08:00:00Z</wsu:Created>');
    expect(a.toString('utf8')).toContain('<xop:Include href="cid:doc@kih-certify.local"/>');
  });

  it('generated content ids need no percent-encoding in the cid: URL', () => {
    const request = buildIti41Request(metadata, bytes, { endpoint: ENDPOINT, soapVersion: '1.2', dgws: false });
    expect(request.documentContentId).toMatch(/^[A-Za-z0-9.-]+@[A-Za-z0-9.-]+$/);
  });

  it('SOAP 1.2 names the action in the content type', () => {
    const request = buildIti41Request(metadata, bytes, { endpoint: ENDPOINT, soapVersion: '1.2', dgws: false });
    expect(parseContentType(request.headers['Content-Type'] ?? '').params.action).toBe(
      'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b'
    );
  });

  it('a 20 MB document is not copied while the request is built', () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 0x61);
    const request = buildIti41Request(metadata, big, { endpoint: ENDPOINT, soapVersion: '1.1', dgws: true });
    const others = request.chunks.filter((c) => c !== big);
    expect(request.chunks).toContain(big);
    // Everything but the document is small: the envelope and the MIME framing.
    expect(others.reduce((n, c) => n + c.byteLength, 0)).toBeLessThan(64 * 1024);
    expect(request.length).toBe(big.length + others.reduce((n, c) => n + c.byteLength, 0));
  });
});
