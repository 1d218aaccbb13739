// Units of the simulator: every answer its builder makes, read back by the project's response parser; exact element extraction; scenario parsing; CPR masking.
import { describe, expect, it } from '@jest/globals';
import { XmlDocument } from 'libxml2-wasm';
import { maskCpr } from '../../src/simulator/cpr-mask.js';
import { dgwsFault } from '../../src/simulator/dgws-check.js';
import { soapReply } from '../../src/simulator/http-reply.js';
import {
  faultHttpStatus,
  registryResponseXml,
  replyEnvelope,
  soapFaultXml,
  WSA_SOAP_FAULT_ACTION,
} from '../../src/simulator/registry-response.js';
import type { FaultSpec, RegistryErrorEntry, RegistryStatus } from '../../src/simulator/registry-response.js';
import { parseScenarioHeader, ScenarioQueue } from '../../src/simulator/scenarios.js';
import { errorCodeForRule } from '../../src/simulator/submission-check.js';
import type { OutcomeClass } from '../../src/xds/response/outcome.js';
import { parseSubmissionResponse } from '../../src/xds/response/parse-response.js';
import type { SoapVersion } from '../../src/xds/soap-envelope.js';
import { ITI41_RESPONSE_ACTION, XDS_NS } from '../../src/xds/vocabulary.js';

const RELATES_TO = 'urn:uuid:0b7e4a52-9c8d-4f1e-a2b3-c4d5e6f70819';

function parsed(
  envelope: string,
  version: SoapVersion,
  status: number,
  multipart: boolean
): ReturnType<typeof parseSubmissionResponse> {
  const reply = soapReply(envelope, version, status, multipart);
  return parseSubmissionResponse({ status: reply.status, headers: reply.headers, body: reply.body });
}

function registryAnswer(
  status: RegistryStatus,
  errors: RegistryErrorEntry[],
  version: SoapVersion,
  multipart: boolean
): ReturnType<typeof parseSubmissionResponse> {
  const envelope = replyEnvelope(registryResponseXml(status, errors), {
    soapVersion: version,
    action: ITI41_RESPONSE_ACTION,
    relatesTo: RELATES_TO,
    ...(version === '1.1' ? { dgws: { securityLevel: '3', inResponseTo: 'dgws-1', finished: true } } : {}),
  });
  return parsed(envelope, version, 200, multipart);
}

const error = (errorCode: string): RegistryErrorEntry => ({
  errorCode,
  codeContext: `${errorCode} happened`,
  severity: 'error',
});

describe('every RegistryResponse the simulator sends parses into the right class', () => {
  const cases: [string, RegistryStatus, RegistryErrorEntry[], OutcomeClass][] = [
    ['Success', 'success', [], 'success'],
    ['XDSRepositoryBusy', 'failure', [error('XDSRepositoryBusy')], 'transient'],
    ['XDSRepositoryOutOfResources', 'failure', [error('XDSRepositoryOutOfResources')], 'transient'],
    ['XDSNonIdenticalHash', 'failure', [error('XDSNonIdenticalHash')], 'permanent'],
    ['XDSRepositoryMetadataError', 'failure', [error('XDSRepositoryMetadataError')], 'permanent'],
    ['XDSRegistryMetadataError', 'failure', [error('XDSRegistryMetadataError')], 'permanent'],
    ['XDSMissingDocument', 'failure', [error('XDSMissingDocument')], 'permanent'],
    ['XDSMissingDocumentMetadata', 'failure', [error('XDSMissingDocumentMetadata')], 'permanent'],
    ['XDSPatientIdDoesNotMatch', 'failure', [error('XDSPatientIdDoesNotMatch')], 'permanent'],
    ['LocalPolicyRestrictionError', 'failure', [error('LocalPolicyRestrictionError')], 'permanent'],
    ['InvalidDocumentContent', 'failure', [error('InvalidDocumentContent')], 'permanent'],
    [
      'XDSRepositoryDuplicateUniqueIdInMessage',
      'failure',
      [error('XDSRepositoryDuplicateUniqueIdInMessage')],
      'duplicate',
    ],
    ['XDSRepositoryError', 'failure', [error('XDSRepositoryError')], 'permanent'],
  ];
  const flavours: [string, SoapVersion, boolean][] = [
    ['SOAP 1.1 MTOM', '1.1', true],
    ['SOAP 1.1 plain', '1.1', false],
    ['SOAP 1.2 MTOM', '1.2', true],
    ['SOAP 1.2 plain', '1.2', false],
  ];
  describe.each(flavours)('%s', (_name, version, multipart) => {
    it.each(cases)('%s', (_code, status, errors, klass) => {
      const outcome = registryAnswer(status, errors, version, multipart);
      expect(outcome.class).toBe(klass);
      expect(outcome.outcome).toBe(status);
      expect(outcome.errors).toEqual(
        errors.map((e) => ({ errorCode: e.errorCode, codeContext: e.codeContext, severity: 'error' }))
      );
      expect(outcome.relatesTo).toBe(RELATES_TO);
      expect(outcome.action).toBe(ITI41_RESPONSE_ACTION);
      expect(outcome.httpStatus).toBe(200);
    });
  });

  it('a location and a warning come through; highestSeverity follows the entries', () => {
    const xml = registryResponseXml('success', [
      { errorCode: 'W', codeContext: 'c', location: '/a', severity: 'warning' },
    ]);
    expect(xml).toContain('highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"');
    const outcome = registryAnswer(
      'success',
      [{ errorCode: 'W', codeContext: 'c', location: '/a', severity: 'warning' }],
      '1.2',
      true
    );
    expect(outcome.class).toBe('success');
    expect(outcome.warnings).toEqual([{ errorCode: 'W', codeContext: 'c', location: '/a', severity: 'warning' }]);
  });

  it('texts are escaped and CPR numbers masked', () => {
    const outcome = registryAnswer(
      'failure',
      [{ errorCode: 'X', codeContext: 'a < b & "c" for 3009840931', severity: 'error' }],
      '1.1',
      true
    );
    expect(outcome.errors[0]?.codeContext).toBe('a < b & "c" for 300984…');
  });
});

describe('every fault the simulator sends parses into the right class', () => {
  const faults: [string, FaultSpec, OutcomeClass][] = [
    ['DGWS expired_idcard', dgwsFault('expired_idcard', 'expired'), 'auth'],
    ['DGWS not_authorized', dgwsFault('not_authorized', 'no'), 'authPermanent'],
    ['DGWS invalid_signature', dgwsFault('invalid_signature', 'bad'), 'authPermanent'],
    ['DGWS invalid_idcard', dgwsFault('invalid_idcard', 'bad'), 'authPermanent'],
    ['DGWS invalid_certificate', dgwsFault('invalid_certificate', 'bad'), 'authPermanent'],
    ['DGWS security_level_failed', dgwsFault('security_level_failed', 'low'), 'authPermanent'],
    ['DGWS missing_required_header', dgwsFault('missing_required_header', 'none'), 'permanent'],
    ['DGWS syntax_error', dgwsFault('syntax_error', 'bad'), 'permanent'],
    ['Client', { code: 'Client', reason: 'bad request' }, 'permanent'],
    ['Client with a subcode', { code: 'Client', subcode: 'wsa:ActionNotSupported', reason: 'no' }, 'permanent'],
    ['VersionMismatch', { code: 'VersionMismatch', reason: 'SOAP 1.1 only' }, 'permanent'],
  ];
  describe.each(['1.1', '1.2'] as const)('SOAP %s', (version) => {
    it.each(faults)('%s', (_name, fault, klass) => {
      const envelope = replyEnvelope(soapFaultXml(version, fault), {
        soapVersion: version,
        action: WSA_SOAP_FAULT_ACTION,
        relatesTo: RELATES_TO,
      });
      const status = faultHttpStatus(version, fault);
      const outcome = parsed(envelope, version, status, false);
      expect(outcome.class).toBe(klass);
      expect(outcome.fault?.soapVersion).toBe(version);
      expect(outcome.fault?.reason).toBe(fault.reason);
      expect(outcome.fault?.dgwsFaultCode).toBe(fault.dgwsFaultCode);
      expect(outcome.fault?.code).toBe(
        version === '1.1'
          ? fault.code
          : { Client: 'Sender', Server: 'Receiver', VersionMismatch: 'VersionMismatch' }[fault.code]
      );
      if (version === '1.2' && fault.subcode) {
        expect(outcome.fault?.subcodes).toEqual([fault.subcode]);
      }
      expect(outcome.relatesTo).toBe(RELATES_TO);
    });
  });

  it('HTTP status: 500 for every SOAP 1.1 and DGWS fault, 400 for a SOAP 1.2 Sender fault', () => {
    expect(faultHttpStatus('1.1', { code: 'Client', reason: '' })).toBe(500);
    expect(faultHttpStatus('1.2', { code: 'Client', reason: '' })).toBe(400);
    expect(faultHttpStatus('1.2', { code: 'Server', reason: '' })).toBe(500);
    expect(faultHttpStatus('1.2', dgwsFault('expired_idcard', ''))).toBe(500);
  });

  it('the DGWS answer header links back to the request', () => {
    const envelope = replyEnvelope(registryResponseXml('success'), {
      soapVersion: '1.1',
      action: ITI41_RESPONSE_ACTION,
      dgws: { securityLevel: '3', inResponseTo: 'msg-1', finished: true },
    });
    const doc = XmlDocument.fromString(envelope);
    try {
      const ns = { medcom: XDS_NS.medcom };
      expect(doc.eval('string(//medcom:Linking/medcom:InResponseToMessageID)', ns)).toBe('msg-1');
      expect(doc.eval('string(//medcom:SecurityLevel)', ns)).toBe('3');
      expect(doc.eval('string(//medcom:FlowStatus)', ns)).toBe('flow_finalized_succesfully');
    } finally {
      doc.dispose();
    }
  });
});

describe('scenario parsing and the queue', () => {
  it('reads <kind>[;delay=ms] and refuses anything else', () => {
    expect(parseScenarioHeader('slow;delay=250')).toEqual({ kind: 'slow', delayMs: 250 });
    expect(parseScenarioHeader(' BUSY ')).toEqual({ kind: 'busy' });
    expect(() => parseScenarioHeader('slow;delay=-5')).toThrow(/delay/);
    expect(() => parseScenarioHeader('nonsense')).toThrow(/Unknown scenario kind/);
    expect(() => parseScenarioHeader(`slow;delay=${10 * 60 * 1000 + 1}`)).toThrow(/delayMs/);
  });

  it('takes the first matching scenario in queue order and counts its uses', () => {
    const q = new ScenarioQueue();
    q.push({ kind: 'busy', uniqueId: 'A', times: 2 });
    q.push({ kind: 'http-503' });
    expect(q.take(['B'])?.kind).toBe('http-503');
    expect(q.take(['B'])).toBeUndefined();
    expect(q.take(['A'])?.kind).toBe('busy');
    expect(q.list()).toEqual([{ kind: 'busy', uniqueId: 'A', times: 1 }]);
    expect(q.take([])).toBeUndefined();
    expect(q.take(['A'])?.kind).toBe('busy');
    expect(q.list()).toEqual([]);
  });
});

describe('error codes and CPR masking', () => {
  it('maps metadata rules to IHE error codes', () => {
    expect(errorCodeForRule('XDS-IHE-034')).toBe('XDSRepositoryMetadataError');
    expect(errorCodeForRule('XDS-IHE-035')).toBe('XDSRepositoryMetadataError');
    expect(errorCodeForRule('XDS-DK-005')).toBe('LocalPolicyRestrictionError');
    expect(errorCodeForRule('XDS-IHE-031')).toBe('XDSPatientIdDoesNotMatch');
    expect(errorCodeForRule('XDS-DK-001')).toBe('XDSRegistryMetadataError');
  });

  it('masks 10-digit numbers but not OIDs, UUIDs or longer numbers', () => {
    expect(maskCpr('patient 3009840931^^^&1.2.208.176.1.2&ISO')).toBe('patient 300984…^^^&1.2.208.176.1.2&ISO');
    expect(maskCpr('PID-3|300984-0931')).toBe('PID-3|300984…');
    expect(maskCpr('1.2.208.176.1234567890 urn:uuid:0b7e4a52-9c8d-4f1e-a2b3-1234567890ab 12345678901')).toBe(
      '1.2.208.176.1234567890 urn:uuid:0b7e4a52-9c8d-4f1e-a2b3-1234567890ab 12345678901'
    );
  });
});
