// The login page: an API key in a password field, exchanged for a session cookie.
import { html } from '../html.js';
import { t } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { page } from '../layout.js';

export function loginPage(lang: Lang, path: string, next: string, failed: boolean): string {
  return page(
    { lang, title: t('login', lang), path },
    html`${failed ? html`<p class="notice bad" role="alert">${t('badKey', lang)}</p>` : ''}
      <form class="stack" method="post" action="/login">
        <input type="hidden" name="next" value="${next}" />
        <label for="key">${t('apiKey', lang)}</label>
        <input id="key" name="key" type="password" autocomplete="off" required="required" spellcheck="false" />
        <p class="muted">${t('loginHelp', lang)}</p>
        <div><button type="submit">${t('login', lang)}</button></div>
      </form>`
  );
}
