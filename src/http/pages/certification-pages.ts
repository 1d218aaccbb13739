// Certification pages: a vendor's own progress, MedCom's overview of every vendor, and one vendor's evidence with the decision form.
import type { CaseProgress, Evidence, Progress, Verification } from '../../certification/progress.js';
import { GAP_LABELS, fieldValue, hashAndSize } from '../render-certification.js';
import type { Principal, VendorInfo } from '../../store/access.js';
import { html } from '../html.js';
import type { Raw } from '../html.js';
import { t, tv } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { page } from '../layout.js';

function bar(done: number, total: number): Raw {
  return html`<progress max="${total}" value="${done}">${done}/${total}</progress> ${done}/${total}`;
}

function evidenceCell(e: Evidence | null, lang: Lang, admin: boolean): Raw {
  if (!e) {
    return html`<span class="pending">${t('noEvidence', lang)}</span>`;
  }
  const link = e.uploadId ? html`<a href="/documents/${e.uploadId}">${e.file}</a>` : html`<code>${e.file}</code>`;
  return html`<span class="ok">&#10003;</span> ${link}<br /><span class="muted"
      >${e.validatedAt.slice(0, 16).replace('T', ' ')}${
        e.submission ? ` · ${e.submission.target}: ${e.submission.outcome}` : ''
      }${admin ? ` · run ${e.runId.slice(0, 8)}/${e.seq}` : ''}</span
    >`;
}

function when(at: string): string {
  return at.slice(0, 16).replace('T', ' ');
}

/** The formal test: the document and where and when it was submitted. */
function formalCell(e: Evidence | null, lang: Lang, admin: boolean): Raw {
  if (!e?.submission) {
    return evidenceCell(e, lang, admin);
  }
  const link = e.uploadId ? html`<a href="/documents/${e.uploadId}">${e.file}</a>` : html`<code>${e.file}</code>`;
  return html`<span class="ok">&#10003;</span> ${link}<br /><span class="muted"
      >${t('submittedTo', lang)} ${e.submission.target}
      ${when(e.submission.at)}${admin ? ` · run ${e.runId.slice(0, 8)}/${e.seq}` : ''}</span
    >`;
}

function mismatchTable(v: Verification, lang: Lang): Raw {
  return html`<table class="mismatches">
    <thead>
      <tr>
        <th scope="col">${t('field', lang)}</th>
        <th scope="col">${t('registry', lang)}</th>
        <th scope="col">${t('ours', lang)}</th>
      </tr>
    </thead>
    <tbody>
      ${v.mismatches.map(
        (m) =>
          html`<tr data-field="${m.field}">
            <td><code>${m.field}</code></td>
            <td><code>${fieldValue(m.registered)}</code></td>
            <td><code>${fieldValue(m.expected)}</code></td>
          </tr>`
      )}
    </tbody>
  </table>`;
}

/** End to end: registered in the registry (or the fields that differ) and retrieved intact (hash and size). */
function endToEndCell(c: CaseProgress, lang: Lang): Raw {
  const v = c.endToEnd?.verification;
  if (c.endToEnd && v) {
    return html`<span class="ok">&#10003;</span> ${t('registeredIn', lang)} ${v.target}<br /><span class="muted"
        >${when(v.at)} · ${c.endToEnd.file}</span
      >${
        v.content
          ? html`<br />${t('retrievedIntact', lang)}: <code>${hashAndSize(v.content.hash, v.content.size, lang)}</code>`
          : ''
      }`;
  }
  const gap = c.endToEndGap ?? 'notChecked';
  const seen = c.formalTest?.verification;
  return html`<span class="${gap === 'notSubmitted' || gap === 'notChecked' ? 'pending' : 'bad'}" data-gap="${gap}"
      >${tv(GAP_LABELS[gap], lang)}</span
    >${seen && gap === 'metadataMismatch' && seen.mismatches.length > 0 ? mismatchTable(seen, lang) : ''}${
      seen?.content && gap === 'contentMismatch'
        ? html`<br />${t('retrieved', lang)}: <code>${hashAndSize(seen.content.hash, seen.content.size, lang)}</code
            ><br />${t('registeredAs', lang)}:
            <code>${hashAndSize(seen.content.registeredHash, seen.content.registeredSize, lang)}</code>`
        : ''
    }${
      seen && (gap === 'checkFailed' || gap === 'notRegistered')
        ? html`<br /><span class="muted">${seen.message}</span>`
        : ''
    }`;
}

function decisionsList(p: Progress, lang: Lang): Raw {
  if (p.decisions.length === 0) {
    return html``;
  }
  return html`<h3>${t('decisions', lang)}</h3>
    <table class="decisions">
      <tbody>
        ${p.decisions.map(
          (d) =>
            html`<tr>
              <td>${d.decidedAt.slice(0, 16).replace('T', ' ')}</td>
              <td><strong>${t(d.decision, lang)}</strong></td>
              <td>${d.decidedBy}</td>
              <td>${d.comment}</td>
              <td class="muted">v${d.protocolVersion}</td>
            </tr>`
        )}
      </tbody>
    </table>`;
}

export function progressSection(p: Progress, lang: Lang, admin: boolean): Raw {
  const reportUrl = `/certification/${p.vendorId}/${p.protocol.id}/report`;
  return html`<section class="protocol" data-protocol="${p.protocol.id}" aria-labelledby="${`h-${p.protocol.id}`}">
    <h2 id="${`h-${p.protocol.id}`}">
      ${p.protocol.title[lang]} <span class="muted">(${p.protocol.id} ${p.protocol.version})</span>
    </h2>
    <p>
      ${t('step', lang)}: <strong class="step" data-step="${p.step}">${tv(p.step, lang)}</strong> ·
      ${t('selfTest', lang).split(' (')[0]} ${bar(p.selfTestPassed, p.total)} · ${t('formalTest', lang).split(' (')[0]}
      ${bar(p.formalTestPassed, p.total)} · ${tv('end-to-end', lang)} ${bar(p.endToEndPassed, p.total)}
    </p>
    ${p.awaitingDecision ? html`<p class="notice warn">${t('awaiting', lang)}</p>` : ''}
    <table>
      <thead>
        <tr>
          <th scope="col">${t('testCase', lang)}</th>
          <th scope="col">${tv('self-test', lang)}</th>
          <th scope="col">${tv('formal-test', lang)}</th>
          <th scope="col">${tv('end-to-end', lang)}</th>
        </tr>
      </thead>
      <tbody>
        ${p.cases.map(
          (c) =>
            html`<tr data-case="${c.testCase.id}">
              <td>
                <strong>${c.testCase.id}</strong> ${c.testCase.title[lang]}<br /><span class="muted"
                  >${c.testCase.description[lang]}</span
                >
              </td>
              <td>${evidenceCell(c.selfTest, lang, admin)}</td>
              <td>${formalCell(c.formalTest, lang, admin)}</td>
              <td data-e2e="${c.endToEnd ? 'verified' : (c.endToEndGap ?? 'notChecked')}">${endToEndCell(c, lang)}</td>
            </tr>`
        )}
      </tbody>
    </table>
    ${decisionsList(p, lang)}
    <p><a href="${reportUrl}">${t('printable', lang)}</a></p>
    ${admin ? decisionForm(p, lang) : ''}
  </section>`;
}

function decisionForm(p: Progress, lang: Lang): Raw {
  const id = `decision-${p.protocol.id}`;
  return html`<form
    class="stack noprint"
    method="post"
    action="/admin/vendors/${p.vendorId}/${p.protocol.id}/decisions"
    aria-labelledby="${`${id}-h`}"
  >
    <h3 id="${`${id}-h`}">${t('decision', lang)}</h3>
    <fieldset>
      <legend>${t('decision', lang)}</legend>
      <label
        ><input
          type="radio"
          name="decision"
          value="certify"
          ${p.awaitingDecision ? html`checked="checked"` : html`disabled="disabled"`}
        />
        ${t('certify', lang)}</label
      ><br />
      <label
        ><input type="radio" name="decision" value="reject" ${p.awaitingDecision ? '' : html`checked="checked"`} />
        ${t('reject', lang)}</label
      ><br />
      <label
        ><input
          type="radio"
          name="decision"
          value="production"
          ${p.step === 'certified' ? '' : html`disabled="disabled"`}
        />
        ${t('production', lang)}</label
      >
    </fieldset>
    <label for="${`${id}-comment`}">${t('comment', lang)}</label>
    <textarea id="${`${id}-comment`}" name="comment" rows="3" required="required"></textarea>
    <div><button type="submit">${t('record', lang)}</button></div>
  </form>`;
}

export function vendorCertificationPage(
  lang: Lang,
  path: string,
  principal: Principal,
  list: readonly Progress[]
): string {
  return page(
    { lang, title: t('certification', lang), path, principal },
    html`${list.map((p) => progressSection(p, lang, false))}`
  );
}

export function adminVendorPage(
  lang: Lang,
  path: string,
  principal: Principal,
  vendor: VendorInfo,
  list: readonly Progress[],
  notice?: { readonly ok: boolean; readonly text: string }
): string {
  return page(
    { lang, title: `${t('vendor', lang)}: ${vendor.name}`, path, principal },
    html`${notice ? html`<p class="notice ${notice.ok ? '' : 'bad'}" role="${notice.ok ? 'status' : 'alert'}">${notice.text}</p>` : ''}
      <p class="muted">
        <code>${vendor.id}</code> · ${t('created', lang)} ${vendor.createdAt.slice(0, 10)} ·
        <a href="/admin/uploads?vendor=${vendor.id}">${t('uploads', lang)}</a>
      </p>
      ${list.map((p) => progressSection(p, lang, true))}`
  );
}

export function adminOverviewPage(
  lang: Lang,
  path: string,
  principal: Principal,
  vendors: readonly VendorInfo[],
  progress: ReadonlyMap<string, readonly Progress[]>,
  protocolIds: readonly string[]
): string {
  return page(
    { lang, title: t('vendors', lang), path, principal },
    vendors.length === 0
      ? html`<p class="muted">–</p>`
      : html`<table class="overview">
          <thead>
            <tr>
              <th scope="col">${t('vendor', lang)}</th>
              ${protocolIds.map((id) => html`<th scope="col">${id}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${vendors.map(
              (v) =>
                html`<tr data-vendor="${v.id}">
                  <th scope="row">
                    <a href="/admin/vendors/${v.id}">${v.name}</a><br /><code class="muted">${v.id}</code>
                  </th>
                  ${(progress.get(v.id) ?? []).map(
                    (p) =>
                      html`<td data-protocol="${p.protocol.id}">
                        <strong data-step="${p.step}">${tv(p.step, lang)}</strong
                        >${p.awaitingDecision ? html` <span class="pending">(${t('awaiting', lang)})</span>` : ''}<br />${tv('self-test', lang)}
                        ${bar(p.selfTestPassed, p.total)}<br />${tv('formal-test', lang)}
                        ${bar(p.formalTestPassed, p.total)}<br />${tv('end-to-end', lang)}
                        ${bar(p.endToEndPassed, p.total)}
                      </td>`
                  )}
                </tr>`
            )}
          </tbody>
        </table>`
  );
}
