// Delivery statistics for the monitoring pages: a window of days per vendor or across vendors, from daily rollups of closed days and live rows for the rest.
import type { MonitoringSettings } from '../config/monitoring-settings.js';
import type { Database } from './database.js';

/** Days a page shows by default. */
export const MONITORING_DAYS = 90;
/** Most failing rules a page lists. */
const TOP_RULES = 10;
/** Histogram resolution of upload-to-stored times: bucket = floor(BUCKETS_PER_E * ln(ms)), about 2 % wide. */
export const BUCKETS_PER_E = 50;

/**
 * Classes a delivery is refused with: the document or the vendor's set-up is at fault (an invalid
 * document, a permanent or duplicate answer, credentials). Transient and unknown are the
 * service's or the network's trouble, not a refusal; cancelled was never meant to arrive.
 */
const REFUSED_CLASSES: readonly string[] = ['invalid', 'permanent', 'duplicate', 'auth', 'authPermanent'];
const VERIFICATION_OUTCOMES = ['verified', 'notFound', 'metadataMismatch', 'contentMismatch', 'failure'] as const;
export type VerificationOutcomeName = (typeof VERIFICATION_OUTCOMES)[number];

/** Documents that arrived on one (UTC) day with one combination of what happened to them. */
export interface DeliveryFact {
  readonly day: string;
  readonly vendorId: string;
  readonly profile: string | null;
  /** Validation status; null: not validated yet. */
  readonly verdict: string | null;
  /** The submission's target, else the run's; null: a self-test (validation only). */
  readonly target: string | null;
  readonly outcome: string | null;
  readonly class: string | null;
  readonly documents: number;
}

/** Sent towards a target and judged: the denominator of the refused share. */
export function isJudged(f: Pick<DeliveryFact, 'target' | 'verdict' | 'class'>): boolean {
  return f.target !== null && f.verdict !== null && f.class !== 'cancelled';
}

/** Refused: invalid by validation, or answered with a refusing class by the repository. */
export function isRefused(f: Pick<DeliveryFact, 'target' | 'verdict' | 'outcome' | 'class'>): boolean {
  if (f.target === null) {
    return false;
  }
  return f.verdict === 'invalid' || (f.outcome !== 'success' && f.class !== null && REFUSED_CLASSES.includes(f.class));
}

/** isJudged and isRefused over the rollup's columns; the test that rollups and records alone agree keeps them in step. */
const JUDGED_SQL = `target IS NOT NULL AND verdict IS NOT NULL AND class IS DISTINCT FROM 'cancelled'`;
const REFUSED_SQL = `target IS NOT NULL AND (verdict = 'invalid' OR (outcome IS DISTINCT FROM 'success' AND class IN (${REFUSED_CLASSES.map((c) => `'${c}'`).join(', ')})))`;

export interface PeriodTotals {
  /** `YYYY-MM-DD`, or `YYYY-Www` (ISO week) for weeks. */
  readonly period: string;
  readonly documents: number;
  readonly valid: number;
  readonly invalid: number;
  readonly error: number;
  readonly pending: number;
  readonly judged: number;
  readonly refused: number;
  /** refused / judged; null when nothing was judged. */
  readonly refusedShare: number | null;
  readonly stored: number;
  readonly verifications: number;
  readonly verificationFailures: number;
}

export interface BreakdownRow {
  readonly period: string;
  readonly profile: string | null;
  readonly verdict: string | null;
  readonly target: string | null;
  readonly outcome: string | null;
  readonly class: string | null;
  readonly documents: number;
}

export interface VendorDay {
  readonly vendorId: string;
  readonly day: string;
  readonly documents: number;
  readonly judged: number;
  readonly refused: number;
  readonly verifications: number;
  readonly verificationFailures: number;
}

export interface FailingRule {
  readonly ruleId: string;
  /** Documents with at least one error finding of the rule. */
  readonly documents: number;
  readonly example: { readonly runId: string; readonly seq: number; readonly uploadId: string | null };
}

export interface MonitoringReport {
  /** null: across vendors. */
  readonly vendorId: string | null;
  readonly from: string;
  readonly to: string;
  readonly days: readonly PeriodTotals[];
  readonly weeks: readonly PeriodTotals[];
  readonly dailyBreakdown: readonly BreakdownRow[];
  readonly weeklyBreakdown: readonly BreakdownRow[];
  readonly vendorDays: readonly VendorDay[];
  /** Across vendors only: each vendor's window totals (period = vendor id). */
  readonly vendors: readonly PeriodTotals[];
  readonly topRules: readonly FailingRule[];
  readonly verifications: Readonly<Record<VerificationOutcomeName, number>>;
  readonly times: { readonly stored: number; readonly medianMs: number | null; readonly p95Ms: number | null };
}

export interface MonitoringQuery {
  /** null: every vendor. */
  readonly vendorId: string | null;
  readonly days?: number;
  /** The clock (tests, the bench); default now. */
  readonly now?: Date;
  /** false: every day from the live rows (the bench's comparison); default true. */
  readonly rollups?: boolean;
  /** Who writes missing rollups. */
  readonly actor?: string;
}

const DAY_MS = 86_400_000;

function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** ISO 8601 week of a `YYYY-MM-DD` day: `2026-W49`. */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(d.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - jan1) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The documents of a range of arrival times as facts, one row per day, vendor and combination; the
 * same statement fills the rollup and answers the days not rolled up, so both count alike.
 */
const LIVE_FACTS = `
  SELECT (r.created_at AT TIME ZONE 'UTC')::date AS day, r.vendor_id, coalesce(v.profile, d.profile) AS profile,
         v.status AS verdict, coalesce(s.target, r.submit_target) AS target, s.outcome, s.class, count(*)::int AS documents
  FROM runs r JOIN run_documents d ON d.run_id = r.id
  LEFT JOIN validations v ON v.run_id = d.run_id AND v.seq = d.seq
  LEFT JOIN submissions s ON s.run_id = d.run_id AND s.seq = d.seq
  WHERE r.created_at >= $1 AND r.created_at < $2 AND ($3::text IS NULL OR r.vendor_id = $3)
  GROUP BY 1, 2, 3, 4, 5, 6, 7`;

/** A rule counts once per document, however often it fails in it; the example is the first document. */
const LIVE_RULES = `
  SELECT day, vendor_id, rule_id, count(*)::int AS documents,
         split_part(min(example), '/', 1)::uuid AS example_run,
         (array_agg(split_part(example, '/', 2)::int ORDER BY example))[1] AS example_seq
  FROM (
    SELECT DISTINCT (r.created_at AT TIME ZONE 'UTC')::date AS day, r.vendor_id, i->>'ruleId' AS rule_id,
           v.run_id::text || '/' || v.seq::text AS example
    FROM runs r JOIN validations v ON v.run_id = r.id
    CROSS JOIN LATERAL jsonb_array_elements(v.report->'issues') AS i
    WHERE r.created_at >= $1 AND r.created_at < $2 AND ($3::text IS NULL OR r.vendor_id = $3)
      AND v.status = 'invalid' AND i->>'severity' = 'error'
  ) x
  GROUP BY 1, 2, 3`;

const LIVE_VERIFICATIONS = `
  SELECT (r.created_at AT TIME ZONE 'UTC')::date AS day, r.vendor_id, x.target, x.outcome, count(*)::int AS documents
  FROM runs r JOIN verifications x ON x.run_id = r.id
  WHERE r.created_at >= $1 AND r.created_at < $2 AND ($3::text IS NULL OR r.vendor_id = $3)
  GROUP BY 1, 2, 3, 4`;

/** Upload (the run's arrival) to the stored answer, for documents the repository stored. */
const LIVE_TIMES = `
  SELECT (r.created_at AT TIME ZONE 'UTC')::date AS day, r.vendor_id,
         floor(${BUCKETS_PER_E} * ln(greatest(1, extract(epoch FROM s.created_at - r.created_at) * 1000)))::smallint AS bucket,
         count(*)::int AS documents
  FROM runs r JOIN submissions s ON s.run_id = r.id
  WHERE r.created_at >= $1 AND r.created_at < $2 AND ($3::text IS NULL OR r.vendor_id = $3) AND s.outcome = 'success'
  GROUP BY 1, 2, 3`;

/** How long after its end a day is rolled up: documents that arrived late in it have this long to finish. */
export const SETTLE_MS = 2 * 3600_000;

/**
 * The first day that is not closed: a day is rolled up once it has been over for SETTLE_MS, so
 * only today (and yesterday, in the first hours of a day) come from the records themselves; a
 * document still in flight by then counts as it stood (pending, or without its verification).
 */
export function closedBefore(now: Date): string {
  return dayOf(new Date(now.getTime() - SETTLE_MS));
}

/**
 * Writes the rollups of the closed days in [from, before) that have none, in one transaction under
 * a lock, so two pages opened at once do not count a day twice. Returns the days written.
 */
export async function ensureRollups(db: Database, from: string, before: string, actor: string): Promise<string[]> {
  if (from >= before) {
    return [];
  }
  const missing = async (q: Pick<Database, 'query'>): Promise<string[]> =>
    (
      await q.query<{ day: string }>(
        `SELECT to_char(g::date, 'YYYY-MM-DD') AS day FROM generate_series($1::date, $2::date - 1, interval '1 day') g
         WHERE NOT EXISTS (SELECT 1 FROM monitoring_rollups m WHERE m.day = g::date) ORDER BY 1`,
        [from, before]
      )
    ).map((r) => r.day);
  if ((await missing(db)).length === 0) {
    return [];
  }
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('kih monitoring rollup ' || $1::text))`, [db.schema]);
    const days = await missing(tx);
    if (days.length === 0) {
      return [];
    }
    const first = days[0] ?? from;
    const last = days[days.length - 1] ?? from;
    const range = [`${first}T00:00:00Z`, `${addDays(last, 1)}T00:00:00Z`, null, days];
    const pick = (sql: string, columns: string): string =>
      `SELECT ${columns} FROM (${sql}) f WHERE f.day = ANY($4::date[])`;
    await tx.query(
      `INSERT INTO monitoring_daily (day, vendor_id, profile, verdict, target, outcome, class, documents)
       ${pick(LIVE_FACTS, 'day, vendor_id, profile, verdict, target, outcome, class, documents')}`,
      range
    );
    await tx.query(
      `INSERT INTO monitoring_daily_rules (day, vendor_id, rule_id, documents, example_run, example_seq)
       ${pick(LIVE_RULES, 'day, vendor_id, rule_id, documents, example_run, example_seq')}`,
      range
    );
    await tx.query(
      `INSERT INTO monitoring_daily_verifications (day, vendor_id, target, outcome, documents)
       ${pick(LIVE_VERIFICATIONS, 'day, vendor_id, target, outcome, documents')}`,
      range
    );
    await tx.query(
      `INSERT INTO monitoring_daily_times (day, vendor_id, bucket, documents)
       ${pick(LIVE_TIMES, 'day, vendor_id, bucket, documents')}`,
      range
    );
    // The day's totals across vendors (vendor_id NULL), so MedCom's page sums a row per rule or bucket and day.
    await tx.query(
      `INSERT INTO monitoring_daily_rules (day, vendor_id, rule_id, documents, example_run, example_seq)
       SELECT day, NULL, rule_id, sum(documents), (array_agg(example_run ORDER BY vendor_id))[1],
              (array_agg(example_seq ORDER BY vendor_id))[1]
       FROM monitoring_daily_rules WHERE day = ANY($1::date[]) AND vendor_id IS NOT NULL GROUP BY day, rule_id`,
      [days]
    );
    await tx.query(
      `INSERT INTO monitoring_daily_times (day, vendor_id, bucket, documents)
       SELECT day, NULL, bucket, sum(documents) FROM monitoring_daily_times
       WHERE day = ANY($1::date[]) AND vendor_id IS NOT NULL GROUP BY day, bucket`,
      [days]
    );
    await tx.query(`INSERT INTO monitoring_rollups (day, computed_by) SELECT unnest($1::date[]), $2`, [days, actor]);
    return days;
  });
}

function totals(period: string): {
  period: string;
  documents: number;
  valid: number;
  invalid: number;
  error: number;
  pending: number;
  judged: number;
  refused: number;
  refusedShare: number | null;
  stored: number;
  verifications: number;
  verificationFailures: number;
} {
  return {
    period,
    documents: 0,
    valid: 0,
    invalid: 0,
    error: 0,
    pending: 0,
    judged: 0,
    refused: 0,
    refusedShare: null,
    stored: 0,
    verifications: 0,
    verificationFailures: 0,
  };
}

type Totals = ReturnType<typeof totals>;

function addFact(t: Totals, f: DeliveryFact): void {
  t.documents += f.documents;
  if (f.verdict === 'valid' || f.verdict === 'invalid' || f.verdict === 'error') {
    t[f.verdict] += f.documents;
  } else {
    t.pending += f.documents;
  }
  if (isJudged(f)) {
    t.judged += f.documents;
  }
  if (isRefused(f)) {
    t.refused += f.documents;
  }
  if (f.outcome === 'success') {
    t.stored += f.documents;
  }
}

function addTotals(sum: Totals, t: Totals): void {
  sum.documents += t.documents;
  sum.valid += t.valid;
  sum.invalid += t.invalid;
  sum.error += t.error;
  sum.pending += t.pending;
  sum.judged += t.judged;
  sum.refused += t.refused;
  sum.stored += t.stored;
  sum.verifications += t.verifications;
  sum.verificationFailures += t.verificationFailures;
}

function finish(list: Iterable<Totals>): PeriodTotals[] {
  return [...list]
    .map((t) => ({ ...t, refusedShare: t.judged > 0 ? t.refused / t.judged : null }))
    .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
}

function breakdown(
  facts: readonly Omit<DeliveryFact, 'vendorId'>[],
  periodOf: (day: string) => string
): BreakdownRow[] {
  const rows = new Map<string, BreakdownRow & { documents: number }>();
  for (const f of facts) {
    const period = periodOf(f.day);
    const key = JSON.stringify([period, f.profile, f.verdict, f.target, f.outcome, f.class]);
    const row = rows.get(key);
    if (row) {
      row.documents += f.documents;
    } else {
      rows.set(key, {
        period,
        profile: f.profile,
        verdict: f.verdict,
        target: f.target,
        outcome: f.outcome,
        class: f.class,
        documents: f.documents,
      });
    }
  }
  const text = (v: string | null): string => v ?? '';
  return [...rows.values()].sort(
    (a, b) =>
      a.period.localeCompare(b.period) ||
      b.documents - a.documents ||
      JSON.stringify([a.profile, a.verdict, a.target, a.outcome, a.class].map(text)).localeCompare(
        JSON.stringify([b.profile, b.verdict, b.target, b.outcome, b.class].map(text))
      )
  );
}

/** The percentile from the bucket counts: the geometric middle of the bucket that holds its rank (within 1 %). */
export function histogramPercentile(buckets: ReadonlyMap<number, number>, p: number): number | null {
  const sorted = [...buckets.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  if (total === 0) {
    return null;
  }
  // percentile_cont's rank: p × (n − 1), counted from 0.
  const rank = p * (total - 1);
  let seen = 0;
  for (const [bucket, n] of sorted) {
    seen += n;
    if (rank < seen) {
      return Math.exp((bucket + 0.5) / BUCKETS_PER_E);
    }
  }
  const last = sorted[sorted.length - 1]?.[0] ?? 0;
  return Math.exp((last + 0.5) / BUCKETS_PER_E);
}

/** The first and last day of a window of `days` days ending today. */
export function monitoringWindow(now: Date, days = MONITORING_DAYS): { readonly from: string; readonly to: string } {
  const to = dayOf(now);
  return { from: addDays(to, -(days - 1)), to };
}

/**
 * The delivery statistics of one vendor (or all, `vendorId` null) over the last `days` days, today
 * included. Closed days come from the rollups (written here when missing), today (and yesterday
 * while it settles) from the records themselves.
 */
export async function monitoringReport(db: Database, q: MonitoringQuery): Promise<MonitoringReport> {
  const now = q.now ?? new Date();
  const { from, to } = monitoringWindow(now, q.days ?? MONITORING_DAYS);
  const useRollups = q.rollups ?? true;
  const closed = closedBefore(now);
  const liveFrom = useRollups ? (closed > from ? closed : from) : from;
  if (useRollups) {
    await ensureRollups(db, from, liveFrom, q.actor ?? 'monitoring');
  }
  const rolled = [from, liveFrom, q.vendorId];
  const live = [`${liveFrom}T00:00:00Z`, `${addDays(to, 1)}T00:00:00Z`, q.vendorId];
  const both = [...rolled, ...live];
  const shift = (sql: string): string => sql.replace(/\$([123])\b/g, (_m, n: string) => `$${Number(n) + 3}`);
  const ROLLED = `day >= $1::date AND day < $2::date AND ($3::text IS NULL OR vendor_id = $3)`;
  /** Rules and times keep a row across vendors (vendor_id NULL) besides each vendor's. */
  const ROLLED_TOTALS = `day >= $1::date AND day < $2::date AND (vendor_id = $3 OR ($3::text IS NULL AND vendor_id IS NULL))`;

  // Closed days are summed by PostgreSQL (per vendor and day, and per combination without the
  // vendor), so a page ships a few thousand rows whatever the number of vendors; live days come
  // as facts and are counted here.
  const ROLLED_ONLY = [from, liveFrom, q.vendorId];
  const [vendorDayRows, breakdownRows, liveRows, ruleRows, verificationRows, timeRows] = await Promise.all([
    db.query<{
      day: string;
      vendor_id: string;
      documents: number;
      valid: number;
      invalid: number;
      error: number;
      pending: number;
      judged: number;
      refused: number;
      stored: number;
    }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, vendor_id, sum(documents)::int AS documents,
              coalesce(sum(documents) FILTER (WHERE verdict = 'valid'), 0)::int AS valid,
              coalesce(sum(documents) FILTER (WHERE verdict = 'invalid'), 0)::int AS invalid,
              coalesce(sum(documents) FILTER (WHERE verdict = 'error'), 0)::int AS error,
              coalesce(sum(documents) FILTER (WHERE verdict IS NULL), 0)::int AS pending,
              coalesce(sum(documents) FILTER (WHERE ${JUDGED_SQL}), 0)::int AS judged,
              coalesce(sum(documents) FILTER (WHERE ${REFUSED_SQL}), 0)::int AS refused,
              coalesce(sum(documents) FILTER (WHERE outcome = 'success'), 0)::int AS stored
       FROM monitoring_daily WHERE ${ROLLED} GROUP BY 1, 2`,
      ROLLED_ONLY
    ),
    db.query<{
      day: string;
      profile: string | null;
      verdict: string | null;
      target: string | null;
      outcome: string | null;
      class: string | null;
      documents: number;
    }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, profile, verdict, target, outcome, class, sum(documents)::int AS documents
       FROM monitoring_daily WHERE ${ROLLED} GROUP BY 1, 2, 3, 4, 5, 6`,
      ROLLED_ONLY
    ),
    db.query<{
      day: string;
      vendor_id: string;
      profile: string | null;
      verdict: string | null;
      target: string | null;
      outcome: string | null;
      class: string | null;
      documents: number;
    }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, vendor_id, profile, verdict, target, outcome, class, documents
        FROM (${LIVE_FACTS}) f`,
      live
    ),
    db.query<{ rule_id: string; documents: number; example_run: string; example_seq: number }>(
      `SELECT rule_id, sum(documents)::int AS documents,
              (array_agg(example_run ORDER BY day DESC, vendor_id))[1] AS example_run,
              (array_agg(example_seq ORDER BY day DESC, vendor_id))[1] AS example_seq
       FROM (SELECT day, vendor_id, rule_id, documents, example_run, example_seq FROM monitoring_daily_rules
             WHERE ${ROLLED_TOTALS}
             UNION ALL ${shift(LIVE_RULES)}) f
       GROUP BY rule_id ORDER BY documents DESC, rule_id LIMIT ${TOP_RULES}`,
      both
    ),
    db.query<{ day: string; vendor_id: string; outcome: VerificationOutcomeName; documents: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, vendor_id, outcome, sum(documents)::int AS documents
       FROM (SELECT day, vendor_id, target, outcome, documents FROM monitoring_daily_verifications WHERE ${ROLLED}
             UNION ALL ${shift(LIVE_VERIFICATIONS)}) f
       GROUP BY 1, 2, 3`,
      both
    ),
    db.query<{ bucket: number; documents: number }>(
      `SELECT bucket, sum(documents)::int AS documents
       FROM (SELECT day, vendor_id, bucket, documents FROM monitoring_daily_times WHERE ${ROLLED_TOTALS}
             UNION ALL ${shift(LIVE_TIMES)}) f
       GROUP BY 1`,
      both
    ),
  ]);

  const liveFacts: DeliveryFact[] = liveRows.map((r) => ({
    day: r.day,
    vendorId: r.vendor_id,
    profile: r.profile,
    verdict: r.verdict,
    target: r.target,
    outcome: r.outcome,
    class: r.class,
    documents: r.documents,
  }));
  const facts: Omit<DeliveryFact, 'vendorId'>[] = [...breakdownRows, ...liveFacts];

  const byVendorDay = new Map<string, Totals & { vendorId: string }>();
  const vendorDay = (vendorId: string, day: string): Totals & { vendorId: string } => {
    const key = `${vendorId} ${day}`;
    let t = byVendorDay.get(key);
    if (!t) {
      t = { ...totals(day), vendorId };
      byVendorDay.set(key, t);
    }
    return t;
  };
  for (const r of vendorDayRows) {
    const t = vendorDay(r.vendor_id, r.day);
    t.documents += r.documents;
    t.valid += r.valid;
    t.invalid += r.invalid;
    t.error += r.error;
    t.pending += r.pending;
    t.judged += r.judged;
    t.refused += r.refused;
    t.stored += r.stored;
  }
  for (const f of liveFacts) {
    addFact(vendorDay(f.vendorId, f.day), f);
  }
  const verifications = Object.fromEntries(VERIFICATION_OUTCOMES.map((o) => [o, 0])) as Record<
    VerificationOutcomeName,
    number
  >;
  for (const r of verificationRows) {
    verifications[r.outcome] += r.documents;
    const t = vendorDay(r.vendor_id, r.day);
    t.verifications += r.documents;
    t.verificationFailures += r.outcome === 'verified' ? 0 : r.documents;
  }

  const byDay = new Map<string, Totals>();
  const byWeek = new Map<string, Totals>();
  const byVendor = new Map<string, Totals>();
  const into = (m: Map<string, Totals>, key: string, t: Totals): void => {
    let sum = m.get(key);
    if (!sum) {
      sum = totals(key);
      m.set(key, sum);
    }
    addTotals(sum, t);
  };
  // Every day of the window has a row, so the trend shows quiet days as zero.
  for (let d = from; d <= to; d = addDays(d, 1)) {
    into(byDay, d, totals(d));
    into(byWeek, isoWeek(d), totals(d));
  }
  for (const t of byVendorDay.values()) {
    into(byDay, t.period, t);
    into(byWeek, isoWeek(t.period), t);
    into(byVendor, t.vendorId, t);
  }

  const uploads = await db.query<{ id: string; run_id: string; seq: number }>(
    `SELECT u.id, u.run_id, u.seq FROM uploads u
     JOIN unnest($1::uuid[], $2::int[]) AS t(run_id, seq) ON u.run_id = t.run_id AND u.seq = t.seq`,
    [ruleRows.map((r) => r.example_run), ruleRows.map((r) => r.example_seq)]
  );
  const uploadOf = new Map(uploads.map((u) => [`${u.run_id}/${u.seq}`, u.id]));
  const buckets = new Map(timeRows.map((r) => [r.bucket, r.documents]));
  const stored = timeRows.reduce((s, r) => s + r.documents, 0);

  return {
    vendorId: q.vendorId,
    from,
    to,
    days: finish(byDay.values()),
    weeks: finish(byWeek.values()),
    dailyBreakdown: breakdown(facts, (d) => d),
    weeklyBreakdown: breakdown(facts, isoWeek),
    vendorDays: finish(byVendorDay.values()).map((t) => {
      const v = t as PeriodTotals & { vendorId: string };
      return {
        vendorId: v.vendorId,
        day: v.period,
        documents: v.documents,
        judged: v.judged,
        refused: v.refused,
        verifications: v.verifications,
        verificationFailures: v.verificationFailures,
      };
    }),
    vendors: q.vendorId === null ? finish(byVendor.values()) : [],
    topRules: ruleRows.map((r) => ({
      ruleId: r.rule_id,
      documents: r.documents,
      example: {
        runId: r.example_run,
        seq: r.example_seq,
        uploadId: uploadOf.get(`${r.example_run}/${r.example_seq}`) ?? null,
      },
    })),
    verifications,
    times: {
      stored,
      medianMs: histogramPercentile(buckets, 0.5),
      p95Ms: histogramPercentile(buckets, 0.95),
    },
  };
}

export type ThresholdName = 'refusedShareDay' | 'verificationFailureShareDay';

/** A vendor's day over a threshold. */
export interface MonitoringFlag {
  readonly vendorId: string;
  readonly day: string;
  readonly threshold: ThresholdName;
  readonly value: number;
  readonly limit: number;
  /** What the share was taken of (judged deliveries, or verifications). */
  readonly documents: number;
}

/** The vendor days of a report over the settings' thresholds (strictly above, and with enough documents). */
export function monitoringFlags(report: MonitoringReport, settings: MonitoringSettings): MonitoringFlag[] {
  const out: MonitoringFlag[] = [];
  const { refusedShareDay, verificationFailureShareDay } = settings.thresholds;
  for (const d of report.vendorDays) {
    if (d.judged > 0 && d.judged >= settings.minDocumentsDay && d.refused / d.judged > refusedShareDay) {
      out.push({
        vendorId: d.vendorId,
        day: d.day,
        threshold: 'refusedShareDay',
        value: d.refused / d.judged,
        limit: refusedShareDay,
        documents: d.judged,
      });
    }
    if (
      verificationFailureShareDay !== null &&
      d.verifications > 0 &&
      d.verifications >= settings.minDocumentsDay &&
      d.verificationFailures / d.verifications > verificationFailureShareDay
    ) {
      out.push({
        vendorId: d.vendorId,
        day: d.day,
        threshold: 'verificationFailureShareDay',
        value: d.verificationFailures / d.verifications,
        limit: verificationFailureShareDay,
        documents: d.verifications,
      });
    }
  }
  return out.sort((a, b) => b.day.localeCompare(a.day) || a.vendorId.localeCompare(b.vendorId));
}
