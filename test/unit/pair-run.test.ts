// Pairing a run's QRDs with their QFDDs: by the referenced id, the valid form before an invalid copy, the one --qfdd as the fallback, statuses and summary recomputed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { summarize } from '../../src/core/report.js';
import type { DocumentReport, ProfileId, ValidationRunReport } from '../../src/core/report.js';
import { addPairChecks, loadForm, loadRunForms, pairDocument } from '../../src/validation/pair-run.js';
import { SAMPLES } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kih-pair-run-'));
const COPD_QFDD = readFileSync(path.join(SAMPLES, 'dk-qfdd-1.2/valid/copd-daily-numeric-choice-text.xml'), 'utf8');
const COPD_QRD = path.join(SAMPLES, 'dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml');
const SLIDER_QFDD = path.join(SAMPLES, 'dk-qfdd-1.2/valid/fatigue-pain-sliders.xml');

/** The COPD form without the option the COPD answer picks: pairing with it gives DK-PAIR-005. */
const withoutOptionC = path.join(dir, 'copy-without-option-c.xml');
const optionC = /\s*<value xsi:type="CE" code="KOL-DAG-2-C"[^>]*\/>/;
writeFileSync(withoutOptionC, COPD_QFDD.replace(optionC, ''));
const copdForm = path.join(dir, 'copd.xml');
writeFileSync(copdForm, COPD_QFDD);

function doc(file: string, profile: ProfileId, valid = true): DocumentReport {
  return {
    file,
    profile,
    profileSource: 'detected',
    valid,
    status: valid ? 'valid' : 'invalid',
    issues: valid ? [] : [{ ruleId: 'XSD_X', severity: 'error', stage: 'xsd', message: 'broken on purpose' }],
    durationMs: 0,
  };
}

function run(documents: DocumentReport[]): ValidationRunReport {
  return {
    documents,
    summary: summarize(documents),
    tool: { name: 'kih', version: '0', schemas: 'builtin#x' },
    startedAt: '2026-12-08T00:00:00.000Z',
    durationMs: 0,
  };
}

const pairIds = (d: DocumentReport | undefined): string[] =>
  (d?.issues ?? []).filter((i) => i.stage === 'pair').map((i) => i.ruleId);

describe('addPairChecks', () => {
  it('checks the copy the test uses: it differs from the form in the option the answer picks', () => {
    expect(COPD_QFDD).toMatch(optionC);
    expect(readFileSync(withoutOptionC, 'utf8')).not.toMatch(optionC);
  });

  it('pairs by the referenced id, and prefers the valid form to an invalid copy with the same id', async () => {
    const out = await addPairChecks(
      run([doc(withoutOptionC, 'dk-qfdd-1.2', false), doc(COPD_QRD, 'dk-qrd-1.3'), doc(copdForm, 'dk-qfdd-1.2')])
    );
    expect(pairIds(out.documents[1])).toEqual([]);
    expect(out.documents[1]).toMatchObject({ valid: true, status: 'valid' });
  });

  it('with only the defective copy at hand, the QRD is paired with it, made invalid, and the summary says so', async () => {
    const out = await addPairChecks(run([doc(withoutOptionC, 'dk-qfdd-1.2'), doc(COPD_QRD, 'dk-qrd-1.3')]));
    expect(pairIds(out.documents[1])).toEqual(['DK-PAIR-005']);
    expect(out.documents[1]).toMatchObject({ valid: false, status: 'invalid' });
    expect(out.summary).toMatchObject({ total: 2, valid: 1, invalid: 1 });
    // The form's own report is left as it was.
    expect(out.documents[0]).toEqual(doc(withoutOptionC, 'dk-qfdd-1.2'));
  });

  it('one given form the QRD does not reference gives DK-PAIR-001; no form, the note; of two, the referenced one', async () => {
    const slider = await loadForm(SLIDER_QFDD);
    const other = await loadForm(withoutOptionC);
    if (!slider.ok || !other.ok) {
      throw new Error('the sample forms do not load');
    }
    const one = await addPairChecks(run([doc(COPD_QRD, 'dk-qrd-1.3')]), { forms: [slider.value] });
    expect(pairIds(one.documents[0])).toEqual(['DK-PAIR-001', 'DK-PAIR-001', 'DK-PAIR-001']);
    const none = await addPairChecks(run([doc(COPD_QRD, 'dk-qrd-1.3')]));
    expect(pairIds(none.documents[0])).toEqual(['DK-PAIR-010']);
    expect(none.documents[0]).toMatchObject({ valid: true });
    // Two given forms and the QRD references the COPD form's id, which the copy carries too: it is paired with the copy.
    const two = await addPairChecks(run([doc(COPD_QRD, 'dk-qrd-1.3')]), { forms: [slider.value, other.value] });
    expect(pairIds(two.documents[0])).toEqual(['DK-PAIR-005']);
  });

  it('leaves a document the tool could not finish alone, and a run without QRDs unchanged', async () => {
    const failed: DocumentReport = { ...doc(COPD_QRD, 'dk-qrd-1.3'), status: 'error', valid: false };
    const input = run([failed, doc(copdForm, 'dk-qfdd-1.2')]);
    expect((await addPairChecks(input)).documents[0]).toBe(failed);
    const formsOnly = run([doc(copdForm, 'dk-qfdd-1.2')]);
    expect(await addPairChecks(formsOnly)).toBe(formsOnly);
  });

  it('applies severity overrides to pair findings', async () => {
    const out = await addPairChecks(run([doc(withoutOptionC, 'dk-qfdd-1.2'), doc(COPD_QRD, 'dk-qrd-1.3')]), {
      severityOverrides: { 'DK-PAIR-005': 'warning' },
    });
    expect(out.documents[1]?.issues.map((i) => [i.ruleId, i.severity])).toEqual([['DK-PAIR-005', 'warning']]);
    expect(out.documents[1]).toMatchObject({ valid: true });
  });
});

describe('loadForm', () => {
  it('refuses what is no DK QFDD, and a file that is not there', async () => {
    expect(await loadForm(COPD_QRD)).toEqual({ ok: false, reason: 'it is a dk-qrd-1.3 document, not a DK QFDD' });
    expect(await loadForm(path.join(dir, 'missing.xml'))).toMatchObject({ ok: false });
  });
});

describe('one document at a time (kih submit): the run forms and pairDocument', () => {
  it('pairs a QRD with the form it references among the files, a defective copy of it listed first not standing in', async () => {
    const qrd = readFileSync(COPD_QRD);
    // The copy without option C has the form's id; only the callback says it is not the valid one.
    const forms = await loadRunForms([withoutOptionC, COPD_QRD, copdForm], (file) =>
      Promise.resolve(file !== withoutOptionC)
    );
    expect(forms.map((f) => f.file)).toEqual([copdForm, withoutOptionC]);
    const paired = pairDocument(doc(COPD_QRD, 'dk-qrd-1.3'), qrd, forms);
    expect(paired.status).toBe('valid');
    expect(paired.issues).toEqual([]);

    const againstCopy = pairDocument(doc(COPD_QRD, 'dk-qrd-1.3'), qrd, forms.slice(1));
    expect(againstCopy.status).toBe('invalid');
    expect(againstCopy.issues.map((i) => i.ruleId)).toEqual(['DK-PAIR-005']);
  });

  it('leaves other profiles alone and notes a QRD whose form is not among the files', async () => {
    const phmr = doc(path.join(SAMPLES, 'dk-phmr-2.1/valid/weight.xml'), 'dk-phmr-2.1');
    expect(pairDocument(phmr, Buffer.from('<x/>'), [])).toBe(phmr);
    const alone = pairDocument(doc(COPD_QRD, 'dk-qrd-1.3'), readFileSync(COPD_QRD), []);
    expect(alone.status).toBe('valid');
    expect(alone.issues.map((i) => [i.ruleId, i.severity])).toEqual([['DK-PAIR-010', 'info']]);
    expect(await loadRunForms([SLIDER_QFDD, COPD_QRD], () => Promise.resolve(true))).toHaveLength(1);
  });
});
