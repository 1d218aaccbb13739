import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import {
  classifyDgwsFaultCode,
  classifyErrorCode,
  classifyOutcome,
  DGWS_FAULT_CLASSES,
} from '../../src/xds/response/outcome.js';
import type { OutcomeSignals, RegistryErrorInfo, SubmissionOutcome } from '../../src/xds/response/outcome.js';
import { parseSubmissionResponse } from '../../src/xds/response/parse-response.js';

const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'xds-responses');
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));

const ROOT_ID = 'root.message@server.example';
const BOUNDARY = 'uuid:7c1e0b2a-55d1-4c0e-a4f6-1d2e3f405060';

/**
 * Wraps SOAP in the MTOM framing a CXF-style server answers with, written out here by hand (not
 * with the module's builder) so the parser is checked against independent bytes, CRLF exactly.
 */
function mtomAnswer(xml: Buffer, soapType: string): { body: Buffer; contentType: string } {
  const head =
    `\r\n--${BOUNDARY}\r\n` +
    `Content-Type: application/xop+xml; charset=UTF-8; type="${soapType}"\r\n` +
    'Content-Transfer-Encoding: binary\r\n' +
    `Content-ID: <${ROOT_ID}>\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head, 'latin1'), xml, Buffer.from(`\r\n--${BOUNDARY}--\r\n`, 'latin1')]),
    contentType:
      `multipart/related; type="application/xop+xml"; boundary="${BOUNDARY}"; ` +
      `start="<${ROOT_ID}>"; start-info="${soapType}"`,
  };
}

interface FixtureCase {
  readonly name: string;
  readonly file?: string;
  readonly status: number;
  readonly contentType?: string;
  /** Send the fixture inside MTOM framing with this SOAP media type. */
  readonly mtom?: string;
  readonly expected: SubmissionOutcome;
}

const ACTION = 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse';
const FAILURE_HEADERS = { relatesTo: 'urn:uuid:9c0de5b2-1f3a-4e67-8d90-aa11bb22cc33', action: ACTION };
const SOAP12 = 'application/soap+xml; charset=UTF-8';
const SOAP11 = 'text/xml; charset=utf-8';

function err(errorCode: string, codeContext: string, location?: string): RegistryErrorInfo {
  return { errorCode, codeContext, ...(location ? { location } : {}), severity: 'error' };
}

function failure(
  code: string,
  context: string,
  klass: SubmissionOutcome['class'],
  location?: string
): SubmissionOutcome {
  return {
    outcome: 'failure',
    class: klass,
    errors: [err(code, context, location)],
    warnings: [],
    httpStatus: 200,
    ...FAILURE_HEADERS,
    message: `HTTP 200: Failure. 1 error: ${code} (${context}).`,
  };
}

function dgwsFault(code: string, klass: SubmissionOutcome['class']): SubmissionOutcome {
  const reason = `Rejected by the security layer (${code})`;
  return {
    outcome: 'failure',
    class: klass,
    errors: [],
    warnings: [],
    httpStatus: 500,
    fault: { soapVersion: '1.1', code: 'Server', subcodes: [], reason, dgwsFaultCode: code },
    message: `HTTP 500: SOAP 1.1 fault Server, DGWS ${code}: ${reason}`,
  };
}

const MTOM_WITHOUT_FRAMING =
  'multipart/related; type="application/xop+xml"; boundary="uuid:0000"; start="<root@x>"; start-info="application/soap+xml"';
const PROXY_HTML =
  '<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> ' +
  '<hr><center>edge-proxy</center> </body> </html>';

const CASES: FixtureCase[] = [
  {
    name: 'success, plain SOAP 1.2',
    file: 'success-soap12.xml',
    status: 200,
    contentType: SOAP12,
    expected: {
      outcome: 'success',
      class: 'success',
      errors: [],
      warnings: [],
      httpStatus: 200,
      relatesTo: 'urn:uuid:0f6b1c7e-3d2a-4b8e-9a51-7c2d4e6f8a10',
      action: ACTION,
      message: 'HTTP 200: Success.',
    },
  },
  {
    name: 'success, SOAP 1.1 in MTOM',
    file: 'success-soap11.xml',
    status: 200,
    mtom: 'text/xml',
    expected: {
      outcome: 'success',
      class: 'success',
      errors: [],
      warnings: [],
      httpStatus: 200,
      relatesTo: 'urn:uuid:5a1e9d20-8c44-4f0b-b1d3-2e7a9c6b4f01',
      action: ACTION,
      message: 'HTTP 200: Success.',
    },
  },
  {
    name: 'success with a warning',
    file: 'success-warning.xml',
    status: 200,
    contentType: SOAP12,
    expected: {
      outcome: 'success',
      class: 'success',
      errors: [],
      warnings: [
        {
          errorCode: 'XDSExtraMetadataNotSaved',
          codeContext: 'Slot urn:example:vendor-note on the DocumentEntry was ignored',
          location: 'DocumentEntry-1',
          severity: 'warning',
        },
      ],
      httpStatus: 200,
      message:
        'HTTP 200: Success. 1 warning: XDSExtraMetadataNotSaved (Slot urn:example:vendor-note on the DocumentEntry was ignored).',
    },
  },
  {
    name: 'partial success, in MTOM',
    file: 'partial-success.xml',
    status: 200,
    mtom: 'application/soap+xml',
    expected: {
      outcome: 'partialSuccess',
      class: 'permanent',
      errors: [err('XDSRepositoryError', 'Second document could not be stored')],
      warnings: [],
      httpStatus: 200,
      message: 'HTTP 200: PartialSuccess. 1 error: XDSRepositoryError (Second document could not be stored).',
    },
  },
  {
    name: 'metadata error',
    file: 'failure-metadata.xml',
    status: 200,
    contentType: SOAP12,
    expected: failure(
      'XDSRegistryMetadataError',
      'typeCode has an unknown coding scheme',
      'permanent',
      'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983'
    ),
  },
  {
    name: 'duplicate unique id',
    file: 'failure-duplicate.xml',
    status: 200,
    mtom: 'application/soap+xml',
    expected: failure(
      'XDSDuplicateUniqueIdInRegistry',
      'UniqueId 1.2.208.184^doc-0001 is already registered',
      'duplicate'
    ),
  },
  {
    name: 'repository busy',
    file: 'failure-busy.xml',
    status: 200,
    contentType: SOAP12,
    expected: failure('XDSRepositoryBusy', 'The repository is busy, try again later', 'transient'),
  },
  {
    name: 'non-identical hash',
    file: 'failure-non-identical-hash.xml',
    status: 200,
    contentType: SOAP12,
    expected: failure(
      'XDSNonIdenticalHash',
      'Hash of the submitted document differs from the stored document with the same uniqueId',
      'permanent'
    ),
  },
  {
    name: 'DGWS expired_idcard',
    file: 'fault-dgws-expired-idcard.xml',
    status: 500,
    contentType: SOAP11,
    expected: dgwsFault('expired_idcard', 'auth'),
  },
  {
    name: 'DGWS not_authorized',
    file: 'fault-dgws-not-authorized.xml',
    status: 500,
    contentType: SOAP11,
    expected: dgwsFault('not_authorized', 'authPermanent'),
  },
  {
    name: 'DGWS invalid_signature, in MTOM',
    file: 'fault-dgws-invalid-signature.xml',
    status: 500,
    mtom: 'text/xml',
    expected: dgwsFault('invalid_signature', 'authPermanent'),
  },
  {
    name: 'SOAP 1.2 Receiver fault',
    file: 'fault-soap12-receiver.xml',
    status: 500,
    contentType: SOAP12,
    expected: {
      outcome: 'failure',
      class: 'transient',
      errors: [],
      warnings: [],
      httpStatus: 500,
      fault: {
        soapVersion: '1.2',
        code: 'Receiver',
        subcodes: ['x:StorageUnavailable'],
        reason: 'Document store temporarily unavailable',
      },
      message: 'HTTP 500: SOAP 1.2 fault Receiver/x:StorageUnavailable: Document store temporarily unavailable',
    },
  },
  {
    name: 'SOAP 1.1 Client fault',
    file: 'fault-soap11-client.xml',
    status: 500,
    contentType: SOAP11,
    expected: {
      outcome: 'failure',
      class: 'permanent',
      errors: [],
      warnings: [],
      httpStatus: 500,
      fault: {
        soapVersion: '1.1',
        code: 'Client',
        subcodes: ['Validation'],
        reason: 'ProvideAndRegisterDocumentSetRequest is missing the RegisterObjectsRequest element',
      },
      message:
        'HTTP 500: SOAP 1.1 fault Client/Validation: ProvideAndRegisterDocumentSetRequest is missing the RegisterObjectsRequest element',
    },
  },
  {
    name: 'HTTP 503 with an empty body',
    status: 503,
    expected: {
      outcome: 'failure',
      class: 'transient',
      errors: [err('KIH_ERR_UNEXPECTED_RESPONSE', 'HTTP 503, no content type: empty body.')],
      warnings: [],
      httpStatus: 503,
      message: 'Unexpected answer: HTTP 503, no content type: empty body.',
    },
  },
  {
    name: 'a multipart content type without multipart framing',
    file: 'success-soap12.xml',
    status: 200,
    contentType: MTOM_WITHOUT_FRAMING,
    expected: {
      outcome: 'success',
      class: 'success',
      errors: [],
      warnings: [],
      httpStatus: 200,
      relatesTo: 'urn:uuid:0f6b1c7e-3d2a-4b8e-9a51-7c2d4e6f8a10',
      action: ACTION,
      message: 'HTTP 200: Success.',
    },
  },
  {
    name: 'an HTML error page from a proxy (502)',
    file: 'proxy-error.txt',
    status: 502,
    contentType: 'text/html',
    expected: {
      outcome: 'failure',
      class: 'transient',
      errors: [
        err('KIH_ERR_UNEXPECTED_RESPONSE', `HTTP 502, content type text/html: not well-formed XML: ${PROXY_HTML}`),
      ],
      warnings: [],
      httpStatus: 502,
      message: `Unexpected answer: HTTP 502, content type text/html: not well-formed XML: ${PROXY_HTML}`,
    },
  },
  {
    name: 'an HTML page with status 200',
    file: 'proxy-error.txt',
    status: 200,
    contentType: 'text/html; charset=iso-8859-1',
    expected: {
      outcome: 'failure',
      class: 'permanent',
      errors: [
        err(
          'KIH_ERR_UNEXPECTED_RESPONSE',
          `HTTP 200, content type text/html; charset=iso-8859-1: not well-formed XML: ${PROXY_HTML}`
        ),
      ],
      warnings: [],
      httpStatus: 200,
      message: `Unexpected answer: HTTP 200, content type text/html; charset=iso-8859-1: not well-formed XML: ${PROXY_HTML}`,
    },
  },
];

describe('parseSubmissionResponse on the fixtures', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    let body: Buffer = c.file ? fixture(c.file) : Buffer.alloc(0);
    let contentType = c.contentType;
    if (c.mtom) {
      ({ body, contentType } = mtomAnswer(body, c.mtom));
      // The framing really is there, with CRLF line ends.
      expect(body.toString('latin1')).toContain(`\r\n--${BOUNDARY}--\r\n`);
    }
    const outcome = parseSubmissionResponse({
      status: c.status,
      headers: contentType ? { 'content-type': contentType } : {},
      body,
    });
    expect(outcome).toEqual(c.expected);
  });
});

const RS = 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0';
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';
const FAILURE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure';

function soap12(bodyXml: string): Buffer {
  return Buffer.from(
    `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${bodyXml}</s:Body></s:Envelope>`
  );
}

function answer(body: Buffer | string, status = 200, contentType: string | string[] = SOAP12): SubmissionOutcome {
  return parseSubmissionResponse({
    status,
    headers: { 'Content-Type': contentType },
    body: typeof body === 'string' ? Buffer.from(body) : body,
  });
}

describe('parseSubmissionResponse decisions', () => {
  it('keeps a Success that carries Error-severity entries a success, but reports them', () => {
    const out = answer(
      soap12(
        `<RegistryResponse xmlns="${RS}" status="${SUCCESS}"><RegistryErrorList>` +
          '<RegistryError errorCode="XDSRegistryError" codeContext="Audit trail not written" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>' +
          '</RegistryErrorList></RegistryResponse>'
      )
    );
    expect(out.outcome).toBe('success');
    expect(out.class).toBe('success');
    expect(out.errors).toEqual([err('XDSRegistryError', 'Audit trail not written')]);
    expect(out.message).toBe(
      'HTTP 200: Success. The registry also reported 1 error: XDSRegistryError (Audit trail not written).'
    );
  });

  it('treats a missing severity as Error and reads codeContext from text when the attribute is absent', () => {
    const out = answer(
      soap12(
        `<rs:RegistryResponse xmlns:rs="${RS}" status="${FAILURE}"><rs:RegistryErrorList>` +
          '<rs:RegistryError errorCode="XDSRepositoryBusy">  busy\n now </rs:RegistryError>' +
          '<rs:RegistryError errorCode="XDSUnknownPatientId" codeContext="0101010101"/>' +
          '</rs:RegistryErrorList></rs:RegistryResponse>'
      )
    );
    expect(out.errors).toEqual([err('XDSRepositoryBusy', 'busy\n now'), err('XDSUnknownPatientId', '0101010101')]);
    // Permanent beats transient.
    expect(out.class).toBe('permanent');
    expect(out.message).toBe('HTTP 200: Failure. 2 errors: XDSRepositoryBusy (busy now) and 1 more.');
  });

  it('accepts a bare RegistryResponse without an envelope, and bare status names', () => {
    const out = answer(`<RegistryResponse xmlns="${RS}" status="Success"/>`, 200, 'text/xml');
    expect(out).toMatchObject({ outcome: 'success', class: 'success' });
  });

  it('reports an unknown status as an unexpected failure', () => {
    const out = answer(soap12(`<RegistryResponse xmlns="${RS}" status="urn:example:Maybe"/>`));
    expect(out).toMatchObject({ outcome: 'failure', class: 'permanent' });
    expect(out.errors).toEqual([
      err('KIH_ERR_UNEXPECTED_RESPONSE', 'RegistryResponse with an unknown status "urn:example:Maybe".'),
    ]);
  });

  it('ignores a RegistryResponse in another namespace (not ebRS 3.0)', () => {
    const out = answer(soap12('<RegistryResponse xmlns="urn:example:other" status="Success"/>'));
    expect(out.class).toBe('permanent');
    expect(out.errors[0]!.codeContext).toBe(
      'HTTP 200, content type application/soap+xml; charset=UTF-8: XML that is neither a RegistryResponse nor a SOAP fault ({http://www.w3.org/2003/05/soap-envelope}Envelope).'
    );
  });

  it('refuses a DOCTYPE before parsing', () => {
    const out = answer(
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><RegistryResponse xmlns="${RS}" status="Success">&e;</RegistryResponse>`
    );
    expect(out.outcome).toBe('failure');
    expect(out.errors[0]!.errorCode).toBe('KIH_ERR_UNEXPECTED_RESPONSE');
    expect(out.errors[0]!.codeContext).toMatch(/DOCTYPE/);
  });

  it('reports a multipart body that cannot be split, quoting the start of it without control characters', () => {
    const junk = `\u0000\u0001${'x'.repeat(300)}`;
    const out = answer(junk, 200, 'multipart/related; boundary="b"; type="application/xop+xml"');
    expect(out.class).toBe('permanent');
    expect(out.errors[0]!.codeContext).toBe(
      `HTTP 200, content type multipart/related; boundary="b"; type="application/xop+xml": ` +
        `The body has no delimiter line for the boundary "b". Body: ${'x'.repeat(200)}…`
    );
  });

  it('reports white space only and an empty root part', () => {
    expect(answer(' \r\n\t', 504, 'text/xml').errors).toEqual([
      err('KIH_ERR_UNEXPECTED_RESPONSE', 'HTTP 504, content type text/xml: a body of 4 bytes of white space only.'),
    ]);
    const empty = answer(
      '--b\r\nContent-ID: <r>\r\n\r\n\r\n--b--\r\n',
      200,
      'multipart/related; boundary=b; start="<r>"'
    );
    expect(empty).toMatchObject({ outcome: 'failure', class: 'permanent' });
    expect(empty.errors[0]!.codeContext).toMatch(/: an empty SOAP part\. Body: $/);
  });

  it('reads the content type from any header case, also as an array', () => {
    const body = fixture('success-soap11.xml');
    const { body: framed, contentType } = mtomAnswer(body, 'text/xml');
    expect(answer(framed, 200, [contentType]).class).toBe('success');
    // Without the multipart content type the framing is not XML.
    expect(answer(framed, 200, 'text/xml').class).toBe('permanent');
  });

  it('reads a DGWS fault code in a SOAP 1.2 fault detail as well', () => {
    const out = answer(
      soap12(
        '<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="da">Udløbet</s:Text></s:Reason>' +
          '<s:Detail><FaultCode xmlns="http://www.medcom.dk/dgws/2006/04/dgws-1.0.xsd"> expired_idcard </FaultCode></s:Detail></s:Fault>'
      ),
      500
    );
    expect(out.class).toBe('auth');
    expect(out.fault).toEqual({
      soapVersion: '1.2',
      code: 'Sender',
      subcodes: [],
      reason: 'Udløbet',
      dgwsFaultCode: 'expired_idcard',
    });
  });
});

describe('classifyOutcome', () => {
  const e = (errorCode: string, severity: 'error' | 'warning' = 'error'): RegistryErrorInfo => ({
    errorCode,
    codeContext: '',
    severity,
  });
  const fault = (code: string, dgwsFaultCode?: string): NonNullable<OutcomeSignals['fault']> => ({
    soapVersion: '1.1',
    code,
    subcodes: [],
    reason: '',
    ...(dgwsFaultCode ? { dgwsFaultCode } : {}),
  });

  it.each<[string, OutcomeSignals, string]>([
    ['success', { httpStatus: 200, status: 'success' }, 'success'],
    [
      'success with warnings',
      { httpStatus: 200, status: 'success', entries: [e('XDSExtraMetadataNotSaved', 'warning')] },
      'success',
    ],
    ['success behind a 503 (stored: never retry)', { httpStatus: 503, status: 'success' }, 'success'],
    ['partial success', { httpStatus: 200, status: 'partialSuccess', entries: [e('XDSRepositoryBusy')] }, 'permanent'],
    ['failure without errors', { httpStatus: 200, status: 'failure' }, 'permanent'],
    [
      'permanent beats duplicate',
      {
        httpStatus: 200,
        status: 'failure',
        entries: [e('XDSDuplicateUniqueIdInRegistry'), e('XDSRegistryMetadataError')],
      },
      'permanent',
    ],
    [
      'permanent beats transient',
      { httpStatus: 200, status: 'failure', entries: [e('XDSRegistryBusy'), e('XDSMissingDocument')] },
      'permanent',
    ],
    [
      'duplicate beats transient',
      {
        httpStatus: 200,
        status: 'failure',
        entries: [e('XDSRepositoryOutOfResources'), e('XDSRepositoryDuplicateUniqueIdInMessage')],
      },
      'duplicate',
    ],
    [
      'only transient',
      { httpStatus: 200, status: 'failure', entries: [e('XDSRegistryNotAvailable'), e('XDSRegistryOutOfResources')] },
      'transient',
    ],
    [
      'warnings do not outvote errors',
      { httpStatus: 200, status: 'failure', entries: [e('XDSRegistryBusy'), e('XDSExtraMetadataNotSaved', 'warning')] },
      'transient',
    ],
    [
      'a failure with only warnings is classified by them',
      { httpStatus: 200, status: 'failure', entries: [e('XDSRegistryBusy', 'warning')] },
      'transient',
    ],
    [
      'a Failure behind a 503 is transient',
      { httpStatus: 503, status: 'failure', entries: [e('XDSRegistryMetadataError')] },
      'transient',
    ],
    ['HTTP 429', { httpStatus: 429 }, 'transient'],
    ['HTTP 502', { httpStatus: 502 }, 'transient'],
    ['HTTP 504', { httpStatus: 504 }, 'transient'],
    ['HTTP 500 without a readable body', { httpStatus: 500 }, 'permanent'],
    ['HTTP 404', { httpStatus: 404 }, 'permanent'],
    ['HTTP 200 without a readable body', { httpStatus: 200 }, 'permanent'],
    ['Server fault', { httpStatus: 500, fault: fault('Server') }, 'transient'],
    ['Receiver fault', { httpStatus: 500, fault: fault('Receiver') }, 'transient'],
    ['Client fault', { httpStatus: 500, fault: fault('Client') }, 'permanent'],
    ['Sender fault', { httpStatus: 500, fault: fault('Sender') }, 'permanent'],
    ['MustUnderstand fault', { httpStatus: 500, fault: fault('MustUnderstand') }, 'permanent'],
    ['Client fault behind a 503', { httpStatus: 503, fault: fault('Client') }, 'transient'],
    [
      'DGWS code beats the Server fault code',
      { httpStatus: 500, fault: fault('Server', 'not_authorized') },
      'authPermanent',
    ],
    ['DGWS code beats a 503', { httpStatus: 503, fault: fault('Server', 'expired_idcard') }, 'auth'],
  ])('%s', (_name, signals, expected) => {
    expect(classifyOutcome(signals)).toBe(expected);
  });

  it('classifies every DGWS fault code', () => {
    expect(Object.entries(DGWS_FAULT_CLASSES).map(([code]) => [code, classifyDgwsFaultCode(code)])).toEqual([
      ['expired_idcard', 'auth'],
      ['security_level_failed', 'authPermanent'],
      ['invalid_username_password', 'authPermanent'],
      ['invalid_signature', 'authPermanent'],
      ['invalid_idcard', 'authPermanent'],
      ['invalid_certificate', 'authPermanent'],
      ['not_authorized', 'authPermanent'],
      ['syntax_error', 'permanent'],
      ['missing_required_header', 'permanent'],
      ['illegal_HTTP_method', 'permanent'],
      ['nonrepudiation_not_supported', 'permanent'],
    ]);
    expect(classifyDgwsFaultCode('sosigw_unknown_whitelist')).toBe('authPermanent');
    expect(classifyDgwsFaultCode('something_else')).toBe('permanent');
  });

  it('classifies registry error codes', () => {
    expect(classifyErrorCode('XDSNonIdenticalHash')).toBe('permanent');
    expect(classifyErrorCode('XDSRegistryDuplicateUniqueIdInMessage')).toBe('duplicate');
    expect(classifyErrorCode('XDSRepositoryBusy')).toBe('transient');
    expect(classifyErrorCode('xdsrepositorybusy')).toBe('permanent');
  });
});
