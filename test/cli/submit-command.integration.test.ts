// `kih submit` end to end over real HTTP on 127.0.0.1: every sample against the in-process simulator, and each outcome class against a running one.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { SubmissionRunReport } from '../../src/submission/submission-report.js';
import type { DocumentSubmission } from '../../src/submission/submit-document.js';
import { LOCAL_VENDOR_ID_CARD, simulatorTargetSettings } from '../../src/config/targets.js';
import { loadCredentials } from '../../src/security/credentials.js';
import { buildSystemIdCard } from '../../src/security/id-card.js';
import { signIdCard } from '../../src/security/sign-id-card.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import { runBinary, runInProcess, SAMPLES } from '../helpers/cli.js';

const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  documents: { file: string; valid: boolean; pairedWith?: string }[];
};
// kih submit checks each QRD against a form among the files it is given, as kih validate does: samples/ as a whole
// holds the forms, so the pair-* QRDs (invalid only against their form) are not sent.
const VALID = manifest.documents.filter((d) => d.valid).map((d) => d.file);
const dir = mkdtempSync(path.join(tmpdir(), 'kih-submit-cli-'));
const PHMR = path.join(SAMPLES, 'dk-phmr-2.1/valid/weight.xml');

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function relative(file: string): string {
  return path.relative(SAMPLES, file).split(path.sep).join('/');
}

describe('kih submit --target local (the in-process simulator)', () => {
  it('the README main job: stores every valid sample, sends no invalid one; the store holds exactly the valid ones', () => {
    const store = path.join(dir, 'local-store');
    // The built command (validation threads start from dist/), as a user runs it.
    const run = runBinary(['submit', SAMPLES, '--simulator-store', store]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1); // samples/ holds invalid documents on purpose
    const report = JSON.parse(run.stdout) as SubmissionRunReport;
    const byFile = new Map(report.documents.map((d) => [relative(d.file), d]));
    for (const doc of manifest.documents) {
      const got = byFile.get(doc.file);
      expect({ file: doc.file, outcome: got?.outcome }).toEqual({
        file: doc.file,
        outcome: VALID.includes(doc.file) ? 'success' : 'notSent',
      });
    }
    expect(report.summary).toEqual({
      documents: manifest.documents.length,
      success: VALID.length,
      partialSuccess: 0,
      failure: 0,
      unknown: 0,
      notSent: manifest.documents.length - VALID.length,
    });
    const index = readFileSync(path.join(store, 'index.jsonl'), 'utf8').trim().split('\n');
    const storedIds = index.map((line) => (JSON.parse(line) as { uniqueId: string }).uniqueId).sort();
    const sentIds = report.documents.filter((d) => d.outcome === 'success').map((d) => d.uniqueId);
    expect(storedIds).toEqual([...sentIds].sort());
    expect(storedIds).toHaveLength(VALID.length);
  });

  it('one file, as the built command: the documented JSON record and exit 0', () => {
    const run = runBinary(['submit', PHMR]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout) as DocumentSubmission;
    expect(record).toMatchObject({
      outcome: 'success',
      class: 'success',
      errors: [],
      uniqueId: '1.2.208.184^21ba20d3-fb30-4c76-9d5d-4c8ecd21c219',
      target: 'local',
      profile: 'dk-phmr-2.1',
    });
    expect(typeof record.durationMs).toBe('number');
    expect(record.attempts).toHaveLength(1);
  });

  it('--no-validate sends an invalid document and reports the repository refusing it', async () => {
    const bad = path.join(SAMPLES, 'dk-phmr-1.3/invalid/bad-mood-code.xml');
    const run = await runInProcess(['submit', bad, '--no-validate']);
    expect(run.code).toBe(1);
    const record = JSON.parse(run.stdout) as DocumentSubmission;
    expect(record).toMatchObject({ outcome: 'failure', class: 'permanent', validation: { status: 'skipped' } });
    expect(record.errors.map((e) => e.errorCode)).toEqual(['InvalidDocumentContent']);
  });

  it('text output: one line per document and a summary', async () => {
    // One thread: in this process (ts-jest) validation threads cannot start, and the folder holds over 8 files.
    const run = await runInProcess(['submit', path.join(SAMPLES, 'dk-qrd-1.3'), '-f', 'text', '--jobs', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/valid\/fatigue-pain-sliders\.xml: success \[\d+ ms\] 1\.2\.208\.184\^/);
    expect(run.stdout).toMatch(
      /invalid\/utf16-bom\.xml: notSent \(invalid\) \[\d+ ms\]\n {2}The document is invalid \(1 error\); not sent\.\n {2}CDA_ERR_ENCODING/
    );
    // The pair-* QRDs are invalid only against their form, which is not among these files (DK-PAIR-010, a note): sent.
    expect(run.stdout).toMatch(/15 documents to local in [\d.]+ s: 12 stored, 0 refused, 3 not sent \(invalid\)\.\n$/);
  });

  it('refuses bad usage with CLI_ERR_USAGE and exit 2', async () => {
    expect((await runInProcess(['submit'])).stderr).toMatch(/CLI_ERR_USAGE: Name at least one file/);
    expect((await runInProcess(['submit', PHMR, '--concurrency', '0'])).code).toBe(2);
    expect((await runInProcess(['submit', PHMR, '-f', 'svrl'])).stderr).toMatch(/Unknown --format/);
    const live = await runInProcess(['submit', PHMR, '--target', 'kih-test', '--simulator-store', dir]);
    expect(live.stderr).toMatch(/--simulator-store is for the in-process simulator/);
  });

  it('a DGWS target without ID card settings stops before sending, with KIH_ERR_ID_CARD', async () => {
    const run = await runInProcess(['submit', PHMR, '--target', 'kih-prod']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/KIH_ERR_ID_CARD: kih-prod needs a DGWS ID card/);
  });
});

describe('kih submit against a running simulator: every outcome class', () => {
  let sim: ProjectSimulator;
  let config: string;

  beforeAll(async () => {
    sim = await startProjectSimulator({ storeDir: path.join(dir, 'running-store') });
    // Like KIH as configured today: neither the simulator's query nor a registry (ITI-18) to ask.
    const {
      queryEndpoint: _query,
      registryEndpoint: _registry,
      retrieveEndpoint: _retrieve,
      ...withoutQuery
    } = simulatorTargetSettings(sim.url);
    const tuning = { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, timeouts: { headersMs: 1_000 } };
    config = write(
      'targets.json',
      JSON.stringify({
        targets: {
          sim: { ...simulatorTargetSettings(sim.url), ...tuning },
          // Like KIH: no way to ask whether a document arrived.
          'sim-no-query': { ...withoutQuery, ...tuning },
        },
      })
    );
  });

  afterEach(() => {
    sim.clearScenarios();
  });

  afterAll(async () => {
    await sim.close();
  });

  async function submit(file: string, targetName = 'sim', extra: string[] = []): Promise<DocumentSubmission> {
    const run = await runInProcess(['submit', file, '--target', targetName, '--config', config, ...extra]);
    expect(run.stderr).toBe('');
    const record = JSON.parse(run.stdout) as DocumentSubmission;
    expect(run.code).toBe(record.outcome === 'success' ? 0 : 1);
    return record;
  }

  function stored(uniqueId: string | null): number {
    return uniqueId ? sim.lookup(uniqueId).length : 0;
  }

  it('success, with the ID card from the simulator STS', async () => {
    const record = await submit(PHMR);
    expect(record).toMatchObject({ outcome: 'success', class: 'success', target: 'sim' });
    expect(stored(record.uniqueId)).toBeGreaterThan(0);
  });

  it('transient: busy on every attempt, retried up to maxAttempts, nothing stored', async () => {
    const doc = write('busy.xml', readFileSync(PHMR, 'utf8').replace('21ba20d3-fb30', '21ba20d3-b0b0'));
    sim.pushScenario({ kind: 'busy', times: 10 });
    const record = await submit(doc);
    expect(record).toMatchObject({ outcome: 'failure', class: 'transient' });
    expect(record.attempts.map((a) => a.errorCodes)).toEqual([
      ['XDSRepositoryBusy'],
      ['XDSRepositoryBusy'],
      ['XDSRepositoryBusy'],
    ]);
    expect(stored(record.uniqueId)).toBe(0);
  });

  it('auth: an expired card is renewed once at the STS and the document stored', async () => {
    const before = stored('1.2.208.184^21ba20d3-fb30-4c76-9d5d-4c8ecd21c219');
    sim.pushScenario({ kind: 'expired-idcard' });
    const record = await submit(PHMR);
    expect(record).toMatchObject({ outcome: 'success', class: 'success' });
    expect(record.attempts.map((a) => a.class)).toEqual(['auth', 'success']);
    expect(stored(record.uniqueId)).toBe(before + 1);
  });

  it('authPermanent: not authorised, never retried', async () => {
    sim.pushScenario({ kind: 'not-authorized' });
    const record = await submit(PHMR);
    expect(record).toMatchObject({ outcome: 'failure', class: 'authPermanent' });
    expect(record.attempts).toHaveLength(1);
  });

  it('authPermanent: a card the STS did not sign (--id-card) is refused by the repository', async () => {
    const credentials = await loadCredentials(LOCAL_VENDOR_ID_CARD);
    const selfSigned = signIdCard(
      buildSystemIdCard({ cvr: '12345678', careProviderName: 'x', itSystemName: 'y', certificate: credentials }),
      credentials
    );
    const record = await submit(PHMR, 'sim', ['--id-card', write('self-signed-card.xml', selfSigned)]);
    expect(record).toMatchObject({ outcome: 'failure', class: 'authPermanent' });
    expect(record.attempts).toHaveLength(1);
  });

  it('duplicate: the registry says the uniqueId is there already; not re-sent', async () => {
    sim.pushScenario({ kind: 'duplicate-in-registry' });
    const record = await submit(PHMR);
    expect(record).toMatchObject({ outcome: 'failure', class: 'duplicate' });
    expect(record.errors.map((e) => e.errorCode)).toEqual(['XDSDuplicateUniqueIdInRegistry']);
    expect(record.attempts).toHaveLength(1);
  });

  it('permanent: another document under a stored uniqueId is XDSNonIdenticalHash', async () => {
    await submit(PHMR);
    const changed = write(
      'changed.xml',
      readFileSync(PHMR, 'utf8').replace('</ClinicalDocument>', '<!-- changed --></ClinicalDocument>')
    );
    const record = await submit(changed);
    expect(record).toMatchObject({ outcome: 'failure', class: 'permanent' });
    expect(record.errors.map((e) => e.errorCode)).toEqual(['XDSNonIdenticalHash']);
  });

  it('a lost answer with a query endpoint: confirmed stored, sent once', async () => {
    const doc = write('lost.xml', readFileSync(PHMR, 'utf8').replace('21ba20d3-fb30', '21ba20d3-1057'));
    sim.pushScenario({ kind: 'timeout-after-store', delayMs: 3_000 });
    const record = await submit(doc);
    expect(record).toMatchObject({ outcome: 'success', class: 'success', confirmedByQuery: true });
    expect(record.attempts).toHaveLength(1);
    expect(stored(record.uniqueId)).toBe(1);
  });

  it('unknown: a lost answer where the target cannot be asked; not re-sent, stored once', async () => {
    const doc = write('unknown.xml', readFileSync(PHMR, 'utf8').replace('21ba20d3-fb30', '21ba20d3-0000'));
    sim.pushScenario({ kind: 'timeout-after-store', delayMs: 3_000 });
    const record = await submit(doc, 'sim-no-query');
    expect(record).toMatchObject({ outcome: 'unknown', class: 'unknown' });
    expect(record.attempts).toHaveLength(1);
    expect(stored(record.uniqueId)).toBe(1);
  });
});
