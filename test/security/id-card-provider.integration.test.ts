// The ID card provider over real HTTP to the simulator STS: caching, renewal, single flight, failures; plus the static provider.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from 'undici';
import { createStsIdCardProvider, staticIdCardProvider } from '../../src/security/id-card-provider.js';
import type { StsIdCardProviderOptions } from '../../src/security/id-card-provider.js';
import { readIdCard } from '../../src/security/id-card.js';
import { createMockSts, createSimulatorFederation } from '../../src/security/mock-sts.js';
import type { MockSts } from '../../src/security/mock-sts.js';
import { verifyIdCard } from '../../src/security/sign-id-card.js';
import { requestIdCard } from '../../src/security/sts-client.js';
import { CARD_FIELDS, DAY_MS, OTHER_CERT, T0, signedCard, vendor } from './helpers.js';

const federation = createSimulatorFederation();
let clock = T0;
const now = (): Date => clock;

/** A loopback STS: counts requests, checks the headers, and can hold answers back until released. */
interface TestSts {
  url: string;
  requests: number;
  headers: IncomingMessage['headers'][];
  mock: MockSts;
  hold: boolean;
  release(): void;
  mode: 'sts' | 'silent';
}

const sts: TestSts = {
  url: '',
  requests: 0,
  headers: [],
  mock: createMockSts({ federation, now }),
  hold: false,
  release: () => undefined,
  mode: 'sts',
};
let held: (() => void)[] = [];
let server: Server;
const agent = new Agent({ keepAliveTimeout: 100 });

function answer(res: ServerResponse, body: Buffer): void {
  if (sts.mode === 'silent') {
    return; // never answers: for the timeout test
  }
  const reply = sts.mock.handle(body);
  res.writeHead(reply.status, { 'content-type': reply.contentType });
  res.end(reply.body);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      sts.requests++;
      sts.headers.push(req.headers);
      const go = (): void => {
        answer(res, Buffer.concat(chunks));
      };
      if (sts.hold) {
        held.push(go);
      } else {
        go();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sts.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sts/services/NewSecurityTokenService`;
  sts.release = () => {
    const pending = held;
    held = [];
    for (const go of pending) {
      go();
    }
  };
});

afterEach(() => {
  sts.release();
  Object.assign(sts, { requests: 0, headers: [], hold: false, mode: 'sts', mock: createMockSts({ federation, now }) });
  clock = T0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  await agent.close();
});

function provider(overrides: Partial<StsIdCardProviderOptions> = {}): ReturnType<typeof createStsIdCardProvider> {
  return createStsIdCardProvider({
    stsEndpoint: sts.url,
    credentials: vendor,
    ...CARD_FIELDS,
    now,
    dispatcher: agent,
    ...overrides,
  });
}

/** Waits until the server has seen `n` requests (they are held, so they cannot finish meanwhile). */
async function requestsSeen(n: number): Promise<void> {
  for (let i = 0; i < 200 && sts.requests < n; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(sts.requests).toBe(n);
}

describe('createStsIdCardProvider', () => {
  it('exchanges a self-signed card at the STS over HTTP with the DGWS headers', async () => {
    const card = await provider().get();
    expect(sts.requests).toBe(1);
    expect(sts.headers[0]).toMatchObject({ 'content-type': 'text/xml; charset=utf-8', soapaction: '"Issue"' });
    expect(verifyIdCard(card, { now: clock, trustedCertificatesPem: [federation.certificatePem] })).toMatchObject({
      ok: true,
      card: { issuer: 'KIH-SIM-STS', cvr: '12345678', itSystemName: CARD_FIELDS.itSystemName },
    });
  });

  it('caches the card until NotOnOrAfter minus the margin, then fetches a new one', async () => {
    const p = provider({ renewMarginMs: 10 * 60 * 1000 });
    const first = await p.get();
    clock = new Date(T0.getTime() + DAY_MS - 10 * 60 * 1000 - 1);
    expect(await p.get()).toBe(first);
    expect(sts.requests).toBe(1);
    clock = new Date(T0.getTime() + DAY_MS - 10 * 60 * 1000);
    const second = await p.get();
    expect(sts.requests).toBe(2);
    expect(second).not.toBe(first);
    expect(readIdCard(second).notOnOrAfter).toEqual(new Date(clock.getTime() + DAY_MS));
  });

  it('uses a five-minute margin by default', async () => {
    const p = provider();
    await p.get();
    clock = new Date(T0.getTime() + DAY_MS - 5 * 60 * 1000 - 1000);
    await p.get();
    expect(sts.requests).toBe(1);
    clock = new Date(T0.getTime() + DAY_MS - 5 * 60 * 1000);
    await p.get();
    expect(sts.requests).toBe(2);
  });

  it('shares one STS request among concurrent get() calls', async () => {
    sts.hold = true;
    const p = provider();
    const pending = Promise.all([p.get(), p.get(), p.get(), p.get(), p.get()]);
    await requestsSeen(1);
    sts.release();
    const cards = await pending;
    expect(new Set(cards).size).toBe(1);
    expect(sts.requests).toBe(1);
  });

  it('renews on demand, once for concurrent callers, and caches the renewed card', async () => {
    const p = provider();
    const first = await p.get();
    sts.hold = true;
    const renewing = Promise.all([p.renew(), p.renew(), p.get()]);
    await requestsSeen(2);
    sts.release();
    const [a, b, c] = await renewing;
    expect(a).not.toBe(first);
    expect(b).toBe(a);
    expect(c).toBe(a);
    sts.hold = false;
    expect(await p.get()).toBe(a);
    expect(sts.requests).toBe(2);
  });

  it('fails with the STS fault and tries again on the next call', async () => {
    sts.mock = createMockSts({ federation, now, trustedClientCertificatesPem: [OTHER_CERT] });
    const p = provider();
    await expect(p.get()).rejects.toMatchObject({
      code: 'KIH_ERR_STS',
      message: expect.stringContaining('invalid_certificate'),
    });
    sts.mock = createMockSts({ federation, now });
    await expect(p.get()).resolves.toContain('KIH-SIM-STS');
    expect(sts.requests).toBe(2);
  });

  it('tells the caller of each STS request: why (first, expiring, refused), how it ended, how long it took', async () => {
    const told: { reason: string; ok: boolean; durationMs: number; error?: unknown }[] = [];
    sts.mock = createMockSts({ federation, now, trustedClientCertificatesPem: [OTHER_CERT] });
    const p = provider({ onExchange: (e) => told.push(e) });
    await expect(p.get()).rejects.toMatchObject({ code: 'KIH_ERR_STS' });
    sts.mock = createMockSts({ federation, now });
    await p.get();
    await p.get();
    clock = new Date(T0.getTime() + DAY_MS - 5 * 60 * 1000);
    await p.get();
    await p.renew();
    expect(told.map((e) => [e.reason, e.ok])).toEqual([
      ['first', false],
      ['first', true],
      ['expiring', true],
      ['refused', true],
    ]);
    expect(told[0]?.error).toMatchObject({ code: 'KIH_ERR_STS' });
    expect(told.every((e) => e.durationMs >= 0)).toBe(true);
  });

  it('checks the STS card against the federation certificates when given', async () => {
    await expect(provider({ trustedStsCertificatesPem: [federation.certificatePem] }).get()).resolves.toContain(
      'KIH-SIM-STS'
    );
    await expect(provider({ trustedStsCertificatesPem: [OTHER_CERT] }).get()).rejects.toMatchObject({
      code: 'KIH_ERR_STS',
      message: expect.stringContaining('invalid_certificate'),
    });
  });
});

describe('requestIdCard transport failures', () => {
  it('maps a refused connection to KIH_ERR_NETWORK', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => {
      closed.close(() => {
        resolve();
      });
    });
    await expect(
      requestIdCard(`http://127.0.0.1:${port}/sts`, signedCard(), { dispatcher: agent })
    ).rejects.toMatchObject({
      code: 'KIH_ERR_NETWORK',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('maps a silent STS to KIH_ERR_TIMEOUT', async () => {
    sts.mode = 'silent';
    await expect(
      requestIdCard(sts.url, signedCard(), { dispatcher: agent, headersTimeoutMs: 200 })
    ).rejects.toMatchObject({
      code: 'KIH_ERR_TIMEOUT',
    });
    server.closeAllConnections();
  });

  it('refuses an endpoint that is not http(s)', async () => {
    await expect(requestIdCard('ftp://127.0.0.1/sts', signedCard())).rejects.toMatchObject({ code: 'KIH_ERR_STS' });
    await expect(requestIdCard('not a url', signedCard())).rejects.toMatchObject({ code: 'KIH_ERR_STS' });
  });
});

describe('staticIdCardProvider', () => {
  it('hands out the given card without its XML declaration, and cannot renew it', async () => {
    const card = signedCard();
    const p = staticIdCardProvider(`<?xml version="1.0" encoding="UTF-8"?>\n${card}\n`);
    expect(await p.get()).toBe(card);
    expect(await p.get()).toBe(card);
    await expect(p.renew()).rejects.toMatchObject({
      code: 'KIH_ERR_ID_CARD',
      message: expect.stringMatching(/cannot be renewed/),
    });
  });

  it('refuses text that is not an ID card', () => {
    expect(() => staticIdCardProvider('<x/>')).toThrow(expect.objectContaining({ code: 'XDS_ERR_ID_CARD' }));
  });
});
