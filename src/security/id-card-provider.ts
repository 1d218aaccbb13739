// Hands out a valid STS-signed ID card: cached until shortly before it expires, one STS request at a time.
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { KihError } from '../core/kih-error.js';
import { checkIdCard } from './id-card-file.js';
import type { Credentials } from './credentials.js';
import { buildSystemIdCard, readIdCard } from './id-card.js';
import { signIdCard, verifyIdCard } from './sign-id-card.js';
import type { SignatureAlgorithmName } from './sign-id-card.js';
import { requestIdCard } from './sts-client.js';

export interface IdCardProvider {
  /** A card that is valid now (from the cache, or fresh from the STS). */
  get(): Promise<string>;
  /** A fresh card, whatever the cache holds: for when a service refused the cached one. */
  renew(): Promise<string>;
}

export interface StsIdCardProviderOptions {
  readonly stsEndpoint: string;
  readonly credentials: Credentials;
  readonly cvr: string;
  readonly careProviderName: string;
  readonly itSystemName: string;
  /** Renew this long before the card's NotOnOrAfter; default 5 minutes. */
  readonly renewMarginMs?: number;
  readonly now?: () => Date;
  readonly dispatcher?: Dispatcher;
  /** How the self-signed card is signed; default rsa-sha256. */
  readonly signatureAlgorithm?: SignatureAlgorithmName;
  /** When given, the STS's card must verify against one of these (the STS federation certificates). */
  readonly trustedStsCertificatesPem?: readonly string[];
  /** Told of every STS request, for the caller's log and metrics. */
  readonly onExchange?: (exchange: StsExchange) => void;
}

/**
 * One ID card request to the STS. `first`: no card yet; `expiring`: the cached one is within the
 * renewal margin; `refused`: a service refused the cached card.
 */
export interface StsExchange {
  readonly reason: 'first' | 'expiring' | 'refused';
  readonly ok: boolean;
  readonly durationMs: number;
  readonly error?: unknown;
}

export const DEFAULT_RENEW_MARGIN_MS = 5 * 60 * 1000;

interface Cached {
  readonly card: string;
  readonly renewAt: number;
}

export function createStsIdCardProvider(options: StsIdCardProviderOptions): IdCardProvider {
  const now = options.now ?? ((): Date => new Date());
  const margin = options.renewMarginMs ?? DEFAULT_RENEW_MARGIN_MS;
  let cached: Cached | undefined;
  let inFlight: Promise<string> | undefined;
  let issuedOnce = false;

  async function exchange(): Promise<string> {
    const unsigned = buildSystemIdCard({
      cvr: options.cvr,
      careProviderName: options.careProviderName,
      itSystemName: options.itSystemName,
      certificate: options.credentials,
      now: now(),
    });
    const signed = signIdCard(unsigned, options.credentials, { algorithm: options.signatureAlgorithm ?? 'rsa-sha256' });
    const card = await requestIdCard(
      options.stsEndpoint,
      signed,
      options.dispatcher ? { dispatcher: options.dispatcher } : {}
    );
    if (options.trustedStsCertificatesPem) {
      const check = verifyIdCard(card, { trustedCertificatesPem: options.trustedStsCertificatesPem, now: now() });
      if (!check.ok) {
        throw new KihError(
          'KIH_ERR_STS',
          `The STS returned an ID card that does not verify (${check.faultCode}): ${check.message}`
        );
      }
    }
    const renewAt = readIdCard(card).notOnOrAfter.getTime() - margin;
    // A card that lives shorter than the margin is handed out once but not kept.
    cached = renewAt > now().getTime() ? { card, renewAt } : undefined;
    return card;
  }

  /** One STS request at a time: every caller waiting for a card shares the one under way. */
  function fetchShared(why: 'expiring' | 'refused'): Promise<string> {
    const reason = issuedOnce ? why : 'first';
    const started = performance.now();
    const told = (ok: boolean, error?: unknown): void => {
      options.onExchange?.({
        reason,
        ok,
        durationMs: Math.round(performance.now() - started),
        ...(error !== undefined ? { error } : {}),
      });
    };
    inFlight ??= exchange()
      .then(
        (card) => {
          issuedOnce = true;
          told(true);
          return card;
        },
        (err: unknown) => {
          told(false, err);
          throw err;
        }
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    get(): Promise<string> {
      if (cached && now().getTime() < cached.renewAt) {
        return Promise.resolve(cached.card);
      }
      return fetchShared('expiring');
    },
    renew(): Promise<string> {
      // A request already under way started after the cached card was given out, so it is fresh too.
      cached = undefined;
      return fetchShared('refused');
    },
  };
}

/**
 * A card given as a file (e.g. fetched by another tool): always the same text. It cannot be
 * renewed, so renew() fails with a message instead of handing back the card a service refused.
 */
export function staticIdCardProvider(cardXml: string): IdCardProvider {
  const card = checkIdCard(cardXml, 'The ID card');
  return {
    get: () => Promise.resolve(card),
    renew: () =>
      Promise.reject(
        new KihError(
          'KIH_ERR_ID_CARD',
          'The ID card was given as a file and cannot be renewed; fetch a new one from the STS.'
        )
      ),
  };
}
