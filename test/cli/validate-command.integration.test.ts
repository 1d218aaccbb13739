// `kih validate` as users call it: exit codes, formats, options, and threads giving the same answer as one thread.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { XmlDocument } from 'libxml2-wasm';
import type { ValidationRunReport } from '../../src/core/report.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { runBinary, runInProcess, SAMPLES } from '../helpers/cli.js';
import { pathologicalDocument } from '../helpers/pathological.js';
import { describeWithReference } from '../helpers/reference.js';

const VALID = path.join(SAMPLES, 'dk-phmr-1.3', 'valid', 'weight.xml');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kih-cli-'));

function withoutTimings(report: ValidationRunReport): unknown {
  return report.documents.map((d) => ({ ...d, durationMs: 0 }));
}

describe('kih validate', () => {
  it('--max-findings caps each stage; --time-limit stops a document over it and goes on with the next', () => {
    const slow = path.join(tmp, 'slow.xml');
    // About 11 MB with 300,000 XSD findings: seconds of work, far over a 1 s budget.
    writeFileSync(slow, pathologicalDocument(150_000));
    const many = path.join(tmp, 'many.xml');
    writeFileSync(many, pathologicalDocument(50));
    // The binary (built code): a budget validates on a thread, which starts from dist/.
    const run = runBinary(['validate', slow, many, VALID, '--time-limit', '1000', '--max-findings', '5', '-f', 'json']);
    expect(run.code).toBe(2);
    const [slowDoc, manyDoc, validDoc] = (JSON.parse(run.stdout) as ValidationRunReport).documents;
    expect(slowDoc).toMatchObject({
      status: 'error',
      issues: [expect.objectContaining({ ruleId: 'CDA_ERR_TIME_LIMIT' })],
    });
    const xsd = manyDoc!.issues.filter((i) => i.stage === 'xsd');
    expect(xsd).toHaveLength(6);
    expect(xsd[5]).toMatchObject({
      ruleId: 'CDA_FINDINGS_CAPPED',
      message: expect.stringMatching(/^95 more xsd findings/),
    });
    expect(validDoc).toMatchObject({ status: 'valid' });
  });

  it('exits 0 for a valid document and says so', async () => {
    const run = await runInProcess(['validate', VALID]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('weight.xml');
    expect(run.stdout).toContain('dk-phmr-1.3');
  });

  it('exits 1 when a document is invalid, and reports rule, line and xpath', async () => {
    const bad = path.join(tmp, 'bad-mood.xml');
    writeFileSync(
      bad,
      readFileSync(VALID, 'utf8').replace(
        '<observation classCode="OBS" moodCode="EVN"',
        '<observation classCode="OBS" moodCode="NOPE"'
      )
    );
    const run = await runInProcess(['validate', bad, '--format', 'json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as ValidationRunReport;
    const issue = report.documents[0]!.issues.find((i) => i.ruleId === 'XSD_VALUE_NOT_IN_SET');
    expect(issue).toMatchObject({ stage: 'xsd', severity: 'error' });
    expect(issue!.line).toBeGreaterThan(1);
    expect(issue!.xpath).toMatch(/^\/cda:ClinicalDocument\[1\]\/.*cda:observation\[1\]\/@moodCode$/);
  });

  it('exits 2 with a message for usage errors', async () => {
    for (const argv of [
      ['validate'],
      ['validate', path.join(tmp, 'missing.xml')],
      ['validate', VALID, '--format', 'pdf'],
      ['validate', VALID, '--profile', 'dk-phmr-9'],
      ['validate', VALID, '--bogus'],
      ['validate', VALID, '--jobs', '0'],
      ['validate', tmp + '-empty-dir-that-does-not-exist'],
      ['frobnicate'],
    ]) {
      const run = await runInProcess(argv);
      expect({ argv, code: run.code }).toEqual({ argv, code: 2 });
      expect(run.stderr).toMatch(/kih: /);
    }
  });

  it('exits 2 when a directory has no xml documents', async () => {
    const empty = mkdtempSync(path.join(tmp, 'empty-'));
    const run = await runInProcess(['validate', empty]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('CLI_ERR_NO_INPUT');
  });

  it('exits 2 when the schema set does not exist', async () => {
    const run = await runInProcess(['validate', VALID, '--schemas', tmp]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('CDA_ERR_SCHEMA_LOAD');
  });

  it('writes the report to --out and nothing to stdout', async () => {
    const out = path.join(tmp, 'report.xml');
    const run = await runInProcess(['validate', VALID, '--format', 'junit', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const doc = XmlDocument.fromString(readFileSync(out, 'utf8'));
    expect(doc.find('//testcase')).toHaveLength(1);
    doc.dispose();
  });

  it('validates as the --profile given instead of detecting', async () => {
    const generic = path.join(tmp, 'generic.xml');
    writeFileSync(generic, readFileSync(VALID, 'utf8').replace(/<templateId root="1\.2\.208\.184\.11\.1"\s*\/>/g, ''));
    const detected = JSON.parse(
      (await runInProcess(['validate', generic, '-f', 'json'])).stdout
    ) as ValidationRunReport;
    expect(detected.documents[0]!.issues.map((i) => i.ruleId)).toContain('CDA_ERR_UNKNOWN_PROFILE');
    const forced = JSON.parse(
      (await runInProcess(['validate', generic, '-f', 'json', '-p', 'dk-phmr-1.3'])).stdout
    ) as ValidationRunReport;
    expect(forced.documents[0]).toMatchObject({ profile: 'dk-phmr-1.3', profileSource: 'override' });
    const issues = forced.documents[0]!.issues;
    expect(issues.map((i) => i.ruleId)).not.toContain('CDA_ERR_UNKNOWN_PROFILE');
    // The PHMR 1.3 rules ran and name the template the document lacks.
    expect(issues.some((i) => i.stage === 'schematron' && i.message.includes('1.2.208.184.11.1'))).toBe(true);
  });

  it('applies --max-size without reading the file', async () => {
    const run = await runInProcess(['validate', VALID, '-f', 'json', '--max-size', '1k']);
    const report = JSON.parse(run.stdout) as ValidationRunReport;
    expect(report.documents[0]!.issues[0]!.ruleId).toBe('CDA_ERR_TOO_LARGE');
    expect(report.documents[0]!.sha256).toBeUndefined();
  });

  it('gives the same results in the same order on several threads as on one (built binary)', async () => {
    const single = await runInProcess(['validate', SAMPLES, '-f', 'json', '--jobs', '1']);
    const multi = runBinary(['validate', SAMPLES, '-f', 'json', '--jobs', '3']);
    expect(multi.stderr).toBe('');
    expect(multi.code).toBe(single.code);
    const a = JSON.parse(single.stdout) as ValidationRunReport;
    const b = JSON.parse(multi.stdout) as ValidationRunReport;
    expect(b.documents.length).toBeGreaterThan(8);
    expect(withoutTimings(b)).toEqual(withoutTimings(a));
    expect(b.summary).toEqual(a.summary);
  });

  it('prints help and version', async () => {
    expect((await runInProcess(['validate', '--help'])).stdout).toContain('--schemas');
    expect((await runInProcess(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

const OFFICIAL = path.resolve(PACKAGE_ROOT, '..', 'shared', 'reference', 'hl7-cda-r2', 'extensions', 'SDTC');
describeWithReference('validate-command.integration.test', existsSync(OFFICIAL) ? [] : [OFFICIAL])(
  'kih validate --schemas',
  () => {
    it('uses another schema set found by its entry-point name (HL7 layout infrastructure/cda/CDA_SDTC.xsd)', async () => {
      const run = await runInProcess(['validate', VALID, '-f', 'json', '--schemas', OFFICIAL]);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as ValidationRunReport;
      expect(report.tool.schemas.startsWith(OFFICIAL + '#')).toBe(true);
      expect(report.documents[0]!.valid).toBe(true);
    });
  }
);

describe('kih validate --schematron', () => {
  const USER_RULES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'schematron', 'cli-title.sch');

  it('runs the user rule file after the built-in stages and reports its findings with line and xpath', async () => {
    const run = await runInProcess(['validate', VALID, '-f', 'json', '--schematron', USER_RULES, '--no-builtin-rules']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as ValidationRunReport;
    const issue = report.documents[0]!.issues.find((i) => i.ruleId === 'TEST-TITLE');
    expect(issue).toMatchObject({
      stage: 'schematron',
      severity: 'error',
      see: 'local rule 1',
      xpath: '/cda:ClinicalDocument[1]/cda:title[1]',
    });
    expect(issue!.message).toMatch(/^The title ".+" must start with "Kontrol"\.$/);
    expect(issue!.line).toBeGreaterThan(1);
    expect(Object.keys(report.tool.rules ?? {})).toEqual([USER_RULES]);
  });

  it('applies --severity overrides', async () => {
    const run = await runInProcess([
      'validate',
      VALID,
      '-f',
      'json',
      '--schematron',
      USER_RULES,
      '--no-builtin-rules',
      '--severity',
      'TEST-TITLE=warning',
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ValidationRunReport;
    expect(report.documents[0]!.issues.find((i) => i.ruleId === 'TEST-TITLE')?.severity).toBe('warning');
  });

  it('exits 2 for a missing rule file or a bad --severity', async () => {
    const missing = await runInProcess(['validate', VALID, '--schematron', path.join(tmp, 'nope.sch')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('SCH_ERR_PARSE');
    const bad = await runInProcess(['validate', VALID, '--severity', 'X=fatal']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CLI_ERR_USAGE');
  });

  it('runs a third-party rule file without queryBinding: flag severities, its note with --verbose and in the JSON', async () => {
    const rules = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'schematron', 'third-party.sch');
    const run = await runInProcess(['validate', VALID, '--schematron', rules, '-f', 'json', '--verbose']);
    const report = JSON.parse(run.stdout) as ValidationRunReport;
    expect(report.tool.ruleNotes?.[rules]).toEqual([expect.stringMatching(/^queryBinding "xslt" \(XPath 1\.0\)/)]);
    expect(run.stderr).toContain(`kih: Schematron ${rules}: queryBinding "xslt" (XPath 1.0)`);
    // The sample's narrative has one list item without @value: the plain assert makes it invalid,
    // while flag="warning" and flag="INFO" fire with their own severities.
    expect(run.code).toBe(1);
    const severity = (id: string): string | undefined =>
      report.documents[0]?.issues.find((i) => i.ruleId === id)?.severity;
    expect([severity('flag-warning'), severity('flag-info'), severity('flag-over-role'), severity('plain')]).toEqual([
      'warning',
      'info',
      'warning',
      'error',
    ]);
  });

  it('says which Schematron engine runs each rule set, and takes SaxonJS when asked (also on threads)', async () => {
    const auto = await runInProcess(['validate', VALID, '-f', 'json', '--verbose']);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toContain('kih: Schematron schematron/dk-phmr-1.3.sch: engine own');
    const fast = JSON.parse(auto.stdout) as ValidationRunReport;
    expect(fast.tool.ruleEngines?.['schematron/dk-phmr-1.3.sch']).toBe('own');
    const saxon = runBinary(['validate', SAMPLES, '-f', 'json', '--jobs', '2', '--schematron-engine', 'saxonjs']);
    const slow = JSON.parse(saxon.stdout) as ValidationRunReport;
    expect(slow.tool.ruleEngines?.['schematron/dk-phmr-1.3.sch']).toBe('saxonjs: the setting asks for SaxonJS');
    const reference = await runInProcess(['validate', SAMPLES, '-f', 'json', '--jobs', '1']);
    expect(withoutTimings(slow)).toEqual(withoutTimings(JSON.parse(reference.stdout) as ValidationRunReport));
    const bad = await runInProcess(['validate', VALID, '--schematron-engine', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CLI_ERR_USAGE');
  });
});
