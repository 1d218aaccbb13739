// MedCom's test bed (the public ITB DK extension) publishes a verdict for each of its example documents; `kih validate` gives every example in the project's scope that verdict, for reasons the project's own rules name.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { DocumentReport, ProfileId } from '../../src/core/report.js';
import { runInProcess, SAMPLES } from '../helpers/cli.js';
import { describeWithReference } from '../helpers/reference.js';

/**
 * The reference material lives beside the checkout and is read in place, never copied into the
 * repository. Where it is absent (a plain clone, CI) the cases are skipped under a test name that
 * says so; KIH_REQUIRE_REFERENCE=1 turns the absence into a failure instead.
 */
const ITB = process.env.KIH_ITB_SAMPLES ?? path.resolve(PACKAGE_ROOT, '..', 'shared', 'reference', 'samples', 'itb');
const CASES_FILE = path.join(ITB, 'validation-cases.json');
const HAVE_REFERENCE = existsSync(CASES_FILE);

interface ValidationCase {
  readonly file: string;
  readonly validationType: string;
  readonly expected: { readonly result: 'SUCCESS' | 'FAILURE'; readonly errors: number; readonly warnings: number };
  readonly conformanceAssertions?: readonly string[];
}

/** The test bed's validation types this project validates, and the profile each one is. */
const IN_SCOPE: Readonly<Record<string, ProfileId>> = {
  'phmr.v1.3': 'dk-phmr-1.3',
  'phmr.v2.1.0': 'dk-phmr-2.1',
  'qrd.v1.3.2': 'dk-qrd-1.3',
  'qfdd.v1.2': 'dk-qfdd-1.2',
};

/** Other MedCom standards the test bed covers (appointments, care plans, …): no profile of this project, so out of scope. */
const OUT_OF_SCOPE = [
  'apd.v2.0.1',
  'cpd.v2.0.0',
  'pdc.v2.0',
  'pdc.v3.0.0',
  'phad.v1.0.1',
  'pmr.v2.0.0',
  'prf.v3.0.0',
  'pscr.v2.0.0',
];

/** How many reference documents of each in-scope type are present beside the checkout. */
const PRESENT_PER_TYPE = { 'phmr.v1.3': 1, 'phmr.v2.1.0': 13, 'qrd.v1.3.2': 15, 'qfdd.v1.2': 9 };

const QFDD_COPYRIGHT = ['DK-QFDD-12-012', 'DK-QFDD-12-013']; // COPY-C67 (entry not DRIV), SHARED-C145 (COPY's code system)
const QFDD_STATUS = 'DK-QFDD-12-053'; // C76: Question Organizer statusCode not completed
/** Findings every pre-1.3.2 QRD example shares: no qrd-v1.3 marker (DK11, profile version), no representedOrganization, SELF written "Self" (DK37), section code (C121), copyright (COPY-C67, SHARED-C145), response statusCode (C168/C189/C214), reference code system. */
const QRD_OLD = [
  'DK-QRD-13-016',
  'DK-QRD-13-035',
  'DK-QRD-13-042',
  'DK-QRD-13-058',
  'DK-QRD-13-065',
  'DK-QRD-13-066',
  'DK-QRD-13-078',
  'DK-QRD-13-085',
];
/** Findings the sender-test-protocol examples share: organisation telecom/addr (DK43, DK44), author role (C34/DK37), section code, copyright, statusCode, reference code system, options code (SHARED-C125). */
const QRD_PROTOCOL = [
  'DK-QRD-13-037',
  'DK-QRD-13-038',
  'DK-QRD-13-039',
  'DK-QRD-13-058',
  'DK-QRD-13-065',
  'DK-QRD-13-066',
  'DK-QRD-13-078',
  'DK-QRD-13-085',
  'DK-QRD-13-100',
];

/**
 * File → the error rule ids among which the project must reject it: the project's counterparts of
 * the defects the test bed names (its assertion ids in the comments). Examples the test bed passes
 * have none.
 */
const REASONS: Readonly<Record<string, readonly string[]>> = {
  'phmr_v1_3_weight.xml': ['DK-PHMR-13-029'], // SERVICE-MPROT: version marker without classCode MPROT
  'PHMR-example-02.xml': ['DK-PHMR-21-008'], // TITLE
  'PHMR-example-04.xml': ['DK-PHMR-21-034'], // three sections
  'qfdd_example.xml': [...QFDD_COPYRIGHT, QFDD_STATUS],
  'qfdd_text.xml': ['DK-QFDD-12-013', QFDD_STATUS],
  'qfdd_numeric_graphics.xml': [...QFDD_COPYRIGHT, QFDD_STATUS],
  'qfdd_numeric.xml': ['DK-QFDD-12-010', ...QFDD_COPYRIGHT, QFDD_STATUS], // + C59: question entry not DRIV
  'qfdd_associated_text.xml': ['DK-QFDD-12-013', QFDD_STATUS],
  'qfdd_discrete_slider.xml': ['DK-QFDD-12-013', QFDD_STATUS],
  'qfdd_multiple_choice_grouped.xml': ['DK-QFDD-12-013', 'DK-QFDD-12-016', QFDD_STATUS], // + C73: organizer without id
  'qfdd_analog_slider_feedback.xml': ['DK-QFDD-12-010', ...QFDD_COPYRIGHT, QFDD_STATUS],
  'qfdd_analog_slider.xml': ['DK-QFDD-12-010', ...QFDD_COPYRIGHT, QFDD_STATUS],
  'qrd_numeric.xml': [...QRD_OLD, 'DK-QRD-13-061'], // + C126: response entry not DRIV
  'qrd_numeric_graphics.xml': [...QRD_OLD, 'DK-QRD-13-061', 'DK-QRD-13-106', 'XSD_UNEXPECTED_ELEMENT'], // + REL-MEDIA-TEMPLATE-4, schema order
  'qrd_multiple_choice.xml': QRD_OLD,
  'qrd_multiple_choice_grouped.xml': [
    ...QRD_OLD.filter((id) => id !== 'DK-QRD-13-065'),
    'DK-QRD-13-063', // INFO-NO-ENTRY
    'DK-QRD-13-069', // C132: organizer without id
    'DK-QRD-13-070', // C135: organizer statusCode
    'DK-QRD-13-074', // C180: moodCode
    'DK-QRD-13-094', // C236: discrete slider without 33.4.5
  ],
  'qrd_text.xml': [...QRD_OLD, 'DK-QRD-13-061'],
  'qrd_associated_text_1.xml': QRD_OLD,
  'qrd_associated_text_2.xml': QRD_OLD,
  'qrd_analog_slider.xml': [...QRD_OLD, 'DK-QRD-13-061', 'XSD_UNEXPECTED_ELEMENT'],
  'qrd_analog_slider_feedback.xml': [...QRD_OLD, 'DK-QRD-13-061', 'XSD_UNEXPECTED_ELEMENT'],
  'qrd_discrete_slider.xml': QRD_OLD,
  'qrd_m_3.19.xml': ['CDA_ERR_UNKNOWN_PROFILE'], // declares qrd-v9.9: the profile-version check
  'qrd_m_3.1_a.xml': [...QRD_PROTOCOL, 'DK-QRD-13-021', 'DK-QRD-13-032', 'DK-QRD-13-061', 'DK-QRD-13-086'], // + C22, C37, C126, C171
  'qrd_m_3.22_a.xml': [...QRD_PROTOCOL, 'DK-QRD-13-063', 'DK-QRD-13-070', 'DK-QRD-13-079'], // + INFO-NO-ENTRY, C135, DK25-27
  'qrd_m_3.9_a.xml': [
    ...QRD_PROTOCOL,
    'DK-QRD-13-021',
    'DK-QRD-13-032',
    'DK-QRD-13-063',
    'DK-QRD-13-070',
    'DK-QRD-13-079',
  ],
  'qrd_m_3.9_b.xml': [
    ...QRD_PROTOCOL,
    'DK-QRD-13-021',
    'DK-QRD-13-032',
    'DK-QRD-13-063',
    'DK-QRD-13-070',
    'DK-QRD-13-079',
  ],
};

/** Examples the project stops before a profile's rules, on purpose. */
const NO_PROFILE = new Set(['qrd_m_3.19.xml']);

const cases: ValidationCase[] = HAVE_REFERENCE
  ? (JSON.parse(readFileSync(CASES_FILE, 'utf8')) as ValidationCase[])
  : [];
const present = cases.filter((c) => existsSync(path.join(ITB, path.basename(c.file))));

const errorIds = (report: DocumentReport): string[] =>
  [...new Set(report.issues.filter((i) => i.severity === 'error').map((i) => i.ruleId))].sort();

describeWithReference('itb-validation-cases.test', HAVE_REFERENCE ? [] : [CASES_FILE])(
  'MedCom/ITB published validation cases',
  () => {
    let reports: Map<string, DocumentReport>;

    beforeAll(async () => {
      const files = present.map((c) => path.join(ITB, path.basename(c.file)));
      const run = await runInProcess(['validate', ...files, '--format', 'json', '--jobs', '1', '--no-progress']);
      expect(run.stderr).toBe('');
      const parsed = JSON.parse(run.stdout) as { documents: DocumentReport[] };
      reports = new Map(parsed.documents.map((d) => [path.basename(d.file), d]));
    });

    it('are the expected set: every in-scope case present, every absent one out of scope', () => {
      const absentTypes = [...new Set(cases.filter((c) => !present.includes(c)).map((c) => c.validationType))].sort();
      expect(absentTypes).toEqual(OUT_OF_SCOPE);
      const perType: Record<string, number> = {};
      for (const c of present) {
        perType[c.validationType] = (perType[c.validationType] ?? 0) + 1;
      }
      expect(perType).toEqual(PRESENT_PER_TYPE);
      expect(Object.keys(REASONS).sort()).toEqual(
        present
          .filter((c) => c.expected.result === 'FAILURE')
          .map((c) => path.basename(c.file))
          .sort()
      );
    });

    it.each(present.map((c) => [path.basename(c.file), c] as const))('%s gets the published verdict', (file, c) => {
      const report = reports.get(file);
      expect(report).toBeDefined();
      expect([file, report!.profile]).toEqual([file, NO_PROFILE.has(file) ? null : IN_SCOPE[c.validationType]]);
      expect([file, report!.valid ? 'SUCCESS' : 'FAILURE']).toEqual([file, c.expected.result]);
      const missing = (REASONS[file] ?? []).filter((id) => !errorIds(report!).includes(id));
      expect([file, missing]).toEqual([file, []]);
    });
  }
);

describe('a deployment that settles the telecom conflict the other way', () => {
  it('turns the missing patient telecom (an error, as in MedCom’s test bed) into a warning with --severity', async () => {
    const text = readFileSync(path.join(SAMPLES, 'dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml'), 'utf8');
    const broken = text.replace('<telecom value="tel:+4540918273" use="H"/>', '');
    expect(broken).not.toBe(text);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kih-telecom-')), 'qrd.xml');
    writeFileSync(file, broken);
    const run = async (...options: string[]): Promise<DocumentReport> => {
      const out = await runInProcess(['validate', file, '--format', 'json', '--no-progress', ...options]);
      expect(out.stderr).toBe('');
      return (JSON.parse(out.stdout) as { documents: DocumentReport[] }).documents[0]!;
    };
    const strict = await run();
    expect([strict.valid, errorIds(strict)]).toEqual([false, ['DK-QRD-13-021']]);
    const relaxed = await run('--severity', 'DK-QRD-13-021=warning');
    expect(relaxed.valid).toBe(true);
    expect(relaxed.issues.filter((i) => i.severity !== 'info').map((i) => [i.ruleId, i.severity])).toEqual([
      ['DK-QRD-13-021', 'warning'],
    ]);
  });
});
