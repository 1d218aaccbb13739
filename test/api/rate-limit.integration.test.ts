// Rate limits per API key: the key over its budget gets 429 with Retry-After; another key is not affected.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, startHarness } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    label: 'apirate',
    vendors: ['acme', 'beta'],
    workers: false,
    limits: { requestsPerMinute: 5 },
  });
});

afterAll(async () => {
  await h.close();
});

describe('rate limits', () => {
  it('the sixth request in a minute with one key is 429 API_ERR_RATE_LIMITED; the other key still gets through', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await call(h, 'GET', '/api/v1/documents', { key: h.key('acme') })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await call(h, 'GET', '/api/v1/documents', { key: h.key('acme') });
    expect(limited.status).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'API_ERR_RATE_LIMITED' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(h, 'GET', '/api/v1/documents', { key: h.key('beta') })).status).toBe(200);
  });
});
