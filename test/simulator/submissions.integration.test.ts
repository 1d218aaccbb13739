// The simulator's ITI-41 checks over real HTTP: every sample stored, duplicates the XDS way, metadata, document, CDA, SOAP and DGWS refusals.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { XmlDocument } from 'libxml2-wasm';
import { request } from 'undici';
import { startSimulator } from '../../src/simulator/index.js';
import type { IdCardCheckFail, IdCardVerifier, Simulator } from '../../src/simulator/index.js';
import { XDS_NS } from '../../src/xds/vocabulary.js';
import {
  buildRequest,
  DGWS,
  ID_CARD,
  otherContent,
  PLAIN_SOAP12,
  post,
  prepared,
  tempDir,
  VALID_SAMPLES,
  variant,
  withSoap,
} from './helpers.js';

const PHMR = 'dk-phmr-2.1/valid/weight.xml';
const QRD = 'dk-qrd-1.3/valid/fatigue-pain-sliders.xml';
/** A whole CPR number: ten digits not inside a longer token. */
const TEN_DIGITS = /(?<![\w.])\d{10}(?![\w.])/;

/** Cards the stub verifier refuses, by the text of their saml:Issuer. */
const REFUSED: Record<string, IdCardCheckFail> = {
  'BAD-SIGNATURE': { ok: false, faultCode: 'invalid_signature', message: 'The ID card signature does not verify.' },
  EXPIRED: { ok: false, faultCode: 'expired_idcard', message: 'The ID card has expired.' },
};

const cardsSeen: string[] = [];
const verifyIdCard: IdCardVerifier = (cardXml) => {
  cardsSeen.push(cardXml);
  const issuer = /<saml:Issuer>([^<]*)<\/saml:Issuer>/.exec(cardXml)?.[1] ?? '';
  return REFUSED[issuer] ?? { ok: true };
};

let sim: Simulator;
let storeDir: string;

beforeAll(async () => {
  storeDir = tempDir('submissions');
  sim = await startSimulator({ storeDir, verifyIdCard });
});

afterAll(async () => {
  await sim.close();
});

describe('accepted submissions', () => {
  it.each(VALID_SAMPLES)('$file ($profile) is stored and answered Success', async ({ file }) => {
    const p = prepared(file);
    const entry = p.metadata.documentEntries[0]!;
    const req = buildRequest(sim, p);
    const answer = await post(req);
    expect(answer.status).toBe(200);
    expect(answer.outcome.class).toBe('success');
    expect(answer.outcome.outcome).toBe('success');
    expect(answer.outcome.errors).toEqual([]);
    expect(answer.outcome.relatesTo).toBe(req.messageId);
    expect(answer.outcome.action).toBe('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse');
    // Packed as MTOM, as a CXF repository answers an MTOM request.
    expect(String(answer.headers['content-type'])).toMatch(/^multipart\/related;.*start-info="text\/xml"/);
    const stored = sim.lookup(entry.uniqueId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ uniqueId: entry.uniqueId, hash: entry.hash, size: p.bytes.length });
    expect(stored[0]?.messageId).toBe(req.messageId);
    expect(stored[0]?.patientIdHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the verifier gets the exact ID card, and it parses on its own', () => {
    expect(cardsSeen.length).toBeGreaterThan(0);
    const card = cardsSeen[0]!;
    // Byte for byte as sent, plus the namespace declarations it inherits from the envelope.
    expect(card.replace(/ xmlns:(soap|wsa|wsse|wsu)="[^"]*"/g, '')).toBe(ID_CARD);
    const doc = XmlDocument.fromString(card);
    try {
      expect(doc.root.name).toBe('Assertion');
      expect(doc.root.namespaceUri).toBe(XDS_NS.saml);
    } finally {
      doc.dispose();
    }
  });

  it('SOAP 1.2 without DGWS is accepted when requireDgws is false, and answered in SOAP 1.2', async () => {
    const plain = await startSimulator({ storeDir: tempDir('soap12'), requireDgws: false });
    try {
      const p = prepared(QRD);
      const answer = await post(buildRequest(plain, p, PLAIN_SOAP12));
      expect(answer.outcome.class).toBe('success');
      expect(String(answer.headers['content-type'])).toMatch(/start-info="application\/soap\+xml"/);
      expect(answer.text).toContain(XDS_NS.soap12);
      // SOAP 1.1 without DGWS headers too.
      const v = variant(QRD);
      expect((await post(buildRequest(plain, v, { soapVersion: '1.1', dgws: false }))).outcome.class).toBe('success');
      expect(plain.entries()).toHaveLength(2);
    } finally {
      await plain.close();
    }
  });

  it('a plain SOAP body with the document as inline base64 is accepted', async () => {
    const p = variant(PHMR);
    const req = withSoap(buildRequest(sim, p), (soap) =>
      soap.replace(/<xop:Include [^>]*\/>/, p.bytes.toString('base64').replace(/(.{76})/g, '$1\n'))
    );
    const answer = await post({
      ...req,
      headers: { ...req.headers, 'Content-Type': 'text/xml; charset=UTF-8' },
      chunks: [req.chunks[1]!],
    });
    expect(answer.outcome.class).toBe('success');
    const stored = sim.lookup(p.metadata.documentEntries[0]!.uniqueId);
    expect(stored.map((e) => e.hash)).toEqual([p.metadata.documentEntries[0]!.hash]);
  });
  it('an inline document larger than the 10 MB text node limit of libxml2 is accepted too', async () => {
    const small = variant(PHMR);
    const bytes = Buffer.concat([small.bytes, Buffer.from(`<!-- ${'x'.repeat(8 * 1024 * 1024)} -->\n`)]);
    const entry = small.metadata.documentEntries[0]!;
    const big = {
      bytes,
      metadata: {
        ...small.metadata,
        documentEntries: [{ ...entry, hash: createHash('sha1').update(bytes).digest('hex'), size: bytes.length }],
      },
    };
    const req = withSoap(buildRequest(sim, big), (soap) =>
      soap.replace(/<xop:Include [^>]*\/>/, bytes.toString('base64'))
    );
    const answer = await post({
      ...req,
      headers: { ...req.headers, 'Content-Type': 'text/xml; charset=UTF-8' },
      chunks: [req.chunks[1]!],
    });
    expect(answer.outcome.message).toBe('HTTP 200: Success.');
    expect(answer.outcome.class).toBe('success');
    expect(sim.lookup(entry.uniqueId).map((e) => e.size)).toEqual([bytes.length]);
  });
});

describe('duplicates', () => {
  it('the same uniqueId with the same content is a second DocumentEntry, answered Success', async () => {
    const p = variant(PHMR);
    const uniqueId = p.metadata.documentEntries[0]!.uniqueId;
    expect((await post(buildRequest(sim, p))).outcome.class).toBe('success');
    // The client re-sends with the same metadata (entryUUID too) and a new MessageID.
    const again = await post(buildRequest(sim, p));
    expect(again.outcome.class).toBe('success');
    const stored = sim.lookup(uniqueId);
    expect(stored).toHaveLength(2);
    expect(stored[0]?.hash).toBe(stored[1]?.hash);
    expect(stored[0]?.sha256).toBe(stored[1]?.sha256);
    // The registry does not reuse an entryUUID it already holds.
    expect(stored[0]?.entryUUID).toBe(p.metadata.documentEntries[0]!.entryUUID);
    expect(stored[1]?.entryUUID).not.toBe(stored[0]?.entryUUID);
    expect(stored[1]?.messageId).not.toBe(stored[0]?.messageId);
  });

  it('the same uniqueId with other content is refused with XDSNonIdenticalHash (permanent)', async () => {
    const first = variant(PHMR);
    const uniqueId = first.metadata.documentEntries[0]!.uniqueId;
    expect((await post(buildRequest(sim, first))).outcome.class).toBe('success');
    const second = otherContent(first);
    expect(second.metadata.documentEntries[0]!.uniqueId).toBe(uniqueId);
    expect(second.metadata.documentEntries[0]!.hash).not.toBe(first.metadata.documentEntries[0]!.hash);
    const answer = await post(buildRequest(sim, second));
    expect(answer.outcome.outcome).toBe('failure');
    expect(answer.outcome.class).toBe('permanent');
    expect(answer.outcome.errors.map((e) => e.errorCode)).toEqual(['XDSNonIdenticalHash']);
    expect(answer.outcome.errors[0]?.codeContext).toContain(uniqueId);
    expect(sim.lookup(uniqueId).map((e) => e.hash)).toEqual([first.metadata.documentEntries[0]!.hash]);
  });
});

describe('refused submissions', () => {
  async function refusedWith(req: ReturnType<typeof buildRequest>, uniqueId: string): Promise<string[]> {
    const answer = await post(req);
    expect(answer.status).toBe(200);
    expect(answer.outcome.outcome).toBe('failure');
    expect(answer.outcome.class).toBe('permanent');
    expect(answer.outcome.relatesTo).toBe(req.messageId);
    expect(sim.lookup(uniqueId)).toEqual([]);
    return answer.outcome.errors.map((e) => e.errorCode);
  }

  it('a hash in the metadata that is not the SHA-1 of the bytes: XDSRepositoryMetadataError', async () => {
    const p = variant(PHMR);
    const entry = p.metadata.documentEntries[0]!;
    const wrong = {
      ...p,
      metadata: { ...p.metadata, documentEntries: [{ ...entry, hash: '0'.repeat(40) }] },
    };
    expect(await refusedWith(buildRequest(sim, wrong), entry.uniqueId)).toEqual(['XDSRepositoryMetadataError']);
  });

  it('a size in the metadata that is not the byte count: XDSRepositoryMetadataError', async () => {
    const p = variant(PHMR);
    const entry = p.metadata.documentEntries[0]!;
    const wrong = { ...p, metadata: { ...p.metadata, documentEntries: [{ ...entry, size: entry.size + 1 }] } };
    const answer = await post(buildRequest(sim, wrong));
    expect(answer.outcome.errors.map((e) => e.errorCode)).toEqual(['XDSRepositoryMetadataError']);
    expect(answer.outcome.errors[0]?.codeContext).toMatch(/^XDS-IHE-035: /);
  });

  it('no xds:Document for the DocumentEntry: XDSMissingDocument', async () => {
    const p = variant(PHMR);
    const req = withSoap(buildRequest(sim, p), (soap) => soap.replace(/<xds:Document [^>]*>.*<\/xds:Document>/s, ''));
    expect(await refusedWith(req, p.metadata.documentEntries[0]!.uniqueId)).toEqual(['XDSMissingDocument']);
  });

  it('an xop:Include that names no MIME part: XDSMissingDocument', async () => {
    const p = variant(PHMR);
    const req = withSoap(buildRequest(sim, p), (soap) =>
      soap.replace(/href="cid:[^"]+"/, 'href="cid:nowhere@example"')
    );
    expect(await refusedWith(req, p.metadata.documentEntries[0]!.uniqueId)).toEqual(['XDSMissingDocument']);
  });

  it('inline content that is not base64: XDSMissingDocument', async () => {
    const p = variant(PHMR);
    const req = withSoap(buildRequest(sim, p), (soap) => soap.replace(/<xop:Include [^>]*\/>/, 'PD94bWw*IHZlcnNpb24='));
    const answer = await post({
      ...req,
      headers: { ...req.headers, 'Content-Type': 'text/xml' },
      chunks: [req.chunks[1]!],
    });
    expect(answer.outcome.errors.map((e) => e.errorCode)).toEqual(['XDSMissingDocument']);
    expect(answer.outcome.errors[0]?.codeContext).toContain('not base64');
  });

  it('an xds:Document without its DocumentEntry: XDSMissingDocumentMetadata (and XDSMissingDocument)', async () => {
    const p = variant(PHMR);
    const req = withSoap(buildRequest(sim, p), (soap) =>
      soap.replace(/<xds:Document id="[^"]+"/, '<xds:Document id="Other"')
    );
    expect((await refusedWith(req, p.metadata.documentEntries[0]!.uniqueId)).sort()).toEqual([
      'XDSMissingDocument',
      'XDSMissingDocumentMetadata',
    ]);
  });

  it('a typeCode outside the allow-list: LocalPolicyRestrictionError', async () => {
    const phmrOnly = await startSimulator({ storeDir: tempDir('types'), allowedTypeCodes: ['53576-5'] });
    try {
      const p = prepared(QRD);
      const answer = await post(buildRequest(phmrOnly, p));
      expect(answer.outcome.class).toBe('permanent');
      expect(answer.outcome.errors.map((e) => e.errorCode)).toEqual(['LocalPolicyRestrictionError']);
      expect(answer.outcome.errors[0]?.codeContext).toContain('74465-6');
      expect(phmrOnly.entries()).toEqual([]);
      // The same simulator takes the type it allows.
      expect((await post(buildRequest(phmrOnly, prepared(PHMR)))).outcome.class).toBe('success');
    } finally {
      await phmrOnly.close();
    }
  });

  it('a CDA document the validator refuses: InvalidDocumentContent naming rule ids, never CPR numbers', async () => {
    const seen: number[] = [];
    const validating = await startSimulator({
      storeDir: tempDir('cda'),
      validateDocument: (bytes) => {
        seen.push(bytes.length);
        const bad = Buffer.from(bytes).includes('<!-- invalid -->');
        return Promise.resolve({
          valid: !bad,
          issues: bad
            ? [
                { ruleId: 'DK-PHMR-21-012', message: 'patient 3009840931 has a problem', severity: 'error' },
                { ruleId: 'XSD_MISSING_ELEMENT', message: 'x', severity: 'error' },
                { ruleId: 'DK-PHMR-21-012', message: 'again', severity: 'error' },
                { ruleId: 'DK-PHMR-21-900', message: 'just a warning', severity: 'warning' },
              ]
            : [],
        });
      },
    });
    try {
      const bad = otherContent(prepared(PHMR), 'invalid');
      const answer = await post(buildRequest(validating, bad));
      expect(answer.outcome.class).toBe('permanent');
      expect(answer.outcome.errors.map((e) => e.errorCode)).toEqual(['InvalidDocumentContent']);
      const context = answer.outcome.errors[0]?.codeContext ?? '';
      expect(context).toContain('DK-PHMR-21-012, XSD_MISSING_ELEMENT');
      expect(context).toContain('3 error(s)');
      expect(context).not.toContain('DK-PHMR-21-900');
      expect(answer.text).not.toContain('3009840931');
      expect(validating.entries()).toEqual([]);
      expect(seen).toEqual([bad.bytes.length]);
      expect((await post(buildRequest(validating, prepared(PHMR)))).outcome.class).toBe('success');
    } finally {
      await validating.close();
    }
  });

  it('never puts a whole CPR number in an answer or the store', async () => {
    const p = variant(PHMR);
    const entry = p.metadata.documentEntries[0]!;
    const cpr = /^(\d{10})\^/.exec(entry.patientId)?.[1] ?? '';
    expect(cpr).toMatch(/^\d{10}$/);
    // A SubmissionSet patient that differs from the DocumentEntry's: the rule names the patient attribute.
    const other = `${cpr.slice(0, 6)}4321^^^&1.2.208.176.1.2&ISO`;
    const wrong = { ...p, metadata: { ...p.metadata, documentEntries: [{ ...entry, patientId: other }] } };
    const answer = await post(buildRequest(sim, wrong));
    expect(answer.outcome.errors.map((e) => e.errorCode)).toContain('XDSPatientIdDoesNotMatch');
    expect(answer.text).not.toContain(cpr);
    expect(answer.text).not.toContain(other.slice(0, 10));
    expect(sim.entries().length).toBeGreaterThan(0);
    const index = readFileSync(path.join(storeDir, 'index.jsonl'), 'utf8');
    expect(index).not.toMatch(TEN_DIGITS);
    expect(index).not.toContain(cpr);
  });
});

describe('SOAP and DGWS refusals', () => {
  it('a SOAP 1.1 request without the SOAPAction header: a SOAP Client fault (permanent)', async () => {
    const req = buildRequest(sim, variant(PHMR));
    const { SOAPAction: _dropped, ...headers } = req.headers;
    const answer = await post({ ...req, headers });
    expect(answer.status).toBe(500);
    expect(answer.outcome.fault).toMatchObject({ soapVersion: '1.1', code: 'Client' });
    expect(answer.outcome.fault?.reason).toContain('SOAPAction');
    expect(answer.outcome.class).toBe('permanent');
  });

  it.each([
    ['no wsa:Action', (soap: string) => soap.replace(/<wsa:Action [^>]*>[^<]*<\/wsa:Action>/, '')],
    [
      'another wsa:Action',
      (soap: string) => soap.replace(/(<wsa:Action [^>]*>)[^<]*/, '$1urn:ihe:iti:2007:RegistryStoredQuery'),
    ],
  ])('%s: a SOAP Client fault (permanent), nothing stored', async (_name, edit) => {
    const p = variant(PHMR);
    const answer = await post(withSoap(buildRequest(sim, p), edit));
    expect(answer.status).toBe(500);
    expect(answer.outcome.fault).toMatchObject({ soapVersion: '1.1', code: 'Client' });
    expect(answer.outcome.fault?.reason).toContain('wsa:Action');
    expect(answer.outcome.class).toBe('permanent');
    expect(sim.lookup(p.metadata.documentEntries[0]!.uniqueId)).toEqual([]);
  });

  it('SOAP 1.2 at a DGWS endpoint: a SOAP 1.1 VersionMismatch fault (permanent)', async () => {
    const answer = await post(buildRequest(sim, variant(PHMR), PLAIN_SOAP12));
    expect(answer.status).toBe(500);
    expect(answer.outcome.fault).toMatchObject({ soapVersion: '1.1', code: 'VersionMismatch' });
    expect(answer.outcome.class).toBe('permanent');
  });

  it.each([
    ['no DGWS headers at all', { soapVersion: '1.1', dgws: false } as const],
    ['wsse:Security without an ID card', { soapVersion: '1.1', dgws: true } as const],
  ])('%s: DGWS fault missing_required_header', async (_name, flavour) => {
    const p = variant(PHMR);
    const answer = await post(buildRequest(sim, p, flavour));
    expect(answer.status).toBe(500);
    expect(answer.outcome.fault).toMatchObject({
      soapVersion: '1.1',
      code: 'Server',
      dgwsFaultCode: 'missing_required_header',
    });
    expect(answer.outcome.class).toBe('permanent');
    expect(sim.lookup(p.metadata.documentEntries[0]!.uniqueId)).toEqual([]);
  });

  it('a medcom:Header without Linking/MessageID: missing_required_header', async () => {
    const req = withSoap(buildRequest(sim, variant(PHMR)), (soap) =>
      soap.replace(/<medcom:Linking>.*<\/medcom:Linking>/, '')
    );
    expect((await post(req)).outcome.fault?.dgwsFaultCode).toBe('missing_required_header');
  });

  it('security level 2: security_level_failed (authPermanent)', async () => {
    const answer = await post(buildRequest(sim, variant(PHMR), { ...DGWS, securityLevel: 2 }));
    expect(answer.outcome.fault?.dgwsFaultCode).toBe('security_level_failed');
    expect(answer.outcome.class).toBe('authPermanent');
  });

  it.each([
    ['BAD-SIGNATURE', 'invalid_signature', 'authPermanent'],
    ['EXPIRED', 'expired_idcard', 'auth'],
  ])('an ID card the verifier refuses (%s): DGWS fault %s (%s)', async (issuer, code, klass) => {
    const p = variant(PHMR);
    const card = ID_CARD.replace('TEST-STS', issuer);
    const answer = await post(buildRequest(sim, p, { ...DGWS, idCard: card }));
    expect(answer.status).toBe(500);
    expect(answer.outcome.fault?.dgwsFaultCode).toBe(code);
    expect(answer.outcome.fault?.reason).toBe(REFUSED[issuer]?.message);
    expect(answer.outcome.class).toBe(klass);
    expect(sim.lookup(p.metadata.documentEntries[0]!.uniqueId)).toEqual([]);
  });

  it('a body that is not SOAP: a Client fault; an unknown content type: 415; a GET: 405', async () => {
    const notXml = await post({
      url: sim.iti41Url,
      headers: { 'Content-Type': 'text/xml' },
      chunks: [Buffer.from('hello')],
      messageId: '',
    });
    expect(notXml.status).toBe(500);
    expect(notXml.outcome.fault?.code).toBe('Client');
    const pdf = await post({
      url: sim.iti41Url,
      headers: { 'Content-Type': 'application/pdf' },
      chunks: [Buffer.from('%PDF')],
      messageId: '',
    });
    expect(pdf.status).toBe(415);
    const get = await request(sim.iti41Url, { method: 'GET' });
    await get.body.text();
    expect(get.statusCode).toBe(405);
  });
});
