// `kih validate` pairs each QRD with the QFDD it references: in the same run, or given with --qfdd; a QRD without its form gets a note, not an error.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { DocumentReport, ValidationRunReport } from '../../src/core/report.js';
import { runInProcess, SAMPLES } from '../helpers/cli.js';

const COPD_QFDD = path.join(SAMPLES, 'dk-qfdd-1.2/valid/copd-daily-numeric-choice-text.xml');
const COPD_QRD = path.join(SAMPLES, 'dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml');
const SLIDER_QFDD = path.join(SAMPLES, 'dk-qfdd-1.2/valid/fatigue-pain-sliders.xml');
const DEFECT = path.join(SAMPLES, 'dk-qrd-1.3/invalid/pair-option-not-offered.xml');

async function validate(...args: string[]): Promise<{ code: number; report: ValidationRunReport }> {
  const run = await runInProcess(['validate', '--format', 'json', '--no-progress', '--jobs', '1', ...args]);
  expect(run.stderr).toBe('');
  return { code: run.code, report: JSON.parse(run.stdout) as ValidationRunReport };
}

function pairRules(doc: DocumentReport | undefined): string[] {
  return (doc?.issues ?? []).filter((i) => i.stage === 'pair').map((i) => `${i.ruleId}:${i.severity}`);
}

describe('kih validate: the QRD ↔ QFDD pair check', () => {
  it('pairs a QRD with its QFDD in the same run (a folder): the defect is found, the form itself untouched', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kih-pair-'));
    writeFileSync(path.join(dir, 'form.xml'), readFileSync(COPD_QFDD));
    writeFileSync(path.join(dir, 'answer.xml'), readFileSync(DEFECT));
    const { code, report } = await validate(dir);
    expect(code).toBe(1);
    const byName = new Map(report.documents.map((d) => [path.basename(d.file), d]));
    expect(pairRules(byName.get('answer.xml'))).toEqual(['DK-PAIR-005:error']);
    expect(byName.get('answer.xml')).toMatchObject({ valid: false, status: 'invalid' });
    expect(byName.get('form.xml')).toMatchObject({ valid: true, issues: [] });
    expect(report.summary).toMatchObject({ total: 2, valid: 1, invalid: 1 });
  });

  it('--qfdd gives the form of a QRD validated alone', async () => {
    const { code, report } = await validate(DEFECT, '--qfdd', COPD_QFDD);
    expect(code).toBe(1);
    expect(report.documents).toHaveLength(1); // the form is a reference, not a document of the run
    expect(pairRules(report.documents[0])).toEqual(['DK-PAIR-005:error']);
  });

  it('--qfdd with a form the QRD does not reference: DK-PAIR-001 for each response', async () => {
    const { code, report } = await validate(COPD_QRD, '--qfdd', SLIDER_QFDD);
    expect(code).toBe(1);
    expect(pairRules(report.documents[0])).toEqual(['DK-PAIR-001:error', 'DK-PAIR-001:error', 'DK-PAIR-001:error']);
  });

  it('several --qfdd: the QRD is paired with the one it references', async () => {
    const { code, report } = await validate(COPD_QRD, '--qfdd', SLIDER_QFDD, '--qfdd', COPD_QFDD);
    expect(code).toBe(0);
    expect(pairRules(report.documents[0])).toEqual([]);
  });

  it('a QRD whose form is not available: valid, with one DK-PAIR-010 note', async () => {
    const { code, report } = await validate(DEFECT);
    expect(code).toBe(0);
    expect(pairRules(report.documents[0])).toEqual(['DK-PAIR-010:info']);
    expect(report.documents[0]).toMatchObject({ valid: true });
  });

  it('--no-pair-checks: no pair findings at all, not even the note', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kih-pair-'));
    writeFileSync(path.join(dir, 'form.xml'), readFileSync(COPD_QFDD));
    writeFileSync(path.join(dir, 'answer.xml'), readFileSync(DEFECT));
    const { code, report } = await validate(dir, '--no-pair-checks');
    expect(code).toBe(0);
    expect(report.documents.flatMap((d) => pairRules(d))).toEqual([]);
  });

  it('--severity applies to pair rules too', async () => {
    const { code, report } = await validate(DEFECT, '--qfdd', COPD_QFDD, '--severity', 'DK-PAIR-005=warning');
    expect(code).toBe(0);
    expect(pairRules(report.documents[0])).toEqual(['DK-PAIR-005:warning']);
  });

  it('refuses a --qfdd that is no QFDD, and --qfdd with --no-pair-checks (exit 2)', async () => {
    const notForm = await runInProcess(['validate', COPD_QRD, '--qfdd', COPD_QRD]);
    expect(notForm.code).toBe(2);
    expect(notForm.stderr).toMatch(/--qfdd .*: it is a dk-qrd-1\.3 document, not a DK QFDD/);
    const missing = await runInProcess(['validate', COPD_QRD, '--qfdd', path.join(SAMPLES, 'no-such-form.xml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--qfdd .*no-such-form\.xml/);
    const both = await runInProcess(['validate', COPD_QRD, '--qfdd', COPD_QFDD, '--no-pair-checks']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--no-pair-checks/);
  });

  it('renders pair findings in the text report like any stage', async () => {
    const run = await runInProcess(['validate', DEFECT, '--qfdd', COPD_QFDD, '--no-progress']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/error\s+DK-PAIR-005\s+line \d+/);
  });
});
