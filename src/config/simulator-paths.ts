// Where the simulator serves what: one list for the server, the built-in targets and the settings that point at a running simulator.

export const PATHS = {
  iti41: '/kih-iti41/iti41',
  sts: '/sts/services/NewSecurityTokenService',
  documents: '/kih-sim/documents',
  iti18: '/kih-sim/registry/iti18',
  iti43: '/kih-sim/repository/iti43',
  health: '/kih-sim/health',
  scenarios: '/kih-sim/scenarios',
} as const;

export interface SimulatorUrls {
  readonly iti41Url: string;
  readonly stsUrl: string;
  readonly queryUrl: string;
  /** ITI-18 Registry Stored Query. */
  readonly registryUrl: string;
  /** ITI-43 Retrieve Document Set. */
  readonly retrieveUrl: string;
}

/** The endpoints of a simulator at `baseUrl` (`http://127.0.0.1:8041`). */
export function simulatorUrls(baseUrl: string): SimulatorUrls {
  return {
    iti41Url: `${baseUrl}${PATHS.iti41}`,
    stsUrl: `${baseUrl}${PATHS.sts}`,
    queryUrl: `${baseUrl}${PATHS.documents}`,
    registryUrl: `${baseUrl}${PATHS.iti18}`,
    retrieveUrl: `${baseUrl}${PATHS.iti43}`,
  };
}
