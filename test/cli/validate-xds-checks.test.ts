// Valid means submittable: `kih validate` runs the XDS header checks (XDS-CDA-*, stage xds) unless --no-xds-checks.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { DocumentReport, ValidationIssue } from '../../src/core/report.js';
import { HEADER_RULE_IDS } from '../../src/rules/xds-header-checks.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { runInProcess, SAMPLES } from '../helpers/cli.js';

const PHMR = readFileSync(path.join(SAMPLES, 'dk-phmr-2.1/valid/weight.xml'), 'utf8');
const QRD = readFileSync(path.join(SAMPLES, 'dk-qrd-1.3/valid/fatigue-pain-sliders.xml'), 'utf8');

function changed(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  expect(out).not.toBe(text);
  return out;
}

async function validate(text: string, ...options: string[]): Promise<DocumentReport> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'kih-xds-checks-')), 'doc.xml');
  writeFileSync(file, text);
  const run = await runInProcess(['validate', file, '--format', 'json', '--no-progress', ...options]);
  expect(run.stderr).toBe('');
  const report = (JSON.parse(run.stdout) as { documents: DocumentReport[] }).documents[0];
  expect(report).toBeDefined();
  expect(run.code).toBe(report!.valid ? 0 : 1);
  return report!;
}

const xdsFindings = (r: DocumentReport): ValidationIssue[] => r.issues.filter((i) => i.stage === 'xds');

const HEADER_DEFECTS: readonly [string, string, string][] = [
  // name, rule id, document
  [
    'a monitoring period that starts after it ends',
    'XDS-CDA-005',
    changed(PHMR, '<low value="20260401065500+0200"/>', '<low value="20260403065500+0200"/>'),
  ],
  [
    'a timestamp without UTC offset',
    'XDS-CDA-004',
    changed(PHMR, '<high value="20260402070300+0200"/>', '<high value="20260402070300"/>'),
  ],
];

describe('kih validate runs the XDS header checks', () => {
  it('a valid sample stays valid, with no xds finding', async () => {
    const report = await validate(PHMR);
    expect(report.valid).toBe(true);
    expect(xdsFindings(report)).toEqual([]);
  });

  it.each(HEADER_DEFECTS)(
    '%s is invalid with %s (stage xds), and valid with --no-xds-checks',
    async (_name, ruleId, text) => {
      const report = await validate(text);
      expect(report.valid).toBe(false);
      expect(report.issues.filter((i) => i.severity === 'error').map((i) => [i.ruleId, i.stage])).toEqual([
        [ruleId, 'xds'],
      ]);
      const skipped = await validate(text, '--no-xds-checks');
      expect(skipped.valid).toBe(true);
      expect(xdsFindings(skipped)).toEqual([]);
    }
  );

  it.each([
    ['a PHMR', PHMR],
    ['a QRD', QRD],
  ])(
    '%s without a CPR number gets XDS-CDA-002 (stage xds); --no-xds-checks leaves only the profile rules',
    async (_name, text) => {
      const noCpr = changed(text, /(<patientRole[^>]*>\s*<id root=")1\.2\.208\.176\.1\.2"/, '$11.2.208.176.1.999"');
      const report = await validate(noCpr);
      expect(report.valid).toBe(false);
      const finding = xdsFindings(report).find((i) => i.ruleId === 'XDS-CDA-002');
      expect(finding).toMatchObject({ severity: 'error', stage: 'xds' });
      expect(finding?.xpath).toMatch(/patientRole\[1\]$/);
      const skipped = await validate(noCpr, '--no-xds-checks');
      expect(xdsFindings(skipped)).toEqual([]);
      // The profile rules already require the CPR root; the XDS check adds why it cannot be sent.
      expect(skipped.issues.filter((i) => i.severity === 'error').length).toBeGreaterThan(0);
    }
  );

  it('a QFDD names no patient by design: no XDS-CDA-002 (its patientId is a setting)', async () => {
    const report = await validate(
      readFileSync(path.join(SAMPLES, 'dk-qfdd-1.2/valid/fatigue-pain-sliders.xml'), 'utf8')
    );
    expect(report.valid).toBe(true);
    expect(xdsFindings(report)).toEqual([]);
  });

  it('--severity applies to the xds findings too', async () => {
    const [, ruleId, text] = HEADER_DEFECTS[0]!;
    const report = await validate(text, '--severity', `${ruleId}=warning`);
    expect(report.valid).toBe(true);
    expect(xdsFindings(report).map((i) => [i.ruleId, i.severity])).toEqual([[ruleId, 'warning']]);
  });

  it('the README and docs/xds-rules.md list exactly the header checks validation runs', () => {
    for (const doc of ['README.md', 'docs/xds-rules.md']) {
      const text = readFileSync(path.join(PACKAGE_ROOT, doc), 'utf8');
      expect([doc, text.includes('--no-xds-checks')]).toEqual([doc, true]);
    }
    const page = readFileSync(path.join(PACKAGE_ROOT, 'docs/xds-rules.md'), 'utf8');
    const section = page.slice(page.indexOf('## Run by validation'));
    const listed = [...section.matchAll(/^\| `(XDS-CDA-\d{3})` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...HEADER_RULE_IDS].sort());
  });
});
