// `npm run bench:pipeline`: the queued pipeline (1 and 2 worker processes) against `kih submit` in one process, same documents, same run.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simulatorTargetSettings } from '../src/config/targets.js';
import { PACKAGE_ROOT } from '../src/core/package-info.js';
import { enqueueRun } from '../src/queue/enqueue-run.js';
import { startService } from '../src/queue/service.js';
import { startProjectSimulator } from '../src/simulator/project-simulator.js';
import { openDatabase } from '../src/store/database.js';
import type { Database } from '../src/store/database.js';
import { migrate } from '../src/store/migrations.js';
import { benchDocuments, writeTypicalCorpus } from './corpus.js';

const DOCS = Number(process.env.BENCH_PIPELINE_DOCS ?? 1_000);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const OVERHEAD_TARGET = 0.2;
const KIH = path.join(PACKAGE_ROOT, 'bin', 'kih.js');
const WORKER = path.join(PACKAGE_ROOT, 'dist', 'worker.js');

interface Figures {
  readonly label: string;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function line(f: Figures): string {
  return `${f.label.padEnd(38)} ${f.seconds.toFixed(1).padStart(6)} s  ${(DOCS / f.seconds).toFixed(1).padStart(6)} docs/s  p50 ${f.p50.toFixed(0).padStart(6)} ms  p99 ${f.p99.toFixed(0).padStart(6)} ms`;
}

/** The in-process baseline: `kih submit` over the corpus, one validation thread, its own per-document times. */
async function inProcess(corpusDir: string, config: string): Promise<Figures> {
  const started = performance.now();
  // Not spawnSync: the simulator answering it runs in this process's event loop.
  const child = spawn(
    process.execPath,
    [KIH, 'submit', corpusDir, '--target', 'sim', '--config', config, '-j', '1', '--concurrency', '4'],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(`kih submit exited ${code}: ${err}`);
  }
  const report = JSON.parse(Buffer.concat(out).toString('utf8')) as { documents: { durationMs: number }[] };
  const durations = report.documents.map((d) => d.durationMs).sort((a, b) => a - b);
  return {
    label: 'kih submit, in process (1 thread)',
    seconds,
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
  };
}

function startWorker(env: NodeJS.ProcessEnv, config: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [WORKER, '--config', config], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes(' on ')) {
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      reject(new Error(`worker exited ${code}: ${err}`));
    });
  });
}

async function queued(workers: number, db: Database, texts: readonly Buffer[], config: string): Promise<Figures> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL,
    REDIS_URL,
    KIH_DB_SCHEMA: db.schema,
    KIH_QUEUE_PREFIX: prefix,
    KIH_VALIDATION_THREADS: '1',
    // The same work as `kih submit` (no end-to-end check), so the two compare; the verify jobs the
    // submit jobs add wait unworked under this run's own prefix.
    KIH_QUEUES: 'validate,submit,record',
    KIH_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY ?? 'validate=4,submit=4,record=4',
  };
  const children = await Promise.all(Array.from({ length: workers }, () => startWorker(env, config)));
  const producer = startService({ redisUrl: REDIS_URL, prefix, db, actor: 'bench', work: [] });
  try {
    const started = performance.now();
    const { runId } = await enqueueRun(
      db,
      producer.enqueue,
      {
        vendorId: 'bench',
        submitTarget: 'sim',
        documents: texts.map((bytes, i) => ({ file: `typical-${i}.xml`, bytes })),
      },
      'bench'
    );
    // A cheap count, not runStatus: a full status every poll would load the database under measurement.
    for (;;) {
      const [row] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM results WHERE run_id = $1`, [runId]);
      if (Number(row?.n) >= texts.length) {
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const seconds = (performance.now() - started) / 1000;
    // Latency of each document: from its run's creation (enqueue) to its final record.
    const rows = await db.query<{ ms: string }>(
      `SELECT EXTRACT(EPOCH FROM (r.recorded_at - ru.created_at)) * 1000 AS ms
       FROM results r JOIN runs ru ON ru.id = r.run_id WHERE r.run_id = $1`,
      [runId]
    );
    const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
    return {
      label: `queued, ${workers} worker process${workers > 1 ? 'es' : ''} (1 thread each)`,
      seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    // The bench's queues are its own (a fresh prefix): leave nothing behind in Redis.
    for (const q of Object.values(producer.queues)) {
      await q.obliterate({ force: true }).catch(() => undefined);
    }
    await producer.close();
    for (const c of children) {
      c.kill('SIGTERM');
    }
    await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'kih-bench-pipeline-'));
  const sim = await startProjectSimulator({ storeDir: path.join(work, 'sim') });
  const db = openDatabase({ url: DATABASE_URL, schema: `bench_${randomBytes(4).toString('hex')}` });
  try {
    await migrate(db);
    const config = path.join(work, 'targets.json');
    writeFileSync(
      config,
      JSON.stringify({
        targets: {
          sim: simulatorTargetSettings(sim.url),
        },
      })
    );
    const corpusDir = path.join(work, 'typical');
    writeTypicalCorpus(corpusDir, DOCS, benchDocuments().typical);
    const texts = Array.from({ length: DOCS }, (_, i) =>
      readFileSync(path.join(corpusDir, `typical-${String(i).padStart(5, '0')}.xml`))
    );
    process.stdout.write(
      `Pipeline, ${DOCS} typical PHMR documents (~40 observations) validated and submitted to the simulator (its CDA check off; the simulator runs in the bench process):\n`
    );
    const base = await inProcess(corpusDir, config);
    process.stdout.write(line(base) + '\n');
    // Each round sends the same documents again: the simulator stores an identical re-send as a second entry, at the same cost.
    const one = await queued(1, db, texts, config);
    process.stdout.write(line(one) + '\n');
    const two = await queued(2, db, texts, config);
    process.stdout.write(line(two) + '\n');
    const overhead = one.seconds / base.seconds - 1;
    process.stdout.write(
      `queue overhead per document, 1 worker vs in process: ${(overhead * 100).toFixed(0)}% (target < ${OVERHEAD_TARGET * 100}%: ${overhead < OVERHEAD_TARGET ? 'met' : 'NOT met'}); 2 workers vs 1: ${(one.seconds / two.seconds).toFixed(2)}x\n`
    );
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS ${db.schema} CASCADE`).catch(() => undefined);
    await db.close();
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
