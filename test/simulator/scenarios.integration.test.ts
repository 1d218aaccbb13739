// Every simulator scenario over real HTTP, selected by header, by pushScenario and through the HTTP scenario API, with the client's view of each.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { buildRequest, getJson, impatientAgent, PLAIN_SOAP12, post, tempDir, variant } from './helpers.js';
import type { Prepared } from './helpers.js';

const PHMR = 'dk-phmr-1.3/valid/weight.xml';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ storeDir: tempDir('scenarios') });
});

afterEach(() => {
  sim.clearScenarios();
});

afterAll(async () => {
  await sim.close();
});

function uniqueIdOf(p: Prepared): string {
  return p.metadata.documentEntries[0]!.uniqueId;
}

describe('answers in place of the normal one', () => {
  it('busy: RegistryResponse Failure XDSRepositoryBusy, class transient, nothing stored', async () => {
    const p = variant(PHMR);
    const req = buildRequest(sim, p);
    const answer = await post(req, { 'X-Kih-Sim-Scenario': 'busy' });
    expect(answer.status).toBe(200);
    expect(answer.outcome.outcome).toBe('failure');
    expect(answer.outcome.errors.map((e) => e.errorCode)).toEqual(['XDSRepositoryBusy']);
    expect(answer.outcome.class).toBe('transient');
    expect(answer.outcome.relatesTo).toBe(req.messageId);
    expect(sim.lookup(uniqueIdOf(p))).toEqual([]);
  });

  it('duplicate-in-registry: Failure XDSDuplicateUniqueIdInRegistry, class duplicate, nothing stored', async () => {
    const p = variant(PHMR);
    const answer = await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'duplicate-in-registry' });
    expect(answer.status).toBe(200);
    expect(answer.outcome.outcome).toBe('failure');
    expect(answer.outcome.errors.map((e) => e.errorCode)).toEqual(['XDSDuplicateUniqueIdInRegistry']);
    expect(answer.outcome.class).toBe('duplicate');
    expect(sim.lookup(uniqueIdOf(p))).toEqual([]);
  });

  it('http-503: HTTP 503 with a short HTML body, class transient, nothing stored', async () => {
    const p = variant(PHMR);
    const answer = await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'http-503' });
    expect(answer.status).toBe(503);
    expect(String(answer.headers['content-type'])).toMatch(/^text\/html/);
    expect(answer.text).toContain('Service Unavailable');
    expect(answer.outcome.class).toBe('transient');
    expect(sim.lookup(uniqueIdOf(p))).toEqual([]);
  });

  it('expired-idcard: DGWS fault expired_idcard, class auth', async () => {
    const p = variant(PHMR);
    const answer = await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'expired-idcard' });
    expect(answer.status).toBe(500);
    expect(answer.outcome.fault).toMatchObject({ soapVersion: '1.1', code: 'Server', dgwsFaultCode: 'expired_idcard' });
    expect(answer.outcome.class).toBe('auth');
    expect(sim.lookup(uniqueIdOf(p))).toEqual([]);
  });

  it('not-authorized: DGWS fault not_authorized, class authPermanent', async () => {
    const p = variant(PHMR);
    const answer = await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'not-authorized' });
    expect(answer.status).toBe(500);
    expect(answer.outcome.fault?.dgwsFaultCode).toBe('not_authorized');
    expect(answer.outcome.class).toBe('authPermanent');
  });

  it('DGWS scenarios answer a SOAP 1.2 request in SOAP 1.2', async () => {
    const plain = await startSimulator({ storeDir: tempDir('scenarios-12'), requireDgws: false });
    try {
      const answer = await post(buildRequest(plain, variant(PHMR), PLAIN_SOAP12), {
        'X-Kih-Sim-Scenario': 'expired-idcard',
      });
      expect(answer.outcome.fault).toMatchObject({
        soapVersion: '1.2',
        code: 'Receiver',
        dgwsFaultCode: 'expired_idcard',
      });
      expect(answer.outcome.class).toBe('auth');
    } finally {
      await plain.close();
    }
  });
});

describe('the normal answer, delivered differently', () => {
  it('non-multipart: the Success as a plain text/xml SOAP body, still parsed as success', async () => {
    const p = variant(PHMR);
    const req = buildRequest(sim, p);
    const answer = await post(req, { 'X-Kih-Sim-Scenario': 'non-multipart' });
    expect(String(answer.headers['content-type'])).toMatch(/^text\/xml/);
    expect(answer.text.startsWith('<?xml')).toBe(true);
    expect(answer.outcome.class).toBe('success');
    expect(answer.outcome.relatesTo).toBe(req.messageId);
    expect(sim.lookup(uniqueIdOf(p))).toHaveLength(1);
  });

  it('no-relates-to: the Success without wsa:RelatesTo', async () => {
    const p = variant(PHMR);
    const answer = await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'no-relates-to' });
    expect(answer.outcome.class).toBe('success');
    expect(answer.outcome.relatesTo).toBeUndefined();
    expect(answer.text).not.toContain('RelatesTo');
    expect(answer.outcome.action).toBe('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse');
  });

  it('slow: the normal answer after the delay', async () => {
    const p = variant(PHMR);
    const started = Date.now();
    const answer = await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'slow;delay=400' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(answer.outcome.class).toBe('success');
    expect(sim.lookup(uniqueIdOf(p))).toHaveLength(1);
  });
});

describe('lost answers', () => {
  it('timeout-after-store: the document is stored, but the client hears nothing', async () => {
    const p = variant(PHMR);
    const agent = impatientAgent(300);
    try {
      const failure = await post(
        buildRequest(sim, p),
        { 'X-Kih-Sim-Scenario': 'timeout-after-store;delay=1500' },
        agent
      ).then(
        () => undefined,
        (err: unknown) => err
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error & { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    } finally {
      await agent.close();
    }
    // The client may ask the query endpoint what happened: it arrived.
    expect(sim.lookup(uniqueIdOf(p))).toHaveLength(1);
    const query = await getJson(`${sim.queryUrl}?uniqueId=${encodeURIComponent(uniqueIdOf(p))}`);
    expect(query.json).toMatchObject({ stored: true, entries: [{ hash: p.metadata.documentEntries[0]!.hash }] });
  });

  it('timeout-after-store: the connection is dropped once the hold ends', async () => {
    const p = variant(PHMR);
    const failure = await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'timeout-after-store;delay=100' }).then(
      () => undefined,
      (err: unknown) => err
    );
    expect((failure as Error & { code?: string }).code).toBe('UND_ERR_SOCKET');
    expect(sim.lookup(uniqueIdOf(p))).toHaveLength(1);
  });

  it('timeout-before-store: the connection is dropped and nothing is stored', async () => {
    const p = variant(PHMR);
    const failure = await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'timeout-before-store;delay=100' }).then(
      () => undefined,
      (err: unknown) => err
    );
    expect((failure as Error & { code?: string }).code).toBe('UND_ERR_SOCKET');
    expect(sim.lookup(uniqueIdOf(p))).toEqual([]);
    const query = await getJson(`${sim.queryUrl}?uniqueId=${encodeURIComponent(uniqueIdOf(p))}`);
    expect(query.json).toEqual({ uniqueId: uniqueIdOf(p), stored: false, entries: [] });
  });

  it('timeout-before-store with its default 30 s wait ends when the simulator closes', async () => {
    const own = await startSimulator({ storeDir: tempDir('close') });
    const p = variant(PHMR);
    own.pushScenario({ kind: 'timeout-before-store' });
    const sent = post(buildRequest(own, p)).then(
      () => undefined,
      (err: unknown) => err
    );
    // Let the request arrive and start waiting.
    for (let i = 0; i < 100 && own.stats.requests === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(own.stats.requests).toBe(1);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(((await sent) as Error & { code?: string }).code).toBe('UND_ERR_SOCKET');
    expect(own.lookup(uniqueIdOf(p))).toEqual([]);
  });
});

describe('queued scenarios', () => {
  it('pushScenario applies to the next matching requests, times over, then normal answers again', async () => {
    sim.pushScenario({ kind: 'busy', times: 2 });
    const p = variant(PHMR);
    const classes: string[] = [];
    for (let i = 0; i < 3; i++) {
      classes.push((await post(buildRequest(sim, p))).outcome.class);
    }
    expect(classes).toEqual(['transient', 'transient', 'success']);
    expect(sim.lookup(uniqueIdOf(p))).toHaveLength(1);
  });

  it('a scenario with a uniqueId applies only to that document; a header scenario leaves the queue alone', async () => {
    const target = variant(PHMR);
    const other = variant(PHMR);
    sim.pushScenario({ kind: 'http-503', uniqueId: uniqueIdOf(target) });
    expect((await post(buildRequest(sim, other))).status).toBe(200);
    expect((await post(buildRequest(sim, target), { 'X-Kih-Sim-Scenario': 'no-relates-to' })).status).toBe(200);
    expect((await post(buildRequest(sim, target))).status).toBe(503);
    expect((await post(buildRequest(sim, target))).status).toBe(200);
  });

  it('POST, GET and DELETE /kih-sim/scenarios drive the queue from outside the process', async () => {
    const url = `${sim.url}/kih-sim/scenarios`;
    const pushed = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'busy', times: 3 }),
    });
    expect(pushed.statusCode).toBe(201);
    expect(await pushed.body.json()).toEqual({ queued: 1 });
    expect((await getJson(url)).json).toEqual({ scenarios: [{ kind: 'busy', times: 3 }] });
    expect((await post(buildRequest(sim, variant(PHMR)))).outcome.class).toBe('transient');
    expect((await getJson(url)).json).toEqual({ scenarios: [{ kind: 'busy', times: 2 }] });
    const cleared = await request(url, { method: 'DELETE' });
    expect(await cleared.body.json()).toEqual({ cleared: 1 });
    expect((await post(buildRequest(sim, variant(PHMR)))).outcome.class).toBe('success');
  });

  it.each([
    ['an unknown kind', { kind: 'explode' }],
    ['a negative delay', { kind: 'slow', delayMs: -1 }],
    ['zero times', { kind: 'busy', times: 0 }],
    ['an unknown field', { kind: 'busy', when: 'now' }],
  ])('the scenario API refuses %s with 400', async (_name, body) => {
    const res = await request(`${sim.url}/kih-sim/scenarios`, { method: 'POST', body: JSON.stringify(body) });
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as { error: string }).error).toMatch(/scenario/i);
    expect((await getJson(`${sim.url}/kih-sim/scenarios`)).json).toEqual({ scenarios: [] });
  });

  it('an unknown scenario header is refused with 400 before anything else', async () => {
    const p = variant(PHMR);
    const answer = await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'busy;when=now' });
    expect(answer.status).toBe(400);
    expect(sim.lookup(uniqueIdOf(p))).toEqual([]);
  });

  it('pushScenario refuses what the HTTP API refuses', () => {
    expect(() => {
      sim.pushScenario({ kind: 'slow', delayMs: 1.5 });
    }).toThrow(expect.objectContaining({ code: 'KIH_ERR_SIMULATOR' }));
  });
});
