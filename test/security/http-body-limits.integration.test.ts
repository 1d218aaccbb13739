// Nothing big is read before the caller is known, and uploads are streamed: the answer comes while the client still sends, and the server's memory stays bounded.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, startHarness } from '../api/harness.js';
import type { Harness } from '../api/harness.js';
import { attack, multipartFiles, rssGrowthDuring } from './http-attack.js';
import type { Growth } from './http-attack.js';

const MiB = 1024 * 1024;
/** The bound on the server's memory growth under ten parallel 20 MB requests (the server runs in this process). */
const BOUND_MB = 64;
/** Storing an upload holds one file (20 MiB) and the database client's copy of it. */
const STORE_BOUND_MB = 96;

let h: Harness;

beforeAll(async () => {
  // The production limits: 20 MiB a document, 20 documents, 100 MiB a request.
  h = await startHarness({
    label: 'httpbody',
    vendors: ['acme'],
    workers: false,
    limits: { maxFileBytes: 20 * MiB, maxFiles: 20, maxTotalBytes: 100 * MiB },
  });
});

afterAll(async () => {
  await h.close();
});

async function stillAnswers(): Promise<void> {
  const a = await call(h, 'GET', '/healthz');
  expect(a.status).toBe(200);
}

/** Prints the measured figures, and checks both against the bound. */
function check(name: string, g: Growth<unknown>, bound: number): void {
  process.stdout.write(
    `${name}: RSS ${g.before.toFixed(0)} MB -> peak ${g.peak.toFixed(0)} MB (+${(g.peak - g.before).toFixed(0)} MB); heap+buffers +${g.buffers.toFixed(0)} MB\n`
  );
  expect(g.peak - g.before).toBeLessThan(bound);
  expect(g.buffers).toBeLessThan(bound);
}

type Case = [path: string, type: string, headers: Record<string, string>, status: number, code: string];

describe('ten parallel unauthenticated 20 MB POSTs', () => {
  it.each<Case>([
    ['/logout', 'application/xml', {}, 413, 'API_ERR_TOO_LARGE'],
    ['/api/v1/documents', 'application/xml', {}, 401, 'API_ERR_AUTH'],
    ['/uploads', 'multipart/form-data; boundary=x', {}, 401, 'API_ERR_AUTH'],
    ['/api/v1/documents', 'application/xml', { authorization: `Bearer kih_v_${'A'.repeat(43)}` }, 401, 'API_ERR_AUTH'],
    ['/no/such/route', 'application/xml', {}, 404, 'API_ERR_NOT_FOUND'],
  ])('POST %s (%s) is refused before its body is read', async (path, type, headers, status, code) => {
    const g = await rssGrowthDuring(() =>
      Promise.all(
        Array.from({ length: 10 }, () =>
          attack(h.url, { path, headers: { 'content-type': type, ...headers }, bytes: 20 * MiB })
        )
      )
    );
    check(`POST ${path} ${Object.keys(headers).length > 0 ? 'wrong key' : 'no key'}`, g, BOUND_MB);
    for (const r of g.result) {
      expect(r.status).toBe(status);
      if (path.startsWith('/api/')) {
        expect(JSON.parse(r.body)).toMatchObject({ error: { code } });
      } else {
        expect(r.body).toContain(code);
      }
      expect(r.headers.connection).toBe('close');
      // The answer came while most of the body was still unsent.
      expect(r.sentAtAnswer).toBeLessThan(r.declared / 2);
    }
    await stillAnswers();
  });

  it('the same without Content-Length (chunked): refused at once as well', async () => {
    const g = await rssGrowthDuring(() =>
      Promise.all(
        Array.from({ length: 10 }, () =>
          attack(h.url, {
            path: '/api/v1/documents',
            headers: { 'content-type': 'application/xml' },
            bytes: 20 * MiB,
            chunked: true,
          })
        )
      )
    );
    check('POST /api/v1/documents chunked, no key', g, BOUND_MB);
    for (const r of g.result) {
      expect(r.status).toBe(401);
      expect(r.sentAtAnswer).toBeLessThan(r.declared / 2);
    }
    await stillAnswers();
  });
});

describe('one authenticated multipart upload of 20 files of 20 MiB', () => {
  const boundary = 'kihboundary';
  const type = `multipart/form-data; boundary=${boundary}`;
  // Distinct files per test: the store is content-addressed.
  const content = (fill: number, size = 20 * MiB - 64 * 1024): Buffer =>
    Buffer.concat([Buffer.from('<x>'), Buffer.alloc(size - 7, fill), Buffer.from('</x>')]);

  it('with Content-Length: 413 API_ERR_TOO_LARGE from the declared length, before the body is read', async () => {
    const r = await attack(h.url, {
      path: '/api/v1/documents',
      headers: { authorization: `Bearer ${h.key('acme')}`, 'content-type': type },
      parts: multipartFiles(boundary, 20, content(0x61)),
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'API_ERR_TOO_LARGE' } });
    expect(r.sentAtAnswer).toBeLessThan(r.declared / 2);
    await stillAnswers();
  });

  it('chunked: streamed to disk, refused (413) once 100 MiB of files have come, nothing stored; memory bounded', async () => {
    // Made before measuring: the client's one copy of the content is not the server's memory.
    const parts = multipartFiles(boundary, 20, content(0x62));
    const g = await rssGrowthDuring(() =>
      attack(h.url, {
        path: '/api/v1/documents',
        headers: { authorization: `Bearer ${h.key('acme')}`, 'content-type': type },
        parts,
        chunked: true,
      })
    );
    check('authenticated chunked multipart 20 x 20 MiB', g, BOUND_MB);
    const r = g.result;
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'API_ERR_TOO_LARGE' } });
    // Refused at the total: past 100 MiB, well before the 400 MiB end.
    expect(r.sentAtAnswer).toBeGreaterThan(100 * MiB);
    expect(r.sentAtAnswer).toBeLessThan(r.declared / 2);
    const [n] = await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM uploads`);
    expect(n?.n).toBe('0');
    await stillAnswers();
  });

  it('a file over 20 MiB in a multipart upload: 413, nothing stored', async () => {
    const r = await attack(h.url, {
      path: '/api/v1/documents',
      headers: { authorization: `Bearer ${h.key('acme')}`, 'content-type': type },
      parts: multipartFiles(boundary, 1, content(0x63, 21 * MiB)),
      chunked: true,
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'API_ERR_TOO_LARGE' } });
    const [n] = await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM uploads`);
    expect(n?.n).toBe('0');
  });

  it('five files of 20 MiB (at the total): 202, stored one file at a time; memory bounded', async () => {
    const parts = multipartFiles(boundary, 5, content(0x64));
    const g = await rssGrowthDuring(() =>
      attack(h.url, {
        path: '/api/v1/documents',
        headers: { authorization: `Bearer ${h.key('acme')}`, 'content-type': type },
        parts,
      })
    );
    check('authenticated multipart 5 x 20 MiB, stored', g, STORE_BOUND_MB);
    expect(g.result.status).toBe(202);
    expect((JSON.parse(g.result.body) as { documents: unknown[] }).documents).toHaveLength(5);
  });
});
