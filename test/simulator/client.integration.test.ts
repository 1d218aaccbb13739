// The project's submission client against the simulator: retries, ID card renewal and lost answers end with exactly one stored entry.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTransport } from '../../src/submission/http-transport.js';
import { sendSubmission } from '../../src/submission/send-submission.js';
import type { IdCardSource, SendTarget } from '../../src/submission/send-submission.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { ID_CARD, tempDir, variant } from './helpers.js';

const QRD = 'dk-qrd-1.3/valid/copd-daily-numeric-choice-text.xml';

let sim: Simulator;
let target: SendTarget;

beforeAll(async () => {
  sim = await startSimulator({ storeDir: tempDir('client') });
  target = { name: 'simulator', endpoint: sim.iti41Url, soapVersion: '1.1', dgws: true, queryEndpoint: sim.queryUrl };
});

afterAll(async () => {
  await sim.close();
});

function cards(): IdCardSource & { renewals: number } {
  const source = {
    renewals: 0,
    get: () => Promise.resolve(ID_CARD),
    renew: () => {
      source.renewals += 1;
      return Promise.resolve(ID_CARD);
    },
  };
  return source;
}

async function submit(
  p: ReturnType<typeof variant>,
  idCards = cards(),
  headersMs = 5_000
): ReturnType<typeof sendSubmission> {
  const transport = createTransport({ timeouts: { headersMs } });
  try {
    return await sendSubmission(p.metadata, p.bytes, target, {
      transport,
      idCards,
      sleep: () => Promise.resolve(),
    });
  } finally {
    await transport.close();
  }
}

describe('sendSubmission against the simulator', () => {
  it('busy twice, then stored: three attempts, one entry', async () => {
    const p = variant(QRD);
    const uniqueId = p.metadata.documentEntries[0]!.uniqueId;
    sim.pushScenario({ kind: 'busy', times: 2, uniqueId });
    const result = await submit(p);
    expect(result.class).toBe('success');
    expect(result.attempts.map((a) => a.class)).toEqual(['transient', 'transient', 'success']);
    expect(sim.lookup(uniqueId)).toHaveLength(1);
  });

  it('an expired ID card is renewed once and the request sent again', async () => {
    const p = variant(QRD);
    const uniqueId = p.metadata.documentEntries[0]!.uniqueId;
    sim.pushScenario({ kind: 'expired-idcard', uniqueId });
    const source = cards();
    const result = await submit(p, source);
    expect(result.class).toBe('success');
    expect(source.renewals).toBe(1);
    expect(sim.lookup(uniqueId)).toHaveLength(1);
  });

  it('a lost answer after the store is confirmed through the query endpoint, not re-sent', async () => {
    const p = variant(QRD);
    const uniqueId = p.metadata.documentEntries[0]!.uniqueId;
    sim.pushScenario({ kind: 'timeout-after-store', delayMs: 2_000, uniqueId });
    const result = await submit(p, cards(), 300);
    expect(result.outcome).toBe('success');
    expect(result.confirmedByQuery).toBe(true);
    expect(result.attempts).toHaveLength(1);
    expect(sim.lookup(uniqueId)).toHaveLength(1);
  });

  it('a request still being processed when the client gives up: the query waits for it, so no second entry', async () => {
    const p = variant(QRD);
    const uniqueId = p.metadata.documentEntries[0]!.uniqueId;
    // The client stops waiting after 300 ms; the simulator stores after 1 s.
    sim.pushScenario({ kind: 'slow', delayMs: 1_000, uniqueId });
    const result = await submit(p, cards(), 300);
    expect(result).toMatchObject({ outcome: 'success', confirmedByQuery: true });
    expect(result.attempts).toHaveLength(1);
    expect(sim.lookup(uniqueId)).toHaveLength(1);
  });

  it('a request lost before the store is found absent and sent again: one entry', async () => {
    const p = variant(QRD);
    const uniqueId = p.metadata.documentEntries[0]!.uniqueId;
    sim.pushScenario({ kind: 'timeout-before-store', delayMs: 100, uniqueId });
    const result = await submit(p);
    expect(result.class).toBe('success');
    expect(result.confirmedByQuery).toBeUndefined();
    expect(result.attempts).toHaveLength(2);
    expect(sim.lookup(uniqueId)).toHaveLength(1);
  });
});
