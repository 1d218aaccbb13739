// The simulator's store and lifecycle: durable across restarts, safe under concurrent submissions, its query API, and start-up refusals.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { MAX_REQUEST_BYTES, startSimulator } from '../../src/simulator/index.js';
import type { StoredEntry } from '../../src/simulator/index.js';
import { buildRequest, getJson, otherContent, post, prepared, tempDir, VALID_SAMPLES, variant } from './helpers.js';

const PHMR = 'dk-phmr-2.1/valid/weight.xml';

describe('durability', () => {
  it('a restarted simulator on the same store knows every document, and still applies the duplicate rules', async () => {
    const storeDir = tempDir('restart');
    const docs = VALID_SAMPLES.slice(0, 4).map((s) => prepared(s.file));
    let before: StoredEntry[];
    {
      const sim = await startSimulator({ storeDir });
      for (const p of docs) {
        expect((await post(buildRequest(sim, p))).outcome.class).toBe('success');
      }
      before = sim.entries();
      await sim.close();
    }
    expect(before).toHaveLength(4);
    // Content-addressed by SHA-256, each file the exact bytes.
    for (const p of docs) {
      const sha256 = createHash('sha256').update(p.bytes).digest('hex');
      expect(readFileSync(path.join(storeDir, 'documents', `${sha256}.xml`)).equals(p.bytes)).toBe(true);
    }
    expect(readFileSync(path.join(storeDir, 'index.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);

    const again = await startSimulator({ storeDir });
    try {
      expect(again.entries()).toEqual(before);
      const first = docs[0]!;
      const uniqueId = first.metadata.documentEntries[0]!.uniqueId;
      expect(again.lookup(uniqueId)).toEqual([before[0]]);
      const changed = await post(buildRequest(again, otherContent(first)));
      expect(changed.outcome.errors.map((e) => e.errorCode)).toEqual(['XDSNonIdenticalHash']);
      expect((await post(buildRequest(again, first))).outcome.class).toBe('success');
      expect(again.lookup(uniqueId)).toHaveLength(2);
    } finally {
      await again.close();
    }
    expect(readFileSync(path.join(storeDir, 'index.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it('an index line cut off by a crash is dropped; a damaged line stops the start with KIH_ERR_SIMULATOR', async () => {
    const storeDir = tempDir('torn');
    const sim = await startSimulator({ storeDir });
    const p = variant(PHMR);
    expect((await post(buildRequest(sim, p))).outcome.class).toBe('success');
    await sim.close();
    const index = path.join(storeDir, 'index.jsonl');
    appendFileSync(index, '{"uniqueId":"1.2.3^cut-off-mid-wr');
    const reopened = await startSimulator({ storeDir });
    expect(reopened.entries()).toHaveLength(1);
    const next = variant(PHMR);
    expect((await post(buildRequest(reopened, next))).outcome.class).toBe('success');
    await reopened.close();
    // The torn tail is gone and the new line is whole.
    const lines = readFileSync(index, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(0, 2).map((l) => (JSON.parse(l) as StoredEntry).uniqueId)).toEqual([
      p.metadata.documentEntries[0]!.uniqueId,
      next.metadata.documentEntries[0]!.uniqueId,
    ]);

    appendFileSync(index, 'not json\n');
    await expect(startSimulator({ storeDir })).rejects.toMatchObject({
      code: 'KIH_ERR_SIMULATOR',
      message: expect.stringContaining('line 3'),
    });
    // A failed start leaves no lock behind.
    expect(existsSync(path.join(storeDir, 'lock'))).toBe(false);
  });

  it('a store in use by a running simulator cannot be opened by a second one', async () => {
    const storeDir = tempDir('locked');
    const sim = await startSimulator({ storeDir });
    try {
      await expect(startSimulator({ storeDir })).rejects.toMatchObject({ code: 'KIH_ERR_SIMULATOR' });
    } finally {
      await sim.close();
    }
    // A lock left by a process that no longer exists is stale and taken over.
    writeFileSync(path.join(storeDir, 'lock'), '999999999\n');
    const next = await startSimulator({ storeDir });
    await next.close();
  });
});

describe('concurrency', () => {
  it('50 parallel submissions of distinct documents give 50 entries, 20 of one document give 20', async () => {
    const storeDir = tempDir('parallel');
    const sim = await startSimulator({ storeDir });
    try {
      const files = VALID_SAMPLES.map((s) => s.file);
      const distinct = Array.from({ length: 50 }, (_, i) => variant(files[i % files.length]!));
      const answers = await Promise.all(distinct.map((p) => post(buildRequest(sim, p))));
      expect(answers.map((a) => a.outcome.class)).toEqual(Array<string>(50).fill('success'));
      expect(sim.entries()).toHaveLength(50);
      expect(new Set(sim.entries().map((e) => e.uniqueId)).size).toBe(50);

      const same = variant(PHMR);
      const again = await Promise.all(Array.from({ length: 20 }, () => post(buildRequest(sim, same))));
      expect(again.map((a) => a.outcome.class)).toEqual(Array<string>(20).fill('success'));
      const stored = sim.lookup(same.metadata.documentEntries[0]!.uniqueId);
      expect(stored).toHaveLength(20);
      expect(new Set(stored.map((e) => e.entryUUID)).size).toBe(20);
      expect(sim.entries()).toHaveLength(70);
      // One file per content, however often it was stored.
      expect(readdirSync(path.join(storeDir, 'documents'))).toHaveLength(51);
    } finally {
      await sim.close();
    }
  });

  it('10 parallel submissions of different contents under one uniqueId: exactly one is stored', async () => {
    const sim = await startSimulator({ storeDir: tempDir('race') });
    try {
      const base = variant(PHMR);
      const contents = Array.from({ length: 10 }, (_, i) => otherContent(base, `variant ${i}`));
      const answers = await Promise.all(contents.map((p) => post(buildRequest(sim, p))));
      const codes = answers.map((a) => (a.outcome.class === 'success' ? 'success' : a.outcome.errors[0]?.errorCode));
      expect(codes.filter((c) => c === 'success')).toHaveLength(1);
      expect(codes.filter((c) => c === 'XDSNonIdenticalHash')).toHaveLength(9);
      const winner = contents[codes.indexOf('success')]!;
      expect(sim.lookup(base.metadata.documentEntries[0]!.uniqueId).map((e) => e.hash)).toEqual([
        winner.metadata.documentEntries[0]!.hash,
      ]);
    } finally {
      await sim.close();
    }
  });
});

describe('query and health', () => {
  it('GET /kih-sim/documents answers stored entries by uniqueId; /kih-sim/health counts requests', async () => {
    const sim = await startSimulator({ storeDir: tempDir('query'), now: () => new Date('2026-03-01T12:00:00Z') });
    try {
      const p = variant(PHMR);
      const entry = p.metadata.documentEntries[0]!;
      await post(buildRequest(sim, p));
      await post(buildRequest(sim, p));
      await post(buildRequest(sim, p), { 'X-Kih-Sim-Scenario': 'busy' });
      const found = await getJson(`${sim.queryUrl}?uniqueId=${encodeURIComponent(entry.uniqueId)}`);
      expect(found.status).toBe(200);
      expect(found.json).toEqual({
        uniqueId: entry.uniqueId,
        stored: true,
        entries: sim.lookup(entry.uniqueId).map((e) => ({
          hash: entry.hash,
          size: p.bytes.length,
          storedAt: '2026-03-01T12:00:00.000Z',
          entryUUID: e.entryUUID,
        })),
      });
      expect((found.json as { entries: unknown[] }).entries).toHaveLength(2);
      expect((await getJson(`${sim.queryUrl}?uniqueId=1.2.3%5Enothing`)).json).toEqual({
        uniqueId: '1.2.3^nothing',
        stored: false,
        entries: [],
      });
      expect((await getJson(sim.queryUrl)).status).toBe(400);
      const health = await getJson(`${sim.url}/kih-sim/health`);
      expect(health.json).toEqual({
        ok: true,
        stats: { requests: 3, stored: 2, rejected: 1 },
        repositoryUniqueId: '1.2.208.176.43210.8.1.99',
      });
      expect(sim.stats).toEqual({ requests: 3, stored: 2, rejected: 1 });
      const missing = await request(`${sim.url}/nothing-here`);
      await missing.body.text();
      expect(missing.statusCode).toBe(404);
    } finally {
      await sim.close();
    }
  });

  it('the STS handler is mounted when given, and 404 otherwise', async () => {
    const bodies: string[] = [];
    const sim = await startSimulator({
      storeDir: tempDir('sts'),
      sts: {
        handle: (body) => {
          bodies.push(Buffer.from(body).toString('utf8'));
          return { status: 200, contentType: 'text/xml; charset=utf-8', body: '<issued/>' };
        },
      },
    });
    try {
      expect(sim.stsUrl).toBe(`${sim.url}/sts/services/NewSecurityTokenService`);
      const res = await request(sim.stsUrl, { method: 'POST', body: '<rst/>' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
      expect(await res.body.text()).toBe('<issued/>');
      expect(bodies).toEqual(['<rst/>']);
    } finally {
      await sim.close();
    }
    const without = await startSimulator({ storeDir: tempDir('no-sts') });
    try {
      const res = await request(without.stsUrl, { method: 'POST', body: '<rst/>' });
      await res.body.text();
      expect(res.statusCode).toBe(404);
    } finally {
      await without.close();
    }
  });
});

describe('limits and start-up', () => {
  it('a request over the size limit is refused with 413 before its body is read', async () => {
    const sim = await startSimulator({ storeDir: tempDir('limit') });
    try {
      const head = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(sim.url).port), '127.0.0.1', () => {
          socket.write(
            'POST /kih-iti41/iti41 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n' +
              `Content-Length: ${MAX_REQUEST_BYTES + 1}\r\n\r\n`
          );
        });
        let text = '';
        socket.on('data', (d: Buffer) => {
          text += d.toString('latin1');
        });
        socket.on('close', () => {
          resolve(text);
        });
        socket.on('error', reject);
      });
      expect(head).toMatch(/^HTTP\/1\.1 413 /);
      expect(sim.stats).toEqual({ requests: 1, stored: 0, rejected: 1 });
    } finally {
      await sim.close();
    }
  });

  it('refuses a host that is not a loopback address, and a port that is taken', async () => {
    await expect(startSimulator({ storeDir: tempDir('host'), host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'KIH_ERR_SIMULATOR',
    });
    await expect(startSimulator({ storeDir: tempDir('host'), host: '192.168.1.10' })).rejects.toMatchObject({
      code: 'KIH_ERR_SIMULATOR',
    });
    const sim = await startSimulator({ storeDir: tempDir('port'), host: 'localhost' });
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.iti41Url).toBe(`${sim.url}/kih-iti41/iti41`);
      expect(sim.queryUrl).toBe(`${sim.url}/kih-sim/documents`);
      const storeDir = tempDir('port-2');
      await expect(startSimulator({ storeDir, port: Number(new URL(sim.url).port) })).rejects.toMatchObject({
        code: 'KIH_ERR_SIMULATOR',
        message: expect.stringContaining('already in use'),
      });
      // The failed start released its store.
      expect(existsSync(path.join(storeDir, 'lock'))).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('a store directory that cannot be created is KIH_ERR_SIMULATOR', async () => {
    const file = path.join(tempDir('file'), 'plain-file');
    writeFileSync(file, 'x');
    await expect(startSimulator({ storeDir: path.join(file, 'store') })).rejects.toMatchObject({
      code: 'KIH_ERR_SIMULATOR',
    });
  });
});
