// The simulator as registry and repository (ITI-18, ITI-43) and verifyDocument against it: every verify outcome over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTransport } from '../../src/submission/http-transport.js';
import type { Transport } from '../../src/submission/http-transport.js';
import { queryRegistry } from '../../src/submission/registry-client.js';
import type { RegistryTarget } from '../../src/submission/registry-client.js';
import { sendSubmission } from '../../src/submission/send-submission.js';
import type { IdCardSource, SendTarget } from '../../src/submission/send-submission.js';
import { verifyDocument } from '../../src/submission/verify-document.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { buildAdhocQueryRequest } from '../../src/xds/iti18-query.js';
import { parseQueryResponse } from '../../src/xds/response/query-response.js';
import { buildSoapRequest } from '../../src/xds/soap-request.js';
import { ITI18_ACTION, STORED_QUERY } from '../../src/xds/vocabulary.js';
import { ID_CARD, tempDir, variant } from './helpers.js';
import type { Prepared } from './helpers.js';

const QRD = 'dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml';

let sim: Simulator;
let target: SendTarget & RegistryTarget;
let transport: Transport;
const idCards: IdCardSource = { get: () => Promise.resolve(ID_CARD), renew: () => Promise.resolve(ID_CARD) };
const options = (): { transport: Transport; idCards: IdCardSource; sleep: (ms: number) => Promise<void> } => ({
  transport,
  idCards,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 200))),
});

beforeAll(async () => {
  sim = await startSimulator({ storeDir: tempDir('registry') });
  target = {
    name: 'simulator',
    endpoint: sim.iti41Url,
    soapVersion: '1.1',
    dgws: true,
    queryEndpoint: sim.queryUrl,
    registryEndpoint: sim.registryUrl,
    retrieveEndpoint: sim.retrieveUrl,
  };
  transport = createTransport({ timeouts: { headersMs: 5_000 } });
});

afterAll(async () => {
  await transport.close();
  await sim.close();
});

async function stored(p: Prepared = variant(QRD)): Promise<Prepared> {
  const result = await sendSubmission(p.metadata, p.bytes, target, options());
  expect(result.class).toBe('success');
  return p;
}

function input(p: Prepared): { uniqueId: string; expected: Prepared['metadata']['documentEntries'][0]; bytes: Buffer } {
  const expected = p.metadata.documentEntries[0]!;
  return { uniqueId: expected.uniqueId, expected, bytes: p.bytes };
}

describe('verifyDocument against the simulator', () => {
  it('verified: the registered metadata equals the derived one, and the retrieved bytes are the file', async () => {
    const p = await stored();
    const result = await verifyDocument(input(p), target, options());
    expect(result.message).toMatch(/Registered and retrievable/);
    expect(result.outcome).toBe('verified');
    expect(result.mismatches).toEqual([]);
    expect(result.content).toMatchObject({ size: p.bytes.length, sameAsFile: true });
  });

  it('a bare uniqueId is checked by hash and size only', async () => {
    const p = await stored();
    const result = await verifyDocument({ uniqueId: p.metadata.documentEntries[0]!.uniqueId }, target, options());
    expect(result.outcome).toBe('verified');
    expect(result.content?.sameAsFile).toBeUndefined();
  });

  it('notFound without --wait; with a wait, found once the delayed registration is done', async () => {
    const p = variant(QRD);
    const uniqueId = p.metadata.documentEntries[0]!.uniqueId;
    sim.pushScenario({ kind: 'registration-delay', delayMs: 1_500, uniqueId });
    await stored(p);
    const first = await verifyDocument(input(p), target, options());
    expect(first.outcome).toBe('notFound');
    expect(first.queries).toBe(1);
    const waited = await verifyDocument(input(p), target, { ...options(), waitMs: 10_000 });
    expect(waited.outcome).toBe('verified');
    expect(waited.queries).toBeGreaterThan(1);
  });

  it('notFound after the wait runs out', async () => {
    const result = await verifyDocument({ uniqueId: '1.2.208.184^never-sent' }, target, { ...options(), waitMs: 300 });
    expect(result.outcome).toBe('notFound');
    expect(result.queries).toBeGreaterThan(1);
  });

  it('metadataMismatch names the field the registry changed', async () => {
    const p = await stored();
    sim.pushScenario({ kind: 'metadata-changed', uniqueId: p.metadata.documentEntries[0]!.uniqueId });
    const result = await verifyDocument(input(p), target, options());
    expect(result.outcome).toBe('metadataMismatch');
    expect(result.mismatches.map((m) => m.field)).toEqual(['title']);
    expect(result.message).toMatch(/title/);
  });

  it('contentMismatch when the repository answers other bytes', async () => {
    const p = await stored();
    sim.pushScenario({ kind: 'retrieve-other-bytes', uniqueId: p.metadata.documentEntries[0]!.uniqueId });
    const result = await verifyDocument(input(p), target, options());
    expect(result.outcome).toBe('contentMismatch');
    expect(result.content?.sameAsFile).toBe(false);
    expect(result.message).toMatch(/SHA-1 .* \(registered/);
  });

  it('failure with the registry error when the repository is unavailable', async () => {
    const p = await stored();
    sim.pushScenario({ kind: 'repository-unavailable', uniqueId: p.metadata.documentEntries[0]!.uniqueId });
    const result = await verifyDocument(input(p), target, options());
    expect(result.outcome).toBe('failure');
    expect(result.errors.map((e) => e.errorCode)).toEqual(['XDSUnavailableCommunity']);
  });

  it('an expired ID card on the query is renewed and asked again', async () => {
    const p = await stored();
    sim.pushScenario({ kind: 'expired-idcard', uniqueId: p.metadata.documentEntries[0]!.uniqueId });
    const result = await verifyDocument(input(p), target, options());
    expect(result.outcome).toBe('verified');
    expect(result.attempts.map((a) => a.class)).toEqual(['auth', 'success', 'success']);
  });

  it('a refused ID card ends as authPermanent', async () => {
    const p = await stored();
    sim.pushScenario({ kind: 'not-authorized', uniqueId: p.metadata.documentEntries[0]!.uniqueId });
    const result = await verifyDocument(input(p), target, options());
    expect(result).toMatchObject({ outcome: 'failure', class: 'authPermanent' });
  });
});

describe('the simulator registry', () => {
  it('GetDocuments by entryUUID and ObjectRef answers', async () => {
    const p = await stored();
    const entryUUID = sim.lookup(p.metadata.documentEntries[0]!.uniqueId)[0]!.entryUUID;
    const leaf = await queryRegistry({ kind: 'GetDocuments', entryUUIDs: [entryUUID] }, target, options());
    expect(leaf.data?.entries.map((e) => e.uniqueId)).toEqual([p.metadata.documentEntries[0]!.uniqueId]);
    const refs = await queryRegistry({ kind: 'GetDocuments', entryUUIDs: [entryUUID] }, target, options(), 'ObjectRef');
    expect(refs.data?.objectRefs).toEqual([entryUUID]);
  });

  it('FindDocuments by patient with time, typeCode and formatCode filters', async () => {
    const p = await stored();
    const de = p.metadata.documentEntries[0]!;
    const uniqueIdsOf = async (extra: object): Promise<string[]> => {
      const r = await queryRegistry({ kind: 'FindDocuments', patientId: de.patientId, ...extra }, target, options());
      expect(r.outcome).toBe('success');
      return (r.data?.entries ?? []).map((e) => e.uniqueId);
    };
    expect(await uniqueIdsOf({})).toContain(de.uniqueId);
    expect(await uniqueIdsOf({ typeCodes: [de.typeCode], formatCodes: [de.formatCode] })).toContain(de.uniqueId);
    expect(await uniqueIdsOf({ creationTime: { from: de.creationTime } })).toContain(de.uniqueId);
    expect(await uniqueIdsOf({ creationTime: { to: de.creationTime } })).not.toContain(de.uniqueId);
    expect(
      await uniqueIdsOf({ typeCodes: [{ code: '00000-0', codeSystem: de.typeCode.codeSystem, displayName: 'x' }] })
    ).toEqual([]);
    const other = await queryRegistry(
      { kind: 'FindDocuments', patientId: '0101010000^^^&1.2.208.176.1.2&ISO' },
      target,
      options()
    );
    expect(other.data?.entries).toEqual([]);
  });

  it('an unknown stored query is XDSUnknownStoredQuery', async () => {
    const body = buildAdhocQueryRequest({ kind: 'GetDocuments', uniqueIds: ['x'] }).replace(
      STORED_QUERY.getDocuments,
      'urn:uuid:00000000-0000-4000-8000-000000000000'
    );
    const req = buildSoapRequest(body, ITI18_ACTION, {
      endpoint: sim.registryUrl,
      soapVersion: '1.1',
      dgws: true,
      idCard: ID_CARD,
    });
    const sent = await transport.send({ url: req.url, method: 'POST', headers: req.headers, chunks: req.chunks });
    if (!sent.ok) {
      throw new Error(sent.failure.message);
    }
    const answer = parseQueryResponse(sent.answer);
    expect(answer.outcome.outcome).toBe('failure');
    expect(answer.outcome.errors.map((e) => e.errorCode)).toEqual(['XDSUnknownStoredQuery']);
  });

  it('refuses a query without DGWS headers, as the ITI-41 endpoint does', async () => {
    const r = await queryRegistry({ kind: 'GetDocuments', uniqueIds: ['x'] }, { ...target, dgws: false }, options());
    expect(r.outcome).toBe('failure');
    expect(r.errors).toEqual([]);
    expect(r.message).toMatch(/missing_required_header/);
  });

  it('SOAP 1.2 at the DGWS registry: a SOAP 1.1 VersionMismatch fault (permanent), as at ITI-41', async () => {
    const r = await queryRegistry(
      { kind: 'GetDocuments', uniqueIds: ['x'] },
      { ...target, soapVersion: '1.2', dgws: false },
      options()
    );
    expect(r).toMatchObject({ outcome: 'failure', class: 'permanent' });
    const sent = await transport.send({
      url: sim.registryUrl,
      method: 'POST',
      headers: { 'Content-Type': `application/soap+xml; charset=UTF-8; action="${ITI18_ACTION}"` },
      chunks: [
        Buffer.from(
          buildSoapRequest(buildAdhocQueryRequest({ kind: 'GetDocuments', uniqueIds: ['x'] }), ITI18_ACTION, {
            endpoint: sim.registryUrl,
            soapVersion: '1.2',
            dgws: false,
          }).envelope
        ),
      ],
    });
    if (!sent.ok) {
      throw new Error(sent.failure.message);
    }
    expect(parseQueryResponse(sent.answer).outcome.fault).toMatchObject({
      soapVersion: '1.1',
      code: 'VersionMismatch',
    });
  });
});

describe('lost answers settled through ITI-18 (no JSON query endpoint)', () => {
  function registryOnly(): SendTarget & RegistryTarget {
    const { queryEndpoint: _query, ...rest } = target;
    return rest;
  }

  async function submitImpatiently(p: Prepared): ReturnType<typeof sendSubmission> {
    const impatient = createTransport({ timeouts: { headersMs: 300 } });
    try {
      return await sendSubmission(p.metadata, p.bytes, registryOnly(), {
        transport: impatient,
        idCards,
        sleep: () => Promise.resolve(),
      });
    } finally {
      await impatient.close();
    }
  }

  it('stored before the answer was lost: GetDocuments confirms it, sent once', async () => {
    const p = variant(QRD);
    const uniqueId = p.metadata.documentEntries[0]!.uniqueId;
    sim.pushScenario({ kind: 'timeout-after-store', delayMs: 2_000, uniqueId });
    const result = await submitImpatiently(p);
    expect(result).toMatchObject({ outcome: 'success', confirmedByQuery: true });
    expect(result.attempts).toHaveLength(1);
    expect(sim.lookup(uniqueId)).toHaveLength(1);
  });

  it('dropped before the store: GetDocuments finds nothing, re-sent, stored once', async () => {
    const p = variant(QRD);
    const uniqueId = p.metadata.documentEntries[0]!.uniqueId;
    sim.pushScenario({ kind: 'timeout-before-store', delayMs: 1_000, uniqueId });
    const result = await submitImpatiently(p);
    expect(result.outcome).toBe('success');
    expect(result.confirmedByQuery).toBeUndefined();
    expect(result.attempts).toHaveLength(2);
    expect(sim.lookup(uniqueId)).toHaveLength(1);
  });
});
