// The DGWS checks KIH's proxy makes before a request reaches the repository: headers present, security level, the ID card.
import type { DgwsHeaders } from './iti41-reader.js';
import type { FaultSpec } from './registry-response.js';

export interface IdCardCheckOk {
  ok: true;
}

export interface IdCardCheckFail {
  ok: false;
  faultCode: 'invalid_signature' | 'expired_idcard' | 'invalid_idcard' | 'invalid_certificate' | 'not_authorized';
  message: string;
}

/** Checks the ID card from wsse:Security (its exact text, with inherited namespace declarations). */
export type IdCardVerifier = (cardXml: string, now: Date) => IdCardCheckOk | IdCardCheckFail;

/** KIH takes system ID cards (VOCES/FOCES), which DGWS puts at security level 3; user cards are 4. */
export const MIN_SECURITY_LEVEL = 3;

export type DgwsFaultCode =
  IdCardCheckFail['faultCode'] | 'missing_required_header' | 'security_level_failed' | 'syntax_error';

export function dgwsFault(code: DgwsFaultCode, message: string): FaultSpec {
  // DGWS answers every refusal with faultcode Server and the reason in detail/medcom:FaultCode.
  return { code: 'Server', reason: message, dgwsFaultCode: code };
}

export interface DgwsCheckOptions {
  /** Headers must be there (a DGWS endpoint); otherwise only an ID card that is sent is checked. */
  readonly required: boolean;
  readonly verifyIdCard?: IdCardVerifier;
  readonly now: Date;
}

function verify(card: string | undefined, options: DgwsCheckOptions): FaultSpec | undefined {
  if (!options.verifyIdCard) {
    return undefined;
  }
  if (card === undefined) {
    return dgwsFault('syntax_error', 'The ID card in wsse:Security could not be read.');
  }
  let result: IdCardCheckOk | IdCardCheckFail;
  try {
    result = options.verifyIdCard(card, options.now);
  } catch {
    // A verifier that throws has met a card it cannot make sense of.
    return dgwsFault('invalid_idcard', 'The ID card could not be checked.');
  }
  return result.ok ? undefined : dgwsFault(result.faultCode, result.message);
}

/** The DGWS fault to answer with, or undefined when the request may go on. */
export function checkDgws(headers: DgwsHeaders, options: DgwsCheckOptions): FaultSpec | undefined {
  if (!options.required) {
    return headers.assertionPresent ? verify(headers.cardXml, options) : undefined;
  }
  if (!headers.securityPresent || !headers.assertionPresent) {
    return dgwsFault(
      'missing_required_header',
      'The SOAP header has no wsse:Security with a saml:Assertion (the ID card from the STS).'
    );
  }
  if (!headers.medcomHeaderPresent) {
    return dgwsFault('missing_required_header', 'The SOAP header has no medcom:Header.');
  }
  if (headers.securityLevel === undefined) {
    return dgwsFault('missing_required_header', 'The medcom:Header has no SecurityLevel.');
  }
  if (headers.linkingMessageId === undefined) {
    return dgwsFault('missing_required_header', 'The medcom:Header has no Linking/MessageID.');
  }
  if (!/^[1-5]$/.test(headers.securityLevel)) {
    return dgwsFault('syntax_error', `medcom:SecurityLevel "${headers.securityLevel}" is not a DGWS level (1–5).`);
  }
  if (Number(headers.securityLevel) < MIN_SECURITY_LEVEL) {
    return dgwsFault(
      'security_level_failed',
      `medcom:SecurityLevel ${headers.securityLevel} is too low; this service needs level ${MIN_SECURITY_LEVEL} or higher (an ID card from the STS).`
    );
  }
  return verify(headers.cardXml, options);
}
