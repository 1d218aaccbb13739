import { describe, expect, it } from '@jest/globals';
import { parseXml } from '../../src/xml/xml-parser.js';
import { canonicalPath, resolveLibxmlPath } from '../../src/xml/node-path.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseXml', () => {
  it('reports malformed XML with line and column', () => {
    const r = parseXml(bytes('<a>\n  <b></c>\n</a>'), 'm.xml');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ ruleId: 'CDA_ERR_MALFORMED', stage: 'xml', line: 2 });
      expect(r.issues[0]?.column).toBeGreaterThan(0);
    }
  });
  it('refuses XInclude elements', () => {
    const r = parseXml(
      bytes('<a xmlns:xi="http://www.w3.org/2001/XInclude">\n<xi:include href="/etc/passwd" parse="text"/></a>'),
      'x.xml'
    );
    expect(!r.ok && r.issues[0]).toMatchObject({ ruleId: 'CDA_ERR_XINCLUDE', line: 2 });
  });
  it('reports an undeclared entity as malformed rather than resolving anything', () => {
    const r = parseXml(bytes('<a>&secret;</a>'), 'e.xml');
    expect(!r.ok && r.issues[0]?.ruleId).toBe('CDA_ERR_MALFORMED');
  });
});

describe('canonical paths', () => {
  const xml =
    '<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:s="urn:hl7-org:sdtc">' +
    '<templateId root="1"/><templateId root="2"/><component><s:raceCode code="x"/><s:raceCode code="y"/></component>' +
    '</ClinicalDocument>';
  it('prefixes and indexes each step and round-trips libxml2 paths', () => {
    const r = parseXml(bytes(xml), 'p.xml');
    if (!r.ok) {
      throw new Error('parse');
    }
    try {
      // libxml2 writes elements of the default namespace as *[n] (position among all element siblings).
      const race = resolveLibxmlPath(r.doc, '/*/*[3]/s:raceCode[2]');
      expect(race && canonicalPath(race)).toBe('/cda:ClinicalDocument[1]/cda:component[1]/sdtc:raceCode[2]');
      const second = resolveLibxmlPath(r.doc, '/*/*[2]');
      expect(second && canonicalPath(second)).toBe('/cda:ClinicalDocument[1]/cda:templateId[2]');
      const attr = resolveLibxmlPath(r.doc, '/*/*[2]/@root');
      expect(attr && canonicalPath(attr)).toBe('/cda:ClinicalDocument[1]/cda:templateId[2]/@root');
      expect(resolveLibxmlPath(r.doc, '/*/*[9]')).toBeNull();
    } finally {
      r.doc.dispose();
    }
  });
});

describe('parseXml with the decoded text', () => {
  it('still finds XInclude hidden behind character references in the namespace', () => {
    const xml = '<a xmlns:i="http://www.w3.org/2001/X&#73;nclude"><i:include href="x"/></a>';
    const r = parseXml(bytes(xml), 'x.xml', xml);
    expect(!r.ok && r.issues[0]?.ruleId).toBe('CDA_ERR_XINCLUDE');
  });
  it('finds XInclude declared literally on a descendant', () => {
    const xml = '<a><b xmlns="http://www.w3.org/2003/XInclude"><include href="x"/></b></a>';
    const r = parseXml(bytes(xml), 'x.xml', xml);
    expect(!r.ok && r.issues[0]?.ruleId).toBe('CDA_ERR_XINCLUDE');
  });
  it('parses ordinary documents', () => {
    const xml = '<a xmlns="urn:hl7-org:v3"><b/></a>';
    const r = parseXml(bytes(xml), 'x.xml', xml);
    expect(r.ok).toBe(true);
    if (r.ok) {
      r.doc.dispose();
    }
  });
});
