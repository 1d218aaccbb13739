// Generated ITI-41 requests are valid against the official XDS.b/ebRIM, SOAP, WS-Addressing and DGWS schemas, and the check can fail.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildRequestFor,
  checkReconstituted,
  CONTROLS,
  loadOfficialSchemas,
  missingReferenceFiles,
  reconstituteRequest,
  runControl,
  validSamples,
  VARIANTS,
} from '../../scripts/xds-schema-check.js';
import type { Control, OfficialSchemas, ReconstitutedRequest, Variant } from '../../scripts/xds-schema-check.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { describeWithReference } from '../helpers/reference.js';

// The official schemas are reference material beside the checkout, never copied into it; a clean clone may lack them.
const missing = missingReferenceFiles();

const SAMPLES = validSamples();
const CASES = SAMPLES.flatMap((file) =>
  VARIANTS.map(
    (variant) => [path.relative(path.join(PACKAGE_ROOT, 'samples'), file), variant.name, file, variant] as const
  )
);

function reconstituted(file: string, variant: Variant): ReconstitutedRequest {
  const built = buildRequestFor(readFileSync(file), file, variant);
  expect(built.issues.filter((i) => i.severity === 'error')).toEqual([]);
  if (!built.request) {
    throw new Error(`no request for ${file}`);
  }
  return reconstituteRequest(built.request);
}

function control(name: string): Control {
  const found = CONTROLS.find((c) => c.name === name);
  if (!found) {
    throw new Error(`no control ${name}`);
  }
  return found;
}

describeWithReference('official-schemas.test', missing)('ITI-41 requests against the official schemas', () => {
  let schemas: OfficialSchemas;

  beforeAll(() => {
    schemas = loadOfficialSchemas();
  });

  it('covers every valid sample in both wire forms', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(11);
    expect(VARIANTS.map((v) => [v.target.soapVersion, v.target.dgws])).toEqual([
      ['1.1', true],
      ['1.2', false],
    ]);
  });

  it.each(CASES)('%s [%s]: the request element and the whole envelope validate', (_name, _variant, file, variant) => {
    const request = reconstituted(file, variant);
    // The XOP include was replaced by the document itself, in base64.
    expect(request.envelope).not.toContain('xop:Include');
    expect(request.provideAndRegister).toContain(readFileSync(file).toString('base64'));
    const result = checkReconstituted(request, variant.target.soapVersion, schemas);
    expect(result.xds).toEqual([]);
    expect(result.envelope).toEqual([]);
  });

  describe.each(VARIANTS.map((v) => [v.name, v] as const))('controls [%s]', (_name, variant) => {
    let good: ReconstitutedRequest;

    beforeAll(() => {
      const [first] = SAMPLES;
      good = reconstituted(first!, variant);
    });

    function rejection(name: string): string {
      const outcome = runControl(control(name), good, variant.target.soapVersion, schemas);
      expect(outcome.applied).toBe(true);
      const errors = outcome.findings.filter((f) => f.level === 'error');
      expect(errors.length).toBeGreaterThan(0);
      return errors.map((f) => `${f.message} @ ${f.path ?? ''}`).join('\n');
    }

    it('rejects an ExtrinsicObject without its required id', () => {
      expect(rejection('ExtrinsicObject without id')).toContain("ExtrinsicObject': The attribute 'id' is required");
    });

    it('rejects a rim:Slot after rim:Name', () => {
      const errors = rejection('rim:Slot after rim:Name');
      expect(errors).toContain("Slot': This element is not expected");
      expect(errors).toContain('rim:ExtrinsicObject/rim:Slot');
    });

    it('rejects the same defect through the envelope (the Body wildcard validates the request element)', () => {
      expect(rejection('rim:Slot after rim:Name, inside the envelope')).toContain(
        "Slot': This element is not expected"
      );
    });

    it('rejects an xop:Include left in xds:Document (the schema describes the reconstituted message)', () => {
      expect(rejection('xop:Include left in xds:Document')).toContain("Document': Element content is not allowed");
    });

    it('validates WS-Addressing headers: a bare-URL ReplyTo and a non-boolean mustUnderstand are rejected', () => {
      expect(rejection('wsa:ReplyTo with a bare URL')).toContain('ReplyTo');
      expect(rejection('soap:mustUnderstand="yes" on wsa:Action')).toContain('mustUnderstand');
    });

    if (variant.target.dgws) {
      it('validates DGWS headers: medcom:Header without Linking is rejected', () => {
        const errors = rejection('medcom:Header without Linking');
        expect(errors).toContain('{http://www.medcom.dk/dgws/2006/04/dgws-1.0.xsd}Linking');
        expect(errors).toContain('medcom:Header');
      });

      it('validates DGWS headers: wsse:Security without wsu:Timestamp is rejected', () => {
        expect(rejection('wsse:Security without wsu:Timestamp')).toContain('Timestamp');
      });
    }
  });

  it('rejects a SOAP 1.1 envelope with the SOAP 1.2 schema', () => {
    const [first] = SAMPLES;
    const request = reconstituted(first!, VARIANTS[0]!);
    const result = checkReconstituted(request, '1.2', schemas);
    expect(result.xds).toEqual([]);
    expect(result.envelope.filter((f) => f.level === 'error').length).toBeGreaterThan(0);
  });
});
