// The monitoring pages on a small known set of records: counts, shares and percentiles, vendor isolation, CSV, the SVG trend, thresholds and their log line.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DOMParser } from '@xmldom/xmldom';
import { parseMonitoringSettings } from '../../src/config/monitoring-settings.js';
import type { MonitoringSettings } from '../../src/config/monitoring-settings.js';
import { monitoringAlerts, startMonitoringChecks, THRESHOLD_EVENT } from '../../src/http/monitoring-alerts.js';
import type { Database } from '../../src/store/database.js';
import { monitoringReport } from '../../src/store/monitoring.js';
import { ensureVendor, putDocument } from '../../src/store/records.js';
import { logBuffer } from '../helpers/log-buffer.js';
import type { LogBuffer } from '../helpers/log-buffer.js';
import { call, startHarness } from './harness.js';
import type { Answer, Harness } from './harness.js';

interface SeedDoc {
  readonly verdict: 'valid' | 'invalid' | 'error';
  readonly issues?: readonly (readonly [string, 'error' | 'warning'])[];
  readonly submission?: { readonly outcome: string; readonly class: string; readonly afterMs: number };
  readonly verification?: string;
}

const DAY = 86_400_000;
const todayStart = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
const dayAt = (daysAgo: number): Date => new Date(todayStart - daysAgo * DAY + (daysAgo === 0 ? 1000 : 10 * 3600_000));
const dayText = (daysAgo: number): string => new Date(todayStart - daysAgo * DAY).toISOString().slice(0, 10);

let h: Harness;
let logs: LogBuffer;
let settings: MonitoringSettings;
let sha: string;
const uploadsByRule = new Map<string, string[]>();

async function seedRun(
  db: Database,
  vendor: string,
  at: Date,
  target: string | null,
  docs: readonly SeedDoc[]
): Promise<void> {
  const runId = randomUUID();
  await db.query(
    `INSERT INTO runs (id, vendor_id, submit_target, total, created_at, created_by) VALUES ($1, $2, $3, $4, $5, 'test')`,
    [runId, vendor, target, docs.length, at]
  );
  for (const [seq, d] of docs.entries()) {
    const uploadId = randomUUID();
    await db.query(`INSERT INTO run_documents (run_id, seq, file, sha256) VALUES ($1, $2, $3, $4)`, [
      runId,
      seq,
      `d${seq}.xml`,
      sha,
    ]);
    await db.query(
      `INSERT INTO uploads (id, vendor_id, run_id, seq, formal, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'test')`,
      [uploadId, vendor, runId, seq, target !== null, at]
    );
    const issues = (d.issues ?? []).map(([ruleId, severity]) => ({
      ruleId,
      severity,
      message: 'm',
      stage: 'schematron',
    }));
    await db.query(
      `INSERT INTO validations (run_id, seq, sha256, profile, status, errors, warnings, schema_id, rule_versions, report, created_at, created_by)
       VALUES ($1, $2, $3, 'dk-phmr-2.1', $4, 0, 0, 's', '{}', $5, $6, 'test')`,
      [runId, seq, sha, d.verdict, JSON.stringify({ issues }), at]
    );
    for (const [ruleId, severity] of d.issues ?? []) {
      if (severity === 'error') {
        uploadsByRule.set(ruleId, [...(uploadsByRule.get(ruleId) ?? []), uploadId]);
      }
    }
    if (d.submission && target !== null) {
      await db.query(
        `INSERT INTO submissions (run_id, seq, sha256, target, unique_id, outcome, class, errors, attempts, duration_ms, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, '[]', '[]', 1, $8, 'test')`,
        [
          runId,
          seq,
          sha,
          target,
          `u-${runId}-${seq}`,
          d.submission.outcome,
          d.submission.class,
          new Date(at.getTime() + d.submission.afterMs),
        ]
      );
    }
    if (d.verification && target !== null) {
      await db.query(
        `INSERT INTO verifications (run_id, seq, sha256, target, unique_id, outcome, message, mismatches, errors, queries, checks, duration_ms, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, 'm', '[]', '[]', 1, 1, 1, 'test')`,
        [runId, seq, sha, target, `u-${runId}-${seq}`, d.verification]
      );
    }
  }
}

const stored = (afterMs: number, verification = 'verified'): SeedDoc => ({
  verdict: 'valid',
  submission: { outcome: 'success', class: 'success', afterMs },
  verification,
});

beforeAll(async () => {
  logs = logBuffer('info');
  settings = parseMonitoringSettings('kih.json', {
    thresholds: { refusedShareDay: 0.05, verificationFailureShareDay: 0.1 },
    minDocumentsDay: 11,
  });
  h = await startHarness({
    label: 'monpages',
    workers: false,
    vendors: ['mon-a', 'mon-b'],
    logger: logs.logger,
    server: { monitoring: monitoringAlerts(settings, logs.logger) },
  });
  sha = await putDocument(h.db, Buffer.from('<ClinicalDocument/>'), 'test');
  await ensureVendor(h.db, 'mon-a', 'A', 'test');
  // Ten days ago (rolled up): 8 stored (4 × 1 s, 4 × 4 s), 2 invalid; too few documents to be flagged.
  await seedRun(h.db, 'mon-a', dayAt(10), 'kih-test', [
    ...[1000, 1000, 1000, 1000, 4000, 4000, 4000, 4000].map((ms) => stored(ms)),
    {
      verdict: 'invalid',
      issues: [
        ['R-1', 'error'],
        ['R-1', 'error'],
        ['R-2', 'error'],
      ],
    },
    {
      verdict: 'invalid',
      issues: [
        ['R-1', 'error'],
        ['W-1', 'warning'],
      ],
    },
  ]);
  // Yesterday (rolled up, or live in the first hours of a day): 20 judged, 4 refused (2 invalid, 2 permanent) → 20 %, flagged; 1 of 16 verifications not found.
  await seedRun(h.db, 'mon-a', dayAt(1), 'kih-test', [
    ...Array.from({ length: 15 }, () => stored(500)),
    stored(500, 'notFound'),
    { verdict: 'valid', submission: { outcome: 'failure', class: 'permanent', afterMs: 300 } },
    { verdict: 'valid', submission: { outcome: 'failure', class: 'permanent', afterMs: 300 } },
    { verdict: 'invalid', issues: [['R-3', 'error']] },
    { verdict: 'invalid', issues: [['R-3', 'error']] },
  ]);
  // Vendor B today (live): self-tests, one with a rule only B has; one run to a target named like a formula.
  await seedRun(h.db, 'mon-b', dayAt(0), null, [
    ...Array.from({ length: 5 }, () => ({ verdict: 'valid' as const })),
    { verdict: 'invalid', issues: [['B-SECRET-RULE', 'error']] },
  ]);
  await seedRun(h.db, 'mon-b', dayAt(0), '=1+1,"x"', [
    { verdict: 'valid', submission: { outcome: 'success', class: 'success', afterMs: 700 } },
  ]);
});

afterAll(async () => {
  await h.close();
});

async function page(key: string, path: string): Promise<Answer> {
  return call(h, 'GET', path, { key: h.key(key) });
}

function cell(text: string, name: string): string {
  const m = new RegExp(`data-total="${name}"[^>]*>([^<]*)<`).exec(text);
  return (m?.[1] ?? '').replace(/\s+/g, ' ').trim();
}

describe('the numbers', () => {
  it('counts, refused share, failing rules, verifications and percentiles of one vendor', async () => {
    const r = await monitoringReport(h.db, { vendorId: 'mon-a' });
    const sum = (k: 'documents' | 'stored' | 'judged' | 'refused'): number => r.days.reduce((s, d) => s + d[k], 0);
    expect([sum('documents'), sum('stored'), sum('judged'), sum('refused')]).toEqual([30, 24, 30, 6]);
    expect(r.days).toHaveLength(90);
    const yesterday = r.days.find((d) => d.period === dayText(1));
    expect(yesterday).toMatchObject({ documents: 20, refused: 4, refusedShare: 0.2, verifications: 16 });
    expect(yesterday?.verificationFailures).toBe(1);
    expect(r.days.find((d) => d.period === dayText(10))).toMatchObject({ documents: 10, invalid: 2, refused: 2 });
    // A rule counts once per document; warnings are not failures.
    expect(r.topRules.map((x) => [x.ruleId, x.documents])).toEqual([
      ['R-1', 2],
      ['R-3', 2],
      ['R-2', 1],
    ]);
    expect(uploadsByRule.get('R-1')).toContain(r.topRules[0]?.example.uploadId);
    expect(r.verifications).toEqual({ verified: 23, notFound: 1, metadataMismatch: 0, contentMismatch: 0, failure: 0 });
    expect(r.weeklyBreakdown.reduce((s, x) => s + x.documents, 0)).toBe(30);
    // The histogram's percentiles against PostgreSQL's exact percentile_cont on the same rows.
    const [exact] = await h.db.query<{ median: number; p95: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median, percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95
       FROM (SELECT extract(epoch FROM s.created_at - r.created_at) * 1000 AS ms
             FROM runs r JOIN submissions s ON s.run_id = r.id WHERE r.vendor_id = 'mon-a' AND s.outcome = 'success') t`
    );
    expect(r.times.stored).toBe(24);
    expect(exact?.median).toBe(500);
    expect(exact?.p95).toBe(4000);
    expect(Math.abs((r.times.medianMs ?? 0) / 500 - 1)).toBeLessThan(0.01);
    expect(Math.abs((r.times.p95Ms ?? 0) / 4000 - 1)).toBeLessThan(0.01);
  });

  it('gives the same report from the rollups as from the records alone', async () => {
    const rolled = await monitoringReport(h.db, { vendorId: null });
    const [rollup] = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM monitoring_daily WHERE day = $1::date`,
      [dayText(10)]
    );
    expect(rollup?.n).toBeGreaterThan(0);
    const live = await monitoringReport(h.db, { vendorId: null, rollups: false });
    expect(rolled).toEqual(live);
    expect(await monitoringReport(h.db, { vendorId: 'mon-a' })).toEqual(
      await monitoringReport(h.db, { vendorId: 'mon-a', rollups: false })
    );
    expect(rolled.vendors.map((v) => [v.period, v.documents])).toEqual([
      ['mon-a', 30],
      ['mon-b', 7],
    ]);
  });
});

describe('the pages', () => {
  it("shows a vendor its own page, with the summary, the trend and the threshold's flag", async () => {
    const res = await page('mon-a', '/monitoring/mon-a?lang=en');
    expect(res.status).toBe(200);
    expect(cell(res.text, 'documents')).toBe('30');
    expect(cell(res.text, 'stored')).toBe('24');
    expect(cell(res.text, 'refused-share')).toBe('20.0 % (6 of 30)');
    expect(res.text).toContain('data-rule="R-1"');
    expect(res.text).not.toContain('B-SECRET-RULE');
    expect(res.text).toMatch(new RegExp(`href="/documents/(${(uploadsByRule.get('R-1') ?? []).join('|')})"`));
    // Only yesterday crosses: ten days ago had fewer documents than minDocumentsDay.
    const flags = [...res.text.matchAll(/data-flag="([^"]+)" data-vendor="([^"]+)" data-day="([^"]+)"/g)].map((m) =>
      m.slice(1)
    );
    expect(flags).toEqual([['refusedShareDay', 'mon-a', dayText(1)]]);
  });

  it('draws the trend as well-formed SVG with one bar per day', async () => {
    const res = await page('mon-a', '/monitoring/mon-a');
    const svg = /<svg[\s\S]*?<\/svg>/.exec(res.text)?.[0] ?? '';
    const errors: string[] = [];
    const doc = new DOMParser({
      errorHandler: (level, msg) => {
        errors.push(`${level}: ${msg}`);
      },
    }).parseFromString(svg, 'image/svg+xml');
    expect(errors).toEqual([]);
    expect(doc.documentElement.localName).toBe('svg');
    expect(doc.getElementsByTagName('rect')).toHaveLength(90);
    expect(doc.getElementsByTagName('polyline')).toHaveLength(1);
  });

  it("keeps vendor B's page and CSV from vendor A exactly as an unknown vendor's", async () => {
    for (const path of ['/monitoring/mon-b', '/monitoring/mon-b?format=csv', '/monitoring/nobody']) {
      const res = await page('mon-a', path);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('B-SECRET-RULE');
    }
    const other = await page('mon-a', '/monitoring/mon-b?lang=en');
    const unknown = await page('mon-a', '/monitoring/nobody?lang=en');
    expect(other.text.replaceAll('mon-b', 'X')).toBe(unknown.text.replaceAll('nobody', 'X'));
    expect((await page('mon-a', '/admin/monitoring')).status).toBe(403);
  });

  it('shows MedCom every vendor, and each vendor on its own', async () => {
    const all = await page('admin', '/admin/monitoring?lang=en');
    expect(all.status).toBe(200);
    expect(cell(all.text, 'documents')).toBe('37');
    expect(all.text).toContain('href="/monitoring/mon-b"');
    expect(all.text).toContain('B-SECRET-RULE');
    const b = await page('admin', '/monitoring/mon-b');
    expect(b.status).toBe(200);
    expect(cell(b.text, 'documents')).toBe('7');
    expect((await page('admin', '/monitoring/nobody')).status).toBe(404);
  });

  it('links the monitoring page from the navigation', async () => {
    expect((await page('mon-a', '/')).text).toContain('href="/monitoring/mon-a"');
    expect((await page('admin', '/admin')).text).toContain('href="/admin/monitoring"');
  });
});

describe('the CSV export', () => {
  it('is the breakdown table with its content type, file name and escaping', async () => {
    const res = await page('admin', '/monitoring/mon-b?format=csv&by=day');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="kih-monitoring-mon-b-day-${dayText(0)}.csv"`
    );
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe('day,vendor,profile,verdict,target,outcome,class,documents');
    expect(lines).toContain(`${dayText(0)},mon-b,dk-phmr-2.1,valid,,,,5`);
    expect(lines).toContain(`${dayText(0)},mon-b,dk-phmr-2.1,invalid,,,,1`);
    // A target named like a formula is neither a formula nor a broken row.
    expect(lines).toContain(`${dayText(0)},mon-b,dk-phmr-2.1,valid,"'=1+1,""x""",success,success,1`);
    expect(res.text.endsWith('\r\n')).toBe(true);
    const weekly = await page('mon-a', '/monitoring/mon-a?format=csv');
    expect(weekly.text.split('\r\n')[0]).toBe('week,vendor,profile,verdict,target,outcome,class,documents');
    expect(
      weekly.text
        .trim()
        .split('\r\n')
        .slice(1)
        .reduce((s, l) => s + Number(l.split(',').pop()), 0)
    ).toBe(30);
  });
});

describe('thresholds', () => {
  it('writes one warn line per vendor, day and threshold, however often the page is shown', async () => {
    await page('admin', '/admin/monitoring');
    await page('mon-a', '/monitoring/mon-a');
    const lines = logs.lines().filter((l) => l.event === THRESHOLD_EVENT);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: THRESHOLD_EVENT,
      vendorId: 'mon-a',
      day: dayText(1),
      threshold: 'refusedShareDay',
      value: 0.2,
      limit: 0.05,
      documents: 20,
    });
  });

  it("is checked by the server's own timer too, which logs the same line without a page being shown", async () => {
    const own = logBuffer('info');
    const stop = startMonitoringChecks(h.db, monitoringAlerts(settings, own.logger), own.logger, 'test');
    try {
      const deadline = Date.now() + 10_000;
      while (!own.lines().some((l) => l.event === THRESHOLD_EVENT) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      stop();
    }
    expect(own.lines().filter((l) => l.event === THRESHOLD_EVENT)).toEqual([
      expect.objectContaining({ vendorId: 'mon-a', day: dayText(1), threshold: 'refusedShareDay' }),
    ]);
  });
});
