// Named submission targets: the local simulator and KIH's test and production repositories, with their wire settings.
import path from 'node:path';
import { KihError } from '../core/kih-error.js';
import { invalidSetting } from './invalid-setting.js';
import { PACKAGE_ROOT } from '../core/package-info.js';
import { simulatorUrls } from './simulator-paths.js';
import type { MetadataSettings } from './metadata-settings.js';

export type SoapVersion = '1.1' | '1.2';

export interface TransportTimeouts {
  /** TCP + TLS connection set-up. */
  readonly connectMs: number;
  /** From the last request byte to the answer's headers (the repository validates and stores in this time). */
  readonly headersMs: number;
  /** Longest pause between answer body chunks. */
  readonly bodyMs: number;
}

export interface TlsFiles {
  readonly certificateFile?: string;
  readonly privateKeyFile?: string;
  /** Extra trusted CA certificates (PEM). */
  readonly caFile?: string;
}

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** How the sender's DGWS ID card is made: a self-signed card exchanged at the STS. */
export interface IdCardSettings {
  /** The vendor's CVR number (care provider id on the card). */
  readonly cvr: string;
  readonly careProviderName: string;
  /** The IT system's name, as KIH has whitelisted it. */
  readonly itSystemName: string;
  /** VOCES/FOCES certificate and key (PEM files). */
  readonly certificateFile: string;
  readonly privateKeyFile: string;
}

export interface Target {
  readonly name: string;
  readonly endpoint: string;
  readonly soapVersion: SoapVersion;
  /** DGWS headers (wsse:Security with the ID card, medcom:Header) and an HTTP SOAPAction. */
  readonly dgws: boolean;
  readonly repositoryUniqueId?: string;
  readonly stsEndpoint?: string;
  /** A real KIH environment: settings left at the tool's defaults there get a warning. */
  readonly live: boolean;
  /**
   * IHE limits a uniqueId extension to 16 characters; DK sends `root^UUID` (36). null: the DK
   * form is accepted (KIH does); 16: a stock IHE repository's limit.
   */
  readonly uniqueIdExtensionLimit: number | null;
  /** Metadata settings this target implies (layered under the vendor's own). */
  readonly metadata: Partial<MetadataSettings>;
  /**
   * `kih submit` starts the project's simulator in-process for this target and sends to it
   * (the endpoint above is then only nominal).
   */
  readonly embedded?: boolean;
  /** "Is uniqueId X stored" endpoint, for checking before a retry after a lost answer. */
  readonly queryEndpoint?: string;
  /**
   * ITI-18 Registry Stored Query endpoint (`kih verify`). KIH registers in the NSP registry, which
   * is queried through NSP's DDS with its own address; unset where the tool does not know it.
   */
  readonly registryEndpoint?: string;
  /** ITI-43 Retrieve Document Set endpoint (`kih verify`). */
  readonly retrieveEndpoint?: string;
  /** How to get ID cards; absent on a DGWS target: a request without an ID card (refused by KIH). */
  readonly idCard?: IdCardSettings;
  readonly tls?: TlsFiles;
  readonly timeouts?: Partial<TransportTimeouts>;
  readonly retry?: Partial<RetryPolicy>;
}

/** The project's test-only vendor key pair (keys/local-vendor): enough for the simulator's STS, worthless elsewhere. */
export const LOCAL_VENDOR_ID_CARD: IdCardSettings = {
  cvr: '12345678',
  careProviderName: 'kih-certify local test vendor',
  itSystemName: 'kih-certify',
  certificateFile: path.join(PACKAGE_ROOT, 'keys', 'local-vendor', 'cert.pem'),
  privateKeyFile: path.join(PACKAGE_ROOT, 'keys', 'local-vendor', 'key.pem'),
};

const SIMULATOR_METADATA: Partial<MetadataSettings> = {
  homeCommunityId: '1.2.208.176.43210.8.99',
  // QFDD headers name no patient; the simulator files them under this fictitious number.
  patientlessPatientId: { id: '0000000000', assigningAuthority: '1.2.208.176.1.2' },
};

export const DEFAULT_SIMULATOR_PORT = 8041;

/**
 * Built-in targets. Endpoints and OIDs are KIH's published values; which PHMR formatCode KIH
 * expects today is an open question with MedCom, so the versioned code (the current code system)
 * is the default and `legacy` is a setting.
 */
/** The simulator as a target: `kih simulator` on its default port; `local` starts one in-process instead. */
const SIMULATOR_URLS = simulatorUrls(`http://127.0.0.1:${DEFAULT_SIMULATOR_PORT}`);
const SIMULATOR_TARGET: Target = {
  name: 'simulator',
  endpoint: SIMULATOR_URLS.iti41Url,
  soapVersion: '1.1',
  dgws: true,
  repositoryUniqueId: '1.2.208.176.43210.8.1.99',
  stsEndpoint: SIMULATOR_URLS.stsUrl,
  queryEndpoint: SIMULATOR_URLS.queryUrl,
  registryEndpoint: SIMULATOR_URLS.registryUrl,
  retrieveEndpoint: SIMULATOR_URLS.retrieveUrl,
  live: false,
  uniqueIdExtensionLimit: null,
  metadata: SIMULATOR_METADATA,
  idCard: LOCAL_VENDOR_ID_CARD,
};

/**
 * A settings-file entry (`targets.<name>`) for a simulator running at `baseUrl`, e.g. on another
 * port: its endpoints, the test vendor's ID card settings and the simulator's metadata settings.
 */
export function simulatorTargetSettings(baseUrl: string): Record<string, unknown> {
  const urls = simulatorUrls(baseUrl);
  return {
    endpoint: urls.iti41Url,
    stsEndpoint: urls.stsUrl,
    queryEndpoint: urls.queryUrl,
    registryEndpoint: urls.registryUrl,
    retrieveEndpoint: urls.retrieveUrl,
    idCard: { ...LOCAL_VENDOR_ID_CARD },
    metadata: SIMULATOR_METADATA,
  };
}

export const BUILTIN_TARGETS: Readonly<Record<string, Target>> = {
  local: { ...SIMULATOR_TARGET, name: 'local', embedded: true },
  simulator: SIMULATOR_TARGET,
  'kih-test': {
    name: 'kih-test',
    endpoint: 'https://kih.test.xdsrepositoryb.medcom.dk/kih-iti41/iti41',
    soapVersion: '1.1',
    dgws: true,
    repositoryUniqueId: '1.2.208.176.43210.8.1.29',
    stsEndpoint: 'http://test2.ekstern-test.nspop.dk:8080/sts/services/NewSecurityTokenService',
    live: true,
    uniqueIdExtensionLimit: null,
    metadata: { homeCommunityId: '1.2.208.176.43210.8.20' },
  },
  'kih-prod': {
    name: 'kih-prod',
    endpoint: 'https://kihrepository-sec-npi-nsi.rn.dsdn.dk:8022/kih-iti41/iti41',
    soapVersion: '1.1',
    dgws: true,
    repositoryUniqueId: '1.2.208.176.8.1.30',
    live: true,
    uniqueIdExtensionLimit: null,
    metadata: { homeCommunityId: '1.2.208.176.8.1' },
  },
};

export const TARGET_NAMES = Object.keys(BUILTIN_TARGETS);

export function getTarget(name: string): Target {
  const target = BUILTIN_TARGETS[name];
  if (!target) {
    invalidSetting(`targets.${name}`, `Unknown target "${name}"; known targets: ${TARGET_NAMES.join(', ')}.`);
  }
  return target;
}

/** A target for an ad-hoc endpoint (`--endpoint URL`): plain IHE unless told otherwise. */
export function endpointTarget(endpoint: string, soapVersion: SoapVersion): Target {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new KihError('CLI_ERR_USAGE', `--endpoint is not a URL: "${endpoint}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KihError('CLI_ERR_USAGE', `--endpoint must be http or https: "${endpoint}"`);
  }
  return {
    name: 'endpoint',
    endpoint,
    soapVersion,
    dgws: soapVersion === '1.1',
    live: false,
    uniqueIdExtensionLimit: null,
    metadata: {},
  };
}
