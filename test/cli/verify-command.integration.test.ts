// `kih verify` and `--verify` over real HTTP on 127.0.0.1: every verify outcome against a running simulator, and `kih run samples/ --verify`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { simulatorTargetSettings } from '../../src/config/targets.js';
import type { SubmissionRunReport } from '../../src/submission/submission-report.js';
import type { DocumentSubmission } from '../../src/submission/submit-document.js';
import type { VerifyRunReport } from '../../src/submission/verify-files.js';
import type { VerifyResult } from '../../src/submission/verify-document.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import { runBinary, runInProcess, SAMPLES } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kih-verify-cli-'));
const PHMR = path.join(SAMPLES, 'dk-phmr-2.1/valid/weight.xml');
const QRD = path.join(SAMPLES, 'dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml');
const QFDD = path.join(SAMPLES, 'dk-qfdd-1.2/valid/fatigue-pain-sliders.xml');

describe('kih run samples/ --verify (local simulator)', () => {
  it('verifies every stored sample; exit 1 only because of the invalid samples', () => {
    const out = path.join(dir, 'run-report');
    const run = runBinary(['run', SAMPLES, '--verify', '--out', out]);
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(path.join(out, 'submission.json'), 'utf8')) as SubmissionRunReport;
    expect(report.summary).toMatchObject({ documents: 13, success: 13, verified: 13 });
    expect(report.documents.every((d) => d.verification?.outcome === 'verified')).toBe(true);
    expect(run.stdout).toMatch(/13 stored, 0 refused, 0 not sent \(invalid\), 13 verified/);
  });
});

describe('kih verify against a running simulator', () => {
  let sim: ProjectSimulator;
  let config: string;

  beforeAll(async () => {
    sim = await startProjectSimulator({ storeDir: path.join(dir, 'store') });
    config = path.join(dir, 'targets.json');
    writeFileSync(
      config,
      JSON.stringify({
        targets: {
          sim: { ...simulatorTargetSettings(sim.url), retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 } },
          'sim-no-registry': { endpoint: sim.iti41Url, soapVersion: '1.2', live: false },
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

  async function submit(file: string, extra: string[] = []): Promise<DocumentSubmission> {
    const run = await runInProcess(['submit', file, '--target', 'sim', '--config', config, ...extra]);
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout) as DocumentSubmission;
  }

  async function verify(args: string[]): Promise<{ code: number; report: VerifyRunReport; first: VerifyResult }> {
    const run = await runInProcess(['verify', ...args, '--target', 'sim', '--config', config]);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as VerifyRunReport;
    return { code: run.code, report, first: report.documents[0] as VerifyResult };
  }

  it('verified: a file and a bare uniqueId, exit 0', async () => {
    const sent = await submit(PHMR);
    expect(sent.outcome).toBe('success');
    const { code, report } = await verify([PHMR, sent.uniqueId ?? '']);
    expect(report.documents.map((d) => d.outcome)).toEqual(['verified', 'verified']);
    expect(report.summary).toMatchObject({ documents: 2, verified: 2 });
    expect(code).toBe(0);
  });

  it('notFound, exit 1; text output names it', async () => {
    const run = await runInProcess([
      'verify',
      '1.2.208.184^unknown',
      '--target',
      'sim',
      '--config',
      config,
      '-f',
      'text',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1\.2\.208\.184\^unknown: notFound/);
    expect(run.stdout).toMatch(/1 document at sim: 0 verified, 1 not found\./);
  });

  it('notFound at once, then verified by submit --verify --wait through a delayed registration', async () => {
    const before = await verify([QRD]);
    expect(before.first.outcome).toBe('notFound');
    const uniqueId = before.first.uniqueId;
    sim.pushScenario({ kind: 'registration-delay', delayMs: 1_500, uniqueId });
    const record = await submit(QRD, ['--verify', '--wait', '10']);
    expect(record.outcome).toBe('success');
    expect(record.verification?.outcome).toBe('verified');
    expect(record.verification?.queries).toBeGreaterThan(1);
  });

  it('metadataMismatch names the field the registry changed', async () => {
    const sent = await submit(QFDD);
    sim.pushScenario({ kind: 'metadata-changed', uniqueId: sent.uniqueId ?? '' });
    const { code, first } = await verify([QFDD]);
    expect(first.outcome).toBe('metadataMismatch');
    expect(first.mismatches.map((m) => m.field)).toEqual(['title']);
    expect(code).toBe(1);
  });

  it('contentMismatch when the repository answers other bytes', async () => {
    const sent = await submit(QFDD);
    sim.pushScenario({ kind: 'retrieve-other-bytes', uniqueId: sent.uniqueId ?? '' });
    const { code, first } = await verify([QFDD]);
    expect(first.outcome).toBe('contentMismatch');
    expect(first.content?.sameAsFile).toBe(false);
    expect(code).toBe(1);
  });

  it('failure when the repository is unavailable', async () => {
    const sent = await submit(PHMR);
    sim.pushScenario({ kind: 'repository-unavailable', uniqueId: sent.uniqueId ?? '' });
    const { code, first } = await verify([PHMR]);
    expect(first).toMatchObject({ outcome: 'failure', class: 'permanent' });
    expect(first.errors.map((e) => e.errorCode)).toEqual(['XDSUnavailableCommunity']);
    expect(code).toBe(1);
  });

  it('a target without registry endpoints stops before anything is sent', async () => {
    const run = await runInProcess(['verify', PHMR, '--target', 'sim-no-registry', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/CONFIG_ERR_INVALID.*registryEndpoint and retrieveEndpoint/);
    const submitRun = await runInProcess(['submit', PHMR, '--verify', '--target', 'kih-test']);
    expect(submitRun.code).toBe(2);
    expect(submitRun.stderr).toMatch(/CONFIG_ERR_INVALID/);
  });

  it('refuses --wait without --verify and a bad --wait', async () => {
    expect((await runInProcess(['submit', PHMR, '--wait', '3'])).stderr).toMatch(/--wait goes with --verify/);
    expect((await runInProcess(['verify', PHMR, '--wait', 'soon'])).stderr).toMatch(/--wait takes seconds/);
  });
});
