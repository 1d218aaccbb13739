// The monitoring's pure parts: what counts as refused, ISO weeks, percentiles from the histogram, flags, CSV cells and the trend's SVG.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MONITORING } from '../../src/config/monitoring-settings.js';
import { toString } from '../../src/http/html.js';
import { csvCell, monitoringCsvName, monitoringPage, trendSvg } from '../../src/http/pages/monitoring-pages.js';
import { BUCKETS_PER_E, histogramPercentile, isoWeek, isRefused, monitoringFlags } from '../../src/store/monitoring.js';
import type { MonitoringFlag, MonitoringReport, PeriodTotals } from '../../src/store/monitoring.js';

describe('isRefused', () => {
  it.each([
    [{ target: 't', verdict: 'invalid', outcome: null, class: null }, true],
    [{ target: 't', verdict: 'valid', outcome: 'failure', class: 'permanent' }, true],
    [{ target: 't', verdict: 'valid', outcome: 'failure', class: 'authPermanent' }, true],
    [{ target: 't', verdict: 'valid', outcome: 'failure', class: 'transient' }, false],
    [{ target: 't', verdict: 'valid', outcome: 'unknown', class: 'unknown' }, false],
    [{ target: 't', verdict: 'valid', outcome: 'success', class: 'success' }, false],
    [{ target: null, verdict: 'invalid', outcome: null, class: null }, false],
  ])('%j → %s', (fact, refused) => {
    expect(isRefused(fact)).toBe(refused);
  });
});

describe('isoWeek', () => {
  it.each([
    ['2026-12-07', '2026-W50'],
    ['2026-01-01', '2026-W01'],
    ['2027-01-01', '2026-W53'],
    ['2024-12-30', '2025-W01'],
  ])('%s is in %s', (day, week) => {
    expect(isoWeek(day)).toBe(week);
  });
});

describe('histogramPercentile', () => {
  const bucket = (ms: number): number => Math.floor(BUCKETS_PER_E * Math.log(ms));
  it('is within 1 % of the value whose bucket holds the rank', () => {
    const h = new Map([
      [bucket(500), 16],
      [bucket(1000), 4],
      [bucket(4000), 4],
    ]);
    expect(Math.abs((histogramPercentile(h, 0.5) ?? 0) / 500 - 1)).toBeLessThan(0.01);
    expect(Math.abs((histogramPercentile(h, 0.95) ?? 0) / 4000 - 1)).toBeLessThan(0.01);
    expect(Math.abs((histogramPercentile(h, 0.7) ?? 0) / 1000 - 1)).toBeLessThan(0.01);
  });
  it('has none for no documents', () => {
    expect(histogramPercentile(new Map(), 0.5)).toBeNull();
  });
});

describe('monitoringFlags', () => {
  const report = (vendorDays: MonitoringReport['vendorDays']): MonitoringReport =>
    ({ vendorDays }) as unknown as MonitoringReport;
  const day = { vendorId: 'a', day: '2026-12-06', documents: 100, verifications: 0, verificationFailures: 0 };
  it('flags a share strictly above the threshold, on days with enough documents', () => {
    expect(monitoringFlags(report([{ ...day, judged: 100, refused: 5 }]), DEFAULT_MONITORING)).toEqual([]);
    expect(monitoringFlags(report([{ ...day, judged: 100, refused: 6 }]), DEFAULT_MONITORING)).toEqual([
      { vendorId: 'a', day: '2026-12-06', threshold: 'refusedShareDay', value: 0.06, limit: 0.05, documents: 100 },
    ]);
    expect(monitoringFlags(report([{ ...day, judged: 19, refused: 19 }]), DEFAULT_MONITORING)).toEqual([]);
  });
  it('flags verification failures with their own threshold, and not at all when it is null', () => {
    const d = { ...day, judged: 0, refused: 0, verifications: 50, verificationFailures: 2 };
    expect(monitoringFlags(report([d]), DEFAULT_MONITORING).map((f) => f.threshold)).toEqual([
      'verificationFailureShareDay',
    ]);
    const off = { ...DEFAULT_MONITORING, thresholds: { refusedShareDay: 0.05, verificationFailureShareDay: null } };
    expect(monitoringFlags(report([d]), off)).toEqual([]);
  });
});

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ['=1,2', `"'=1,2"`],
    [null, ''],
    [-3, '-3'],
  ])('%j → %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe('trendSvg', () => {
  const day = (period: string, documents: number, refusedShare: number | null): PeriodTotals => ({
    period,
    documents,
    valid: documents,
    invalid: 0,
    error: 0,
    pending: 0,
    judged: documents,
    refused: 0,
    refusedShare,
    stored: documents,
    verifications: 0,
    verificationFailures: 0,
  });
  it('has one bar per day, a line through the days with a share, and escapes its text', () => {
    const svg = toString(
      trendSvg([day('2026-12-05', 10, 0.1), day('2026-12-06', 0, null), day('<x>', 5, 0)], 0.05, 'en')
    );
    expect(svg.match(/<rect/g)).toHaveLength(3);
    expect(svg.match(/<polyline points="([^"]+)"/)?.[1]?.split(' ')).toHaveLength(2);
    expect(svg).not.toContain('<x>');
    expect(svg).toContain('&lt;x&gt;');
    expect(svg).not.toMatch(/style=/);
  });
});

describe('monitoringPage', () => {
  const report: MonitoringReport = {
    vendorId: 'acme',
    from: '2026-09-09',
    to: '2026-12-07',
    days: [],
    weeks: [],
    dailyBreakdown: [],
    weeklyBreakdown: [
      { period: '2026-W50', profile: '<b>', verdict: 'valid', target: null, outcome: null, class: null, documents: 3 },
    ],
    vendorDays: [],
    vendors: [],
    topRules: [{ ruleId: 'R-<1>', documents: 2, example: { runId: 'r'.repeat(36), seq: 4, uploadId: null } }],
    verifications: { verified: 1, notFound: 0, metadataMismatch: 0, contentMismatch: 0, failure: 0 },
    times: { stored: 0, medianMs: null, p95Ms: null },
  };
  const flags: MonitoringFlag[] = Array.from({ length: 60 }, (_, i) => ({
    vendorId: 'acme',
    day: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`,
    threshold: 'refusedShareDay' as const,
    value: 0.1,
    limit: 0.05,
    documents: 100,
  }));
  const principal = { kind: 'vendor' as const, vendorId: 'acme', keyId: 'k' };
  it('lists the newest 50 flags and counts the rest, escaping what the records hold', () => {
    const text = monitoringPage({
      lang: 'en',
      path: '/monitoring/acme',
      principal,
      report,
      flags,
      refusedThreshold: 0.05,
      basePath: '/monitoring/acme',
    });
    expect(text.match(/data-flag=/g)).toHaveLength(50);
    expect(text).toContain('The 10 oldest are not shown here.');
    expect(text).not.toContain('<b>');
    expect(text).toContain('R-&lt;1&gt;');
    expect(text).toContain('href="/monitoring/acme?format=csv&amp;by=week"');
    expect(monitoringCsvName(report, 'week')).toBe('kih-monitoring-acme-week-2026-12-07.csv');
    expect(monitoringCsvName({ ...report, vendorId: null }, 'day')).toBe(
      'kih-monitoring-all-vendors-day-2026-12-07.csv'
    );
  });
});
