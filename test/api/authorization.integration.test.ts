// A vendor sees only its own data, on every endpoint and page; MedCom-only actions refuse vendor keys; revoked keys stop working.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, sample, startHarness, waitForDocument, xmlUpload } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
let docA: string;

beforeAll(async () => {
  h = await startHarness({ label: 'apiauthz', vendors: ['acme', 'beta'] });
  const a = await xmlUpload(h, h.key('acme'), sample('dk-phmr-1.3/valid/weight.xml'), '?name=acme-weight.xml');
  docA = a.json<{ id: string }>().id;
  await waitForDocument(h, h.key('acme'), docA);
});

afterAll(async () => {
  await h.close();
});

async function login(key: string): Promise<string> {
  const a = await call(h, 'POST', '/login', {
    type: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ key, next: '/' }).toString(),
  });
  expect(a.status).toBe(303);
  const cookie = a.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/kih_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
  expect(cookie).not.toContain(key);
  return cookie.split(';')[0]!;
}

describe("vendor B and vendor A's data", () => {
  it.each([
    ['GET', () => `/api/v1/documents/${docA}`],
    ['GET', () => `/api/v1/documents/${docA}/report?format=html`],
    ['GET', () => '/api/v1/certifications/acme/dk-phmr'],
    ['GET', () => '/api/v1/certifications/acme/dk-phmr/report'],
  ])('%s %s is not found for B (and found for A and MedCom)', async (method, p) => {
    const b = await call(h, method, p(), { key: h.key('beta') });
    expect(b.status).toBe(404);
    expect(b.json()).toMatchObject({ error: { code: 'API_ERR_NOT_FOUND' } });
    expect(b.text).not.toContain('acme-weight.xml');
    expect((await call(h, method, p(), { key: h.key('acme') })).status).toBe(200);
    expect((await call(h, method, p(), { key: h.key('admin') })).status).toBe(200);
  });

  it("B's lists hold nothing of A's, even when asked by id", async () => {
    const list = await call(h, 'GET', `/api/v1/documents?ids=${docA}`, { key: h.key('beta') });
    expect(list.json()).toEqual({ documents: [] });
    const all = await call(h, 'GET', '/api/v1/documents', { key: h.key('beta') });
    expect(all.text).not.toContain(docA);
    const certs = await call(h, 'GET', '/api/v1/certifications', { key: h.key('beta') });
    expect(certs.json<{ certifications: { vendor: string }[] }>().certifications.map((c) => c.vendor)).toEqual([
      'beta',
      'beta',
    ]);
    const mine = await call(h, 'GET', '/api/v1/documents', { key: h.key('acme') });
    expect(mine.text).toContain(docA);
  });

  it.each([
    ['POST', '/api/v1/certifications/acme/dk-phmr/decisions', JSON.stringify({ decision: 'certify', comment: 'mine' })],
    ['POST', '/api/v1/certifications/beta/dk-phmr/decisions', JSON.stringify({ decision: 'reject', comment: 'mine' })],
    ['GET', '/api/v1/vendors', undefined],
    ['GET', '/api/v1/keys', undefined],
    ['POST', '/api/v1/vendors', JSON.stringify({ id: 'gamma' })],
    ['DELETE', '/api/v1/keys/00000000-0000-4000-8000-000000000000', undefined],
  ])('%s %s is MedCom only: 403 for a vendor key', async (method, p, body) => {
    const a = await call(h, method, p, {
      key: h.key('beta'),
      ...(body ? { body, type: 'application/json' } : {}),
    });
    expect(a.status).toBe(403);
    expect(a.json()).toMatchObject({ error: { code: 'API_ERR_FORBIDDEN' } });
  });

  it("B's browser session: A's document and report pages are not found, MedCom pages forbidden", async () => {
    const cookie = await login(h.key('beta'));
    for (const p of [`/documents/${docA}`, '/certification/acme/dk-phmr/report', '/monitoring/acme']) {
      const a = await call(h, 'GET', p, { headers: { cookie } });
      expect([p, a.status]).toEqual([p, 404]);
      expect(a.text).not.toContain('acme-weight.xml');
    }
    for (const p of ['/admin', '/admin/keys', '/admin/vendors/acme', '/admin/regressions', '/admin/monitoring']) {
      expect((await call(h, 'GET', p, { headers: { cookie } })).status).toBe(403);
    }
    const own = await call(h, 'GET', '/', { headers: { cookie } });
    expect(own.status).toBe(200);
    expect(own.text).not.toContain('acme-weight.xml');
    const acmeCookie = await login(h.key('acme'));
    const page = await call(h, 'GET', `/documents/${docA}`, { headers: { cookie: acmeCookie } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('acme-weight.xml');
    // Pages keep the strict policy; the standalone report keeps its own, or its inline style would not apply.
    expect(page.headers.get('content-security-policy')).toContain("style-src 'self'");
    const report = await call(h, 'GET', '/certification/acme/dk-phmr/report', { headers: { cookie: acmeCookie } });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(report.headers.get('x-frame-options')).toBe('DENY');
  });

  it('a form posted from another site with a session cookie is refused', async () => {
    const cookie = await login(h.key('admin'));
    const a = await call(h, 'POST', '/admin/keys', {
      headers: { cookie, origin: 'https://evil.example' },
      type: 'application/x-www-form-urlencoded',
      body: 'kind=vendor&id=mallory',
    });
    expect(a.status).toBe(403);
    expect((await h.db.query(`SELECT 1 FROM vendors WHERE id = 'mallory'`)).length).toBe(0);
  });
});

describe('keys', () => {
  it('are stored as hashes only', async () => {
    const rows = await h.db.query<{ key_hash: string; key_prefix: string }>(
      'SELECT key_hash, key_prefix FROM api_keys'
    );
    const text = JSON.stringify(rows);
    for (const k of [h.key('acme'), h.key('beta'), h.key('admin')]) {
      expect(text).not.toContain(k);
      expect(text).toContain(k.slice(0, 12));
    }
  });

  it('a revoked key gets 401, and its browser session ends', async () => {
    const key = await h.addVendor('gone');
    const cookie = await login(key);
    expect((await call(h, 'GET', '/api/v1/documents', { key })).status).toBe(200);
    const keys = (await call(h, 'GET', '/api/v1/keys', { key: h.key('admin') })).json<{
      keys: { id: string; owner: string }[];
    }>();
    const id = keys.keys.find((k) => k.owner === 'gone')!.id;
    expect((await call(h, 'DELETE', `/api/v1/keys/${id}`, { key: h.key('admin') })).status).toBe(204);
    const after = await call(h, 'GET', '/api/v1/documents', { key });
    expect(after.status).toBe(401);
    expect(after.json()).toMatchObject({ error: { code: 'API_ERR_AUTH' } });
    const page = await call(h, 'GET', '/', { headers: { cookie } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2F');
    expect((await call(h, 'DELETE', `/api/v1/keys/${id}`, { key: h.key('admin') })).status).toBe(404);
  });

  it('a tampered or foreign session cookie is no session', async () => {
    const cookie = await login(h.key('acme'));
    const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await call(h, 'GET', '/', { headers: { cookie: tampered } })).status).toBe(303);
    expect((await call(h, 'GET', '/api/v1/documents', { headers: { cookie: tampered } })).status).toBe(401);
  });

  it('the login page refuses a wrong key, and never redirects off the site', async () => {
    const bad = await call(h, 'POST', '/login', {
      type: 'application/x-www-form-urlencoded',
      body: 'key=kih_v_nope&next=/',
    });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('role="alert"');
    const off = await call(h, 'POST', '/login', {
      type: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ key: h.key('acme'), next: '//evil.example/x' }).toString(),
    });
    expect(off.headers.get('location')).toBe('/');
  });
});
