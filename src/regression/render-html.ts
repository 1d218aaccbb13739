// The regression result as one self-contained HTML page: what changed since the baseline first, then the mismatches, then every document.
import { humanDuration, plural } from '../validation/renderers/issues.js';
import { escapeXmlAttr as attr, escapeXmlText as text } from '../core/xml-escape.js';
import type { DocumentChange, RegressionDiff } from './diff-results.js';
import type { ExpectedDocument, ObservedDocument, RegressionDocument, RegressionResult } from './result.js';

/*
 * Like the validation report: no script (the CSP forbids it), nothing loaded, every value escaped,
 * and the markup is well-formed XML so tests can parse it.
 */

const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; }
body { margin: 0 auto; max-width: 84rem; padding: 1.5rem; line-height: 1.45; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { font-size: 1.25rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .4rem; }
.meta, .none { color: #59636e; }
.badges { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.badge { display: inline-block; padding: .2rem .75rem; border: 1px solid; border-radius: 1rem; font-weight: 600; }
.badge-total { color: #1f2328; background: #f6f8fa; }
.badge-ok { color: #1a7f37; background: #dafbe1; }
.badge-bad { color: #cf222e; background: #ffebe9; }
.badge-note { color: #8250df; background: #fbefff; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #d1d9e0; }
th { background: #f6f8fa; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; }
.ok { color: #1a7f37; font-weight: 600; }
.bad { color: #cf222e; font-weight: 600; }
.appeared { color: #cf222e; }
.vanished { color: #1a7f37; }
section.changes { border: 2px solid #d1d9e0; border-radius: .5rem; padding: 0 1rem .5rem; }
ul.mismatches { margin: 0; padding-left: 1.1rem; }
footer { margin-top: 2rem; color: #59636e; font-size: .9em; }
`;

export function renderRegressionHtml(result: RegressionResult, diff?: RegressionDiff): string {
  const s = result.summary;
  const title = `Regression report: ${s.matched} of ${plural(s.total, 'document')} as expected`;
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<meta http-equiv="Content-Security-Policy" content="${attr(CSP)}" />`,
    `<title>${text(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${text(title)}</h1>`,
    `<p class="meta">${text(result.tool.name)} ${text(result.tool.version)} · schemas ${text(result.tool.schemas)} · corpora ${text(result.corpora.map((c) => c.name).join(', '))}${result.submitTarget ? ` · submitted to ${text(result.submitTarget)}` : ''} · started ${text(result.startedAt)} · took ${text(humanDuration(result.durationMs))}</p>`,
    '<ul class="badges">',
    `<li class="badge badge-${result.status === 'passed' ? 'ok' : 'bad'}" id="status">${text(result.status)}</li>`,
    `<li class="badge badge-total" id="count-total">${text(plural(s.total, 'document'))}</li>`,
    `<li class="badge badge-ok" id="count-matched">${s.matched} as expected</li>`,
    `<li class="badge badge-bad" id="count-mismatched">${s.mismatched} not as expected</li>`,
    ...(s.notRun > 0 ? [`<li class="badge badge-note" id="count-not-run">${s.notRun} not run</li>`] : []),
    '</ul>',
    '</header>',
    '<main>',
    ...changesSection(diff),
    ...mismatchSection(result),
    ...fullTable(result),
    '</main>',
    `<footer>${text(result.tool.name)} ${text(result.tool.version)}; rule sets: ${text(
      Object.entries(result.tool.rules)
        .map(([f, h]) => `${f} ${h}`)
        .join(', ') || 'none'
    )}.</footer>`,
    '</body>',
    '</html>',
  ];
  return out.join('\n') + '\n';
}

function codes(ids: readonly string[], cls?: string): string {
  if (ids.length === 0) {
    return '<span class="none">none</span>';
  }
  return ids.map((id) => `<code${cls ? ` class="${cls}"` : ''}>${text(id)}</code>`).join(' ');
}

function mismatchList(doc: { readonly mismatches: RegressionDocument['mismatches'] }): string {
  return `<ul class="mismatches">${doc.mismatches.map((m) => `<li>${text(m.kind)}: ${text(m.message)}</li>`).join('')}</ul>`;
}

function changeTable(id: string, heading: string, rows: readonly DocumentChange[], empty: string): string[] {
  const out = [`<h3 id="${id}">${text(heading)} (${rows.length})</h3>`];
  if (rows.length === 0) {
    return [...out, `<p class="none">${text(empty)}</p>`];
  }
  return [
    ...out,
    '<table>',
    '<thead><tr><th>Document</th><th>Mismatches</th></tr></thead>',
    '<tbody>',
    ...rows.map((r) => `<tr><td><code>${text(r.key)}</code></td><td>${mismatchList(r)}</td></tr>`),
    '</tbody>',
    '</table>',
  ];
}

function changesSection(diff: RegressionDiff | undefined): string[] {
  const out = ['<section class="changes" id="changes">', '<h2>Changes since the baseline</h2>'];
  if (!diff) {
    return [
      ...out,
      '<p class="none">No baseline was given (--baseline FILE): nothing to compare with.</p>',
      '</section>',
    ];
  }
  out.push(
    `<p class="meta">Baseline started ${text(diff.baseline.startedAt)} (${text(diff.baseline.status)}).${diff.changed ? '' : ' Nothing changed but timing.'}</p>`,
    ...changeTable('new-failures', 'New failures', diff.newFailures, 'No document fails that did not fail before.'),
    ...changeTable('fixed', 'Fixed', diff.fixed, 'No document was fixed.'),
    '<h3 id="rule-ids">Rule ids that appeared or vanished</h3>',
    `<p>Overall: appeared ${codes(diff.ruleIdsOverall.appeared, 'appeared')}; vanished ${codes(diff.ruleIdsOverall.vanished, 'vanished')}.</p>`
  );
  if (diff.ruleIds.length > 0) {
    out.push(
      '<table>',
      '<thead><tr><th>Document</th><th>Appeared</th><th>Vanished</th></tr></thead>',
      '<tbody>',
      ...diff.ruleIds.map(
        (r) =>
          `<tr><td><code>${text(r.key)}</code></td><td>${codes(r.appeared, 'appeared')}</td><td>${codes(r.vanished, 'vanished')}</td></tr>`
      ),
      '</tbody>',
      '</table>'
    );
  } else {
    out.push('<p class="none">No document fires other error rules than before.</p>');
  }
  if (diff.verdictChanges.length > 0) {
    out.push(
      `<h3 id="verdicts">Verdict changes (${diff.verdictChanges.length})</h3>`,
      '<table>',
      '<thead><tr><th>Document</th><th>Before</th><th>Now</th></tr></thead>',
      '<tbody>',
      ...diff.verdictChanges.map(
        (v) =>
          `<tr><td><code>${text(v.key)}</code></td><td>${text(v.before ?? 'not run')}</td><td>${text(v.after ?? 'not run')}</td></tr>`
      ),
      '</tbody>',
      '</table>'
    );
  }
  if (diff.added.length + diff.removed.length > 0) {
    out.push(
      '<h3 id="documents-changed">Documents added or removed</h3>',
      `<p>Added: ${codes(diff.added)}</p>`,
      `<p>Removed: ${codes(diff.removed)}</p>`
    );
  }
  out.push(`<h3 id="versions">Versions (${diff.versions.length} changed)</h3>`);
  if (diff.versions.length === 0) {
    out.push('<p class="none">Same tool, schemas and rule sets.</p>');
  } else {
    out.push(
      '<table>',
      '<thead><tr><th>What</th><th>Before</th><th>Now</th></tr></thead>',
      '<tbody>',
      ...diff.versions.map(
        (v) =>
          `<tr><td>${text(v.what)}</td><td><code>${text(v.before ?? '-')}</code></td><td><code>${text(v.after ?? '-')}</code></td></tr>`
      ),
      '</tbody>',
      '</table>'
    );
  }
  out.push(
    `<h3 id="timing">Timing (${diff.timing.length} documents changed)</h3>`,
    `<p>Whole run: ${text(humanDuration(diff.durationMs.before))} before, ${text(humanDuration(diff.durationMs.after))} now.</p>`
  );
  if (diff.timing.length > 0) {
    out.push(
      '<table>',
      '<thead><tr><th>Document</th><th class="num">Before</th><th class="num">Now</th></tr></thead>',
      '<tbody>',
      ...diff.timing.map(
        (t) =>
          `<tr><td><code>${text(t.key)}</code></td><td class="num">${text(humanDuration(t.beforeMs))}</td><td class="num">${text(humanDuration(t.afterMs))}</td></tr>`
      ),
      '</tbody>',
      '</table>'
    );
  }
  out.push('</section>');
  return out;
}

function mismatchSection(result: RegressionResult): string[] {
  const bad = result.documents.filter((d) => !d.match);
  const out = [`<h2 id="mismatches">Not as the manifest expects (${bad.length})</h2>`];
  if (bad.length === 0) {
    return [...out, '<p class="none">Every document behaves as its manifest says.</p>'];
  }
  return [
    ...out,
    '<table>',
    '<thead><tr><th>Corpus</th><th>File</th><th>Mismatches</th></tr></thead>',
    '<tbody>',
    ...bad.map(
      (d) => `<tr><td>${text(d.corpus)}</td><td><code>${text(d.file)}</code></td><td>${mismatchList(d)}</td></tr>`
    ),
    '</tbody>',
    '</table>',
  ];
}

function expectedCell(e: ExpectedDocument | null): string {
  if (!e) {
    return '<span class="none">not listed</span>';
  }
  return `${e.valid ? 'valid' : 'invalid'} · ${text(e.profile ?? 'no profile')}<br />${codes(e.ruleIds)}`;
}

function actualCell(a: ObservedDocument | null): string {
  if (!a) {
    return '<span class="none">not run</span>';
  }
  const sent = a.submission === undefined ? '' : ` · sent: ${text(a.submission ? a.submission.outcome : 'no')}`;
  return `${text(a.status)} · ${text(a.profile ?? 'no profile')}${sent}<br />${codes(a.ruleIds)}`;
}

function fullTable(result: RegressionResult): string[] {
  return [
    '<h2 id="documents">All documents</h2>',
    '<table class="documents">',
    '<thead><tr><th>Result</th><th>Corpus</th><th>File</th><th>Expected</th><th>Found</th><th class="num">Time</th></tr></thead>',
    '<tbody>',
    ...result.documents.map(
      (d) =>
        `<tr class="${d.match ? 'match' : 'mismatch'}">` +
        `<td class="${d.match ? 'ok' : 'bad'}">${d.match ? '✔ as expected' : '✖ not as expected'}</td>` +
        `<td>${text(d.corpus)}</td>` +
        `<td><code>${text(d.file)}</code>${d.description ? `<br /><span class="meta">${text(d.description)}</span>` : ''}</td>` +
        `<td>${expectedCell(d.expected)}</td>` +
        `<td>${actualCell(d.actual)}</td>` +
        `<td class="num">${d.actual ? text(humanDuration(d.actual.durationMs)) : ''}</td>` +
        '</tr>'
    ),
    ...(result.documents.length === 0 ? ['<tr><td colspan="6" class="none">No documents.</td></tr>'] : []),
    '</tbody>',
    '</table>',
  ];
}
