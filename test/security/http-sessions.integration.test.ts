// Sessions, redirects and odd requests against a real server: open redirects, login CSRF, logout, failed-key throttling per address, malformed bodies and paths, and the bounded document page.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { call, freshCopy, sample, startHarness, waitForDocument, xmlUpload } from '../api/harness.js';
import type { Answer, Harness } from '../api/harness.js';
import { REDIS_URL, testPrefix } from '../queue/helpers.js';
import { getUploadLines, storeUploads } from '../../src/store/uploads.js';
import type { Database } from '../../src/store/database.js';

let h: Harness;
let redis: Redis;
const prefix = testPrefix('httpsess');
const FAILURES = 3;
let nextAddress = 1;

/** Each test its own client address (the server trusts X-Forwarded-For here), so throttling stays per test. */
function address(): string {
  return `203.0.113.${nextAddress++}`;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  h = await startHarness({
    label: 'httpsess',
    vendors: ['acme', 'beta'],
    limits: { failedAuthPerMinute: FAILURES },
    server: { redis, redisPrefix: prefix, trustProxy: true },
  });
});

afterAll(async () => {
  await h.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) {
    await redis.del(...keys);
  }
  redis.disconnect();
});

function form(fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return call(h, 'POST', '/login', {
    type: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(fields).toString(),
    headers: { 'x-forwarded-for': address(), ...headers },
  });
}

async function login(key: string): Promise<string> {
  const a = await form({ key, next: '/' });
  expect(a.status).toBe(303);
  return (a.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe('the redirect after login', () => {
  it.each([
    ['/\t/evil.example', '/'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['/\\/evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['/documents?x=1#top', '/documents?x=1#top'],
  ])('next=%j goes to %j', async (next, location) => {
    const a = await form({ key: h.key('acme'), next });
    expect(a.status).toBe(303);
    expect(a.headers.get('location')).toBe(location);
  });

  it('GET /login?next=/%09/evil.example puts "/" in the form, not the foreign path', async () => {
    const a = await call(h, 'GET', '/login?next=/%09/evil.example');
    expect(a.status).toBe(200);
    expect(a.text).toContain('<input type="hidden" name="next" value="/" />');
  });

  it.each(['/%0d%0aSet-Cookie:%20x=1', '/a%0ab'])(
    'a CR or LF in next (%s) is 400 API_ERR_BAD_REQUEST',
    async (next) => {
      const page = await call(h, 'GET', `/login?next=${next}`);
      expect(page.status).toBe(400);
      expect(page.text).toContain('API_ERR_BAD_REQUEST');
      const post = await form({ key: h.key('acme'), next: decodeURIComponent(next) });
      expect(post.status).toBe(400);
      expect(post.headers.get('set-cookie')).toBeNull();
      expect((await call(h, 'GET', '/healthz')).status).toBe(200);
    }
  );
});

describe('login CSRF', () => {
  it.each(['http://evil.example', 'null'])('POST /login with Origin %s is 403 and sets no cookie', async (origin) => {
    const a = await form({ key: h.key('acme'), next: '/' }, { origin });
    expect(a.status).toBe(403);
    expect(a.text).toContain('API_ERR_FORBIDDEN');
    expect(a.headers.get('set-cookie')).toBeNull();
  });

  it("POST /login from the site's own page (same Origin) logs in", async () => {
    const a = await form({ key: h.key('acme'), next: '/' }, { origin: h.url });
    expect(a.status).toBe(303);
    expect(a.headers.get('set-cookie')).toMatch(/^kih_session=/);
  });
});

describe('logout', () => {
  it('ends the session on the server: a copy of the cookie taken before logout no longer works', async () => {
    const cookie = await login(h.key('acme'));
    expect((await call(h, 'GET', '/', { headers: { cookie } })).status).toBe(200);
    const out = await call(h, 'POST', '/logout', { headers: { cookie, origin: h.url } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    const page = await call(h, 'GET', '/', { headers: { cookie } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2F');
    const api = await call(h, 'GET', '/api/v1/documents', { headers: { cookie } });
    expect(api.status).toBe(401);
    expect(api.json()).toMatchObject({ error: { code: 'API_ERR_AUTH' } });
    // Another session of the same key is not affected.
    const other = await login(h.key('acme'));
    expect((await call(h, 'GET', '/', { headers: { cookie: other } })).status).toBe(200);
  });

  it('a logout form from another site is refused (403) and the session goes on', async () => {
    const cookie = await login(h.key('acme'));
    const out = await call(h, 'POST', '/logout', { headers: { cookie, origin: 'http://evil.example' } });
    expect(out.status).toBe(403);
    expect((await call(h, 'GET', '/', { headers: { cookie } })).status).toBe(200);
  });
});

describe('failed authentications per address', () => {
  const wrongKey = `kih_v_${'B'.repeat(43)}`;

  it(`after ${FAILURES} wrong keys the address gets 429 without a lookup, even with a right key; another address is not affected`, async () => {
    const ip = address();
    const statuses = [];
    for (let i = 0; i < FAILURES + 2; i++) {
      statuses.push(
        (await call(h, 'GET', '/api/v1/documents', { key: wrongKey, headers: { 'x-forwarded-for': ip } })).status
      );
    }
    expect(statuses).toEqual([...Array<number>(FAILURES).fill(401), 429, 429]);
    const right = await call(h, 'GET', '/api/v1/documents', { key: h.key('acme'), headers: { 'x-forwarded-for': ip } });
    expect(right.status).toBe(429);
    expect(right.json()).toMatchObject({ error: { code: 'API_ERR_RATE_LIMITED' } });
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    const elsewhere = await call(h, 'GET', '/api/v1/documents', {
      key: h.key('acme'),
      headers: { 'x-forwarded-for': address() },
    });
    expect(elsewhere.status).toBe(200);
    // Counted in Redis under the service's prefix, as are the request rate limits.
    expect(await redis.get(`${prefix}:auth-failures:${ip}`)).toBe(String(FAILURES));
    expect((await redis.keys(`${prefix}:rate:*`)).length).toBeGreaterThan(0);
  });

  it('wrong keys on the login form count the same', async () => {
    const ip = address();
    const statuses = [];
    for (let i = 0; i < FAILURES + 1; i++) {
      statuses.push((await form({ key: wrongKey, next: '/' }, { 'x-forwarded-for': ip })).status);
    }
    expect(statuses).toEqual([...Array<number>(FAILURES).fill(401), 429]);
  });
});

describe('odd requests', () => {
  const boundary = 'kihb';
  const multipart = (body: string, type = `multipart/form-data; boundary=${boundary}`): Promise<Answer> =>
    call(h, 'POST', '/api/v1/documents', { key: h.key('acme'), type, body });

  it.each([
    ['no boundary', 'x', 'multipart/form-data'],
    [
      'a part cut off',
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.xml"\r\n\r\n<a/>`,
      undefined,
    ],
    ['a malformed part header', `--${boundary}\r\nContent-Disposition\r\n\r\n<a/>\r\n--${boundary}--\r\n`, undefined],
  ])('malformed multipart (%s) is 400 API_ERR_BAD_REQUEST, not 500', async (_name, body, type) => {
    const a = await multipart(body, type);
    expect(a.status).toBe(400);
    expect(a.json()).toMatchObject({ error: { code: 'API_ERR_BAD_REQUEST' } });
    expect((await call(h, 'GET', '/healthz')).status).toBe(200);
  });

  it.each(['//', '//evil.example', '///x'])('GET %s is 404 without Node error text', async (p) => {
    const res = await fetch(h.url + p, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${h.key('acme')}` },
    });
    const text = await res.text();
    expect(res.status).toBe(404);
    expect(text).toContain('API_ERR_NOT_FOUND');
    expect(text).not.toMatch(/Invalid URL|ERR_INVALID|TypeError/);
    // The language switch stays on this site.
    expect(text).not.toMatch(/href="\/\/[^"]*lang=/);
  });

  it('Content-Type: application/xml; charset=utf-8 is accepted (202)', async () => {
    const a = await call(h, 'POST', '/api/v1/documents?name=w.xml', {
      key: h.key('acme'),
      type: 'application/xml; charset=utf-8',
      body: new Uint8Array(freshCopy('dk-phmr-1.3/valid/weight.xml')),
    });
    expect(a.status).toBe(202);
  });

  it("another vendor's document is the same 404 as one that does not exist", async () => {
    const id = (await xmlUpload(h, h.key('acme'), sample('dk-phmr-1.3/valid/weight.xml'))).json<{ id: string }>().id;
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [p, q] of [
      [`/api/v1/documents/${id}`, `/api/v1/documents/${missing}`],
      [`/documents/${id}`, `/documents/${missing}`],
    ] as const) {
      const theirs = await call(h, 'GET', p, { key: h.key('beta') });
      const none = await call(h, 'GET', q, { key: h.key('beta') });
      expect(theirs.status).toBe(404);
      expect(none.status).toBe(404);
      expect(theirs.text.replaceAll(id, 'ID')).toBe(none.text.replaceAll(missing, 'ID'));
    }
  });
});

describe('the document page', () => {
  it('shows the lines around a finding', async () => {
    const a = await xmlUpload(h, h.key('acme'), sample('dk-phmr-1.3/invalid/bad-mood-code.xml'), '?name=bad.xml');
    const id = a.json<{ id: string }>().id;
    await waitForDocument(h, h.key('acme'), id);
    const page = await call(h, 'GET', `/documents/${id}`, { key: h.key('acme') });
    expect(page.status).toBe(200);
    expect(page.text).toContain('class="line hit"');
  });

  it('of a 20 MB document reads a bounded prefix for its excerpts, not the document', async () => {
    const lines = ['<?xml version="1.0"?>', '<doc>', '  <finding/>', '</doc>'];
    const big = Buffer.concat([
      Buffer.from(lines.join('\r\n') + '\n'),
      Buffer.alloc(20 * 1024 * 1024, 0x20),
      Buffer.from('\nlast line\n'),
    ]);
    const stored = await storeUploads(
      h.db,
      { vendorId: 'acme', files: [{ name: 'big.xml', read: () => Promise.resolve(big) }] },
      'test'
    );
    const id = stored.uploads[0]!.id;
    let read = 0;
    const counting = {
      query: async (sql: string, params?: unknown[]) => {
        const rows = await h.db.query<Record<string, unknown>>(sql, params);
        for (const row of rows) {
          for (const v of Object.values(row)) {
            read += Buffer.isBuffer(v) ? v.length : 0;
          }
        }
        return rows;
      },
    } as unknown as Database;
    const got = await getUploadLines(counting, 'acme', id, new Set([2, 3, 4, 6]));
    expect(got).toEqual(
      new Map([
        [2, '<doc>'],
        [3, '  <finding/>'],
        [4, '</doc>'],
      ])
    );
    expect(read).toBeLessThanOrEqual(1024 * 1024);
    // Another vendor reads nothing.
    expect(await getUploadLines(counting, 'beta', id, new Set([2]))).toBeUndefined();
  });
});
