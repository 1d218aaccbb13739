// `kih serve` as its own process (the built dist/, as deployed), attacked with large bodies: its resident memory, read from /proc, stays under a stated bound.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { addVendorKey } from '../../src/store/access.js';
import type { Database } from '../../src/store/database.js';
import { dropTestDatabase, TEST_DATABASE_URL, testDatabase } from '../helpers/database.js';
import { REDIS_URL, testPrefix } from '../queue/helpers.js';
import { attack, multipartFiles } from './http-attack.js';
import type { AttackResult } from './http-attack.js';

const MiB = 1024 * 1024;
/** The stated bound: the server's resident memory grows by less than this under each attack. */
const BOUND_MB = 64;
/** KIH_SERVER_ROOT runs another build (e.g. an older release) to compare; the default is this one. */
const ROOT = process.env.KIH_SERVER_ROOT ?? PACKAGE_ROOT;

let db: Database;
let server: ChildProcess;
let url: string;
let key: string;

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** The server's RSS before, and its peak during `work` (VmHWM after resetting it; sampled too). */
async function serverGrowth<T>(work: () => Promise<T>): Promise<{ result: T; before: number; peak: number }> {
  const pid = server.pid!;
  // "5" resets the peak (VmHWM) to the current RSS.
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  const before = memory(pid).rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, memory(pid).rss);
  }, 10);
  try {
    const result = await work();
    peak = Math.max(peak, memory(pid).hwm);
    return { result, before, peak };
  } finally {
    clearInterval(timer);
  }
}

function report(name: string, g: { before: number; peak: number }): void {
  process.stdout.write(
    `kih serve, ${name}: RSS ${g.before.toFixed(0)} MB -> peak ${g.peak.toFixed(0)} MB (+${(g.peak - g.before).toFixed(0)} MB)\n`
  );
}

beforeAll(async () => {
  db = testDatabase('httpmem');
  // The server migrates the schema at start (its own release's migrations); the key is added after.
  server = spawn(process.execPath, [path.join(ROOT, 'bin', 'kih.js'), 'serve', '--port', '0'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: TEST_DATABASE_URL,
      KIH_DB_SCHEMA: db.schema,
      REDIS_URL,
      KIH_QUEUE_PREFIX: testPrefix('httpmem'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let text = '';
    server.stderr!.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /kih serve: (http:\/\/[^\s]+) /.exec(text);
      if (m?.[1]) {
        resolve(m[1]);
      }
    });
    server.once('exit', (code) => {
      reject(new Error(`kih serve exited (${code}): ${text}`));
    });
  });
  key = await addVendorKey(db, 'acme', 'ACME Health', 'test');
});

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await dropTestDatabase(db);
});

async function answers(): Promise<void> {
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
}

function tenParallel(path: string, type: string): Promise<AttackResult[]> {
  return Promise.all(
    Array.from({ length: 10 }, () => attack(url, { path, headers: { 'content-type': type }, bytes: 20 * MiB }))
  );
}

describe('kih serve under large bodies', () => {
  it.each([
    ['/logout', 413],
    ['/api/v1/documents', 401],
  ])(`ten parallel unauthenticated 20 MB POSTs to %s: %s, RSS growth under ${BOUND_MB} MB`, async (p, status) => {
    const g = await serverGrowth(() => tenParallel(p, 'application/xml'));
    report(`10 x 20 MB POST ${p} without a key`, g);
    expect(g.result.map((r) => r.status)).toEqual(Array<number>(10).fill(status));
    // Answered while the client was still sending.
    for (const r of g.result) {
      expect(r.sentAtAnswer).toBeLessThan(r.declared / 2);
    }
    expect(g.peak - g.before).toBeLessThan(BOUND_MB);
    await answers();
  });

  it(`one authenticated multipart upload of 20 files of 20 MiB (chunked): 413, RSS growth under ${BOUND_MB} MB`, async () => {
    const parts = multipartFiles('b', 20, Buffer.alloc(20 * MiB - 64 * 1024, 0x61));
    const g = await serverGrowth(() =>
      attack(url, {
        path: '/api/v1/documents',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'multipart/form-data; boundary=b' },
        parts,
        chunked: true,
      })
    );
    report('20 x 20 MiB multipart with a key', g);
    expect(g.result.status).toBe(413);
    // Streamed up to the 100 MiB total, then refused with most of the 400 MiB unsent.
    expect(g.result.sentAtAnswer).toBeGreaterThan(100 * MiB);
    expect(g.result.sentAtAnswer).toBeLessThan(g.result.declared / 2);
    expect(g.peak - g.before).toBeLessThan(BOUND_MB);
    await answers();
  });
});
