import { afterEach, describe, expect, it } from '@jest/globals';
import type { XmlDocument } from 'libxml2-wasm';
import { detectProfile } from '../../src/cda/profile-detection.js';
import { parseXml } from '../../src/xml/xml-parser.js';

const open: XmlDocument[] = [];
afterEach(() => {
  for (const d of open.splice(0)) {
    d.dispose();
  }
});

function parse(xml: string): XmlDocument {
  const r = parseXml(new TextEncoder().encode(xml), 'test.xml');
  if (!r.ok) {
    throw new Error(JSON.stringify(r.issues));
  }
  open.push(r.doc);
  return r.doc;
}

const marker = (ext: string): string =>
  `<documentationOf><serviceEvent><templateId root="1.2.208.184.10.1.10"/><id root="1.2.208.184.100.10" extension="${ext}" assigningAuthorityName="MedCom"/></serviceEvent></documentationOf>`;

function cda(templates: string[], extra = ''): string {
  return `<ClinicalDocument xmlns="urn:hl7-org:v3">${templates.map((t) => `<templateId root="${t}"/>`).join('')}${extra}</ClinicalDocument>`;
}

describe('detectProfile', () => {
  it.each([
    ['PHMR without marker is 1.3', cda(['2.16.840.1.113883.10.20.9', '1.2.208.184.11.1']), 'dk-phmr-1.3'],
    ['PHMR with phmr-v1.3 is 1.3', cda(['1.2.208.184.11.1'], marker('phmr-v1.3')), 'dk-phmr-1.3'],
    ['PHMR with phmr-v2.1 is 2.1', cda(['1.2.208.184.11.1'], marker('phmr-v2.1')), 'dk-phmr-2.1'],
    ['QRD with qrd-v1.3 is 1.3', cda(['1.2.208.184.13.1', '1.2.208.184.13.1.1.1'], marker('qrd-v1.3')), 'dk-qrd-1.3'],
    ['QRD header template alone, no marker, is 1.3', cda(['1.2.208.184.13.1.1.1']), 'dk-qrd-1.3'],
    ['QFDD is 1.2', cda(['1.2.208.184.12.1', '1.2.208.184.12.1.1.1']), 'dk-qfdd-1.2'],
  ])('%s', (_name, xml, profile) => {
    const d = detectProfile(parse(xml));
    expect(d.profile).toBe(profile);
    expect(d.issues).toEqual([]);
  });

  it('ignores a marker on a serviceEvent without the marker template', () => {
    const wrong = `<documentationOf><serviceEvent><id root="1.2.208.184.100.10" extension="phmr-v2.1"/></serviceEvent></documentationOf>`;
    expect(detectProfile(parse(cda(['1.2.208.184.11.1'], wrong))).profile).toBe('dk-phmr-1.3');
  });

  it('reports an unsupported version marker', () => {
    const d = detectProfile(parse(cda(['1.2.208.184.13.1'], marker('qrd-v1.2'))));
    expect(d.profile).toBeNull();
    expect(d.issues[0]?.ruleId).toBe('CDA_ERR_UNKNOWN_PROFILE');
    expect(d.issues[0]?.message).toContain('qrd-v1.2');
  });

  it('reports a CDA document without DK templates as unknown, listing what it found', () => {
    const d = detectProfile(parse(cda(['2.16.840.1.113883.10.20.9'])));
    expect(d.issues[0]?.ruleId).toBe('CDA_ERR_UNKNOWN_PROFILE');
    expect(d.issues[0]?.message).toContain('2.16.840.1.113883.10.20.9');
  });

  it('reports a root that is not a CDA ClinicalDocument', () => {
    expect(detectProfile(parse('<ClinicalDocument/>')).issues[0]?.ruleId).toBe('CDA_ERR_NOT_CDA');
    expect(detectProfile(parse('<x:Invoice xmlns:x="urn:x"/>')).issues[0]?.message).toContain('{urn:x}Invoice');
  });
});
