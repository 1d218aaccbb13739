// The processes' case checker: the protocols from the configured directory, compiled once.
import { createCaseChecker } from './case-checker.js';
import type { CaseChecker } from './case-checker.js';
import { DEFAULT_PROTOCOLS_DIR, loadProtocols } from './protocol.js';
import type { Protocol } from './protocol.js';

export async function openProtocols(
  dir: string = DEFAULT_PROTOCOLS_DIR
): Promise<{ readonly protocols: ReadonlyMap<string, Protocol>; readonly checker: CaseChecker }> {
  const protocols = loadProtocols(dir);
  return { protocols, checker: await createCaseChecker(protocols.values()) };
}
