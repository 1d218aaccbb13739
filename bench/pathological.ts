// `npm run bench:pathological`: a 1.75 MB document with 20,000 XSD findings against a typical one, and one vendor's typical document while another uploads ten such documents (queue service, real Redis and PostgreSQL).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/core/package-info.js';
import { enqueueRun } from '../src/queue/enqueue-run.js';
import { startService } from '../src/queue/service.js';
import { openDatabase } from '../src/store/database.js';
import type { Database } from '../src/store/database.js';
import { migrate } from '../src/store/migrations.js';
import { openValidator } from '../src/validation/validator.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const FINDINGS = 20_000;
const PATHOLOGICAL_TARGET_S = 2;
const FAIRNESS_TARGET_S = 2;
const THREADS = 2;

const SAMPLE = path.join(PACKAGE_ROOT, 'samples', 'dk-phmr-1.3', 'valid', 'weight.xml');

/** The valid sample with `count` entries whose observation has a moodCode outside its value set: one XSD finding each. */
function pathological(count: number): Uint8Array {
  const text = readFileSync(SAMPLE, 'utf8');
  const at = text.indexOf('<entry typeCode="COMP"');
  const entry = '<entry><observation classCode="OBS" moodCode="EVENT"><code code="8302-2"/></observation></entry>\n';
  return new TextEncoder().encode(text.slice(0, at) + entry.repeat(count) + text.slice(at));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeIt(run: () => Promise<unknown>, times: number): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  return median(ms);
}

async function singleDocument(typical: Uint8Array, bad: Uint8Array): Promise<void> {
  const validator = await openValidator({ threads: 1 });
  const uncapped = await openValidator({ threads: 1, maxFindingsPerStage: Number.MAX_SAFE_INTEGER });
  try {
    const report = await validator.validateBytes(bad, 'pathological.xml');
    const xsd = report.issues.filter((i) => i.stage === 'xsd');
    const dropped = xsd.find((i) => i.ruleId === 'CDA_FINDINGS_CAPPED')?.message ?? 'none dropped';
    const typicalMs = await timeIt(() => validator.validateBytes(typical, 'typical.xml'), 20);
    const badMs = await timeIt(() => validator.validateBytes(bad, 'pathological.xml'), 3);
    const allMs = await timeIt(() => uncapped.validateBytes(bad, 'pathological.xml'), 3);
    const all = (await uncapped.validateBytes(bad, 'pathological.xml')).issues.filter((i) => i.stage === 'xsd');
    process.stdout.write(
      `One document, in this thread (median):\n` +
        `  typical (${(typical.length / 1024).toFixed(0)} KB)                         ${typicalMs.toFixed(1).padStart(8)} ms\n` +
        `  pathological (${(bad.length / 1024 / 1024).toFixed(2)} MB, ${FINDINGS} XSD findings)  ${badMs.toFixed(1).padStart(8)} ms  (${(badMs / typicalMs).toFixed(0)}x typical; target < ${PATHOLOGICAL_TARGET_S} s: ${badMs < PATHOLOGICAL_TARGET_S * 1000 ? 'met' : 'NOT met'})\n` +
        `    kept ${xsd.length - 1} XSD findings; ${dropped}\n` +
        `  the same, no cap (${all.length} XSD findings, every one with line and path)  ${allMs.toFixed(1).padStart(8)} ms\n`
    );
  } finally {
    await validator.close();
    await uncapped.close();
  }
}

/** A run's latency: from its creation to its last result row, as the database timed both. */
async function latencyMs(db: Database, runId: string): Promise<number> {
  for (;;) {
    const [row] = await db.query<{ ms: string; n: string; total: number }>(
      `SELECT EXTRACT(EPOCH FROM (max(r.recorded_at) - ru.created_at)) * 1000 AS ms, count(r.seq) AS n, ru.total
       FROM runs ru LEFT JOIN results r ON r.run_id = ru.id WHERE ru.id = $1 GROUP BY ru.id`,
      [runId]
    );
    if (row && Number(row.n) === row.total) {
      return Number(row.ms);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function fairness(typical: Uint8Array, bad: Uint8Array): Promise<void> {
  const db = openDatabase({ url: DATABASE_URL, schema: `bench_${randomBytes(4).toString('hex')}` });
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const validator = await openValidator({ threads: THREADS, offThread: true, timeLimitMs: 30_000 });
  await migrate(db);
  const service = startService({
    redisUrl: REDIS_URL,
    prefix,
    db,
    actor: 'bench',
    work: ['validate', 'submit', 'record'],
    validator,
    concurrency: { validate: 2 * THREADS },
  });
  const run = (vendorId: string, documents: readonly Uint8Array[]): Promise<{ runId: string }> =>
    enqueueRun(
      db,
      service.enqueue,
      { vendorId, documents: documents.map((bytes, i) => ({ file: `${vendorId}-${i}.xml`, bytes })) },
      'bench'
    );
  try {
    const alone: number[] = [];
    for (let i = 0; i < 5; i++) {
      alone.push(await latencyMs(db, (await run('vendor-b', [typical])).runId));
    }
    const big = await run(
      'vendor-a',
      Array.from({ length: 10 }, () => bad)
    );
    const b = await latencyMs(db, (await run('vendor-b', [typical])).runId);
    const a = await latencyMs(db, big.runId);
    process.stdout.write(
      `Two vendors on the queue service (in this process: ${THREADS} validation threads, validate concurrency ${2 * THREADS}, Redis and PostgreSQL):\n` +
        `  vendor B's typical document alone (median of 5)      ${median(alone).toFixed(0).padStart(6)} ms\n` +
        `  the same while vendor A's ten pathological ones run  ${b.toFixed(0).padStart(6)} ms  (target < ${FAIRNESS_TARGET_S} s: ${b < FAIRNESS_TARGET_S * 1000 ? 'met' : 'NOT met'})\n` +
        `  vendor A's ten, enqueue to last result               ${a.toFixed(0).padStart(6)} ms\n`
    );
  } finally {
    for (const q of Object.values(service.queues)) {
      await q.obliterate({ force: true }).catch(() => undefined);
    }
    await service.close(5_000);
    await validator.close();
    await db.query(`DROP SCHEMA IF EXISTS ${db.schema} CASCADE`).catch(() => undefined);
    await db.close();
  }
}

const typical = new Uint8Array(readFileSync(SAMPLE));
const bad = pathological(FINDINGS);
process.stdout.write(
  `Machine: ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`
);
await singleDocument(typical, bad);
await fairness(typical, bad);
