// The project's CDA schema agrees with HL7's official SDTC schema on accept/reject, over the samples, the public examples and their mutations.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { diffSchemas } from '../../scripts/xsd-diff.js';
import { xsdMutations } from '../../scripts/xsd-mutations.js';
import { DEFAULT_SCHEMAS_DIR, PACKAGE_ROOT } from '../../src/core/package-info.js';
import { describeWithReference } from '../helpers/reference.js';

const SHARED = path.resolve(PACKAGE_ROOT, '..', 'shared', 'reference');
const REFERENCE = path.join(SHARED, 'hl7-cda-r2', 'extensions', 'SDTC');
// The official schemas are reference material beside the checkout (CI has them); they are never copied in.
const describeWithReferenceSchemas = describeWithReference('xsd-diff.test', existsSync(REFERENCE) ? [] : [REFERENCE]);

describeWithReferenceSchemas('xsd-diff against the official HL7 SDTC schema', () => {
  it('finds no accept/reject disagreement over samples, public examples and mutations', async () => {
    const corpus = [
      path.join(PACKAGE_ROOT, 'samples'),
      path.join(SHARED, 'samples'),
      path.join(SHARED, 'hl7-cda-r2', 'examples'),
    ];
    const result = await diffSchemas(corpus, DEFAULT_SCHEMAS_DIR, REFERENCE);
    expect(result.disagreements).toEqual([]);
    expect(result.documents).toBeGreaterThanOrEqual(29);
    expect(result.mutations).toBeGreaterThan(1000);
  });

  it('reports disagreements when there are some: the normative schema (no SDTC) rejects the sdtc: samples', async () => {
    const normative = path.join(SHARED, 'hl7-cda-r2', 'normative');
    const result = await diffSchemas(
      [path.join(PACKAGE_ROOT, 'samples', 'dk-qfdd-1.2', 'valid')],
      DEFAULT_SCHEMAS_DIR,
      normative,
      false
    );
    expect(result.disagreements.length).toBeGreaterThan(0);
    expect(result.disagreements[0]!.ours).toEqual([]);
    expect(result.disagreements[0]!.reference.join(' ')).toContain('sdtc:');
  });
});

describe('xsdMutations', () => {
  it('produces many distinct mutations of a CDA document', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(path.join(PACKAGE_ROOT, 'samples', 'dk-phmr-1.3', 'valid', 'weight.xml'), 'utf8');
    const mutations = xsdMutations(text);
    expect(mutations.length).toBeGreaterThanOrEqual(20);
    expect(new Set(mutations.map((m) => m.name)).size).toBe(mutations.length);
    expect(mutations.every((m) => m.xml !== text)).toBe(true);
  });
});
