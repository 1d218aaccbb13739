// The streams and environment a command writes to, passed in so tests can run commands in-process.
import type { Writable } from 'node:stream';

export type CliStream = Writable & { isTTY?: boolean; columns?: number };

export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly env: NodeJS.ProcessEnv;
  /** Ends a long-running command (`kih simulator`) as SIGINT would; for running commands in-process. */
  readonly signal?: AbortSignal;
}

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
