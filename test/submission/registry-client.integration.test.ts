// The ITI-18/ITI-43 client against a scripted registry on 127.0.0.1: FindDocuments with several documents, ObjectRef answers, and what is asked again.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from '@jest/globals';
import { resolveSettings } from '../../src/config/metadata-settings.js';
import { BUILTIN_TARGETS } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { createTransport } from '../../src/submission/http-transport.js';
import type { Transport } from '../../src/submission/http-transport.js';
import { queryRegistry, retrieveDocuments } from '../../src/submission/registry-client.js';
import type { RegistryOptions, RegistryTarget } from '../../src/submission/registry-client.js';
import type { DocumentEntry } from '../../src/xds/metadata-model.js';
import { prepareSubmission } from '../../src/xds/prepare-submission.js';
import { STORED_QUERY } from '../../src/xds/vocabulary.js';
import {
  describeWithSchemas,
  queryAnswer,
  retrieveAnswer,
  soapFault,
  startScriptedRegistry,
} from '../helpers/scripted-registry.js';
import type { ScriptedRegistry } from '../helpers/scripted-registry.js';

const describeWithReference = describeWithSchemas('registry-client.integration.test');

const SAMPLES = path.join(PACKAGE_ROOT, 'samples');
const FILES = ['dk-phmr-2.1/valid/weight.xml', 'dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml'].map((f) =>
  path.join(SAMPLES, f)
);

function entryOf(file: string): DocumentEntry {
  const prepared = prepareSubmission(readFileSync(file), file, {
    settings: resolveSettings(BUILTIN_TARGETS.local?.metadata ?? {}),
  });
  const entry = prepared.metadata?.documentEntries[0];
  if (!entry) {
    throw new Error(JSON.stringify(prepared.issues));
  }
  return entry;
}

describeWithReference('registry client against a scripted registry', () => {
  let peer: ScriptedRegistry;
  let transport: Transport;
  let target: RegistryTarget;
  const sleeps: number[] = [];
  const options = (): RegistryOptions => ({
    transport,
    policy: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
  const entries = FILES.map(entryOf);

  beforeAll(async () => {
    peer = await startScriptedRegistry();
    transport = createTransport();
    target = {
      name: 'peer',
      soapVersion: '1.2',
      dgws: false,
      registryEndpoint: peer.registryUrl,
      retrieveEndpoint: peer.retrieveUrl,
    };
  });

  beforeEach(() => {
    peer.reset();
    sleeps.length = 0;
  });

  afterEach(() => {
    expect(peer.requests.flatMap((r) => r.findings.map((f) => `${r.endpoint}: ${f.message}`))).toEqual([]);
  });

  afterAll(async () => {
    await transport.close();
    await peer.close();
  });

  it('FindDocuments with every parameter: a valid request, and all listed documents read back', async () => {
    const [a, b] = entries as [DocumentEntry, DocumentEntry];
    peer.script(
      'iti18',
      queryAnswer({
        entries: [
          { entry: a, repositoryUniqueId: '1.2.3.1' },
          { entry: b, repositoryUniqueId: '1.2.3.2' },
        ],
      })
    );
    const r = await queryRegistry(
      {
        kind: 'FindDocuments',
        patientId: a.patientId,
        creationTime: { from: '2026', to: '20270101' },
        serviceStartTime: { from: '20260101' },
        serviceStopTime: { to: '2027' },
        typeCodes: [a.typeCode, b.typeCode],
        formatCodes: [a.formatCode],
      },
      target,
      options()
    );
    expect(r).toMatchObject({ outcome: 'success', class: 'success', errors: [] });
    expect(r.data?.entries.map((e) => [e.uniqueId, e.title, e.hash])).toEqual([
      [a.uniqueId, a.title, a.hash],
      [b.uniqueId, b.title, b.hash],
    ]);
    expect(r.data?.repositoryUniqueIds).toEqual({ [a.entryUUID]: '1.2.3.1', [b.entryUUID]: '1.2.3.2' });
    const body = peer.requests[0]?.body ?? '';
    expect(body).toContain(`id="${STORED_QUERY.findDocuments}"`);
    expect(body).toContain('$XDSDocumentEntryServiceStopTimeTo');
  });

  it('ObjectRef: the request asks for references and the ids of the answer are read, no entries', async () => {
    const refs = ['urn:uuid:00000000-0000-4000-8000-00000000000a', 'urn:uuid:00000000-0000-4000-8000-00000000000b'];
    peer.script('iti18', queryAnswer({ objectRefs: refs }));
    const r = await queryRegistry(
      { kind: 'GetDocuments', uniqueIds: ['1.2.3^a', '1.2.3^b'] },
      target,
      options(),
      'ObjectRef'
    );
    expect(r.outcome).toBe('success');
    expect(r.data?.entries).toEqual([]);
    expect(r.data?.objectRefs).toEqual(refs);
    expect(peer.requests[0]?.body).toContain('returnType="ObjectRef"');
    expect(peer.requests[0]?.body).toContain("('1.2.3^a','1.2.3^b')");
  });

  it('a retrieve of two documents reads both XOP parts', async () => {
    const bytes = FILES.map((f) => readFileSync(f));
    peer.script(
      'iti43',
      retrieveAnswer({
        documents: entries.map((e, i) => ({
          repositoryUniqueId: '1.2.3',
          documentUniqueId: e.uniqueId,
          bytes: bytes[i] as Buffer,
        })),
      })
    );
    const r = await retrieveDocuments(
      entries.map((e) => ({ repositoryUniqueId: '1.2.3', documentUniqueId: e.uniqueId })),
      target,
      options()
    );
    expect(r.outcome).toBe('success');
    expect(r.data?.map((d) => [d.documentUniqueId, Buffer.from(d.bytes ?? [])])).toEqual(
      entries.map((e, i) => [e.uniqueId, bytes[i]])
    );
  });

  it('a query is asked again after a transient fault, with backoff, a new MessageID each time', async () => {
    const receiver = soapFault({ code: 'Receiver', reason: 'Later.' });
    peer.script('iti18', receiver, receiver, queryAnswer());
    const r = await queryRegistry({ kind: 'GetDocuments', uniqueIds: ['1.2.3^a'] }, target, options());
    expect(r.outcome).toBe('success');
    expect(r.attempts.map((a) => [a.attempt, a.class, a.httpStatus])).toEqual([
      [1, 'transient', 500],
      [2, 'transient', 500],
      [3, 'success', 200],
    ]);
    expect(sleeps).toHaveLength(2);
    expect(new Set(peer.requests.map((q) => q.messageId)).size).toBe(3);
  });

  it('a registry that cannot be reached: every attempt is a transport failure, class transient', async () => {
    const r = await queryRegistry(
      { kind: 'GetDocuments', uniqueIds: ['1.2.3^a'] },
      { ...target, registryEndpoint: 'http://127.0.0.1:9/iti18' },
      options()
    );
    expect(r).toMatchObject({ outcome: 'failure', class: 'transient' });
    expect(r.errors.map((e) => e.errorCode)).toEqual(['KIH_ERR_NETWORK']);
    expect(r.attempts.map((a) => a.class)).toEqual(['transport', 'transport', 'transport']);
    expect(r.attempts.every((a) => a.httpStatus === undefined)).toBe(true);
  });
});
