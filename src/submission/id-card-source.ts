// Where a target's DGWS ID cards come from: a card given as a file, or the vendor's certificate exchanged at the target's STS.
import type { Dispatcher } from 'undici';
import { KihError } from '../core/kih-error.js';
import { loadCredentials } from '../security/credentials.js';
import { readIdCardFile } from '../security/id-card-file.js';
import { createStsIdCardProvider, staticIdCardProvider } from '../security/id-card-provider.js';
import type { StsExchange } from '../security/id-card-provider.js';
import type { IdCardSource } from './send-submission.js';
import type { Target } from '../config/targets.js';

export interface IdCardSourceOptions {
  /** An STS-signed card (saml:Assertion) to send as it is; it cannot be renewed. */
  readonly cardFile?: string;
  /** Overrides the target's STS (the embedded simulator's real port). */
  readonly stsEndpoint?: string;
  /** When given, cards from the STS must verify against one of these federation certificates. */
  readonly trustedStsCertificatesPem?: readonly string[];
  readonly dispatcher?: Dispatcher;
  /** Told of every STS request (log lines, metrics). */
  readonly onStsExchange?: (exchange: StsExchange) => void;
}

export type { StsExchange };

/**
 * The ID card source for a target; undefined for a target without DGWS. The certificate and key
 * are read and checked here, so a wrong path is one error before any document is sent.
 */
export async function idCardSourceFor(
  target: Target,
  options: IdCardSourceOptions = {}
): Promise<IdCardSource | undefined> {
  if (!target.dgws) {
    return undefined;
  }
  if (options.cardFile !== undefined) {
    return staticIdCardProvider(await readIdCardFile(options.cardFile));
  }
  const sts = options.stsEndpoint ?? target.stsEndpoint;
  const settings = target.idCard;
  if (!settings || sts === undefined) {
    const missing = settings ? 'an stsEndpoint' : 'idCard settings (CVR, certificate and key)';
    throw new KihError(
      'KIH_ERR_ID_CARD',
      target.name === 'endpoint'
        ? 'A DGWS endpoint (SOAP 1.1) needs an ID card: give --id-card <file>, or define a target with idCard settings in the settings file.'
        : `${target.name} needs a DGWS ID card: give --id-card <file>, or ${missing} for ${target.name} in the settings file or the environment (KIH_CVR, KIH_ID_CARD_CERT_FILE, KIH_ID_CARD_KEY_FILE).`
    );
  }
  const credentials = await loadCredentials(settings);
  return createStsIdCardProvider({
    stsEndpoint: sts,
    credentials,
    cvr: settings.cvr,
    careProviderName: settings.careProviderName,
    itSystemName: settings.itSystemName,
    ...(options.trustedStsCertificatesPem ? { trustedStsCertificatesPem: options.trustedStsCertificatesPem } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.onStsExchange ? { onExchange: options.onStsExchange } : {}),
  });
}
