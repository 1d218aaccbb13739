// The processes' case checker: the protocols from KIH_PROTOCOLS_DIR (or the package's certification/), compiled once.
import { createCaseChecker } from './case-checker.js';
import type { CaseChecker } from './case-checker.js';
import { DEFAULT_PROTOCOLS_DIR, loadProtocols } from './protocol.js';
import type { Protocol } from './protocol.js';

export function protocolsDir(env: NodeJS.ProcessEnv): string {
  return env.KIH_PROTOCOLS_DIR ?? DEFAULT_PROTOCOLS_DIR;
}

export async function openProtocols(
  env: NodeJS.ProcessEnv
): Promise<{ readonly protocols: ReadonlyMap<string, Protocol>; readonly checker: CaseChecker }> {
  const protocols = loadProtocols(protocolsDir(env));
  return { protocols, checker: await createCaseChecker(protocols.values()) };
}
