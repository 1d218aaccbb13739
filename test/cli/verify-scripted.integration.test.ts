// `kih verify` against a scripted registry and repository on 127.0.0.1: one canned answer kind per test, with JSON, text and exit status, and every request schema-checked.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from '@jest/globals';
import type { VerifyRunReport } from '../../src/submission/verify-files.js';
import type { VerifyResult } from '../../src/submission/verify-document.js';
import type { DocumentEntry } from '../../src/xds/metadata-model.js';
import { STORED_QUERY } from '../../src/xds/vocabulary.js';
import { runInProcess, SAMPLES } from '../helpers/cli.js';
import {
  httpAnswer,
  queryAnswer,
  retrieveAnswer,
  soapFault,
  startScriptedRegistry,
  describeWithSchemas,
} from '../helpers/scripted-registry.js';
import type { Responder, ScriptedRegistry } from '../helpers/scripted-registry.js';

const describeWithReference = describeWithSchemas('verify-scripted.integration.test');

const PHMR = path.join(SAMPLES, 'dk-phmr-2.1/valid/weight.xml');
const QRD = path.join(SAMPLES, 'dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml');
const REPO = '1.2.208.176.43210.8.1.77';
const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
const dir = mkdtempSync(path.join(tmpdir(), 'kih-verify-scripted-'));

describeWithReference('kih verify against a scripted registry and repository', () => {
  let peer: ScriptedRegistry;
  let config: string;
  let phmr: DocumentEntry;
  let qrd: DocumentEntry;
  const phmrBytes = readFileSync(PHMR);
  const qrdBytes = readFileSync(QRD);

  /** The DocumentEntry `kih metadata` derives for the target: what verify compares with. */
  async function derived(file: string): Promise<DocumentEntry> {
    const run = await runInProcess(['metadata', file, '--target', 'peer', '--config', config]);
    expect(run.code).toBe(0);
    // As a registry lists a new entry: Approved.
    return {
      ...(JSON.parse(run.stdout) as { documentEntry: DocumentEntry }).documentEntry,
      availabilityStatus: APPROVED,
    };
  }

  beforeAll(async () => {
    peer = await startScriptedRegistry();
    config = path.join(dir, 'targets.json');
    writeFileSync(
      config,
      JSON.stringify({
        targets: {
          peer: {
            endpoint: 'http://127.0.0.1:9/unused-iti41',
            soapVersion: '1.2',
            live: false,
            registryEndpoint: peer.registryUrl,
            retrieveEndpoint: peer.retrieveUrl,
            retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
          },
        },
      })
    );
    phmr = await derived(PHMR);
    qrd = await derived(QRD);
  });

  beforeEach(() => {
    peer.reset();
  });

  afterEach(() => {
    // Every request the client sent is a valid ITI-18 or ITI-43 body.
    expect(peer.requests.flatMap((r) => r.findings.map((f) => `${r.endpoint}: ${f.message}`))).toEqual([]);
  });

  afterAll(async () => {
    await peer.close();
  });

  async function run(args: string[], format: 'json' | 'text'): Promise<{ code: number; stdout: string }> {
    const r = await runInProcess(['verify', ...args, '--target', 'peer', '--config', config, '-f', format]);
    expect(r.stderr).toBe('');
    return { code: r.code, stdout: r.stdout };
  }

  async function verify(args: string[]): Promise<{ code: number; report: VerifyRunReport; first: VerifyResult }> {
    const { code, stdout } = await run(args, 'json');
    const report = JSON.parse(stdout) as VerifyRunReport;
    return { code, report, first: report.documents[0] as VerifyResult };
  }

  const verifyText = (args: string[]): Promise<{ code: number; stdout: string }> => run(args, 'text');

  const listed = (
    entry: DocumentEntry,
    repositoryUniqueId = REPO
  ): { entry: DocumentEntry; repositoryUniqueId: string } => ({
    entry,
    repositoryUniqueId,
  });
  const retrieved = (entry: DocumentEntry, bytes: Uint8Array, repositoryUniqueId = REPO): Responder =>
    retrieveAnswer({ documents: [{ repositoryUniqueId, documentUniqueId: entry.uniqueId, bytes }] });

  it('the peer refuses with a Sender fault what the schemas refuse (the check can fail)', async () => {
    const res = await fetch(peer.registryUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/soap+xml' },
      body:
        `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>` +
        `<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"/></s:Body></s:Envelope>`,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Sender.*AdhocQuery/s);
    expect(peer.requests).toHaveLength(1);
    expect(peer.requests[0]?.findings.length).toBeGreaterThan(0);
    peer.reset();
  });

  it('a matching answer: verified, exit 0; the requests name the uniqueId and the listed repository', async () => {
    peer.script('iti18', queryAnswer({ entries: [listed(phmr)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const { code, report, first } = await verify([PHMR]);
    expect(first).toMatchObject({
      outcome: 'verified',
      uniqueId: phmr.uniqueId,
      mismatches: [],
      errors: [],
      queries: 1,
    });
    expect(first.content).toEqual({
      hash: phmr.hash,
      size: phmr.size,
      registeredHash: phmr.hash,
      registeredSize: phmr.size,
      sameAsFile: true,
    });
    expect(report).toMatchObject({
      target: 'peer',
      registryEndpoint: peer.registryUrl,
      retrieveEndpoint: peer.retrieveUrl,
    });
    expect(report.summary).toEqual({
      documents: 1,
      verified: 1,
      notFound: 0,
      metadataMismatch: 0,
      contentMismatch: 0,
      failure: 0,
      invalid: 0,
    });
    expect(code).toBe(0);
    expect(peer.requests.map((r) => [r.endpoint, r.soapVersion, r.action])).toEqual([
      ['iti18', '1.2', 'urn:ihe:iti:2007:RegistryStoredQuery'],
      ['iti43', '1.2', 'urn:ihe:iti:2007:RetrieveDocumentSet'],
    ]);
    expect(peer.requests[0]?.body).toContain(`id="${STORED_QUERY.getDocuments}"`);
    expect(peer.requests[0]?.body).toContain(`('${phmr.uniqueId}')`);
    expect(peer.requests[1]?.body).toContain(`<xds:RepositoryUniqueId>${REPO}</xds:RepositoryUniqueId>`);
    expect(peer.requests[1]?.body).toContain(`<xds:DocumentUniqueId>${phmr.uniqueId}</xds:DocumentUniqueId>`);
  });

  it('text output of a verified document and the summary line, exit 0', async () => {
    peer.script('iti18', queryAnswer({ entries: [listed(phmr)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const { code, stdout } = await verifyText([PHMR]);
    expect(stdout).toBe(`${PHMR}: verified ${phmr.uniqueId}\n1 document at peer: 1 verified.\n`);
    expect(code).toBe(0);
  });

  it('an empty answer: notFound, nothing retrieved, exit 1 (JSON and text)', async () => {
    peer.script('iti18', queryAnswer(), queryAnswer());
    const { code, first, report } = await verify([PHMR]);
    expect(first).toMatchObject({ outcome: 'notFound', queries: 1 });
    expect(first.message).toMatch(/does not know/);
    expect(report.summary.notFound).toBe(1);
    expect(code).toBe(1);
    const text = await verifyText([PHMR]);
    expect(text.stdout).toMatch(
      new RegExp(`: notFound ${phmr.uniqueId.replace(/\^/g, '\\^')}\n  The registry of peer does not know`)
    );
    expect(text.stdout).toMatch(/1 document at peer: 0 verified, 1 not found\.\n$/);
    expect(text.code).toBe(1);
    expect(peer.requests.map((r) => r.endpoint)).toEqual(['iti18', 'iti18']);
  });

  it('two entries for the uniqueId: the newest tells (its metadata and its repository)', async () => {
    const older = { ...phmr, entryUUID: 'urn:uuid:00000000-0000-4000-8000-000000000001', title: 'Old title' };
    peer.script('iti18', queryAnswer({ entries: [listed(older, '1.2.3.999'), listed(phmr)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const newestGood = await verify([PHMR]);
    expect(newestGood.first.outcome).toBe('verified');
    expect(peer.requests[1]?.body).toContain(`<xds:RepositoryUniqueId>${REPO}</xds:RepositoryUniqueId>`);
    expect(newestGood.code).toBe(0);

    peer.reset();
    peer.script('iti18', queryAnswer({ entries: [listed(phmr), listed(older, '1.2.3.999')] }));
    peer.script('iti43', retrieved(phmr, phmrBytes, '1.2.3.999'));
    const newestBad = await verify([PHMR]);
    expect(newestBad.first.outcome).toBe('metadataMismatch');
    expect(newestBad.first.mismatches).toEqual([{ field: 'title', registered: 'Old title', expected: phmr.title }]);
    expect(peer.requests[1]?.body).toContain('<xds:RepositoryUniqueId>1.2.3.999</xds:RepositoryUniqueId>');
    expect(newestBad.code).toBe(1);
  });

  it('PartialSuccess with the entry listed: the entry is checked (verified)', async () => {
    peer.script(
      'iti18',
      queryAnswer({
        status: 'partialSuccess',
        entries: [listed(phmr)],
        errors: [
          { errorCode: 'XDSUnavailableCommunity', codeContext: 'One community did not answer.', severity: 'warning' },
        ],
      })
    );
    peer.script(
      'iti43',
      retrieveAnswer({
        status: 'partialSuccess',
        documents: [{ repositoryUniqueId: REPO, documentUniqueId: phmr.uniqueId, bytes: phmrBytes }],
        errors: [
          { errorCode: 'XDSDocumentUniqueIdError', codeContext: 'Another document is gone.', location: '1.2.3^x' },
        ],
      })
    );
    const { code, first } = await verify([PHMR]);
    expect(first.outcome).toBe('verified');
    expect(code).toBe(0);
  });

  it('PartialSuccess of a retrieve without the document: failure (permanent)', async () => {
    peer.script('iti18', queryAnswer({ entries: [listed(phmr)] }));
    peer.script(
      'iti43',
      retrieveAnswer({
        status: 'partialSuccess',
        documents: [{ repositoryUniqueId: REPO, documentUniqueId: qrd.uniqueId, bytes: qrdBytes }],
        errors: [{ errorCode: 'XDSDocumentUniqueIdError', codeContext: 'Not here.', location: phmr.uniqueId }],
      })
    );
    const { code, first } = await verify([PHMR]);
    expect(first).toMatchObject({ outcome: 'failure', class: 'permanent' });
    expect(first.errors.map((e) => e.errorCode)).toEqual(['XDSDocumentUniqueIdError']);
    expect(code).toBe(1);
  });

  it('a registry error (XDSRegistryError): failure, permanent, asked once; text names class and code', async () => {
    const failure = queryAnswer({
      status: 'failure',
      errors: [{ errorCode: 'XDSRegistryError', codeContext: 'The registry failed internally.' }],
    });
    peer.script('iti18', failure);
    const { code, first } = await verify([PHMR]);
    expect(first).toMatchObject({ outcome: 'failure', class: 'permanent' });
    expect(first.errors).toEqual([
      { errorCode: 'XDSRegistryError', codeContext: 'The registry failed internally.', severity: 'error' },
    ]);
    expect(first.attempts).toHaveLength(1);
    expect(code).toBe(1);
    peer.script('iti18', failure);
    const text = await verifyText([PHMR]);
    expect(text.stdout).toMatch(
      /: failure \(permanent\) .*\n {2}GetDocuments failed: .*\n {2}XDSRegistryError: The registry failed internally\.\n/
    );
    expect(text.stdout).toMatch(/1 document at peer: 0 verified, 1 failed\.\n$/);
    expect(text.code).toBe(1);
  });

  it('a busy registry is asked again (transient): busy twice fails transient, busy then listed verifies', async () => {
    const busy = queryAnswer({
      status: 'failure',
      errors: [{ errorCode: 'XDSRegistryBusy', codeContext: 'Busy.' }],
    });
    peer.script('iti18', busy, busy);
    const { first } = await verify([PHMR]);
    expect(first).toMatchObject({ outcome: 'failure', class: 'transient' });
    expect(first.attempts.map((a) => a.class)).toEqual(['transient', 'transient']);

    peer.reset();
    peer.script('iti18', busy, queryAnswer({ entries: [listed(phmr)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const again = await verify([PHMR]);
    expect(again.first.outcome).toBe('verified');
    expect(again.first.attempts.map((a) => a.class)).toEqual(['transient', 'success', 'success']);
    expect(again.code).toBe(0);
  });

  it('SOAP faults: Receiver is transient (asked again), Sender permanent (asked once)', async () => {
    const receiver = soapFault({ code: 'Receiver', reason: 'Database down.' });
    peer.script('iti18', receiver, receiver);
    const down = await verify([PHMR]);
    expect(down.first).toMatchObject({ outcome: 'failure', class: 'transient' });
    expect(down.first.attempts.map((a) => a.httpStatus)).toEqual([500, 500]);
    expect(down.first.message).toMatch(/Database down/);
    expect(down.code).toBe(1);

    peer.reset();
    peer.script('iti18', soapFault({ code: 'Sender', reason: 'Bad query.', subcode: 'wsa:ActionNotSupported' }));
    const text = await verifyText([PHMR]);
    expect(text.stdout).toMatch(/: failure \(permanent\) /);
    expect(text.stdout).toMatch(/Bad query\./);
    expect(text.code).toBe(1);
    expect(peer.requests).toHaveLength(1);
  });

  it('a SOAP fault from the repository: failure with its class, after the registry listed the entry', async () => {
    peer.script('iti18', queryAnswer({ entries: [listed(phmr)] }));
    peer.script('iti43', soapFault({ code: 'Sender', reason: 'Unknown repository.' }));
    const { code, first } = await verify([PHMR]);
    expect(first).toMatchObject({ outcome: 'failure', class: 'permanent', mismatches: [] });
    expect(first.message).toMatch(/^RetrieveDocumentSet failed: .*Unknown repository\./);
    expect(code).toBe(1);
  });

  it('a proxy 503 page: failure, transient', async () => {
    peer.script('iti18', httpAnswer(503, '<html>down</html>'), httpAnswer(503, '<html>down</html>'));
    const { code, first } = await verify([PHMR]);
    expect(first).toMatchObject({ outcome: 'failure', class: 'transient' });
    expect(first.attempts).toHaveLength(2);
    expect(code).toBe(1);
  });

  it('an entry without repositoryUniqueId on a target without one: failure before any retrieve', async () => {
    peer.script('iti18', queryAnswer({ entries: [{ entry: phmr }] }));
    const { first } = await verify([PHMR]);
    expect(first).toMatchObject({ outcome: 'failure', class: 'permanent' });
    expect(first.message).toMatch(/names no repositoryUniqueId/);
    expect(peer.requests.map((r) => r.endpoint)).toEqual(['iti18']);
  });

  it('metadata that differs in named fields: metadataMismatch listing exactly those fields', async () => {
    const changed: DocumentEntry = {
      ...phmr,
      title: 'Another title',
      creationTime: '20250101000000',
      typeCode: { ...phmr.typeCode, code: '11502-2' },
      // Not compared: the registry's own entryUUID.
      entryUUID: 'urn:uuid:00000000-0000-4000-8000-000000000002',
    };
    peer.script('iti18', queryAnswer({ entries: [listed(changed)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const { code, first } = await verify([PHMR]);
    expect(first.outcome).toBe('metadataMismatch');
    expect(first.mismatches).toEqual([
      { field: 'typeCode', registered: changed.typeCode, expected: phmr.typeCode },
      { field: 'creationTime', registered: '20250101000000', expected: phmr.creationTime },
      { field: 'title', registered: 'Another title', expected: phmr.title },
    ]);
    expect(first.content?.sameAsFile).toBe(true);
    expect(code).toBe(1);
    peer.script('iti18', queryAnswer({ entries: [listed(changed)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const text = await verifyText([PHMR]);
    expect(text.stdout).toMatch(
      /: metadataMismatch .*\n {2}The registered metadata differs: typeCode .*; creationTime .*; title \(registered "Another title"/
    );
    expect(text.stdout).toMatch(/0 verified, 1 metadata mismatch\.\n$/);
  });

  it('retrieved bytes that differ from the file (same size): contentMismatch', async () => {
    const other = Buffer.from(phmrBytes);
    other[other.length - 2] = other[other.length - 2] === 0x20 ? 0x0a : 0x20;
    peer.script('iti18', queryAnswer({ entries: [listed(phmr)] }));
    peer.script('iti43', retrieved(phmr, other));
    const { code, first } = await verify([PHMR]);
    expect(first.outcome).toBe('contentMismatch');
    expect(first.content).toMatchObject({ size: phmr.size, registeredHash: phmr.hash, sameAsFile: false });
    expect(first.content?.hash).not.toBe(phmr.hash);
    expect(first.message).toMatch(/SHA-1 [0-9a-f]{40} \(registered [0-9a-f]{40}\); bytes differ from the file/);
    expect(first.message).not.toMatch(/size/);
    expect(code).toBe(1);
    peer.script('iti18', queryAnswer({ entries: [listed(phmr)] }));
    peer.script('iti43', retrieved(phmr, other));
    const text = await verifyText([PHMR]);
    expect(text.stdout).toMatch(/: contentMismatch .*\n {2}The retrieved document differs: /);
    expect(text.stdout).toMatch(/0 verified, 1 content mismatch\.\n$/);
  });

  it('a wrong registered hash or size: metadataMismatch for a file, contentMismatch for a bare uniqueId', async () => {
    const wrongHash = { ...phmr, hash: '0'.repeat(40) };
    peer.script('iti18', queryAnswer({ entries: [listed(wrongHash)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const file = await verify([PHMR]);
    expect(file.first.outcome).toBe('metadataMismatch');
    expect(file.first.mismatches.map((m) => m.field)).toEqual(['hash']);

    peer.script('iti18', queryAnswer({ entries: [listed(wrongHash)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const bareHash = await verify([phmr.uniqueId]);
    expect(bareHash.first).toMatchObject({ outcome: 'contentMismatch', mismatches: [] });
    expect(bareHash.first.message).toBe(
      `The retrieved document differs: SHA-1 ${phmr.hash} (registered ${'0'.repeat(40)}).`
    );
    expect(bareHash.code).toBe(1);

    const wrongSize = { ...phmr, size: phmr.size + 1 };
    peer.script('iti18', queryAnswer({ entries: [listed(wrongSize)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const bareSize = await verify([phmr.uniqueId]);
    expect(bareSize.first.outcome).toBe('contentMismatch');
    expect(bareSize.first.message).toBe(
      `The retrieved document differs: size ${phmr.size} (registered ${phmr.size + 1}).`
    );
    expect(bareSize.first.content).not.toHaveProperty('sameAsFile');
  });

  it('several documents: exit 0 only when every one is verified', async () => {
    peer.script('iti18', queryAnswer({ entries: [listed(phmr)] }), queryAnswer({ entries: [listed(qrd)] }));
    peer.script('iti43', retrieved(phmr, phmrBytes), retrieved(qrd, qrdBytes));
    const all = await verify([PHMR, QRD]);
    expect(all.report.documents.map((d) => d.outcome)).toEqual(['verified', 'verified']);
    expect(all.code).toBe(0);

    peer.script('iti18', queryAnswer({ entries: [listed(phmr)] }), queryAnswer());
    peer.script('iti43', retrieved(phmr, phmrBytes));
    const one = await verify([PHMR, QRD]);
    expect(one.report.documents.map((d) => d.outcome)).toEqual(['verified', 'notFound']);
    expect(one.report.summary).toMatchObject({ documents: 2, verified: 1, notFound: 1 });
    expect(one.code).toBe(1);
  });
});
