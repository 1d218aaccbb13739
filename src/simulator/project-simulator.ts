// The simulator as the CLI runs it: the mock STS, ID cards checked against its federation certificate, and the project's CDA validator.
import { createMockSts, createSimulatorFederation } from '../security/mock-sts.js';
import { createCachingIdCardVerifier } from '../security/sign-id-card.js';
import type { Validator } from '../validation/validator.js';
import type { IdCardVerifier } from './dgws-check.js';
import type { CdaValidation } from './iti41-handler.js';
import { startSimulator } from './simulator.js';
import type { Simulator } from './simulator.js';

export interface ProjectSimulatorOptions {
  readonly storeDir: string;
  readonly host?: string;
  /** Default 0 (an ephemeral port). */
  readonly port?: number;
  /** Absent: documents are stored without a CDA check (load tests, or a check made before sending). */
  readonly validator?: Pick<Validator, 'validateBytes'>;
  /** Default true: a DGWS endpoint like KIH. */
  readonly requireDgws?: boolean;
}

export interface ProjectSimulator extends Simulator {
  /** The certificate the simulator's STS signs ID cards with: the only one its repository trusts. */
  readonly federationCertificatePem: string;
}

/**
 * Only cards the simulator's own STS signed pass, as KIH trusts only the NSP STS. Every request
 * carries the same card until it expires, so its signature is verified once, its times always.
 */
export function federationVerifier(federationCertificatePem: string): IdCardVerifier {
  const verify = createCachingIdCardVerifier({ trustedCertificatesPem: [federationCertificatePem] });
  return (cardXml, now) => {
    const check = verify(cardXml, now);
    return check.ok ? { ok: true } : { ok: false, faultCode: check.faultCode, message: check.message };
  };
}

/** The validator's verdict in the simulator's terms; a tool failure throws, which the simulator answers as XDSRepositoryError. */
export function cdaCheck(validator: Pick<Validator, 'validateBytes'>): (bytes: Uint8Array) => Promise<CdaValidation> {
  return async (bytes) => {
    const report = await validator.validateBytes(bytes, 'submitted document');
    if (report.status === 'error') {
      throw new Error('the validator could not check the document');
    }
    return {
      valid: report.status === 'valid',
      issues: report.issues.map((i) => ({ ruleId: i.ruleId, message: i.message, severity: i.severity })),
    };
  };
}

export async function startProjectSimulator(options: ProjectSimulatorOptions): Promise<ProjectSimulator> {
  const federation = createSimulatorFederation();
  const sts = createMockSts({ federation });
  const sim = await startSimulator({
    storeDir: options.storeDir,
    ...(options.host !== undefined ? { host: options.host } : {}),
    port: options.port ?? 0,
    requireDgws: options.requireDgws ?? true,
    sts,
    verifyIdCard: federationVerifier(federation.certificatePem),
    ...(options.validator ? { validateDocument: cdaCheck(options.validator) } : {}),
  });
  // Spread would drop the getter behind `stats`, so the simulator object is extended in place.
  return Object.assign(sim, { federationCertificatePem: federation.certificatePem });
}
