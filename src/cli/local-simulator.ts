// The `local` target's repository: the project's simulator started inside the command, with its store in a temporary folder unless one is given.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KihError } from '../core/kih-error.js';
import { startProjectSimulator } from '../simulator/project-simulator.js';
import type { StartLocalPeer } from '../submission/submit-files.js';
import type { Target } from '../config/targets.js';

/** A peer starter for `target`, or undefined for a target that is not embedded; `--simulator-store` only where there is one. */
export function localSimulator(target: Target, storeDir?: string): StartLocalPeer | undefined {
  if (!target.embedded) {
    if (storeDir !== undefined) {
      throw new KihError('CLI_ERR_USAGE', `--simulator-store is for the in-process simulator (target local).`);
    }
    return undefined;
  }
  return async (validator) => {
    let dir = storeDir;
    let temp: string | undefined;
    if (dir === undefined) {
      temp = await mkdtemp(path.join(os.tmpdir(), 'kih-simulator-'));
      dir = temp;
    }
    try {
      const sim = await startProjectSimulator({
        storeDir: dir,
        requireDgws: target.dgws,
        // Like KIH, the simulator checks the CDA itself, also when the sender did not.
        ...(validator ? { validator } : {}),
      });
      return {
        iti41Url: sim.iti41Url,
        queryUrl: sim.queryUrl,
        registryUrl: sim.registryUrl,
        retrieveUrl: sim.retrieveUrl,
        stsUrl: sim.stsUrl,
        federationCertificatePem: sim.federationCertificatePem,
        close: async () => {
          await sim.close();
          if (temp !== undefined) {
            await rm(temp, { recursive: true, force: true });
          }
        },
      };
    } catch (err) {
      if (temp !== undefined) {
        await rm(temp, { recursive: true, force: true });
      }
      throw err;
    }
  };
}

/** `{ startLocalPeer }` when there is one, for spreading into submit options. */
export function withLocalPeer(start: StartLocalPeer | undefined): { startLocalPeer?: StartLocalPeer } {
  return start ? { startLocalPeer: start } : {};
}
