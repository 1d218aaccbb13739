// Test helpers: run the CLI in-process with captured streams, or as a real process from the built dist/.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

export async function runInProcess(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const io: CliIo = { stdout: out.stream, stderr: err.stream, env };
  const code = await runCli(argv, io);
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Runs bin/kih.js (the built CLI, as a user would): integration tests only, as `npm test` and `npm run test:integration` build first. */
export function runBinary(argv: string[]): CliRun {
  const r = spawnSync(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'kih.js'), ...argv], {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const SAMPLES = path.join(PACKAGE_ROOT, 'samples');
