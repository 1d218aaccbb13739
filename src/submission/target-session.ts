// One target session: everything needed to send to a target (settings, ID card source, transport, retry policy), opened once and closed once.
import { KihError } from '../core/kih-error.js';
import type { ResolvedSettings } from '../config/metadata-settings.js';
import { createTransport } from './http-transport.js';
import type { Transport } from './http-transport.js';
import { idCardSourceFor } from './id-card-source.js';
import type { StsExchange } from './id-card-source.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import type { IdCardSource, SendTarget } from './send-submission.js';
import type { Target } from '../config/targets.js';

/**
 * A repository running inside this process for an `embedded` target (`local`): started by the
 * layer that owns the process (the CLI), never by submission itself.
 */
export interface LocalPeer {
  readonly iti41Url: string;
  readonly queryUrl: string;
  /** ITI-18 and ITI-43 endpoints of the peer (`kih verify`). */
  readonly registryUrl?: string;
  readonly retrieveUrl?: string;
  readonly stsUrl: string;
  /** The only certificate whose ID cards the peer's repository trusts. */
  readonly federationCertificatePem: string;
}

export interface TargetSessionOptions {
  /** An STS-signed ID card to send as it is, instead of the target's STS. */
  readonly idCardFile?: string;
  /** Required for an `embedded` target: where it really runs. */
  readonly localPeer?: LocalPeer;
  /** Told of every request to the target's STS (log lines, metrics). */
  readonly onStsExchange?: (exchange: StsExchange) => void;
}

export interface TargetSession {
  readonly target: Target;
  /** The wire end of the target: where requests go (the local peer's real port for `local`). */
  readonly send: SendTarget;
  readonly settings: ResolvedSettings;
  readonly transport: Transport;
  readonly idCards?: IdCardSource;
  readonly policy: RetryPolicy;
  close(): Promise<void>;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, string>>);
}

/**
 * Opens a session for `target`. The certificate and key are read here, so a wrong path is one
 * error before any document is sent; an embedded target without a local peer is a configuration
 * error (a service sends to a running simulator or to KIH).
 */
export async function openTargetSession(
  target: Target,
  settings: ResolvedSettings,
  options: TargetSessionOptions = {}
): Promise<TargetSession> {
  const peer = options.localPeer;
  if (target.embedded && !peer) {
    throw new KihError(
      'CONFIG_ERR_INVALID',
      `Target "${target.name}" runs a simulator inside one command; here send to a running one (target "simulator") or to KIH.`,
      { path: `targets.${target.name}` }
    );
  }
  const send: SendTarget = {
    name: target.name,
    endpoint: peer ? peer.iti41Url : target.endpoint,
    soapVersion: target.soapVersion,
    dgws: target.dgws,
    ...(peer
      ? { queryEndpoint: peer.queryUrl }
      : target.queryEndpoint !== undefined
        ? { queryEndpoint: target.queryEndpoint }
        : {}),
    ...optional('registryEndpoint', peer ? peer.registryUrl : target.registryEndpoint),
    ...optional('retrieveEndpoint', peer ? peer.retrieveUrl : target.retrieveEndpoint),
    ...optional('repositoryUniqueId', target.repositoryUniqueId),
  };
  const idCards = await idCardSourceFor(target, {
    ...(options.idCardFile !== undefined ? { cardFile: options.idCardFile } : {}),
    ...(peer ? { stsEndpoint: peer.stsUrl, trustedStsCertificatesPem: [peer.federationCertificatePem] } : {}),
    ...(options.onStsExchange ? { onStsExchange: options.onStsExchange } : {}),
  });
  const transport = createTransport({
    ...(target.timeouts ? { timeouts: target.timeouts } : {}),
    ...(target.tls ? { tls: target.tls } : {}),
  });
  return {
    target,
    send,
    settings,
    transport,
    ...(idCards ? { idCards } : {}),
    policy: { ...DEFAULT_RETRY_POLICY, ...target.retry },
    close: () => transport.close(),
  };
}

/** Whether the target can be asked about a stored document: it has both a registry (ITI-18) and a retrieve (ITI-43) endpoint. */
export function hasRegistry(target: {
  readonly registryEndpoint?: string | undefined;
  readonly retrieveEndpoint?: string | undefined;
}): boolean {
  return target.registryEndpoint !== undefined && target.retrieveEndpoint !== undefined;
}

/** Refuses, before anything is sent, a target that cannot be asked (KIH's registry address is not known to the tool). */
export function requireRegistry(target: {
  readonly name: string;
  readonly registryEndpoint?: string | undefined;
  readonly retrieveEndpoint?: string | undefined;
}): { registry: string; retrieve: string } {
  const { registryEndpoint, retrieveEndpoint, name } = target;
  if (registryEndpoint === undefined || retrieveEndpoint === undefined) {
    const missing = [
      registryEndpoint === undefined ? 'registryEndpoint' : '',
      retrieveEndpoint === undefined ? 'retrieveEndpoint' : '',
    ]
      .filter((s) => s !== '')
      .join(' and ');
    throw new KihError(
      'CONFIG_ERR_INVALID',
      `Target "${name}" has no ${missing}: the tool does not know where this target's registry (ITI-18) and repository (ITI-43) answer. Set targets.${name}.registryEndpoint and targets.${name}.retrieveEndpoint in the settings file (--config).`,
      { path: `targets.${name}` }
    );
  }
  return { registry: registryEndpoint, retrieve: retrieveEndpoint };
}
