// The vendor's home: the upload form (drag and drop, several files) and the live list of uploads.
import type { Protocol } from '../../certification/protocol.js';
import type { Principal } from '../../store/access.js';
import type { UploadSummary } from '../../store/uploads.js';
import { html } from '../html.js';
import type { Raw } from '../html.js';
import { t, tv } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { page } from '../layout.js';

function stateLabels(lang: Lang): string {
  return JSON.stringify(
    Object.fromEntries(
      ['queued', 'validated', 'submitting', 'submitted', 'done', 'valid', 'invalid', 'error'].map((k) => [
        k,
        tv(k, lang),
      ])
    )
  );
}

function uploadRows(uploads: readonly UploadSummary[], lang: Lang): Raw[] {
  return uploads.map((u) => {
    // One text node, no padding: the live-update script writes the same text, so both forms compare equal.
    const verdict = u.verdict ? `${tv(u.verdict, lang)}${u.errors ? ` (${u.errors})` : ''}` : t('pending', lang);
    return html`<tr data-id="${u.id}" data-state="${u.state}">
      <td>
        <a href="/documents/${u.id}">${u.file}</a>${u.testCase ? html` <span class="muted">(${u.testCase})</span>` : ''}
      </td>
      <td>${u.createdAt.slice(0, 19).replace('T', ' ')}</td>
      <td>${tv(u.formal ? 'formal-test' : 'self-test', lang)}</td>
      <td class="state">${tv(u.state, lang)}</td>
      <td class="verdict ${u.verdict ?? 'pending'}">${verdict}</td>
      <td class="submission">${u.submission?.outcome ?? (u.formal ? t('pending', lang) : '–')}</td>
    </tr>`;
  });
}

/** The live table of uploads (the page script updates its rows as documents move on). */
export function uploadsTable(uploads: readonly UploadSummary[], lang: Lang): Raw {
  return html`<table data-live-uploads="" data-labels="${stateLabels(lang)}">
    <thead>
      <tr>
        <th scope="col">${t('file', lang)}</th>
        <th scope="col">${t('uploaded', lang)}</th>
        <th scope="col">${t('step', lang)}</th>
        <th scope="col">${t('state', lang)}</th>
        <th scope="col">${t('verdict', lang)}</th>
        <th scope="col">${t('submission', lang)}</th>
      </tr>
    </thead>
    <tbody>
      ${uploadRows(uploads, lang)}
    </tbody>
  </table>`;
}

export function uploadsPage(
  lang: Lang,
  path: string,
  principal: Principal,
  protocols: readonly Protocol[],
  uploads: readonly UploadSummary[],
  notice?: string
): string {
  const options = protocols.flatMap((p) =>
    p.testCases.map((tc) => html`<option value="${tc.id}">${tc.id}: ${tc.title[lang]}</option>`)
  );
  return page(
    { lang, title: t('uploads', lang), path, principal },
    html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
      <section aria-labelledby="upload-h">
        <h2 id="upload-h">${t('upload', lang)}</h2>
        <form class="stack" method="post" action="/uploads" enctype="multipart/form-data">
          <div class="dropzone">
            <label for="files">${t('dropHere', lang)}</label>
            <input
              id="files"
              name="files"
              type="file"
              multiple="multiple"
              accept=".xml,application/xml,text/xml"
              required="required"
            />
            <div class="chosen muted" aria-live="polite"></div>
          </div>
          <label for="testCase">${t('testCase', lang)}</label>
          <select id="testCase" name="testCase">
            <option value="">${t('anyCase', lang)}</option>
            ${options}
          </select>
          <fieldset>
            <legend>${t('step', lang)}</legend>
            <label><input type="radio" name="formal" value="false" checked="checked" /> ${t('selfTest', lang)}</label
            ><br />
            <label><input type="radio" name="formal" value="true" /> ${t('formalTest', lang)}</label>
          </fieldset>
          <div><button type="submit">${t('uploadButton', lang)}</button></div>
        </form>
      </section>
      <section aria-labelledby="list-h">
        <h2 id="list-h">${t('uploads', lang)}</h2>
        ${uploads.length === 0 ? html`<p class="muted">${t('noUploads', lang)}</p>` : uploadsTable(uploads, lang)}
      </section>`
  );
}
