// ITI-18 and ITI-43 client messages: request bodies (also against the official schemas when present) and answers of every kind.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadOfficialSchemas, missingReferenceFiles, validateText } from '../../scripts/xds-schema-check.js';
import { BUILTIN_TARGETS } from '../../src/config/targets.js';
import { resolveSettings } from '../../src/config/metadata-settings.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { buildProvideAndRegisterRequest } from '../../src/xds/ebrim-build.js';
import { buildAdhocQueryRequest, buildIti18Request, parseQueryValue } from '../../src/xds/iti18-query.js';
import type { StoredQuery } from '../../src/xds/iti18-query.js';
import {
  buildIti43Request,
  buildRetrieveDocumentSetRequest,
  checkContent,
  parseRetrieveResponse,
} from '../../src/xds/iti43-retrieve.js';
import type { SubmissionMetadata } from '../../src/xds/metadata-model.js';
import { buildMtomMessage } from '../../src/xds/mtom.js';
import { prepareSubmission } from '../../src/xds/prepare-submission.js';
import { parseQueryResponse } from '../../src/xds/response/query-response.js';
import { STORED_QUERY, XDS_NS } from '../../src/xds/vocabulary.js';
import { describeWithReference } from '../helpers/reference.js';

const SAMPLES = path.join(PACKAGE_ROOT, 'samples');
const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  documents: { file: string; valid: boolean }[];
};
const VALID = manifest.documents.filter((d) => d.valid).map((d) => d.file);

function prepared(file: string): { bytes: Buffer; metadata: SubmissionMetadata } {
  const bytes = readFileSync(path.join(SAMPLES, file));
  const result = prepareSubmission(bytes, file, { settings: resolveSettings(BUILTIN_TARGETS.local?.metadata ?? {}) });
  if (!result.metadata) {
    throw new Error(`${file}: ${JSON.stringify(result.issues)}`);
  }
  return { bytes, metadata: result.metadata };
}

/** The ExtrinsicObject the project sends for a sample, as a registry would list it (plus its repositoryUniqueId slot). */
function leafClassObject(metadata: SubmissionMetadata): string {
  const body = buildProvideAndRegisterRequest(metadata, [{ kind: 'xop', href: 'cid:x@y' }]);
  const eo = /<rim:ExtrinsicObject[\s\S]*?<\/rim:ExtrinsicObject>/.exec(body)?.[0];
  if (!eo) {
    throw new Error('no ExtrinsicObject');
  }
  return eo.replace(
    '<rim:Slot name="size">',
    '<rim:Slot name="repositoryUniqueId"><rim:ValueList><rim:Value>1.2.208.176.43210.8.1.99</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="size">'
  );
}

const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';

function soap11(body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${XDS_NS.soap11}" xmlns:wsa="${XDS_NS.wsa}">` +
    '<soap:Header><wsa:Action>urn:ihe:iti:2007:RegistryStoredQueryResponse</wsa:Action></soap:Header>' +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

function answer(text: string, status = 200): { status: number; headers: Record<string, string>; body: Uint8Array } {
  return { status, headers: { 'content-type': 'text/xml; charset=UTF-8' }, body: Buffer.from(text, 'utf8') };
}

function queryResponse(status: string, inner: string): string {
  return soap11(
    `<query:AdhocQueryResponse xmlns:query="${XDS_NS.query}" xmlns:rim="${XDS_NS.rim}" xmlns:rs="${XDS_NS.rs}" status="${status}">${inner}</query:AdhocQueryResponse>`
  );
}

const QUERIES: [string, StoredQuery][] = [
  ['GetDocuments by uniqueId', { kind: 'GetDocuments', uniqueIds: ['1.2.208.184^abc', "o'neil"] }],
  [
    'GetDocuments by entryUUID',
    { kind: 'GetDocuments', entryUUIDs: ['urn:uuid:0f3a3d56-7c1e-4a6e-9a6b-2f2b6c1d9e01'] },
  ],
  [
    'FindDocuments with every filter',
    {
      kind: 'FindDocuments',
      patientId: '0101011234^^^&1.2.208.176.1.2&ISO',
      creationTime: { from: '20260101', to: '20260201120000' },
      serviceStartTime: { from: '2025' },
      serviceStopTime: { to: '20270101' },
      typeCodes: [{ code: '53576-5', codeSystem: '2.16.840.1.113883.6.1', displayName: 'PHMR' }],
      formatCodes: [{ code: 'urn:ad:dk:medcom:phmr:full', codeSystem: '1.2.208.184.100.10', displayName: 'x' }],
    },
  ],
];

describe('ITI-18 requests', () => {
  it('writes GetDocuments by uniqueId as one quoted list, quotes doubled', () => {
    const xml = buildAdhocQueryRequest(QUERIES[0]![1]);
    expect(xml).toContain(`<rim:AdhocQuery id="${STORED_QUERY.getDocuments}">`);
    expect(xml).toContain(
      `<rim:Slot name="$XDSDocumentEntryUniqueId"><rim:ValueList><rim:Value>('1.2.208.184^abc','o''neil')</rim:Value>`
    );
    expect(xml).toContain('returnType="LeafClass"');
    expect(parseQueryValue("('1.2.208.184^abc','o''neil')")).toEqual(['1.2.208.184^abc', "o'neil"]);
  });

  it('writes FindDocuments with Approved, unquoted times and coded values', () => {
    const xml = buildAdhocQueryRequest(QUERIES[2]![1], { returnType: 'ObjectRef' });
    expect(xml).toContain(`id="${STORED_QUERY.findDocuments}"`);
    expect(xml).toContain('returnType="ObjectRef"');
    expect(xml).toContain(`<rim:Value>'0101011234^^^&amp;1.2.208.176.1.2&amp;ISO'</rim:Value>`);
    expect(xml).toContain(`<rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value>`);
    expect(xml).toContain('name="$XDSDocumentEntryCreationTimeFrom"><rim:ValueList><rim:Value>20260101<');
    expect(xml).toContain('name="$XDSDocumentEntryServiceStopTimeTo"');
    expect(xml).not.toContain('ServiceStopTimeFrom');
    expect(xml).toContain(`<rim:Value>('53576-5^^^&amp;2.16.840.1.113883.6.1&amp;ISO')</rim:Value>`);
  });

  it('refuses a GetDocuments without ids and a malformed time', () => {
    expect(() => buildAdhocQueryRequest({ kind: 'GetDocuments', uniqueIds: [] })).toThrow(RangeError);
    expect(() =>
      buildAdhocQueryRequest({ kind: 'FindDocuments', patientId: 'x', creationTime: { from: '2026-01-01' } })
    ).toThrow(/not a DTM/);
  });

  it('sends SOAP 1.1 with the SOAPAction and the DGWS headers', () => {
    const req = buildIti18Request(QUERIES[0]![1], {
      endpoint: 'http://127.0.0.1:1/registry',
      soapVersion: '1.1',
      dgws: true,
      idCard: '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>',
    });
    expect(req.headers.SOAPAction).toBe('"urn:ihe:iti:2007:RegistryStoredQuery"');
    expect(req.headers['Content-Type']).toBe('text/xml; charset=UTF-8');
    expect(req.envelope).toContain(
      '<wsa:Action soap:mustUnderstand="1">urn:ihe:iti:2007:RegistryStoredQuery</wsa:Action>'
    );
    expect(req.envelope).toContain('<medcom:SecurityLevel>3</medcom:SecurityLevel>');
    expect(req.envelope).toContain('<saml:Assertion');
  });
});

describe('ITI-18 answers', () => {
  it('maps a multi-document LeafClass answer to the same metadata the submit path builds, field by field', () => {
    const [a, b] = VALID.slice(0, 2).map(prepared);
    const expected = [a!.metadata.documentEntries[0]!, b!.metadata.documentEntries[0]!];
    const text = queryResponse(
      SUCCESS,
      `<rim:RegistryObjectList>${leafClassObject(a!.metadata)}${leafClassObject(b!.metadata)}</rim:RegistryObjectList>`
    );
    const parsed = parseQueryResponse(answer(text));
    expect(parsed.outcome.outcome).toBe('success');
    expect(parsed.issues).toEqual([]);
    expect(parsed.entries).toEqual(expected);
    expect(parsed.repositoryUniqueIds[expected[0]!.entryUUID]).toBe('1.2.208.176.43210.8.1.99');
  });

  it('reads an empty answer as a success without entries', () => {
    const parsed = parseQueryResponse(answer(queryResponse(SUCCESS, '<rim:RegistryObjectList/>')));
    expect(parsed.outcome.outcome).toBe('success');
    expect(parsed.entries).toEqual([]);
    expect(parsed.objectRefs).toEqual([]);
  });

  it('reads an ObjectRef answer', () => {
    const parsed = parseQueryResponse(
      answer(
        queryResponse(
          SUCCESS,
          '<rim:RegistryObjectList><rim:ObjectRef id="urn:uuid:aaaaaaaa-0000-4000-8000-000000000001"/><rim:ObjectRef id="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002"/></rim:RegistryObjectList>'
        )
      )
    );
    expect(parsed.objectRefs).toEqual([
      'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001',
      'urn:uuid:aaaaaaaa-0000-4000-8000-000000000002',
    ]);
  });

  it('keeps the entries and the errors of a PartialSuccess', () => {
    const { metadata } = prepared(VALID[0]!);
    const text = queryResponse(
      'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
      '<rs:RegistryErrorList><rs:RegistryError errorCode="XDSUnavailableCommunity" codeContext="community 1.2.3 did not answer" ' +
        'severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList>' +
        `<rim:RegistryObjectList>${leafClassObject(metadata)}</rim:RegistryObjectList>`
    );
    const parsed = parseQueryResponse(answer(text));
    expect(parsed.outcome.outcome).toBe('partialSuccess');
    expect(parsed.outcome.errors.map((e) => e.errorCode)).toEqual(['XDSUnavailableCommunity']);
    expect(parsed.entries.map((e) => e.uniqueId)).toEqual([metadata.documentEntries[0]!.uniqueId]);
  });

  it('reads an unknown stored query as a permanent failure', () => {
    const parsed = parseQueryResponse(
      answer(
        queryResponse(
          'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
          '<rs:RegistryErrorList><rs:RegistryError errorCode="XDSUnknownStoredQuery" codeContext="urn:uuid:nope" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList>'
        )
      )
    );
    expect(parsed.outcome.outcome).toBe('failure');
    expect(parsed.outcome.class).toBe('permanent');
    expect(parsed.entries).toEqual([]);
  });

  it('reads a DGWS SOAP fault with its class', () => {
    const fault = soap11(
      '<soap:Fault><faultcode>soap:Server</faultcode><faultstring>ID card expired</faultstring>' +
        '<detail><medcom:FaultCode xmlns:medcom="http://www.medcom.dk/dgws/2006/04/dgws-1.0.xsd">expired_idcard</medcom:FaultCode></detail></soap:Fault>'
    );
    const parsed = parseQueryResponse(answer(fault, 500));
    expect(parsed.outcome.outcome).toBe('failure');
    expect(parsed.outcome.class).toBe('auth');
    expect(parsed.outcome.fault?.dgwsFaultCode).toBe('expired_idcard');
  });

  it('says what came when the body is another answer', () => {
    const parsed = parseQueryResponse(
      answer(soap11(`<rs:RegistryResponse xmlns:rs="${XDS_NS.rs}" status="${SUCCESS}"/>`))
    );
    expect(parsed.outcome.errors[0]?.codeContext).toMatch(/neither an AdhocQueryResponse nor a SOAP fault/);
  });
});

describe('ITI-43', () => {
  const DOC = Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"/>', 'utf8');

  function retrieveAnswer(
    documentXml: string,
    attachments = [{ contentId: 'doc1@test', contentType: 'text/xml', body: DOC }]
  ): { status: number; headers: Record<string, string>; body: Uint8Array } {
    const envelope = soap11(
      `<xds:RetrieveDocumentSetResponse xmlns:xds="${XDS_NS.xds}" xmlns:rs="${XDS_NS.rs}" xmlns:xop="${XDS_NS.xop}">` +
        `<rs:RegistryResponse status="${SUCCESS}"/>${documentXml}</xds:RetrieveDocumentSetResponse>`
    );
    const mtom = buildMtomMessage({ soapXml: envelope, soapVersion: '1.1', attachments });
    return { status: 200, headers: { 'content-type': mtom.contentType }, body: Buffer.concat(mtom.chunks) };
  }

  it('writes the request with the home community when given', () => {
    const xml = buildRetrieveDocumentSetRequest([
      {
        repositoryUniqueId: '1.2.3',
        documentUniqueId: '1.2.208.184^x',
        homeCommunityId: 'urn:oid:1.2.208.176.43210.8.20',
      },
    ]);
    expect(xml).toContain(
      '<xds:DocumentRequest><xds:HomeCommunityId>urn:oid:1.2.208.176.43210.8.20</xds:HomeCommunityId><xds:RepositoryUniqueId>1.2.3</xds:RepositoryUniqueId><xds:DocumentUniqueId>1.2.208.184^x</xds:DocumentUniqueId></xds:DocumentRequest>'
    );
    const req = buildIti43Request([{ repositoryUniqueId: '1.2.3', documentUniqueId: 'x' }], {
      endpoint: 'http://127.0.0.1:1/r',
      soapVersion: '1.2',
      dgws: false,
    });
    expect(req.headers['Content-Type']).toBe(
      'application/soap+xml; charset=UTF-8; action="urn:ihe:iti:2007:RetrieveDocumentSet"'
    );
  });

  it('takes the document from its XOP part and checks hash and size', () => {
    const parsed = parseRetrieveResponse(
      retrieveAnswer(
        '<xds:DocumentResponse><xds:RepositoryUniqueId>1.2.3</xds:RepositoryUniqueId><xds:DocumentUniqueId>1.2.208.184^x</xds:DocumentUniqueId>' +
          '<xds:mimeType>text/xml</xds:mimeType><xds:Document><xop:Include href="cid:doc1@test"/></xds:Document></xds:DocumentResponse>'
      )
    );
    expect(parsed.outcome.outcome).toBe('success');
    const [doc] = parsed.documents;
    expect(doc?.documentUniqueId).toBe('1.2.208.184^x');
    expect(doc?.mimeType).toBe('text/xml');
    expect(Buffer.from(doc!.bytes!).equals(DOC)).toBe(true);
    const sha1 = checkContent(doc!.bytes!, { hash: '0'.repeat(40), size: DOC.length });
    expect(sha1).toMatchObject({ hashMatches: false, sizeMatches: true, size: DOC.length });
    expect(checkContent(doc!.bytes!, { hash: sha1.hash.toUpperCase(), size: 1 })).toMatchObject({
      hashMatches: true,
      sizeMatches: false,
    });
  });

  it('names an include without its part, and reads inline base64', () => {
    const parsed = parseRetrieveResponse(
      retrieveAnswer(
        '<xds:DocumentResponse><xds:RepositoryUniqueId>1</xds:RepositoryUniqueId><xds:DocumentUniqueId>a</xds:DocumentUniqueId><xds:mimeType>text/xml</xds:mimeType><xds:Document><xop:Include href="cid:missing@test"/></xds:Document></xds:DocumentResponse>' +
          `<xds:DocumentResponse><xds:RepositoryUniqueId>1</xds:RepositoryUniqueId><xds:DocumentUniqueId>b</xds:DocumentUniqueId><xds:mimeType>text/xml</xds:mimeType><xds:Document>${DOC.toString('base64')}</xds:Document></xds:DocumentResponse>`
      )
    );
    expect(parsed.documents[0]?.problem).toMatch(/not a part of the answer/);
    expect(Buffer.from(parsed.documents[1]!.bytes!).equals(DOC)).toBe(true);
  });

  it('reads a Failure with XDSDocumentUniqueIdError and no documents', () => {
    const parsed = parseRetrieveResponse(
      answer(
        soap11(
          `<xds:RetrieveDocumentSetResponse xmlns:xds="${XDS_NS.xds}" xmlns:rs="${XDS_NS.rs}"><rs:RegistryResponse status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">` +
            '<rs:RegistryErrorList><rs:RegistryError errorCode="XDSDocumentUniqueIdError" codeContext="unknown" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList></rs:RegistryResponse></xds:RetrieveDocumentSetResponse>'
        )
      )
    );
    expect(parsed.outcome.outcome).toBe('failure');
    expect(parsed.outcome.errors.map((e) => e.errorCode)).toEqual(['XDSDocumentUniqueIdError']);
    expect(parsed.documents).toEqual([]);
  });
});

// The official schemas live beside the checkout; a clean clone may lack them.
describeWithReference('iti18-iti43.test', missingReferenceFiles())(
  'request bodies against the official schemas',
  () => {
    it.each(QUERIES)('%s: AdhocQueryRequest validates (LeafClass and ObjectRef)', (_name, query) => {
      const schemas = loadOfficialSchemas();
      for (const returnType of ['LeafClass', 'ObjectRef'] as const) {
        expect(validateText(schemas.xds, buildAdhocQueryRequest(query, { returnType }), 'request')).toEqual([]);
      }
    });

    it('RetrieveDocumentSetRequest validates, and a broken one does not', () => {
      const schemas = loadOfficialSchemas();
      const good = buildRetrieveDocumentSetRequest([
        { repositoryUniqueId: '1.2.3', documentUniqueId: 'a', homeCommunityId: 'urn:oid:1.2.3' },
        { repositoryUniqueId: '1.2.3', documentUniqueId: 'b' },
      ]);
      expect(validateText(schemas.xds, good, 'request')).toEqual([]);
      const broken = good.replace(/<xds:RepositoryUniqueId>1\.2\.3<\/xds:RepositoryUniqueId>/, '');
      expect(validateText(schemas.xds, broken, 'request').length).toBeGreaterThan(0);
    });

    it('an AdhocQueryRequest without its AdhocQuery does not validate', () => {
      const schemas = loadOfficialSchemas();
      const broken = buildAdhocQueryRequest(QUERIES[0]![1]).replace(/<rim:AdhocQuery[\s\S]*<\/rim:AdhocQuery>/, '');
      expect(validateText(schemas.xds, broken, 'request').length).toBeGreaterThan(0);
    });
  }
);
