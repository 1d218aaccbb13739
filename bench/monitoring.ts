// `npm run bench:monitoring`: a year of delivery records seeded into a fresh schema, then each monitoring page timed warm against 500 ms, with the records-only (no rollup) query beside it.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { DEFAULT_MONITORING } from '../src/config/monitoring-settings.js';
import { monitoringCsv, monitoringPage } from '../src/http/pages/monitoring-pages.js';
import type { Principal } from '../src/store/access.js';
import { openDatabase } from '../src/store/database.js';
import type { Database } from '../src/store/database.js';
import { migrate } from '../src/store/migrations.js';
import { monitoringFlags, monitoringReport } from '../src/store/monitoring.js';

const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const VENDORS = Number(process.env.BENCH_MONITOR_VENDORS ?? 20);
const DOCS_PER_DAY = Number(process.env.BENCH_MONITOR_DOCS ?? 200);
const DAYS = Number(process.env.BENCH_MONITOR_DAYS ?? 365);
const REPEATS = Number(process.env.BENCH_MONITOR_REPEATS ?? 5);
const RUN_SIZE = 10;
const LIMIT_MS = 500;

/** The machine is shared: the 1-minute load average says whether something else ran alongside a measurement. */
function load(): string {
  return `load ${loadavg()[0]?.toFixed(1) ?? '?'}`;
}

async function timed<T>(what: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await what();
  return { ms: performance.now() - started, value };
}

/**
 * Set-based: one INSERT … SELECT per table over an unlogged table of every document (a table, not
 * a temporary one, as the pool may hand each statement another connection), in arrival order as
 * the service writes them, so a year is a handful of statements. Outcomes come from hashes of the ids (deterministic): about 2 %
 * invalid, 0.5 % refused by the repository, 0.5 % transient, 0.5 % of verifications not found, and
 * vendor v003 refusing a quarter of its documents on every 30th day (so thresholds cross).
 */
async function seed(db: Database): Promise<number> {
  const runsPerDay = Math.max(1, Math.floor(DOCS_PER_DAY / RUN_SIZE));
  const steps: [string, string][] = [
    [
      'vendors',
      `INSERT INTO vendors (id, name, created_by)
       SELECT 'v' || lpad(v::text, 3, '0'), 'Vendor ' || v, 'bench' FROM generate_series(1, ${VENDORS}) v`,
    ],
    [
      'documents',
      `INSERT INTO documents (sha256, size, content, stored_by)
       SELECT encode(sha256(('doc' || i)::bytea), 'hex'), 3, 'doc'::bytea, 'bench' FROM generate_series(0, 19) i`,
    ],
    [
      'plan',
      `CREATE UNLOGGED TABLE bench_seed AS
       SELECT run_id, seq, vendor_id, created_at, sha256, h1, h2, h3,
              CASE WHEN h1 < 20 OR (vendor_id = 'v003' AND day % 30 = 0 AND h1 < 250) THEN 'invalid'
                   WHEN h1 < 22 THEN 'error' ELSE 'valid' END AS verdict
       FROM (
         SELECT md5(v || '/' || d || '/' || k)::uuid AS run_id, s AS seq, 'v' || lpad(v::text, 3, '0') AS vendor_id, d AS day,
                now() - d * interval '1 day' - k * (interval '1 day' / ${runsPerDay}) - interval '1 minute' AS created_at,
                encode(sha256(('doc' || ((v + d + s) % 20))::bytea), 'hex') AS sha256,
                abs(hashtext(v || '/' || d || '/' || k || '/' || s)) % 1000 AS h1,
                abs(hashtext(s || '\\' || k || '\\' || d || '\\' || v)) % 1000 AS h2,
                abs(hashtext('t' || v || d || k || s)) % 5000 AS h3
         FROM generate_series(1, ${VENDORS}) v, generate_series(0, ${DAYS - 1}) d,
              generate_series(0, ${runsPerDay - 1}) k, generate_series(0, ${RUN_SIZE - 1}) s
       ) x
       ORDER BY created_at, run_id, seq`,
    ],
    [
      'runs',
      `INSERT INTO runs (id, vendor_id, name, submit_target, total, created_at, created_by)
       SELECT run_id, min(vendor_id), 'upload (formal test)', 'kih-test', count(*), min(created_at), 'bench'
       FROM bench_seed GROUP BY run_id ORDER BY min(created_at), run_id`,
    ],
    [
      'run_documents',
      `INSERT INTO run_documents (run_id, seq, file, sha256) SELECT run_id, seq, 'd' || seq || '.xml', sha256 FROM bench_seed ORDER BY created_at, run_id, seq`,
    ],
    [
      'uploads',
      `INSERT INTO uploads (id, vendor_id, run_id, seq, formal, created_at, created_by)
       SELECT md5(run_id::text || seq)::uuid, vendor_id, run_id, seq, true, created_at, 'bench' FROM bench_seed
       ORDER BY created_at, run_id, seq`,
    ],
    [
      'validations',
      `INSERT INTO validations (run_id, seq, sha256, profile, status, errors, warnings, schema_id, rule_versions, report, created_at, created_by)
       SELECT run_id, seq, sha256, (ARRAY['dk-phmr-2.1', 'dk-phmr-1.3', 'dk-qrd-1.3', 'dk-qfdd-1.2'])[1 + h2 % 4], verdict,
              CASE WHEN verdict = 'invalid' THEN 2 ELSE 0 END, 0, 'bench', '{}'::jsonb,
              CASE WHEN verdict = 'invalid'
                   THEN jsonb_build_object('issues', jsonb_build_array(
                          jsonb_build_object('ruleId', 'DK-R-' || (h2 % 30), 'severity', 'error', 'message', 'm', 'stage', 'schematron'),
                          jsonb_build_object('ruleId', 'DK-R-' || (h3 % 7), 'severity', 'error', 'message', 'm', 'stage', 'schematron'),
                          jsonb_build_object('ruleId', 'DK-W-1', 'severity', 'warning', 'message', 'm', 'stage', 'schematron')))
                   ELSE '{"issues": []}'::jsonb END,
              created_at + interval '200 milliseconds', 'bench'
       FROM bench_seed ORDER BY created_at, run_id, seq`,
    ],
    [
      'submissions',
      `INSERT INTO submissions (run_id, seq, sha256, target, unique_id, outcome, class, errors, attempts, duration_ms, created_at, created_by)
       SELECT run_id, seq, sha256, 'kih-test', run_id::text || '.' || seq,
              CASE WHEN h2 < 5 OR h2 >= 995 THEN 'failure' ELSE 'success' END,
              CASE WHEN h2 < 5 THEN 'permanent' WHEN h2 >= 995 THEN 'transient' ELSE 'success' END,
              '[]', '[]', 100, created_at + (300 + h3) * interval '1 millisecond', 'bench'
       FROM bench_seed WHERE verdict = 'valid' ORDER BY created_at, run_id, seq`,
    ],
    [
      'verifications',
      `INSERT INTO verifications (run_id, seq, sha256, target, unique_id, outcome, message, mismatches, errors, queries, checks, duration_ms, created_at, created_by)
       SELECT run_id, seq, sha256, 'kih-test', run_id::text || '.' || seq, CASE WHEN h3 % 200 = 0 THEN 'notFound' ELSE 'verified' END,
              'm', '[]', '[]', 1, 1, 50, created_at + interval '2 minutes', 'bench'
       FROM bench_seed WHERE verdict = 'valid' AND h2 >= 5 AND h2 < 995 ORDER BY created_at, run_id, seq`,
    ],
    ['analyze', `DROP TABLE bench_seed; ANALYZE`],
  ];
  for (const [name, sql] of steps) {
    const t = await timed(() => db.query(sql));
    process.stdout.write(`  ${name.padEnd(14)} ${(t.ms / 1000).toFixed(1)} s\n`);
  }
  const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM run_documents`);
  return n?.n ?? 0;
}

interface PageTiming {
  readonly name: string;
  readonly median: number;
  readonly max: number;
}

async function repeat(name: string, work: () => Promise<unknown>): Promise<PageTiming> {
  await work(); // warm: plans cached, rollups written
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    times.push((await timed(work)).ms);
  }
  times.sort((a, b) => a - b);
  return { name, median: times[Math.floor(times.length / 2)] ?? 0, max: times[times.length - 1] ?? 0 };
}

async function main(): Promise<void> {
  // BENCH_SCHEMA: time the pages again on a schema seeded and kept (BENCH_KEEP=1) by an earlier run.
  const reuse = process.env.BENCH_SCHEMA;
  const schema = reuse ?? `bench_mon_${randomBytes(4).toString('hex')}`;
  const db = openDatabase({ url: URL, schema, max: 5 });
  try {
    await migrate(db);
    if (reuse === undefined) {
      process.stdout.write(
        `Seeding ${VENDORS} vendors × ${DOCS_PER_DAY} documents a day × ${DAYS} days into ${schema} (${load()})\n`
      );
      const seeded = await timed(() => seed(db));
      process.stdout.write(`Seeded ${seeded.value} documents in ${(seeded.ms / 1000).toFixed(1)} s\n\n`);
    } else {
      process.stdout.write(`Reusing ${schema}\n\n`);
    }

    const admin: Principal = { kind: 'admin', name: 'bench', keyId: '00000000-0000-4000-8000-000000000000' };
    const vendor: Principal = { kind: 'vendor', vendorId: 'v003', keyId: '00000000-0000-4000-8000-000000000001' };
    const settings = DEFAULT_MONITORING;
    const render = async (vendorId: string | null, principal: Principal): Promise<string> => {
      const report = await monitoringReport(db, { vendorId, actor: 'bench' });
      const flags = monitoringFlags(report, settings);
      return monitoringPage({
        lang: 'da',
        path: '/x',
        principal,
        report,
        flags,
        refusedThreshold: settings.thresholds.refusedShareDay,
        basePath: '/x',
      });
    };
    const csv = async (vendorId: string | null): Promise<string> =>
      monitoringCsv(await monitoringReport(db, { vendorId, actor: 'bench' }), 'day');

    // The first page of a fresh install writes the rollups of the window's closed days.
    const cold = await timed(() => render(null, admin));
    const [rolled] = await db.query<{ days: number; rows: number }>(
      `SELECT (SELECT count(*)::int FROM monitoring_rollups) AS days, (SELECT count(*)::int FROM monitoring_daily) AS rows`
    );
    process.stdout.write(
      `First page, rollups written: ${cold.ms.toFixed(0)} ms (${rolled?.days ?? 0} days, ${rolled?.rows ?? 0} fact rows; ${load()})\n\n`
    );

    const pages = [
      await repeat('across vendors (MedCom)', () => render(null, admin)),
      await repeat('one vendor (MedCom)', () => render('v007', admin)),
      await repeat("vendor's own", () => render('v003', vendor)),
      await repeat('CSV across vendors, by day', () => csv(null)),
      await repeat('CSV one vendor, by day', () => csv('v007')),
    ];
    process.stdout.write(`Pages, warm, ${REPEATS} repeats (${load()}):\n`);
    let failed = false;
    for (const p of pages) {
      const pass = p.median <= LIMIT_MS;
      failed ||= !pass;
      process.stdout.write(
        `  ${p.name.padEnd(28)} median ${p.median.toFixed(0).padStart(5)} ms  max ${p.max.toFixed(0).padStart(5)} ms  ${pass ? 'PASS' : 'FAIL'} (≤ ${LIMIT_MS} ms)\n`
      );
    }

    // The alternative measured beside it: the same report from the records alone (indexes only).
    const live = [
      await repeat('across vendors, no rollups', () => monitoringReport(db, { vendorId: null, rollups: false })),
      await repeat('one vendor, no rollups', () => monitoringReport(db, { vendorId: 'v007', rollups: false })),
    ];
    process.stdout.write(`\nRecords only (indexes, no rollups), ${REPEATS} repeats (${load()}):\n`);
    for (const p of live) {
      process.stdout.write(
        `  ${p.name.padEnd(28)} median ${p.median.toFixed(0).padStart(5)} ms  max ${p.max.toFixed(0).padStart(5)} ms\n`
      );
    }
    const flags = monitoringFlags(await monitoringReport(db, { vendorId: null }), settings);
    process.stdout.write(`\nFlags in the window at the default thresholds: ${flags.length}\n`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    if (process.env.BENCH_KEEP !== '1' && reuse === undefined) {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
    await db.close();
  }
}

await main();
