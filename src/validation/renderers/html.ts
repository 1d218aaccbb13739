// A standalone HTML page of the report, for people: open it from disk, mail it, print it.
import type { DocumentReport, DocumentStatus, ValidationIssue, ValidationRunReport } from '../../core/report.js';
import { countBySeverity, humanDuration, orderedIssues, plural, profileLabel } from './issues.js';
import { escapeXmlAttr as attr, escapeXmlText as text } from '../../core/xml-escape.js';

/*
 * Design notes:
 * - Everything is inline and the page loads nothing: reports are opened offline and archived.
 * - Severity filtering is pure CSS (checkboxes + :has()), so the page needs no script at all, and
 *   the Content-Security-Policy forbids scripts: even an escaping bug could not run code from a
 *   hostile file name or message. Browsers without :has() simply show every finding.
 * - The markup is also well-formed XML (closed void elements, only numeric or XML entities), so
 *   tests and other tools can parse it with an XML parser.
 * - The CSS contains neither `<` nor `&`, which keeps it safe as raw text in both HTML and XML.
 */

const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #fff; }
body { margin: 0 auto; max-width: 80rem; padding: 1.5rem; line-height: 1.45; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
.meta, dt, .none { color: #59636e; }
.meta { margin: 0 0 1rem; }
.badges { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.badge { display: inline-block; padding: .2rem .75rem; border: 1px solid; border-radius: 1rem; font-weight: 600; }
.badge-total { color: #1f2328; background: #f6f8fa; }
.badge-valid { color: #1a7f37; background: #dafbe1; }
.badge-invalid { color: #cf222e; background: #ffebe9; }
.badge-error { color: #8250df; background: #fbefff; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #d1d9e0; }
th { background: #f6f8fa; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; }
.msg { white-space: pre-wrap; overflow-wrap: anywhere; }
.test, .see { margin-top: .25rem; font-size: .9em; color: #59636e; }
.status-valid { color: #1a7f37; }
.status-invalid { color: #cf222e; }
.status-error { color: #8250df; }
.sev { font-weight: 600; white-space: nowrap; }
.sev-error .sev { color: #cf222e; }
.sev-warning .sev { color: #9a6700; }
.sev-info .sev { color: #0969da; }
section.document { border-top: 2px solid #d1d9e0; margin-top: 1.5rem; }
dl.doc-meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 .75rem; }
dd { margin: 0; }
.filters { display: flex; gap: 1rem; align-items: center; margin: 0 0 1rem; }
body:has(#show-error:not(:checked)) tr.sev-error,
body:has(#show-warning:not(:checked)) tr.sev-warning,
body:has(#show-info:not(:checked)) tr.sev-info { display: none; }
footer { margin-top: 2rem; color: #59636e; font-size: .9em; }
@media print {
  body { max-width: none; padding: 0; }
  .filters { display: none; }
  a { color: inherit; text-decoration: none; }
  tr, dl { break-inside: avoid; }
  h2 { break-after: avoid; }
  .badge { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`;

const STATUS_LABEL: Readonly<Record<DocumentStatus, string>> = {
  valid: '✔ valid',
  invalid: '✖ invalid',
  error: '! tool error',
};

/**
 * Renders the report as one self-contained HTML page.
 * @param report - The run to render.
 * @returns A complete, newline-terminated HTML document; every value from the report is escaped.
 */
export function renderHtml(report: ValidationRunReport): string {
  const { total, valid, invalid, errors } = report.summary;
  const title = `Validation report: ${valid} of ${plural(total, 'document')} valid`;
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
    '<h1>Validation report</h1>',
    `<p class="meta">${text(report.tool.name)} ${text(report.tool.version)} · schemas ${text(report.tool.schemas)} · started ${text(report.startedAt)} · took ${text(humanDuration(report.durationMs))}</p>`,
    '<ul class="badges">',
    `<li class="badge badge-total" id="count-total">${text(plural(total, 'document'))}</li>`,
    `<li class="badge badge-valid" id="count-valid">${valid} valid</li>`,
    `<li class="badge badge-invalid" id="count-invalid">${invalid} invalid</li>`,
    `<li class="badge badge-error" id="count-errors">${text(plural(errors, 'tool error'))}</li>`,
    '</ul>',
    '</header>',
    '<main>',
    '<form class="filters" aria-label="Filter findings by severity">',
    'Show:',
    '<label><input type="checkbox" id="show-error" checked="checked" /> errors</label>',
    '<label><input type="checkbox" id="show-warning" checked="checked" /> warnings</label>',
    '<label><input type="checkbox" id="show-info" checked="checked" /> info</label>',
    '</form>',
    '<h2>Documents</h2>',
    '<table class="documents">',
    '<thead><tr><th>Status</th><th>File</th><th>Profile</th><th class="num">Errors</th><th class="num">Warnings</th><th class="num">Info</th></tr></thead>',
    '<tbody>',
  ];
  report.documents.forEach((doc, index) => {
    out.push(documentRow(doc, index));
  });
  if (report.documents.length === 0) {
    out.push('<tr><td colspan="6" class="none">No documents.</td></tr>');
  }
  out.push('</tbody>', '</table>');
  report.documents.forEach((doc, index) => {
    out.push(...documentSection(doc, index));
  });
  out.push(
    '</main>',
    `<footer>${text(report.tool.name)} ${text(report.tool.version)}, schemas ${text(report.tool.schemas)}.</footer>`,
    '</body>',
    '</html>'
  );
  return `${out.join('\n')}\n`;
}

/** Anchors are derived from the position, never from the file name, so they need no escaping. */
function anchor(index: number): string {
  return `doc-${index + 1}`;
}

function documentRow(doc: DocumentReport, index: number): string {
  const counts = countBySeverity(doc.issues);
  return (
    `<tr class="document-row status-${attr(doc.status)}">` +
    `<td class="status-${attr(doc.status)}">${text(STATUS_LABEL[doc.status])}</td>` +
    `<td><a href="#${anchor(index)}">${text(doc.file)}</a></td>` +
    `<td>${text(profileLabel(doc))}</td>` +
    `<td class="num">${counts.error}</td><td class="num">${counts.warning}</td><td class="num">${counts.info}</td>` +
    '</tr>'
  );
}

function documentSection(doc: DocumentReport, index: number): string[] {
  const out = [
    `<section class="document" id="${anchor(index)}">`,
    `<h2><span class="status-${attr(doc.status)}">${text(STATUS_LABEL[doc.status])}</span> ${text(doc.file)}</h2>`,
    '<dl class="doc-meta">',
    `<dt>Profile</dt><dd>${text(profileLabel(doc))} (${text(doc.profileSource)})</dd>`,
  ];
  if (doc.sha256 !== undefined) {
    out.push(`<dt>SHA-256</dt><dd><code>${text(doc.sha256)}</code></dd>`);
  }
  if (doc.size !== undefined) {
    out.push(`<dt>Size</dt><dd>${text(plural(doc.size, 'byte'))}</dd>`);
  }
  out.push(`<dt>Validation time</dt><dd>${text(humanDuration(doc.durationMs))}</dd>`, '</dl>');

  const issues = orderedIssues(doc.issues);
  if (issues.length === 0) {
    out.push('<p class="none">No findings.</p>', '</section>');
    return out;
  }
  out.push(
    '<table class="findings">',
    '<thead><tr><th>Severity</th><th>Rule</th><th>Stage</th><th class="num">Line</th><th>XPath</th><th>Message</th></tr></thead>',
    '<tbody>',
    ...issues.map(findingRow),
    '</tbody>',
    '</table>',
    '</section>'
  );
  return out;
}

function findingRow(issue: ValidationIssue): string {
  let position = '';
  if (issue.line !== undefined) {
    position = issue.column !== undefined && issue.column > 0 ? `${issue.line}:${issue.column}` : String(issue.line);
  }
  const xpath = issue.xpath === undefined || issue.xpath === '' ? '' : `<code>${text(issue.xpath)}</code>`;
  let message = `<div class="msg">${text(issue.message)}</div>`;
  if (issue.test !== undefined && issue.test !== '') {
    message += `<div class="test">test: <code>${text(issue.test)}</code></div>`;
  }
  if (issue.see !== undefined && issue.see !== '') {
    message += `<div class="see">see ${seeLink(issue.see)}</div>`;
  }
  return (
    `<tr class="finding sev-${attr(issue.severity)}">` +
    `<td class="sev">${text(issue.severity)}</td>` +
    `<td><code>${text(issue.ruleId)}</code></td>` +
    `<td>${text(issue.stage)}</td>` +
    `<td class="num">${position}</td>` +
    `<td>${xpath}</td>` +
    `<td>${message}</td>` +
    '</tr>'
  );
}

/** Only http(s) references become links; anything else (a clause number, `javascript:`) stays text. */
function seeLink(see: string): string {
  if (/^https?:\/\//i.test(see)) {
    return `<a href="${attr(see)}" rel="noopener noreferrer">${text(see)}</a>`;
  }
  return text(see);
}
