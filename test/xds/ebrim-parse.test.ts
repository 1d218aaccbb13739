// Parsing ITI-41 requests into the ebRIM model: structure, locations, wrappers, and refusal of bad input.
import { describe, expect, it } from '@jest/globals';
import { XmlDocument, XmlElement } from 'libxml2-wasm';
import type { RimLocation } from '../../src/xds/ebrim-model.js';
import { submissionSets } from '../../src/xds/ebrim-model.js';
import { parseSubmission, XDS_ERR_REQUEST_XML, XDS_XPATH_NAMESPACES } from '../../src/xds/ebrim-parse.js';
import { DOCUMENT_ENTRY, SUBMISSION_SET, XDS_NS } from '../../src/xds/vocabulary.js';
import { DOCUMENT_ID, GOOD_REQUEST, mutate, parsed, SUBMISSION_SET_ID } from './xds-fixture.js';

const PREFIX = '/xds:ProvideAndRegisterDocumentSetRequest[1]/lcm:SubmitObjectsRequest[1]/rim:RegistryObjectList[1]';

/** The request without its XML declaration and comment, to embed in other wrappers. */
const BODY = GOOD_REQUEST.slice(GOOD_REQUEST.indexOf('<xds:ProvideAndRegisterDocumentSetRequest'));

function soap12(body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope xmlns:s="${XDS_NS.soap12}">\n` +
    `<s:Header/>\n<s:Body>\n${body}\n</s:Body>\n</s:Envelope>\n`
  );
}

/** Every location resolves, with the tool's prefixes, to an element on the recorded line. */
function expectLocationsResolve(text: string, locations: readonly RimLocation[]): void {
  const doc = XmlDocument.fromString(text);
  try {
    for (const at of locations) {
      const node = doc.get(at.xpath, XDS_XPATH_NAMESPACES);
      expect(node).toBeInstanceOf(XmlElement);
      expect(node?.line).toBe(at.line);
    }
  } finally {
    doc.dispose();
  }
}

describe('parseSubmission: the good request', () => {
  const sub = parsed(GOOD_REQUEST);
  const [eo] = sub.extrinsicObjects;

  it('finds every top-level object', () => {
    expect(sub.kind).toBe('provide-and-register');
    expect(sub.extrinsicObjects).toHaveLength(1);
    expect(sub.registryPackages).toHaveLength(1);
    expect(sub.classifications).toHaveLength(1);
    expect(sub.associations).toHaveLength(1);
    expect(sub.objectRefs).toEqual([]);
    expect(sub.documents).toEqual([
      {
        id: DOCUMENT_ID,
        xopHref: 'cid:document-1@kih-certify.example',
        line: expect.any(Number),
        xpath: '/xds:ProvideAndRegisterDocumentSetRequest[1]/xds:Document[1]',
      },
    ]);
    expect(submissionSets(sub).map((p) => p.id)).toEqual([SUBMISSION_SET_ID]);
  });

  it('keeps the attributes of the ExtrinsicObject', () => {
    expect(eo).toMatchObject({
      id: DOCUMENT_ID,
      mimeType: 'text/xml',
      objectType: DOCUMENT_ENTRY.objectTypeStable,
      status: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
      home: 'urn:oid:1.2.208.176.43210.8.20',
      name: 'Hjemmemonitorering for 2512489996',
    });
    expect(eo?.lid).toBeUndefined();
    expect(eo?.description).toBeUndefined();
  });

  it('reads slots in order, values decoded', () => {
    expect(eo?.slots.map((s) => s.name)).toEqual([
      'creationTime',
      'languageCode',
      'serviceStartTime',
      'serviceStopTime',
      'sourcePatientId',
      'sourcePatientInfo',
      'legalAuthenticator',
      'hash',
      'size',
    ]);
    expect(eo?.slots[4]?.values).toEqual(['2512489996^^^&1.2.208.176.1.2&ISO']);
    expect(eo?.slots[5]?.values).toHaveLength(4);
    expect(eo?.slots[2]).toMatchObject({
      name: 'serviceStartTime',
      values: ['20240315080000'],
      xpath: `${PREFIX}/rim:ExtrinsicObject[1]/rim:Slot[3]`,
    });
  });

  it('reads nested classifications and external identifiers', () => {
    expect(eo?.classifications).toHaveLength(8);
    const type = eo?.classifications.find((c) => c.classificationScheme === DOCUMENT_ENTRY.typeCode);
    expect(type).toMatchObject({
      id: 'cl-type',
      classifiedObject: DOCUMENT_ID,
      nodeRepresentation: '53576-5',
      name: 'Personal health monitoring report Document',
      slots: [{ name: 'codingScheme', values: ['2.16.840.1.113883.6.1'] }],
      xpath: `${PREFIX}/rim:ExtrinsicObject[1]/rim:Classification[8]`,
    });
    expect(type?.classificationNode).toBeUndefined();
    // An empty attribute stays distinguishable from an absent one.
    expect(eo?.classifications[0]?.nodeRepresentation).toBe('');
    expect(eo?.externalIdentifiers.map((e) => [e.identificationScheme, e.value, e.registryObject, e.name])).toEqual([
      [DOCUMENT_ENTRY.patientId, '2512489996^^^&1.2.208.176.1.2&ISO', DOCUMENT_ID, 'XDSDocumentEntry.patientId'],
      [
        DOCUMENT_ENTRY.uniqueId,
        '1.2.208.184^7f6c3b1e-2d4a-4c8b-9e5f-1a2b3c4d5e6f',
        DOCUMENT_ID,
        'XDSDocumentEntry.uniqueId',
      ],
    ]);
  });

  it('reads the top-level classification and association', () => {
    expect(sub.classifications[0]).toMatchObject({
      id: 'cl-ss-node',
      classifiedObject: SUBMISSION_SET_ID,
      classificationNode: SUBMISSION_SET.classificationNode,
      xpath: `${PREFIX}/rim:Classification[1]`,
    });
    expect(sub.associations[0]).toMatchObject({
      sourceObject: SUBMISSION_SET_ID,
      targetObject: DOCUMENT_ID,
      slots: [{ name: 'SubmissionSetStatus', values: ['Original'] }],
    });
  });

  it('gives every object, slot and document a path that resolves to its element and line', () => {
    const locations: RimLocation[] = [
      sub.request,
      ...sub.documents,
      ...sub.associations.flatMap((a) => [a, ...a.slots]),
      ...sub.classifications,
      ...[...sub.extrinsicObjects, ...sub.registryPackages].flatMap((o) => [
        o,
        ...o.slots,
        ...o.classifications.flatMap((c) => [c, ...c.slots]),
        ...o.externalIdentifiers,
      ]),
    ];
    expect(locations.length).toBeGreaterThan(40);
    expect(locations.every((l) => l.line > 1)).toBe(true);
    expectLocationsResolve(GOOD_REQUEST, locations);
  });
});

describe('parseSubmission: wrappers', () => {
  it('finds the request inside a SOAP 1.2 envelope', () => {
    const text = soap12(BODY);
    const sub = parsed(text);
    expect(sub.kind).toBe('provide-and-register');
    expect(sub.extrinsicObjects[0]?.xpath).toBe(
      '/soap12:Envelope[1]/soap12:Body[1]/xds:ProvideAndRegisterDocumentSetRequest[1]/lcm:SubmitObjectsRequest[1]/rim:RegistryObjectList[1]/rim:ExtrinsicObject[1]'
    );
    expectLocationsResolve(text, [sub.request, ...sub.extrinsicObjects, ...sub.documents]);
  });

  it('reads a bare SubmitObjectsRequest (no documents)', () => {
    const start = BODY.indexOf('<lcm:SubmitObjectsRequest');
    const end = BODY.indexOf('</lcm:SubmitObjectsRequest>') + '</lcm:SubmitObjectsRequest>'.length;
    const bare = BODY.slice(start, end).replace(
      '<lcm:SubmitObjectsRequest>',
      `<lcm:SubmitObjectsRequest xmlns:lcm="${XDS_NS.lcm}" xmlns:rim="${XDS_NS.rim}">`
    );
    const sub = parsed(bare);
    expect(sub.kind).toBe('submit-objects');
    expect(sub.documents).toEqual([]);
    expect(sub.extrinsicObjects).toHaveLength(1);
    expect(sub.request.xpath).toBe('/lcm:SubmitObjectsRequest[1]');
  });

  it('measures inline base64 content and reads ObjectRefs', () => {
    const text = mutate(GOOD_REQUEST, (t) =>
      t
        .replace('<xop:Include href="cid:document-1@kih-certify.example"/>', 'PENsaW5p\n  Y2FsRG9j')
        .replace('<rim:RegistryObjectList>', '<rim:RegistryObjectList>\n<rim:ObjectRef id="urn:uuid:1"/>')
    );
    const sub = parsed(text);
    expect(sub.documents[0]).toMatchObject({ id: DOCUMENT_ID, inlineBase64Length: 16 });
    expect(sub.documents[0]?.xopHref).toBeUndefined();
    expect(sub.objectRefs).toMatchObject([{ id: 'urn:uuid:1', xpath: `${PREFIX}/rim:ObjectRef[1]` }]);
  });
});

describe('parseSubmission: bad input is an issue, never an exception', () => {
  const refused = (text: string | Uint8Array): string => {
    const r = parseSubmission(text);
    expect(r.submission).toBeUndefined();
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ ruleId: XDS_ERR_REQUEST_XML, severity: 'error', stage: 'xds' });
    return r.issues[0]?.message ?? '';
  };

  it('malformed XML, with its line', () => {
    refused('<a>\n<b></c>\n</a>');
    expect(parseSubmission('<a>\n<b></c>\n</a>').issues[0]?.line).toBe(2);
  });

  it('a DOCTYPE, before any entity could be expanded', () => {
    const text = `<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n${BODY}`;
    expect(refused(text)).toMatch(/DOCTYPE/);
  });

  it('XInclude', () => {
    refused(soap12('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd"/>'));
  });

  it('not UTF-8', () => {
    refused(new Uint8Array([0xff, 0xfe, 0x3c, 0x00]));
  });

  it('an empty request', () => {
    refused('');
  });

  it('no SubmitObjectsRequest at all', () => {
    expect(refused(soap12('<other xmlns="urn:example"/>'))).toMatch(/No lcm:SubmitObjectsRequest/);
  });

  it('a SubmitObjectsRequest in the wrong namespace', () => {
    refused(BODY.replace(`xmlns:lcm="${XDS_NS.lcm}"`, 'xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:2.1"'));
  });

  it('a ProvideAndRegisterDocumentSetRequest without SubmitObjectsRequest', () => {
    refused(`<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="${XDS_NS.xds}"/>`);
  });

  it('a SubmitObjectsRequest without RegistryObjectList', () => {
    expect(refused(`<lcm:SubmitObjectsRequest xmlns:lcm="${XDS_NS.lcm}"/>`)).toMatch(/RegistryObjectList/);
  });
});
