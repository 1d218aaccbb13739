// `kih run`, the README's main job: every sample validated, the valid ones submitted to the in-process simulator, reports in a folder.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { SubmissionRunReport } from '../../src/submission/submission-report.js';
import type { ValidationRunReport } from '../../src/core/report.js';
import { runBinary, runInProcess, SAMPLES } from '../helpers/cli.js';

const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  documents: { file: string; valid: boolean }[];
};
const VALID = manifest.documents.filter((d) => d.valid).length;

describe('kih run', () => {
  it('over samples/: validation and submission reports in the folder, a summary, exit 1 for the invalid samples', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'kih-run-')), 'report');
    const run = runBinary(['run', SAMPLES, '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const total = manifest.documents.length;
    expect(run.stdout).toContain(`${total} documents: ${VALID} valid, ${total - VALID} invalid.`);
    expect(run.stdout).toContain(`${VALID} documents to local in`);
    expect(run.stdout).toContain(`${VALID} stored, 0 refused, 0 not sent (invalid).`);

    const validation = JSON.parse(readFileSync(path.join(out, 'validation.json'), 'utf8')) as ValidationRunReport;
    expect(validation.summary).toMatchObject({ total, valid: VALID });
    const submission = JSON.parse(readFileSync(path.join(out, 'submission.json'), 'utf8')) as SubmissionRunReport;
    expect(submission.summary).toMatchObject({ documents: VALID, success: VALID });
    expect(submission.documents.every((d) => d.uniqueId?.startsWith('1.2.208.184^'))).toBe(true);
    expect(readFileSync(path.join(out, 'validation.junit.xml'), 'utf8')).toMatch(/^<\?xml[^>]*>\s*<testsuites/);
    expect(readFileSync(path.join(out, 'validation.html'), 'utf8')).toMatch(/<html/);
    expect(readFileSync(path.join(out, 'validation.svrl.xml'), 'utf8')).toContain('schematron-output');
  });

  it('refuses to run on nothing', async () => {
    expect((await runInProcess(['run'])).stderr).toMatch(/CLI_ERR_USAGE: Name at least one file or directory/);
  });
});
