// The shared XML layer: one canonical path format for every tree, and the guard refusing a DOCTYPE at every parser entry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { XmlDocument } from 'libxml2-wasm';
import type { XmlElement } from 'libxml2-wasm';
import { checkIdCard } from '../../src/security/id-card-file.js';
import { loadSchematron } from '../../src/schematron/sch-source.js';
import { runRules } from '../../src/schematron/index.js';
import type { CompiledRules } from '../../src/schematron/index.js';
import { locationPath } from '../../src/schematron/xpath/node-location.js';
import { buildTree, Kind } from '../../src/schematron/xpath/xml-tree.js';
import type { XNode } from '../../src/schematron/xpath/xml-tree.js';
import { readIti41Request } from '../../src/simulator/iti41-reader.js';
import { parseSubmission } from '../../src/xds/ebrim-parse.js';
import { parseSubmissionResponse } from '../../src/xds/response/parse-response.js';
import { findDoctype, XmlRefused } from '../../src/xml/guard.js';
import { checkInputBytes } from '../../src/xml/input-checks.js';
import { parseLibxml } from '../../src/xml/libxml.js';
import { elementChildren } from '../../src/xml/libxml-tree.js';
import { canonicalPath } from '../../src/xml/node-path.js';
import { formatPath } from '../../src/xml/path-format.js';
import { parseXml } from '../../src/xml/xml-parser.js';
import { parseXmlText } from '../../src/xml/xmldom.js';
import { loadSchema, validateXsd } from '../../src/validation/xsd-schema.js';
import { compileFixture } from '../schematron/helpers.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('formatPath', () => {
  it('writes every kind of step in the canonical format', () => {
    const root = { kind: 'element', ns: 'urn:hl7-org:v3', local: 'ClinicalDocument', position: 1 } as const;
    expect(formatPath([])).toBe('/');
    expect(
      formatPath([
        root,
        { kind: 'element', ns: 'urn:hl7-org:sdtc', local: 'raceCode', position: 2 },
        { kind: 'attribute', ns: 'http://www.w3.org/2001/XMLSchema-instance', local: 'type' },
      ])
    ).toBe('/cda:ClinicalDocument[1]/sdtc:raceCode[2]/@xsi:type');
    expect(formatPath([root, { kind: 'attribute', ns: 'http://www.w3.org/XML/1998/namespace', local: 'lang' }])).toBe(
      '/cda:ClinicalDocument[1]/@xml:lang'
    );
    expect(
      formatPath([
        { kind: 'element', ns: 'urn:x', local: 'a', position: 1 },
        { kind: 'element', ns: '', local: 'b', position: 3 },
        { kind: 'attribute', ns: 'urn:x', local: 'c' },
      ])
    ).toBe("/*[local-name()='a' and namespace-uri()='urn:x'][1]/b[3]/@*[local-name()='c' and namespace-uri()='urn:x']");
    expect(formatPath([root, { kind: 'text', position: 2 }])).toBe('/cda:ClinicalDocument[1]/text()[2]');
    expect(formatPath([root, { kind: 'comment', position: 1 }])).toBe('/cda:ClinicalDocument[1]/comment()[1]');
    expect(formatPath([root, { kind: 'node', position: 4 }])).toBe('/cda:ClinicalDocument[1]/node()[4]');
  });

  it('takes another prefix map (the XDS paths)', () => {
    const rim = (uri: string): string | undefined => (uri === 'urn:rim' ? 'rim' : undefined);
    expect(formatPath([{ kind: 'element', ns: 'urn:rim', local: 'Slot', position: 2 }], rim)).toBe('/rim:Slot[2]');
  });
});

describe('one path format for the libxml2 tree and the Schematron engine tree', () => {
  const text =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:sdtc="urn:hl7-org:sdtc"\n' +
    '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:e="urn:example:ext" xml:lang="da">\n' +
    '  <component>\n' +
    '    <value xsi:type="PQ" value="1"/>\n' +
    '    <!-- c -->\n' +
    '    <sdtc:raceCode code="a"/><sdtc:raceCode code="b"/>\n' +
    '    <value value="2" unit="kg"/>\n' +
    '    <e:thing e:size="3"/>\n' +
    '    <e:thing/>\n' +
    '    <plain xmlns=""><plain/></plain>\n' +
    '  </component>\n' +
    '</ClinicalDocument>\n';

  function libxmlPaths(el: XmlElement): string[] {
    return [
      canonicalPath(el),
      ...el.attrs.map((a) => canonicalPath(a)),
      ...elementChildren(el).flatMap((c) => libxmlPaths(c)),
    ];
  }

  function treePaths(el: XNode): string[] {
    return [
      locationPath(el),
      ...el.attrs.map((a) => locationPath(a)),
      ...el.children.filter((c) => c.kind === Kind.Element).flatMap((c) => treePaths(c)),
    ];
  }

  it('gives every element and attribute the same path in both', () => {
    const doc = XmlDocument.fromString(text);
    try {
      const tree = buildTree(text);
      const root = tree.children.find((c) => c.kind === Kind.Element);
      expect(root).toBeDefined();
      const fromLibxml = libxmlPaths(doc.root);
      expect(treePaths(root as XNode)).toEqual(fromLibxml);
      // Spot checks that the shared format is the one expected.
      expect(fromLibxml).toContain('/cda:ClinicalDocument[1]/@xml:lang');
      expect(fromLibxml).toContain('/cda:ClinicalDocument[1]/cda:component[1]/cda:value[1]/@xsi:type');
      expect(fromLibxml).toContain('/cda:ClinicalDocument[1]/cda:component[1]/sdtc:raceCode[2]');
      expect(fromLibxml).toContain('/cda:ClinicalDocument[1]/cda:component[1]/plain[1]/plain[1]');
    } finally {
      doc.dispose();
    }
  });
});

describe('XSD findings on an attribute', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kih-xml-xsd-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('point at a namespaced attribute in the same format as canonicalPath', async () => {
    const xsd = path.join(dir, 'q.xsd');
    await writeFile(
      xsd,
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:hl7-org:v3"' +
        ' elementFormDefault="qualified" attributeFormDefault="qualified">' +
        '<xs:element name="ClinicalDocument"><xs:complexType><xs:attribute name="n" type="xs:integer"/>' +
        '</xs:complexType></xs:element></xs:schema>'
    );
    const doc = XmlDocument.fromString('<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:c="urn:hl7-org:v3" c:n="x"/>');
    try {
      const issues = validateXsd(loadSchema(xsd), doc);
      const attr = doc.root.attrs[0];
      expect(attr && canonicalPath(attr)).toBe('/cda:ClinicalDocument[1]/@cda:n');
      expect(issues.map((i) => i.xpath)).toEqual(['/cda:ClinicalDocument[1]/@cda:n']);
    } finally {
      doc.dispose();
    }
  });
});

describe('the guard', () => {
  it('finds a DOCTYPE only in the prolog, in text and in bytes', () => {
    const prolog = '\uFEFF<?xml version="1.0"?>\n<!-- <x> -->\n<?pi x?>\n<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>';
    expect(findDoctype(prolog)).toEqual({ offset: 45, line: 4 });
    expect(findDoctype(enc(prolog))?.line).toBe(4);
    expect(findDoctype('<a><![CDATA[<!DOCTYPE x>]]><!-- <!DOCTYPE y> --></a>')).toBeUndefined();
    expect(findDoctype(enc('<a><!-- <!DOCTYPE y> --></a>'))).toBeUndefined();
    // UTF-16 (libxml2 reads it) is decoded before the scan, not matched as ASCII bytes.
    const utf16 = Buffer.from('\uFEFF<!DOCTYPE a><a/>', 'utf16le');
    expect(findDoctype(utf16)?.line).toBe(1);
  });

  describe('refuses a DOCTYPE at every parser entry, each under its own code', () => {
    const DOCTYPE = '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n';
    const doc = (root: string): string => `${DOCTYPE}${root}`;
    let dir: string;
    let rules: CompiledRules;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'kih-xml-guard-'));
      rules = await compileFixture('paths.sch');
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (err) {
        return err;
      }
      throw new Error('nothing was thrown');
    };

    const cases: [string, () => unknown, unknown][] = [
      [
        'libxml2 (parseLibxml)',
        () => thrown(() => parseLibxml(doc('<a>&e;</a>'))),
        expect.objectContaining({ name: 'XmlRefused', at: { offset: 22, line: 2 } }),
      ],
      [
        'CDA raw-byte checks (checkInputBytes)',
        () => checkInputBytes(enc(doc('<ClinicalDocument/>'))),
        { ok: false, issues: [expect.objectContaining({ ruleId: 'CDA_ERR_DOCTYPE', line: 2 })] },
      ],
      [
        'CDA parse (parseXml)',
        () => parseXml(enc(doc('<ClinicalDocument/>')), 'd.xml'),
        { ok: false, issues: [expect.objectContaining({ ruleId: 'CDA_ERR_DOCTYPE', line: 2 })] },
      ],
      [
        'xmldom (parseXmlText)',
        () => thrown(() => parseXmlText(doc('<a>&e;</a>'))),
        expect.objectContaining({ name: 'XmlRejected', message: expect.stringMatching(/DOCTYPE/) }),
      ],
      [
        'ID card file (checkIdCard)',
        () =>
          thrown(() => checkIdCard(doc('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>'), 'c')),
        expect.objectContaining({ code: 'XDS_ERR_ID_CARD', message: expect.stringMatching(/DOCTYPE/) }),
      ],
      [
        'ITI-41 request (parseSubmission)',
        () => parseSubmission(doc('<a/>')).issues,
        [expect.objectContaining({ ruleId: 'XDS_ERR_REQUEST_XML', message: expect.stringMatching(/DOCTYPE/) })],
      ],
      [
        'ITI-41 answer (parseSubmissionResponse)',
        () =>
          parseSubmissionResponse({ status: 200, headers: { 'content-type': 'text/xml' }, body: enc(doc('<a/>')) })
            .errors,
        [
          expect.objectContaining({
            errorCode: 'KIH_ERR_UNEXPECTED_RESPONSE',
            codeContext: expect.stringMatching(/DOCTYPE/),
          }),
        ],
      ],
      [
        'simulator request (readIti41Request)',
        () => readIti41Request(enc(doc('<a/>')), 'text/xml', 1_000_000),
        expect.objectContaining({
          ok: false,
          kind: 'fault',
          fault: expect.objectContaining({ reason: expect.stringMatching(/DOCTYPE/) }),
        }),
      ],
      [
        'Schematron document text (runRules: SaxonJS and the project engine)',
        () => thrown(() => runRules(rules, doc('<a/>'))),
        expect.objectContaining({ code: 'SCH_ERR_RUNTIME', message: expect.stringMatching(/DOCTYPE/) }),
      ],
    ];

    it.each(cases)('%s', (_name, attempt, refusal) => {
      expect(attempt()).toEqual(refusal);
    });

    it('Schematron rule file (loadSchematron)', async () => {
      const file = path.join(dir, 'doctype.sch');
      await writeFile(file, doc('<schema xmlns="http://purl.oclc.org/dsdl/schematron">&e;</schema>'));
      expect(thrown(() => loadSchematron(file))).toEqual(
        expect.objectContaining({ code: 'SCH_ERR_PARSE', message: expect.stringMatching(/DOCTYPE declarations/) })
      );
    });

    it('the refusal is the guard’s own error type before it is mapped', () => {
      expect(thrown(() => parseLibxml(enc(doc('<a/>'))))).toBeInstanceOf(XmlRefused);
    });
  });
});
