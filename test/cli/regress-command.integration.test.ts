// `kih regress` through the CLI: the samples pass, a wrong manifest fails naming the mismatch, a changed rule shows up exactly as a diff.
import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { RegressionDiff } from '../../src/regression/diff-results.js';
import type { RegressionResult } from '../../src/regression/result.js';
import { simulatorTargetSettings } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import { runBinary, runInProcess } from '../helpers/cli.js';
import { withXml } from '../renderers/xml.js';

const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'regression');
const work = mkdtempSync(path.join(tmpdir(), 'kih-regress-cli-'));

function readResult(dir: string): RegressionResult & { changesSinceBaseline?: RegressionDiff } {
  return JSON.parse(readFileSync(path.join(dir, 'regression.json'), 'utf8')) as RegressionResult & {
    changesSinceBaseline?: RegressionDiff;
  };
}

describe('kih regress samples/', () => {
  it('exits 0 and writes the JSON result, JUnit XML and the HTML report (the built CLI, threads and all)', () => {
    const out = path.join(work, 'samples');
    const run = runBinary(['regress', 'samples/', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('40 documents in 1 corpus: 40 as the manifest says, 0 not.');
    const result = readResult(out);
    expect(result).toMatchObject({ format: 'kih-regression', status: 'passed', summary: { total: 40, matched: 40 } });
    expect(result.tool.schemas).toMatch(/^builtin#/);
    expect(Object.keys(result.tool.rules)).toEqual([
      'schematron/dk-phmr-1.3.sch',
      'schematron/dk-phmr-2.1.sch',
      'schematron/dk-qfdd-1.2.sch',
      'schematron/dk-qrd-1.3.sch',
    ]);
    withXml(readFileSync(path.join(out, 'regression.junit.xml'), 'utf8'), {}, (q) => {
      expect(q.num('count(//testcase)')).toBe(40);
      expect(q.num('count(//failure | //error)')).toBe(0);
    });
    expect(readFileSync(path.join(out, 'regression.html'), 'utf8')).toContain('40 of 40 documents as expected');
    // Every valid sample's manifest entry expects metadata, and it was derived and compared.
    const withMetadata = result.documents.filter((d) => d.expected?.metadata);
    expect(withMetadata).toHaveLength(13);
    expect(withMetadata.every((d) => d.actual?.metadata && 'values' in d.actual.metadata)).toBe(true);
  });
});

describe('kih regress --submit', () => {
  it('local: every valid sample is also stored by the built-in simulator, and matches (the built CLI)', () => {
    const out = path.join(work, 'submit-local');
    const run = runBinary(['regress', 'samples/', '--submit', 'local', '-o', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = readResult(out);
    expect(result).toMatchObject({ status: 'passed', submitTarget: 'local', summary: { total: 40, matched: 40 } });
    const valid = result.documents.filter((d) => d.expected?.valid);
    expect(valid).toHaveLength(13);
    expect(valid.every((d) => d.actual?.submission?.outcome === 'success')).toBe(true);
    // Invalid documents are never sent.
    expect(result.documents.filter((d) => !d.expected?.valid).every((d) => d.actual?.submission === null)).toBe(true);
  });

  it('a valid document the target refuses is a submission mismatch, exit 1', async () => {
    const sim = await startProjectSimulator({ storeDir: path.join(work, 'submit-sim-store') });
    try {
      const config = path.join(work, 'submit-targets.json');
      writeFileSync(
        config,
        JSON.stringify({ targets: { sim: { ...simulatorTargetSettings(sim.url), retry: { maxAttempts: 1 } } } })
      );
      // The QRD's uniqueId (from its ClinicalDocument/id): refused as not authorised, never retried.
      sim.pushScenario({ kind: 'not-authorized', uniqueId: '1.2.208.184^9473ad1d-82cc-48ad-b54e-e004622cc552' });
      const out = path.join(work, 'submit-sim-out');
      const rules = path.join(FIXTURES, 'rules-v1.sch');
      const corpus = path.join(FIXTURES, 'corpus');
      const run = await runInProcess([
        'regress',
        corpus,
        '--schematron',
        rules,
        '--submit',
        'sim',
        '--config',
        config,
        '-o',
        out,
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      const result = readResult(out);
      const by = new Map(result.documents.map((d) => [d.file, d]));
      expect(by.get('weight.xml')).toMatchObject({ match: true, actual: { submission: { outcome: 'success' } } });
      expect(by.get('blood-pressure-pulse.xml')).toMatchObject({ match: true, actual: { submission: null } });
      expect(by.get('fatigue-pain-sliders.xml')?.mismatches).toEqual([
        expect.objectContaining({ kind: 'submission', expected: 'success', actual: 'failure' }),
      ]);
      expect(run.stdout).toContain('corpus/fatigue-pain-sliders.xml: submission: Valid but not stored by the target');
      expect(sim.lookup('1.2.208.184^9473ad1d-82cc-48ad-b54e-e004622cc552')).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});

type ManifestDocument = { file: string; metadata?: Record<string, unknown> } & Record<string, unknown>;

/** The fixture corpus copied to `work/<name>`, its manifest's documents changed by `edit`. */
function editedCorpus(name: string, edit: (documents: ManifestDocument[]) => void): string {
  const corpus = path.join(work, name);
  cpSync(path.join(FIXTURES, 'corpus'), corpus, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(corpus, 'manifest.json'), 'utf8')) as {
    documents: ManifestDocument[];
  };
  edit(manifest.documents);
  writeFileSync(path.join(corpus, 'manifest.json'), JSON.stringify(manifest));
  return corpus;
}

/** `kih regress` in process, one thread, with the fixture rules the corpus's manifest was written for. */
function regressWithRulesV1(corpus: string, out: string): ReturnType<typeof runInProcess> {
  const rules = path.join(FIXTURES, 'rules-v1.sch');
  return runInProcess(['regress', corpus, '--schematron', rules, '-j', '1', '-o', out]);
}

describe('a manifest that is wrong', () => {
  it('exits 1 and names each mismatch, in both directions', async () => {
    const corpus = editedCorpus('wrong', (documents) => {
      // weight.xml claimed invalid, fatigue-pain-sliders.xml left out, a file listed that is not there.
      documents[0] = { ...documents[0]!, valid: false, ruleIds: ['XSD_MISSING_ELEMENT'] };
      documents.splice(2, 1);
      documents.push({ file: 'gone.xml', profile: null, valid: false, ruleIds: ['CDA_ERR_EMPTY'] });
    });
    const out = path.join(work, 'wrong-out');
    const run = await regressWithRulesV1(corpus, out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('4 documents in 1 corpus: 1 as the manifest says, 3 not.');
    expect(run.stdout).toContain('wrong/weight.xml: verdict: Expected invalid, found valid.');
    expect(run.stdout).toContain('wrong/weight.xml: rule-missing: Expected rule XSD_MISSING_ELEMENT did not fire.');
    expect(run.stdout).toContain('wrong/fatigue-pain-sliders.xml: file-unlisted: On disk but not in the manifest.');
    expect(run.stdout).toContain('wrong/gone.xml: file-missing: In the manifest but not on disk.');
    withXml(readFileSync(path.join(out, 'regression.junit.xml'), 'utf8'), {}, (q) => {
      expect(q.all('//testcase[failure]/@name').sort()).toEqual(['fatigue-pain-sliders.xml', 'gone.xml', 'weight.xml']);
    });
  });

  it('expected metadata that the document does not give: exit 1, each field named', async () => {
    const corpus = editedCorpus('metadata', (documents) => {
      for (const d of documents) {
        if (d.file === 'weight.xml') {
          // Right: the code alone; wrong: a QRD formatCode and a second event code.
          d.metadata = {
            typeCode: '53576-5',
            formatCode: 'urn:ad:dk:medcom:qrd-v1.3:full',
            eventCodeList: ['NPU03804', 'NPU21692'],
          };
        }
        if (d.file === 'fatigue-pain-sliders.xml') {
          d.metadata = { typeCode: '74465-6^2.16.840.1.113883.6.1', title: 'Træthed og smerter', eventCodeList: [] };
        }
      }
    });
    const out = path.join(work, 'metadata-out');
    const run = await regressWithRulesV1(corpus, out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('3 documents in 1 corpus: 2 as the manifest says, 1 not.');
    expect(run.stdout).toContain(
      'metadata/weight.xml: metadata: Metadata formatCode: expected urn:ad:dk:medcom:qrd-v1.3:full, derived urn:ad:dk:medcom:phmr-v1.3:full^1.2.208.184.100.10.'
    );
    expect(run.stdout).toContain(
      'metadata/weight.xml: metadata: Metadata eventCodeList: expected [NPU03804, NPU21692], derived [NPU03804^1.2.208.176.2.1].'
    );
    const weight = readResult(out).documents.find((d) => d.file === 'weight.xml');
    expect(weight?.mismatches.map((m) => [m.kind, m.field])).toEqual([
      ['metadata', 'formatCode'],
      ['metadata', 'eventCodeList'],
    ]);
    expect(readFileSync(path.join(out, 'regression.html'), 'utf8')).toContain('Metadata formatCode: expected');
  });

  it('a malformed manifest or baseline is a tool error (exit 2) with its code', async () => {
    const corpus = path.join(work, 'malformed');
    cpSync(path.join(FIXTURES, 'corpus'), corpus, { recursive: true });
    writeFileSync(path.join(corpus, 'manifest.json'), '{"version": 1, "documents": [{"file": "../x.xml"}]}');
    const run = await runInProcess(['regress', corpus]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^kih: REGRESS_ERR_MANIFEST: .*manifest\.json: documents\[0\]: file "\.\.\/x\.xml"/);
    const base = await runInProcess([
      'regress',
      path.join(FIXTURES, 'corpus'),
      '--baseline',
      path.join(corpus, 'manifest.json'),
    ]);
    expect(base.code).toBe(2);
    expect(base.stderr).toMatch(/^kih: REGRESS_ERR_BASELINE: /);
    expect((await runInProcess(['regress'])).stderr).toMatch(/CLI_ERR_USAGE/);
  });
});

describe('a rule changed between two runs', () => {
  it('shows up exactly in the diff and leads the HTML report', async () => {
    // One rule file path, its content changed between the runs: as a MedCom rule update would be.
    const rules = path.join(work, 'rules.sch');
    copyFileSync(path.join(FIXTURES, 'rules-v1.sch'), rules);
    const corpus = path.join(FIXTURES, 'corpus');
    const first = path.join(work, 'run-1');
    const one = await runInProcess(['regress', corpus, '--schematron', rules, '-j', '1', '-o', first]);
    expect(one.code).toBe(0);
    copyFileSync(path.join(FIXTURES, 'rules-v2.sch'), rules);
    const second = path.join(work, 'run-2');
    const baseline = path.join(first, 'regression.json');
    const two = await runInProcess(['regress', corpus, '--schematron', rules, '-j', '1', '-o', second, '-b', baseline]);
    expect(two.code).toBe(1);

    const before = readResult(first);
    const after = readResult(second);
    const diff = after.changesSinceBaseline;
    const weight = after.documents.find((d) => d.file === 'weight.xml');
    const pressure = after.documents.find((d) => d.file === 'blood-pressure-pulse.xml');
    expect({ ...diff, timing: [], durationMs: null }).toEqual({
      baseline: { startedAt: before.startedAt, status: 'passed' },
      newFailures: [
        {
          key: 'corpus/blood-pressure-pulse.xml',
          corpus: 'corpus',
          file: 'blood-pressure-pulse.xml',
          mismatches: pressure?.mismatches,
        },
        { key: 'corpus/weight.xml', corpus: 'corpus', file: 'weight.xml', mismatches: weight?.mismatches },
      ],
      fixed: [],
      stillFailing: [],
      added: [],
      removed: [],
      verdictChanges: [
        { key: 'corpus/blood-pressure-pulse.xml', before: 'invalid', after: 'valid' },
        { key: 'corpus/weight.xml', before: 'valid', after: 'invalid' },
      ],
      ruleIds: [
        { key: 'corpus/blood-pressure-pulse.xml', appeared: [], vanished: ['REG-OBS-MAX'] },
        { key: 'corpus/weight.xml', appeared: ['REG-OBS-MIN'], vanished: [] },
      ],
      ruleIdsOverall: { appeared: ['REG-OBS-MIN'], vanished: ['REG-OBS-MAX'] },
      versions: [{ what: `rules ${rules}`, before: before.tool.rules[rules], after: after.tool.rules[rules] }],
      timing: [],
      durationMs: null,
      changed: true,
    });
    expect(before.tool.rules[rules]).not.toBe(after.tool.rules[rules]);
    expect(weight?.mismatches.map((m) => m.kind)).toEqual(['verdict', 'rule-unexpected']);
    expect(pressure?.mismatches.map((m) => m.kind)).toEqual(['verdict', 'rule-missing']);
    expect(two.stdout).toContain('rule ids appeared: REG-OBS-MIN');
    expect(two.stdout).toContain('rule ids vanished: REG-OBS-MAX');

    const html = readFileSync(path.join(second, 'regression.html'), 'utf8');
    withXml(html, {}, (q) => {
      expect(q.all('//section[@id="changes"]//h3')[0]).toBe('New failures (2)');
      expect(q.all('//h3[@id="new-failures"]/following-sibling::table[1]//code')).toEqual([
        'corpus/blood-pressure-pulse.xml',
        'corpus/weight.xml',
      ]);
      expect(q.all('//section[@id="changes"]//code[@class="appeared"]')).toContain('REG-OBS-MIN');
      expect(q.all('//section[@id="changes"]//code[@class="vanished"]')).toContain('REG-OBS-MAX');
    });
    expect(html.indexOf('id="changes"')).toBeLessThan(html.indexOf('id="documents"'));
  });

  it('--help', async () => {
    const run = await runInProcess(['regress', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: kih regress/);
    expect((await runInProcess(['help'])).stdout).toContain('regress <corpus>...');
  });
});
