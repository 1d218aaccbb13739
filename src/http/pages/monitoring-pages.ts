// The monitoring pages: a vendor's (or every vendor's) deliveries over 90 days as tables, an inline SVG trend and the same table as CSV.
import type { Principal } from '../../store/access.js';
import type { BreakdownRow, MonitoringFlag, MonitoringReport, PeriodTotals } from '../../store/monitoring.js';
import { html } from '../html.js';
import type { Raw } from '../html.js';
import type { Lang } from '../i18n.js';
import { page } from '../layout.js';

const L = {
  titleAll: { da: 'Overvågning af leverancer', en: 'Delivery monitoring' },
  titleVendor: { da: 'Overvågning af leverancer: ', en: 'Delivery monitoring: ' },
  window: { da: 'Periode', en: 'Window' },
  flags: { da: 'Tærskler overskredet', en: 'Thresholds crossed' },
  refusedShareDay: { da: 'andel afviste på en dag', en: 'refused share in a day' },
  verificationFailureShareDay: {
    da: 'andel mislykkede verifikationer på en dag',
    en: 'failed verifications share in a day',
  },
  over: { da: 'over tærsklen', en: 'over the threshold' },
  moreFlags: { da: 'De {n} ældste vises ikke her.', en: 'The {n} oldest are not shown here.' },
  of: { da: 'af', en: 'of' },
  summary: { da: 'Overblik', en: 'Summary' },
  documents: { da: 'Dokumenter', en: 'Documents' },
  stored: { da: 'Lagret', en: 'Stored' },
  refused: { da: 'Afvist', en: 'Refused' },
  refusedShare: { da: 'Andel afvist', en: 'Refused share' },
  judged: { da: 'Bedømt', en: 'Judged' },
  pending: { da: 'I gang', en: 'In progress' },
  median: { da: 'Median upload → lagret', en: 'Median upload → stored' },
  p95: { da: '95 %-fraktil upload → lagret', en: '95th percentile upload → stored' },
  trend: { da: 'Udvikling, dokumenter og andel afvist pr. dag', en: 'Trend, documents and refused share per day' },
  trendLabel: {
    da: 'Søjler: dokumenter pr. dag. Linje: andel afvist. Stiplet: tærsklen.',
    en: 'Bars: documents per day. Line: refused share. Dashed: the threshold.',
  },
  vendors: { da: 'Leverandører', en: 'Vendors' },
  vendor: { da: 'Leverandør', en: 'Vendor' },
  perDay: { da: 'Pr. dag', en: 'Per day' },
  day: { da: 'Dag', en: 'Day' },
  perWeek: {
    da: 'Pr. uge efter profil, resultat, mål og udfald',
    en: 'Per week by profile, verdict, target and outcome',
  },
  week: { da: 'Uge', en: 'Week' },
  profile: { da: 'Profil', en: 'Profile' },
  verdict: { da: 'Resultat', en: 'Verdict' },
  target: { da: 'Mål', en: 'Target' },
  outcome: { da: 'Udfald', en: 'Outcome' },
  class: { da: 'Udfaldsklasse', en: 'Outcome class' },
  valid: { da: 'Gyldige', en: 'Valid' },
  invalid: { da: 'Ugyldige', en: 'Invalid' },
  error: { da: 'Værktøjsfejl', en: 'Tool errors' },
  verifications: { da: 'Verifikationer', en: 'Verifications' },
  verificationFailures: { da: 'Ikke verificeret', en: 'Not verified' },
  rules: { da: 'Regler der fejler oftest', en: 'Most failing rules' },
  rule: { da: 'Regel', en: 'Rule' },
  example: { da: 'Eksempel', en: 'Example' },
  none: { da: 'Ingen i perioden.', en: 'None in the window.' },
  selfTest: { da: '(selvtest)', en: '(self-test)' },
  csv: { da: 'Hent tabellen som CSV', en: 'Download the table as CSV' },
  csvWeek: { da: 'pr. uge', en: 'per week' },
  csvDay: { da: 'pr. dag', en: 'per day' },
  verified: { da: 'verificeret', en: 'verified' },
  notFound: { da: 'ikke fundet', en: 'not found' },
  metadataMismatch: { da: 'metadata afviger', en: 'metadata mismatch' },
  contentMismatch: { da: 'indhold afviger', en: 'content mismatch' },
  failure: { da: 'fejl under verifikation', en: 'verification failed' },
} as const;

function percent(share: number | null): string {
  return share === null ? '–' : `${(share * 100).toFixed(1)} %`;
}

function duration(ms: number | null): string {
  if (ms === null) {
    return '–';
  }
  return ms < 10_000
    ? `${Math.round(ms)} ms`
    : ms < 600_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${(ms / 60_000).toFixed(1)} min`;
}

function dash(v: string | null): string {
  return v ?? '–';
}

/**
 * The window's days as bars (documents) and a line (refused share) with the threshold dashed, in
 * presentation attributes only: the pages' CSP allows no inline style.
 */
export function trendSvg(days: readonly PeriodTotals[], threshold: number, lang: Lang): Raw {
  const width = 720;
  const height = 160;
  const pad = { left: 40, right: 40, top: 10, bottom: 20 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const maxDocs = Math.max(1, ...days.map((d) => d.documents));
  const maxShare = Math.max(threshold * 2, ...days.map((d) => d.refusedShare ?? 0), 0.01);
  const step = days.length > 0 ? plotW / days.length : plotW;
  const y = (v: number, max: number): number => pad.top + plotH - (v / max) * plotH;
  const fixed = (n: number): string => n.toFixed(1);
  const bars = days.map((d, i) => {
    const top = y(d.documents, maxDocs);
    return html`<rect
      x="${fixed(pad.left + i * step)}"
      y="${fixed(top)}"
      width="${fixed(Math.max(step - 1, 0.5))}"
      height="${fixed(pad.top + plotH - top)}"
      fill="#8fb8de"
      ><title>${d.period}: ${d.documents} · ${percent(d.refusedShare)}</title></rect
    >`;
  });
  const points = days
    .map((d, i) =>
      d.refusedShare === null ? null : `${fixed(pad.left + (i + 0.5) * step)},${fixed(y(d.refusedShare, maxShare))}`
    )
    .filter((p): p is string => p !== null)
    .join(' ');
  const limitY = fixed(y(threshold, maxShare));
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    class="trend"
    role="img"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    aria-label="${L.trendLabel[lang]}"
  >
    <title>${L.trendLabel[lang]}</title>
    <line x1="${pad.left}" y1="${pad.top + plotH}" x2="${width - pad.right}" y2="${pad.top + plotH}" stroke="#59636e" />
    ${bars}
    <line
      x1="${pad.left}"
      y1="${limitY}"
      x2="${width - pad.right}"
      y2="${limitY}"
      stroke="#cf222e"
      stroke-dasharray="4 3"
    />
    ${points === '' ? '' : html`<polyline points="${points}" fill="none" stroke="#cf222e" stroke-width="1.5" />`}
    <text x="${pad.left - 4}" y="${pad.top + 8}" text-anchor="end" font-size="10" fill="#59636e">${maxDocs}</text>
    <text x="${width - pad.right + 4}" y="${pad.top + 8}" font-size="10" fill="#cf222e">${percent(maxShare)}</text>
    <text x="${pad.left}" y="${height - 4}" font-size="10" fill="#59636e">${days[0]?.period ?? ''}</text>
    <text x="${width - pad.right}" y="${height - 4}" text-anchor="end" font-size="10" fill="#59636e">
      ${days[days.length - 1]?.period ?? ''}
    </text>
  </svg>`;
}

/** Flags listed on a page (newest first); the rest are counted, and all are in the log. */
const FLAGS_SHOWN = 50;

function flagList(flags: readonly MonitoringFlag[], lang: Lang): Raw | '' {
  if (flags.length === 0) {
    return '';
  }
  const more = flags.length - FLAGS_SHOWN;
  return html`<section class="notice bad" role="alert" data-flags="${flags.length}">
    <h2>${L.flags[lang]} (${flags.length})</h2>
    ${more > 0 ? html`<p>${L.moreFlags[lang].replace('{n}', String(more))}</p>` : ''}
    <ul>
      ${flags
        .slice(0, FLAGS_SHOWN)
        .map(
          (f) =>
            html`<li data-flag="${f.threshold}" data-vendor="${f.vendorId}" data-day="${f.day}">
              ${f.day} · ${f.vendorId}: ${L[f.threshold][lang]} ${percent(f.value)} ${L.of[lang]} ${f.documents}
              (${L.over[lang]} ${percent(f.limit)})
            </li>`
        )}
    </ul>
  </section>`;
}

function totalsRow(t: PeriodTotals, first: Raw | string): Raw {
  return html`<tr>
    <th scope="row">${first}</th>
    <td>${t.documents}</td>
    <td>${t.valid}</td>
    <td>${t.invalid}</td>
    <td>${t.error}</td>
    <td>${t.pending}</td>
    <td>${t.stored}</td>
    <td>${t.refused}</td>
    <td class="${t.refusedShare !== null && t.refused > 0 ? 'bad' : ''}">${percent(t.refusedShare)}</td>
    <td>${t.verifications}</td>
    <td>${t.verificationFailures}</td>
  </tr>`;
}

function totalsHead(first: string, lang: Lang): Raw {
  return html`<thead>
    <tr>
      <th scope="col">${first}</th>
      <th scope="col">${L.documents[lang]}</th>
      <th scope="col">${L.valid[lang]}</th>
      <th scope="col">${L.invalid[lang]}</th>
      <th scope="col">${L.error[lang]}</th>
      <th scope="col">${L.pending[lang]}</th>
      <th scope="col">${L.stored[lang]}</th>
      <th scope="col">${L.refused[lang]}</th>
      <th scope="col">${L.refusedShare[lang]}</th>
      <th scope="col">${L.verifications[lang]}</th>
      <th scope="col">${L.verificationFailures[lang]}</th>
    </tr>
  </thead>`;
}

function breakdownTable(rows: readonly BreakdownRow[], lang: Lang): Raw {
  if (rows.length === 0) {
    return html`<p class="muted">${L.none[lang]}</p>`;
  }
  return html`<table data-table="breakdown">
    <thead>
      <tr>
        <th scope="col">${L.week[lang]}</th>
        <th scope="col">${L.profile[lang]}</th>
        <th scope="col">${L.verdict[lang]}</th>
        <th scope="col">${L.target[lang]}</th>
        <th scope="col">${L.outcome[lang]}</th>
        <th scope="col">${L.class[lang]}</th>
        <th scope="col">${L.documents[lang]}</th>
      </tr>
    </thead>
    <tbody>
      ${[...rows].reverse().map(
        (r) =>
          html`<tr>
            <th scope="row">${r.period}</th>
            <td>${dash(r.profile)}</td>
            <td>${dash(r.verdict)}</td>
            <td>${r.target ?? L.selfTest[lang]}</td>
            <td>${dash(r.outcome)}</td>
            <td>${dash(r.class)}</td>
            <td>${r.documents}</td>
          </tr>`
      )}
    </tbody>
  </table>`;
}

export interface MonitoringPageInput {
  readonly lang: Lang;
  readonly path: string;
  readonly principal: Principal;
  readonly report: MonitoringReport;
  readonly flags: readonly MonitoringFlag[];
  readonly refusedThreshold: number;
  /** The page's own path without query, for the CSV links. */
  readonly basePath: string;
}

export function monitoringPage(input: MonitoringPageInput): string {
  const { lang, report: r } = input;
  const title = r.vendorId === null ? L.titleAll[lang] : `${L.titleVendor[lang]}${r.vendorId}`;
  const sum = r.days.reduce(
    (s, d) => ({
      documents: s.documents + d.documents,
      stored: s.stored + d.stored,
      judged: s.judged + d.judged,
      refused: s.refused + d.refused,
    }),
    { documents: 0, stored: 0, judged: 0, refused: 0 }
  );
  const summary = html`<table data-table="summary">
    <tbody>
      <tr>
        <th scope="row">${L.window[lang]}</th>
        <td>${r.from} – ${r.to}</td>
      </tr>
      <tr>
        <th scope="row">${L.documents[lang]}</th>
        <td data-total="documents">${sum.documents}</td>
      </tr>
      <tr>
        <th scope="row">${L.stored[lang]}</th>
        <td data-total="stored">${sum.stored}</td>
      </tr>
      <tr>
        <th scope="row">${L.refusedShare[lang]}</th>
        <td data-total="refused-share">
          ${percent(sum.judged > 0 ? sum.refused / sum.judged : null)} (${sum.refused} ${L.of[lang]} ${sum.judged})
        </td>
      </tr>
      <tr>
        <th scope="row">${L.median[lang]}</th>
        <td data-total="median-ms" data-ms="${r.times.medianMs === null ? '' : Math.round(r.times.medianMs)}">
          ${duration(r.times.medianMs)}
        </td>
      </tr>
      <tr>
        <th scope="row">${L.p95[lang]}</th>
        <td data-total="p95-ms" data-ms="${r.times.p95Ms === null ? '' : Math.round(r.times.p95Ms)}">
          ${duration(r.times.p95Ms)}
        </td>
      </tr>
      <tr>
        <th scope="row">${L.verifications[lang]}</th>
        <td>
          ${Object.entries(r.verifications).map(
            ([k, n], i) =>
              html`${i > 0 ? ' · ' : ''}<span data-verification="${k}"
                  >${L[k as keyof typeof r.verifications][lang]}: ${n}</span
                >`
          )}
        </td>
      </tr>
    </tbody>
  </table>`;
  const vendors =
    r.vendorId === null
      ? html`<h2>${L.vendors[lang]}</h2>
          ${
            r.vendors.length === 0
              ? html`<p class="muted">${L.none[lang]}</p>`
              : html`<table data-table="vendors">
                  ${totalsHead(L.vendor[lang], lang)}
                  <tbody>
                    ${r.vendors.map((v) =>
                      totalsRow(v, html`<a href="/monitoring/${encodeURIComponent(v.period)}">${v.period}</a>`)
                    )}
                  </tbody>
                </table>`
          }`
      : '';
  const rules =
    r.topRules.length === 0
      ? html`<p class="muted">${L.none[lang]}</p>`
      : html`<table data-table="rules">
          <thead>
            <tr>
              <th scope="col">${L.rule[lang]}</th>
              <th scope="col">${L.documents[lang]}</th>
              <th scope="col">${L.example[lang]}</th>
            </tr>
          </thead>
          <tbody>
            ${r.topRules.map(
              (x) =>
                html`<tr data-rule="${x.ruleId}">
                  <th scope="row"><code>${x.ruleId}</code></th>
                  <td>${x.documents}</td>
                  <td>
                    ${
                      x.example.uploadId
                        ? html`<a href="/documents/${x.example.uploadId}"
                            >${x.example.runId.slice(0, 8)}/${x.example.seq}</a
                          >`
                        : html`<code>${x.example.runId}/${x.example.seq}</code>`
                    }
                  </td>
                </tr>`
            )}
          </tbody>
        </table>`;
  const csv = input.basePath;
  return page(
    { lang, title, path: input.path, principal: input.principal },
    html`${flagList(input.flags, lang)}
      <h2>${L.summary[lang]}</h2>
      ${summary}
      <h2>${L.trend[lang]}</h2>
      <figure>
        ${trendSvg(r.days, input.refusedThreshold, lang)}
        <figcaption class="muted">${L.trendLabel[lang]}</figcaption>
      </figure>
      ${vendors}
      <h2>${L.rules[lang]}</h2>
      ${rules}
      <h2>${L.perWeek[lang]}</h2>
      <p class="noprint">
        ${L.csv[lang]}: <a href="${csv}?format=csv&amp;by=week" download>${L.csvWeek[lang]}</a> ·
        <a href="${csv}?format=csv&amp;by=day" download>${L.csvDay[lang]}</a>
      </p>
      ${breakdownTable(r.weeklyBreakdown, lang)}
      <h2>${L.perDay[lang]}</h2>
      <table data-table="days">
        ${totalsHead(L.day[lang], lang)}
        <tbody>
          ${[...r.days].reverse().map((d) => totalsRow(d, d.period))}
        </tbody>
      </table>`
  );
}

/**
 * One CSV cell: quoted when it holds a separator, quote or line break; a text that a spreadsheet
 * would run as a formula (starting with = + - @, tab or CR) gets a leading apostrophe.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The breakdown table as CSV (RFC 4180, CRLF), the vendor in every row so files from several pages can be joined. */
export function monitoringCsv(report: MonitoringReport, by: 'day' | 'week'): string {
  const rows = by === 'day' ? report.dailyBreakdown : report.weeklyBreakdown;
  const head = [by, 'vendor', 'profile', 'verdict', 'target', 'outcome', 'class', 'documents'];
  const lines = [head.join(',')];
  for (const r of rows) {
    lines.push(
      [r.period, report.vendorId ?? '*', r.profile, r.verdict, r.target, r.outcome, r.class, r.documents]
        .map(csvCell)
        .join(',')
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The CSV download's file name: vendor (or all), grouping and last day. */
export function monitoringCsvName(report: MonitoringReport, by: 'day' | 'week'): string {
  const who = (report.vendorId ?? 'all-vendors').replace(/[^a-z0-9._-]/g, '_');
  return `kih-monitoring-${who}-${by}-${report.to}.csv`;
}
