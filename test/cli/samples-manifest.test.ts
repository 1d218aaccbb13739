// The samples corpus behaves exactly as samples/manifest.json says, through the CLI a user runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { collectXmlFiles } from '../../src/core/collect-files.js';
import type { DocumentReport, ProfileId } from '../../src/core/report.js';
import { runInProcess, SAMPLES } from '../helpers/cli.js';

interface ManifestEntry {
  readonly file: string;
  readonly profile: ProfileId | null;
  readonly valid: boolean;
  readonly ruleIds: readonly string[];
  readonly description: string;
}

const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  version: number;
  documents: ManifestEntry[];
};

let reports: Map<string, DocumentReport>;

beforeAll(async () => {
  const run = await runInProcess(['validate', SAMPLES, '--format', 'json', '--jobs', '1']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(1); // the invalid samples are invalid on purpose
  const parsed = JSON.parse(run.stdout) as { documents: DocumentReport[] };
  reports = new Map(parsed.documents.map((d) => [path.relative(SAMPLES, d.file), d]));
});

describe('samples/manifest.json', () => {
  it('lists every sample exactly once', async () => {
    const files = (await collectXmlFiles([SAMPLES])).map((f) => path.relative(SAMPLES, f)).sort();
    const listed = manifest.documents.map((d) => d.file).sort();
    expect(listed).toEqual(files);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('has valid and invalid samples for every profile', () => {
    for (const profile of ['dk-phmr-1.3', 'dk-phmr-2.1', 'dk-qrd-1.3', 'dk-qfdd-1.2']) {
      expect(manifest.documents.filter((d) => d.file.startsWith(`${profile}/valid/`)).length).toBeGreaterThanOrEqual(2);
      expect(manifest.documents.filter((d) => d.file.startsWith(`${profile}/invalid/`)).length).toBeGreaterThanOrEqual(
        1
      );
    }
  });

  it.each(manifest.documents.map((d) => [d.file, d] as const))('%s', (file, expected) => {
    const report = reports.get(file);
    expect(report).toBeDefined();
    const errorRuleIds = [...new Set(report!.issues.filter((i) => i.severity === 'error').map((i) => i.ruleId))].sort();
    expect({ profile: report!.profile, valid: report!.valid, ruleIds: errorRuleIds }).toEqual({
      profile: expected.profile,
      valid: expected.valid,
      ruleIds: [...expected.ruleIds].sort(),
    });
    // A file in a valid/ folder is valid and an invalid/ one is not: the folder names cannot lie.
    expect(report!.valid).toBe(file.includes('/valid/'));
  });
});
