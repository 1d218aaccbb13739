// Builds the simulator's SOAP answers: RegistryResponse (Success/Failure), SOAP and DGWS faults, and the reply envelope.
import { escapeXmlAttr, escapeXmlText } from '../core/xml-escape.js';
import { newUuidUrn } from '../xds/datatypes.js';
import type { SoapVersion } from '../xds/soap-envelope.js';
import { XDS_NS } from '../xds/vocabulary.js';
import { maskCpr } from './cpr-mask.js';

export type RegistryStatus = 'success' | 'failure';

export interface RegistryErrorEntry {
  readonly errorCode: string;
  readonly codeContext: string;
  readonly location?: string;
  readonly severity: 'error' | 'warning';
}

const STATUS_URN: Readonly<Record<RegistryStatus, string>> = {
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
};

const SEVERITY_URN = {
  error: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error',
  warning: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning',
} as const;

/** WS-Addressing's action for SOAP faults. */
export const WSA_SOAP_FAULT_ACTION = 'http://www.w3.org/2005/08/addressing/soap/fault';

/** DGWS FlowStatus of a finished exchange (the DGWS value is spelt this way). */
const FLOW_FINALIZED = 'flow_finalized_succesfully';

/** An `rs:RegistryErrorList` (empty text when there are no errors), prefix `rs:` declared by the caller; texts pass the CPR mask. */
export function registryErrorListXml(errors: readonly RegistryErrorEntry[]): string {
  let list = '';
  if (errors.length > 0) {
    const highest = errors.some((e) => e.severity === 'error') ? SEVERITY_URN.error : SEVERITY_URN.warning;
    list =
      `<rs:RegistryErrorList highestSeverity="${highest}">` +
      errors
        .map(
          (e) =>
            `<rs:RegistryError errorCode="${escapeXmlAttr(e.errorCode)}" ` +
            `codeContext="${escapeXmlAttr(maskCpr(e.codeContext))}" ` +
            (e.location !== undefined ? `location="${escapeXmlAttr(maskCpr(e.location))}" ` : '') +
            `severity="${SEVERITY_URN[e.severity]}"/>`
        )
        .join('') +
      '</rs:RegistryErrorList>';
  }
  return list;
}

/** ebRS status URNs, PartialSuccess included (ITI-18 and ITI-43 answers). */
export const RESPONSE_STATUS_URN = {
  ...STATUS_URN,
  partialSuccess: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
} as const;

/** An `rs:RegistryResponse`; every text passes the CPR mask. */
export function registryResponseXml(status: RegistryStatus, errors: readonly RegistryErrorEntry[] = []): string {
  return `<rs:RegistryResponse xmlns:rs="${XDS_NS.rs}" status="${STATUS_URN[status]}">${registryErrorListXml(errors)}</rs:RegistryResponse>`;
}

/** Fault codes by their SOAP 1.1 names; SOAP 1.2 answers use Sender/Receiver. */
export type FaultCode = 'Client' | 'Server' | 'VersionMismatch';

export interface FaultSpec {
  readonly code: FaultCode;
  /** A qualified SOAP 1.2 Subcode (`wsa:ActionNotSupported`); SOAP 1.1 has no place for it. */
  readonly subcode?: string;
  readonly reason: string;
  /** `detail/medcom:FaultCode` of a DGWS fault. */
  readonly dgwsFaultCode?: string;
}

const SOAP12_CODE: Readonly<Record<FaultCode, string>> = {
  Client: 'Sender',
  Server: 'Receiver',
  VersionMismatch: 'VersionMismatch',
};

/** A `soap:Fault` element in the envelope's `soap` prefix. */
export function soapFaultXml(version: SoapVersion, fault: FaultSpec): string {
  const reason = escapeXmlText(maskCpr(fault.reason));
  const detail =
    fault.dgwsFaultCode !== undefined
      ? `<medcom:FaultCode xmlns:medcom="${XDS_NS.medcom}">${escapeXmlText(fault.dgwsFaultCode)}</medcom:FaultCode>`
      : '';
  if (version === '1.1') {
    return (
      '<soap:Fault>' +
      `<faultcode>soap:${fault.code}</faultcode>` +
      `<faultstring>${reason}</faultstring>` +
      (detail ? `<detail>${detail}</detail>` : '') +
      '</soap:Fault>'
    );
  }
  const subcode = fault.subcode
    ? `<soap:Subcode><soap:Value>${escapeXmlText(fault.subcode)}</soap:Value></soap:Subcode>`
    : '';
  return (
    '<soap:Fault>' +
    `<soap:Code><soap:Value>soap:${SOAP12_CODE[fault.code]}</soap:Value>${subcode}</soap:Code>` +
    `<soap:Reason><soap:Text xml:lang="en">${reason}</soap:Text></soap:Reason>` +
    (detail ? `<soap:Detail>${detail}</soap:Detail>` : '') +
    '</soap:Fault>'
  );
}

/**
 * HTTP status of a fault: DGWS and SOAP 1.1 use 500 for every fault; the SOAP 1.2 HTTP binding
 * gives Sender faults 400.
 */
export function faultHttpStatus(version: SoapVersion, fault: FaultSpec): number {
  return version === '1.2' && fault.code === 'Client' && fault.dgwsFaultCode === undefined ? 400 : 500;
}

export interface DgwsReply {
  /** The request's medcom:SecurityLevel, echoed. */
  readonly securityLevel?: string;
  /** The request's Linking/MessageID. */
  readonly inResponseTo?: string;
  readonly finished: boolean;
}

export interface ReplyOptions {
  readonly soapVersion: SoapVersion;
  readonly action: string;
  /** The request's wsa:MessageID; absent: no RelatesTo header. */
  readonly relatesTo?: string;
  /** A medcom:Header for answers to DGWS requests. */
  readonly dgws?: DgwsReply;
  readonly messageId?: string;
}

function medcomHeader(d: DgwsReply): string {
  return (
    `<medcom:Header xmlns:medcom="${XDS_NS.medcom}">` +
    `<medcom:SecurityLevel>${escapeXmlText(d.securityLevel ?? '3')}</medcom:SecurityLevel>` +
    `<medcom:Linking><medcom:MessageID>${escapeXmlText(newUuidUrn())}</medcom:MessageID>` +
    (d.inResponseTo !== undefined
      ? `<medcom:InResponseToMessageID>${escapeXmlText(d.inResponseTo)}</medcom:InResponseToMessageID>`
      : '') +
    '</medcom:Linking>' +
    (d.finished ? `<medcom:FlowStatus>${FLOW_FINALIZED}</medcom:FlowStatus>` : '') +
    '</medcom:Header>'
  );
}

/** The answer envelope: DGWS header when asked, then WS-Addressing Action, MessageID and RelatesTo. */
export function replyEnvelope(body: string, options: ReplyOptions): string {
  const ns = options.soapVersion === '1.1' ? XDS_NS.soap11 : XDS_NS.soap12;
  const header =
    (options.dgws ? medcomHeader(options.dgws) : '') +
    `<wsa:Action>${escapeXmlText(options.action)}</wsa:Action>` +
    `<wsa:MessageID>${escapeXmlText(options.messageId ?? newUuidUrn())}</wsa:MessageID>` +
    (options.relatesTo !== undefined ? `<wsa:RelatesTo>${escapeXmlText(options.relatesTo)}</wsa:RelatesTo>` : '');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soap:Envelope xmlns:soap="${ns}" xmlns:wsa="${XDS_NS.wsa}">` +
    `<soap:Header>${header}</soap:Header>` +
    `<soap:Body>${body}</soap:Body>` +
    '</soap:Envelope>'
  );
}
