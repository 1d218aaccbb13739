// Test helpers for service mode: a simulator target in a settings file, a corpus of distinct documents, waiting for a run.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simulatorTargetSettings } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { Database } from '../../src/store/database.js';
import { runStatus } from '../../src/store/records.js';
import type { RunStatus } from '../../src/store/records.js';
import { parseSettingsFile } from '../../src/config/settings-file.js';
import type { SettingsFile } from '../../src/config/settings-file.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testPrefix(label: string): string {
  return `t-${label}-${randomBytes(4).toString('hex')}`;
}

const SAMPLES = path.join(PACKAGE_ROOT, 'samples');
const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  documents: { file: string; valid: boolean; pairedWith?: string }[];
};

/** A target "sim" at a running simulator, with the test vendor's key for its STS and quick retries. */
export function simulatorSettings(sim: ProjectSimulator, headersMs = 5_000): SettingsFile {
  return parseSettingsFile(
    'test settings',
    JSON.stringify({
      targets: {
        sim: {
          ...simulatorTargetSettings(sim.url),
          retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
          timeouts: { headersMs },
        },
      },
    })
  );
}

export interface CorpusDocument {
  readonly file: string;
  readonly bytes: Buffer;
  readonly valid: boolean;
}

/**
 * `copies` of every sample: valid ones get a new document id each (their own uniqueId and hash),
 * invalid ones are taken as they are.
 */
export function corpus(copies: number): CorpusDocument[] {
  const out: CorpusDocument[] = [];
  for (let c = 0; c < copies; c++) {
    for (const d of manifest.documents) {
      const bytes = readFileSync(path.join(SAMPLES, d.file));
      // The queue validates one document at a time: a QRD invalid only against its form (pairedWith) is valid there.
      if (!d.valid && d.pairedWith === undefined) {
        out.push({ file: `${c}/${d.file}`, bytes, valid: false });
        continue;
      }
      const text = bytes.toString('utf8');
      const id = `00000000-0000-4000-8000-${randomBytes(6).toString('hex')}`;
      const changed = text.replace(/(<id root="1\.2\.208\.184" extension=")[^"]+"/, `$1${id}"`);
      if (changed === text) {
        throw new Error(`${d.file}: no MedCom document id`);
      }
      out.push({ file: `${c}/${d.file}`, bytes: Buffer.from(changed, 'utf8'), valid: true });
    }
  }
  return out;
}

/** Polls the run's records until every document is done (or the time is up). */
export async function waitForRun(db: Database, runId: string, timeoutMs = 120_000): Promise<RunStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await runStatus(db, runId);
    if (status.done === status.total || Date.now() > until) {
      return status;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
