// MedCom's regression pages: the latest nightly run of each corpus and the history, each run linked to its report.
import type { Principal } from '../../store/access.js';
import type { RegressionRunSummary } from '../../store/regression-records.js';
import { html } from '../html.js';
import type { Raw } from '../html.js';
import type { Lang } from '../i18n.js';
import { page } from '../layout.js';

const L = {
  title: { da: 'Regressionskørsler', en: 'Regression runs' },
  latest: { da: 'Seneste kørsel pr. korpus', en: 'Latest run per corpus' },
  history: { da: 'Historik', en: 'History' },
  none: { da: 'Ingen kørsler endnu.', en: 'No runs yet.' },
  corpus: { da: 'Korpus', en: 'Corpus' },
  started: { da: 'Startet', en: 'Started' },
  state: { da: 'Status', en: 'State' },
  progress: { da: 'Fremdrift', en: 'Progress' },
  matched: { da: 'Som forventet', en: 'Matched' },
  mismatched: { da: 'Afvigelser', en: 'Mismatched' },
  trigger: { da: 'Udløst af', en: 'Trigger' },
} as const;

function table(runs: readonly RegressionRunSummary[], lang: Lang): Raw {
  if (runs.length === 0) {
    return html`<p class="muted">${L.none[lang]}</p>`;
  }
  return html`<table>
    <thead>
      <tr>
        <th scope="col">${L.corpus[lang]}</th>
        <th scope="col">${L.started[lang]}</th>
        <th scope="col">${L.trigger[lang]}</th>
        <th scope="col">${L.state[lang]}</th>
        <th scope="col">${L.progress[lang]}</th>
        <th scope="col">${L.matched[lang]}</th>
        <th scope="col">${L.mismatched[lang]}</th>
      </tr>
    </thead>
    <tbody>
      ${runs.map(
        (r) =>
          html`<tr data-regression="${r.id}">
            <td><a href="/admin/regressions/${r.id}">${r.corpus}</a></td>
            <td>${r.startedAt.slice(0, 16).replace('T', ' ')}</td>
            <td>${r.trigger}</td>
            <td class="${r.mismatched ? 'bad' : r.state === 'running' ? 'pending' : 'ok'}">${r.state}</td>
            <td><progress max="${r.total}" value="${r.done}">${r.done}/${r.total}</progress> ${r.done}/${r.total}</td>
            <td>${r.matched ?? '–'}</td>
            <td>${r.mismatched ?? '–'}</td>
          </tr>`
      )}
    </tbody>
  </table>`;
}

export function regressionsPage(
  lang: Lang,
  path: string,
  principal: Principal,
  latest: readonly RegressionRunSummary[],
  history: readonly RegressionRunSummary[]
): string {
  return page(
    {
      lang,
      title: L.title[lang],
      path,
      principal,
      ...(history.some((r) => r.state === 'running') ? { refresh: 10 } : {}),
    },
    html`<h2>${L.latest[lang]}</h2>
      ${table(latest, lang)}
      <h2>${L.history[lang]}</h2>
      ${table(history, lang)}`
  );
}
