// Bounded load and fault test: 2,000 submissions at concurrency 32 through the client, the STS and the DGWS simulator, with faults mixed in; none lost, none stored twice.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTransport } from '../../src/submission/http-transport.js';
import { idCardSourceFor } from '../../src/submission/id-card-source.js';
import { sendSubmission } from '../../src/submission/send-submission.js';
import type { IdCardSource, SendTarget, SubmissionResult } from '../../src/submission/send-submission.js';
import { BUILTIN_TARGETS } from '../../src/config/targets.js';
import type { Target } from '../../src/config/targets.js';
import { startProjectSimulator } from '../../src/simulator/project-simulator.js';
import type { ProjectSimulator } from '../../src/simulator/project-simulator.js';
import { prepareBytes, sampleBytes } from '../simulator/helpers.js';
import type { Prepared } from '../simulator/helpers.js';

const SUBMISSIONS = 2_000;
const CONCURRENCY = 32;
const SOURCES = ['dk-phmr-2.1/valid/weight.xml', 'dk-qrd-1.3/valid/fatigue-pain-sliders.xml'];

let storeDir: string;
let sim: ProjectSimulator;
let target: SendTarget;
let idCards: IdCardSource;

beforeAll(async () => {
  storeDir = await mkdtemp(path.join(tmpdir(), 'kih-load-'));
  // The CDA check is off: it is the same for every copy and would only measure the validator.
  sim = await startProjectSimulator({ storeDir });
  target = { name: 'load', endpoint: sim.iti41Url, soapVersion: '1.1', dgws: true, queryEndpoint: sim.queryUrl };
  const local = BUILTIN_TARGETS.local as Target;
  const cards = await idCardSourceFor(local, {
    stsEndpoint: sim.stsUrl,
    trustedStsCertificatesPem: [sim.federationCertificatePem],
  });
  if (!cards) {
    throw new Error('local is a DGWS target');
  }
  idCards = cards;
});

afterAll(async () => {
  await sim.close();
  await rm(storeDir, { recursive: true, force: true });
});

/** Copy `n` of a sample with its own document id, so each has its own uniqueId and hash. */
function copies(n: number): Prepared[] {
  const texts = SOURCES.map((f) => sampleBytes(f).toString('utf8'));
  return Array.from({ length: n }, (_, i) => {
    const text = texts[i % texts.length] ?? '';
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const changed = text.replace(/(<id root="1\.2\.208\.184" extension=")[^"]+"/, `$1${id}"`);
    return prepareBytes(Buffer.from(changed, 'utf8'));
  });
}

describe('load', () => {
  it(`${SUBMISSIONS} submissions at concurrency ${CONCURRENCY}, with faults: every one stored exactly once`, async () => {
    const docs = copies(SUBMISSIONS);
    // Faults for the first requests that reach the simulator; every kind must end stored once.
    sim.pushScenario({ kind: 'busy', times: 40 });
    sim.pushScenario({ kind: 'http-503', times: 20 });
    sim.pushScenario({ kind: 'expired-idcard', times: 10 });
    sim.pushScenario({ kind: 'timeout-before-store', times: 8, delayMs: 50 });
    sim.pushScenario({ kind: 'timeout-after-store', times: 8, delayMs: 3_000 });
    const transport = createTransport({ timeouts: { headersMs: 1_500 } });
    const results: SubmissionResult[] = new Array<SubmissionResult>(docs.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < docs.length) {
        const i = next++;
        const doc = docs[i] as Prepared;
        results[i] = await sendSubmission(doc.metadata, doc.bytes, target, {
          transport,
          idCards,
          policy: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50 },
        });
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    } finally {
      await transport.close();
    }

    const notStored = results.filter((r) => r.outcome !== 'success');
    expect(notStored.map((r) => `${r.uniqueId}: ${r.class} ${r.message}`)).toEqual([]);
    // The faults really happened: 86 attempts failed (a retry can meet the next fault), and the 8
    // answers lost after the store were settled by the query, not by sending again.
    const failedAttempts = results.flatMap((r) => r.attempts).filter((a) => a.class !== 'success').length;
    expect(failedAttempts).toBeGreaterThanOrEqual(40 + 20 + 10 + 8 + 8);
    expect(results.filter((r) => r.confirmedByQuery)).toHaveLength(8);

    const entries = sim.entries();
    const perUniqueId = new Map<string, number>();
    for (const e of entries) {
      perUniqueId.set(e.uniqueId, (perUniqueId.get(e.uniqueId) ?? 0) + 1);
    }
    expect(entries).toHaveLength(SUBMISSIONS);
    expect([...perUniqueId.values()].filter((n) => n !== 1)).toEqual([]);
    expect(new Set(docs.map((d) => d.metadata.documentEntries[0]?.uniqueId))).toEqual(new Set(perUniqueId.keys()));
    // Durable: the index on disk has one line per stored entry.
    const lines = readFileSync(path.join(storeDir, 'index.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(SUBMISSIONS);
  }, 120_000);
});
