// `npm run bench:pipeline`: `kih submit` in one process against `kih validate`, and the queued pipeline (1 and 2 worker processes) against `kih submit`, same documents, same run.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
/** Issue 19: two worker processes on two cores against one. */
const SCALING_TARGET = 1.5;
/**
 * `BENCH_PIPELINE_LARGE_DOCS=2000`: one worker also runs that many documents, and the per-document
 * cost is compared with the run of BENCH_PIPELINE_DOCS (issue 19: flat; within 20% counts as flat
 * here, the noise of one run on this machine). 0 (default): not run.
 */
const LARGE_DOCS = Number(process.env.BENCH_PIPELINE_LARGE_DOCS ?? 0);
const FLAT_TARGET = 1.2;
/** `kih submit` (validate, derive, build, send) against `kih validate` alone, one validation thread each (issue 19). */
const SUBMIT_VS_VALIDATE_TARGET = 0.6;
/**
 * Alternating rounds of `kih validate` and `kih submit`; each side's fastest round counts, the one
 * least disturbed by whatever else runs on a shared machine.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_PIPELINE_ROUNDS ?? 2));
/** `BENCH_PIPELINE_QUEUED=0` measures only the in-process ratio (no PostgreSQL or Redis needed). */
const QUEUED = process.env.BENCH_PIPELINE_QUEUED !== '0';
/** Node options for each worker process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (not allowed in NODE_OPTIONS). */
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const KIH = path.join(PACKAGE_ROOT, 'bin', 'kih.js');
const WORKER = path.join(PACKAGE_ROOT, 'dist', 'worker.js');

interface Figures {
  readonly label: string;
  /** Documents in the run (the queued cost comparison runs a larger corpus). */
  readonly docs?: number;
  /** The largest worker's resident memory at the end of the run (Linux /proc), MB. */
  readonly rssMb?: number;
  /** CPU seconds of the worker processes (all threads) and of this process (the simulator) over the run. */
  readonly cpu?: { readonly workers: number; readonly bench: number };
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function line(f: Figures): string {
  return `${f.label.padEnd(38)} ${f.seconds.toFixed(1).padStart(6)} s  ${((f.docs ?? DOCS) / f.seconds).toFixed(1).padStart(6)} docs/s  p50 ${f.p50.toFixed(0).padStart(6)} ms  p99 ${f.p99.toFixed(0).padStart(6)} ms${f.rssMb !== undefined ? `  worker RSS ${f.rssMb.toFixed(0)} MB` : ''}${f.cpu ? `  CPU s: workers ${f.cpu.workers.toFixed(1)}, simulator ${f.cpu.bench.toFixed(1)}` : ''}`;
}

/** Runs `kih` with `args` to the end; its stdout parsed as JSON, and the wall time. */
async function runKih(args: readonly string[]): Promise<{ readonly seconds: number; readonly json: unknown }> {
  const started = performance.now();
  // Not spawnSync: the simulator answering `kih submit` runs in this process's event loop.
  const child = spawn(process.execPath, [KIH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(`kih ${args[0]} exited ${code}: ${err}`);
  }
  return { seconds, json: JSON.parse(Buffer.concat(out).toString('utf8')) as unknown };
}

/** `kih validate` over the corpus on one thread (what `kih submit -j 1` validates on), with its per-document times. */
async function validateOnly(corpusDir: string): Promise<Figures> {
  const { seconds, json } = await runKih(['validate', corpusDir, '-j', '1', '--format', 'json']);
  const report = json as { documents: { durationMs: number; status: string }[] };
  const invalid = report.documents.filter((d) => d.status !== 'valid').length;
  if (invalid > 0) {
    throw new Error(`kih validate: ${invalid} bench documents are not valid`);
  }
  const durations = report.documents.map((d) => d.durationMs).sort((a, b) => a - b);
  return { label: 'kih validate (1 thread)', seconds, p50: percentile(durations, 50), p99: percentile(durations, 99) };
}

/** The in-process baseline: `kih submit` over the corpus, one validation thread, its own per-document times. */
async function inProcess(corpusDir: string, config: string): Promise<Figures> {
  const { seconds, json } = await runKih([
    'submit',
    corpusDir,
    '--target',
    'sim',
    '--config',
    config,
    '-j',
    '1',
    '--concurrency',
    '4',
  ]);
  const report = json as { documents: { durationMs: number; outcome: string }[] };
  const unsent = report.documents.filter((d) => d.outcome !== 'success').length;
  if (unsent > 0) {
    throw new Error(`kih submit: ${unsent} bench documents were not stored`);
  }
  const durations = report.documents.map((d) => d.durationMs).sort((a, b) => a - b);
  return {
    label: 'kih submit, in process (1 thread)',
    seconds,
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
  };
}

function startWorker(env: NodeJS.ProcessEnv, config: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...WORKER_NODE_ARGS, WORKER, '--config', config], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
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

/** A process's CPU seconds so far (user + system, every thread) from /proc (NaN where there is none). */
function cpuSeconds(child: ChildProcess): number {
  const stat = `/proc/${child.pid}/stat`;
  // Fields 14 and 15 (utime, stime) after the command name, in clock ticks (100 a second on Linux).
  const fields = existsSync(stat) ? readFileSync(stat, 'utf8').split(') ')[1]?.split(' ') : undefined;
  return fields ? (Number(fields[11]) + Number(fields[12])) / 100 : Number.NaN;
}

/** A process's resident memory from /proc (NaN where there is none). */
function residentMb(child: ChildProcess): number {
  const status = `/proc/${child.pid}/status`;
  const kb = existsSync(status) ? /VmRSS:\s+(\d+)/.exec(readFileSync(status, 'utf8'))?.[1] : undefined;
  return kb ? Number(kb) / 1024 : Number.NaN;
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
    const cpuBefore = children.map(cpuSeconds);
    const benchBefore = process.cpuUsage();
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
    const rssMb = Math.max(...children.map(residentMb));
    const benchCpu = process.cpuUsage(benchBefore);
    const cpu = {
      workers: children.reduce((sum, c, i) => sum + cpuSeconds(c) - (cpuBefore[i] ?? 0), 0),
      bench: (benchCpu.user + benchCpu.system) / 1e6,
    };
    // Latency of each document: from its run's creation (enqueue) to its final record.
    const rows = await db.query<{ ms: string }>(
      `SELECT EXTRACT(EPOCH FROM (r.recorded_at - ru.created_at)) * 1000 AS ms
       FROM results r JOIN runs ru ON ru.id = r.run_id WHERE r.run_id = $1`,
      [runId]
    );
    const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
    return {
      label: `queued, ${workers} worker process${workers > 1 ? 'es' : ''} (1 thread each)${texts.length !== DOCS ? `, ${texts.length} docs` : ''}`,
      docs: texts.length,
      ...(Number.isFinite(rssMb) ? { rssMb } : {}),
      ...(Number.isFinite(cpu.workers) ? { cpu } : {}),
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
  const db = QUEUED
    ? openDatabase({ url: DATABASE_URL, schema: `bench_${randomBytes(4).toString('hex')}` })
    : undefined;
  try {
    if (db) {
      await migrate(db);
    }
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
    let validated: Figures | undefined;
    let base: Figures | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const v = await validateOnly(corpusDir);
      process.stdout.write(line(v) + (ROUNDS > 1 ? `  (round ${round})` : '') + '\n');
      const s = await inProcess(corpusDir, config);
      process.stdout.write(line(s) + (ROUNDS > 1 ? `  (round ${round})` : '') + '\n');
      validated = validated && validated.seconds <= v.seconds ? validated : v;
      base = base && base.seconds <= s.seconds ? base : s;
    }
    if (!validated || !base) {
      throw new Error('no round ran');
    }
    // Throughput ratio = inverse ratio of the wall times over the same documents (each includes its process start),
    // fastest round of each.
    const ratio = validated.seconds / base.seconds;
    process.stdout.write(
      `kih submit (1 thread) / kih validate (1 thread): ${ratio.toFixed(2)} (target >= ${SUBMIT_VS_VALIDATE_TARGET.toFixed(2)}: ${ratio >= SUBMIT_VS_VALIDATE_TARGET ? 'PASS' : 'FAIL'})\n`
    );
    if (!db) {
      return;
    }
    // Each round sends the same documents again: the simulator stores an identical re-send as a second entry, at the same cost.
    const one = await queued(1, db, texts, config);
    process.stdout.write(line(one) + '\n');
    const two = await queued(2, db, texts, config);
    process.stdout.write(line(two) + '\n');
    // Throughput ratios from wall times over the same documents, as the issue states its targets.
    const queuedVsInProcess = base.seconds / one.seconds;
    const twoVsOne = one.seconds / two.seconds;
    const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    process.stdout.write(
      `queued 1 worker / in process: ${queuedVsInProcess.toFixed(2)} (target >= ${(1 - OVERHEAD_TARGET).toFixed(2)}: ${verdict(queuedVsInProcess >= 1 - OVERHEAD_TARGET)})\n` +
        `queued 2 workers / 1 worker: ${twoVsOne.toFixed(2)} (target >= ${SCALING_TARGET.toFixed(2)}: ${verdict(twoVsOne >= SCALING_TARGET)})\n`
    );
    if (LARGE_DOCS > 0) {
      const largeDir = path.join(work, 'large');
      writeTypicalCorpus(largeDir, LARGE_DOCS, benchDocuments().typical);
      const largeTexts = Array.from({ length: LARGE_DOCS }, (_, i) =>
        readFileSync(path.join(largeDir, `typical-${String(i).padStart(5, '0')}.xml`))
      );
      const large = await queued(1, db, largeTexts, config);
      process.stdout.write(line(large) + '\n');
      const small = (one.seconds * 1000) / DOCS;
      const big = (large.seconds * 1000) / LARGE_DOCS;
      process.stdout.write(
        `queued 1 worker, per document: ${small.toFixed(1)} ms (${DOCS}) / ${big.toFixed(1)} ms (${LARGE_DOCS}): ${(big / small).toFixed(2)} (flat: <= ${FLAT_TARGET.toFixed(2)}: ${verdict(big / small <= FLAT_TARGET)})\n`
      );
    }
  } finally {
    if (db) {
      await db.query(`DROP SCHEMA IF EXISTS ${db.schema} CASCADE`).catch(() => undefined);
      await db.close();
    }
    await sim.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
