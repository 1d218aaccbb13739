// The SOAP envelope of an ITI-41 request: SOAP 1.1 with DGWS headers for KIH, or SOAP 1.2 for plain IHE peers, both with WS-Addressing.
import { ITI41_ACTION, WSA_ANONYMOUS, XDS_NS } from './vocabulary.js';

import type { SoapVersion } from '../config/targets.js';

export type { SoapVersion };

export interface DgwsHeaderOptions {
  /**
   * The STS-signed ID card (`saml:Assertion`), inserted byte for byte: any change, even white
   * space, breaks its signature. Absent: the header carries only the timestamp (KIH will refuse it).
   */
  readonly idCard?: string;
  /** DGWS SecurityLevel: 3 for system (VOCES/FOCES) ID cards. */
  readonly securityLevel: number;
  /** medcom:Linking/MessageID. */
  readonly messageId: string;
  readonly created: Date;
  readonly requireNonRepudiationReceipt?: boolean;
}

export interface EnvelopeOptions {
  readonly soapVersion: SoapVersion;
  /** wsa:MessageID (`urn:uuid:…`). */
  readonly messageId: string;
  /** wsa:To: the endpoint URL. */
  readonly to: string;
  readonly action?: string;
  readonly dgws?: DgwsHeaderOptions;
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** xs:dateTime in UTC at second precision, as DGWS timestamps are written. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function dgwsHeaders(d: DgwsHeaderOptions): string {
  return (
    `<wsse:Security xmlns:wsse="${XDS_NS.wsse}" xmlns:wsu="${XDS_NS.wsu}">` +
    `<wsu:Timestamp><wsu:Created>${isoSeconds(d.created)}</wsu:Created></wsu:Timestamp>` +
    (d.idCard ?? '') +
    '</wsse:Security>' +
    `<medcom:Header xmlns:medcom="${XDS_NS.medcom}">` +
    `<medcom:SecurityLevel>${d.securityLevel}</medcom:SecurityLevel>` +
    `<medcom:Linking><medcom:MessageID>${esc(d.messageId)}</medcom:MessageID></medcom:Linking>` +
    `<medcom:RequireNonRepudiationReceipt>${d.requireNonRepudiationReceipt ? 'yes' : 'no'}</medcom:RequireNonRepudiationReceipt>` +
    '</medcom:Header>'
  );
}

/**
 * The envelope as text around a body element. Header order follows working KIH/NSP traffic:
 * wsse:Security, medcom:Header, then wsa:Action, MessageID, To, ReplyTo. Only wsa:Action is
 * mustUnderstand (WS-Addressing); DGWS headers are not, as some DGWS stacks refuse that.
 */
export function buildSoapEnvelope(body: string, options: EnvelopeOptions): string {
  const ns = options.soapVersion === '1.1' ? XDS_NS.soap11 : XDS_NS.soap12;
  const mustUnderstand = options.soapVersion === '1.1' ? '1' : 'true';
  const header =
    (options.dgws ? dgwsHeaders(options.dgws) : '') +
    `<wsa:Action soap:mustUnderstand="${mustUnderstand}">${esc(options.action ?? ITI41_ACTION)}</wsa:Action>` +
    `<wsa:MessageID>${esc(options.messageId)}</wsa:MessageID>` +
    `<wsa:To>${esc(options.to)}</wsa:To>` +
    `<wsa:ReplyTo><wsa:Address>${WSA_ANONYMOUS}</wsa:Address></wsa:ReplyTo>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soap:Envelope xmlns:soap="${ns}" xmlns:wsa="${XDS_NS.wsa}">` +
    `<soap:Header>${header}</soap:Header>` +
    `<soap:Body>${body}</soap:Body>` +
    '</soap:Envelope>'
  );
}
