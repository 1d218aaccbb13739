// One upload's report page: verdict, test-case checks, and each finding with its rule, message and the document lines around it.
import type { Protocol } from '../../certification/protocol.js';
import type { Principal } from '../../store/access.js';
import type { DocumentReport } from '../../core/report.js';
import type { UploadDetail } from '../../store/uploads.js';
import { orderedIssues } from '../../validation/renderers/issues.js';
import { html } from '../html.js';
import type { Raw } from '../html.js';
import { t, tv } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { page } from '../layout.js';

/** Findings beyond this get no source excerpt, so a document with thousands of findings stays a page. */
const EXCERPTS = 200;
const AROUND = 2;

/** The document lines the page shows: those around the first findings, so only they are read. */
export function excerptLines(report: DocumentReport): Set<number> {
  const wanted = new Set<number>();
  for (const i of orderedIssues(report.issues).slice(0, EXCERPTS)) {
    if (i.line !== undefined) {
      for (let n = Math.max(1, i.line - AROUND); n <= i.line + AROUND; n++) {
        wanted.add(n);
      }
    }
  }
  return wanted;
}

/** The finding's line and those around it that were read; nothing when its own line was not. */
export function sourceExcerpt(lines: ReadonlyMap<number, string>, line: number): Raw | '' {
  if (!lines.has(line)) {
    return '';
  }
  const shown = [];
  for (let n = Math.max(1, line - AROUND); n <= line + AROUND; n++) {
    const textLine = lines.get(n);
    if (textLine !== undefined) {
      shown.push(n);
    }
  }
  const from = shown[0] ?? line;
  const to = shown[shown.length - 1] ?? line;
  const out = shown.map(
    (n) =>
      html`<span class="${n === line ? 'line hit' : 'line'}"
        ><span class="ln">${n}</span>${(lines.get(n) ?? '').slice(0, 400)}</span
      >`
  );
  return html`<pre class="source" aria-label="${`lines ${from}–${to}`}"><code>${out}</code></pre>`;
}

export function documentPage(
  lang: Lang,
  path: string,
  principal: Principal,
  u: UploadDetail,
  lines: ReadonlyMap<number, string> | undefined,
  protocols: ReadonlyMap<string, Protocol>
): string {
  const frame = { lang, title: `${t('report', lang)}: ${u.file}`, path, principal };
  const verdict = u.verdict ? tv(u.verdict, lang) : t('pending', lang);
  const meta = html`<table>
    <tbody>
      <tr>
        <th scope="row">${t('file', lang)}</th>
        <td><code>${u.file}</code> <span class="muted">sha256 ${u.sha256.slice(0, 16)}…, ${u.size} B</span></td>
      </tr>
      <tr>
        <th scope="row">${t('vendor', lang)}</th>
        <td>${u.vendorId}</td>
      </tr>
      <tr>
        <th scope="row">${t('step', lang)}</th>
        <td>
          ${tv(u.formal ? 'formal-test' : 'self-test', lang)}${u.testCase ? ` · ${t('testCase', lang)} ${u.testCase}` : ''}
        </td>
      </tr>
      <tr>
        <th scope="row">${t('state', lang)}</th>
        <td>${tv(u.state, lang)}</td>
      </tr>
      <tr>
        <th scope="row">${t('verdict', lang)}</th>
        <td class="${u.verdict ?? 'pending'}" data-verdict="${u.verdict ?? ''}">${verdict}</td>
      </tr>
      <tr>
        <th scope="row">${t('profile', lang)}</th>
        <td>${u.profile ?? '–'}</td>
      </tr>
      ${
        u.submission
          ? html`<tr>
              <th scope="row">${t('submission', lang)}</th>
              <td>
                ${u.submission.target}: ${u.submission.outcome}
                (${u.submission.class})${u.uniqueId ? html` <code>${u.uniqueId}</code>` : ''}
              </td>
            </tr>`
          : ''
      }
    </tbody>
  </table>`;
  if (!u.report) {
    return page(
      { ...frame, refresh: 2 },
      html`${meta}
        <p class="notice" role="status">${t('notReady', lang)}</p>`
    );
  }
  const source = lines ?? new Map<number, string>();
  const issues = orderedIssues(u.report.issues);
  const findings =
    issues.length === 0
      ? html`<p class="ok">${t('noFindings', lang)}</p>`
      : html`<ol class="findings">
          ${issues.map(
            (i, n) =>
              html`<li class="finding" data-rule="${i.ruleId}">
                <p>
                  <span class="sev-${i.severity}">${i.severity}</span> <strong><code>${i.ruleId}</code></strong> —
                  ${i.message}
                </p>
                <p class="muted">
                  ${i.line !== undefined ? `${t('line', lang)} ${i.line}${i.column !== undefined ? `:${i.column}` : ''}` : ''}${i.xpath ? html` · <code>${i.xpath}</code>` : ''}${i.see ? html` · ${i.see}` : ''}
                </p>
                ${i.line !== undefined && n < EXCERPTS ? sourceExcerpt(source, i.line) : ''}
              </li>`
          )}
        </ol>`;
  const checks =
    u.caseChecks.length === 0
      ? ''
      : html`<h2>${t('caseChecks', lang)}</h2>
          <table>
            <tbody>
              ${u.caseChecks.map((c) => {
                const tc = protocols.get(c.protocolId)?.testCases.find((x) => x.id === c.caseId);
                const failed = c.failed.map((id) => tc?.conditions.find((x) => x.id === id)?.text[lang] ?? id);
                return html`<tr>
                  <th scope="row">${c.caseId}</th>
                  <td>${tc?.title[lang] ?? ''}</td>
                  <td class="${c.conditionsMet ? 'ok' : 'muted'}">
                    ${c.conditionsMet ? t('met', lang) : `${t('notMet', lang)}: ${failed.join('; ')}`}
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`;
  const formats = ['html', 'json', 'junit', 'svrl', 'text'];
  return page(
    frame,
    html`${meta}${checks}
      <h2>${t('findings', lang)} (${issues.length})</h2>
      ${findings}
      <p class="noprint">
        ${t('downloads', lang)}:
        ${formats.map((f, i) => html`${i > 0 ? ' · ' : ''}<a href="/api/v1/documents/${u.id}/report?format=${f}">${f}</a>`)}
      </p>`
  );
}
