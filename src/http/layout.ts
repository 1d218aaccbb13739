// The page frame: skip link, header with navigation by role, language switch, logout, and the main landmark.
import type { Principal } from '../store/access.js';
import { html, toString } from './html.js';
import type { Raw } from './html.js';
import { t } from './i18n.js';
import type { Lang } from './i18n.js';

export interface PageFrame {
  readonly lang: Lang;
  readonly title: string;
  readonly principal?: Principal;
  /** The current path and query, for the language switch. */
  readonly path: string;
  /** Seconds; reloads the page while work is in progress (works without script). */
  readonly refresh?: number;
}

/**
 * The current page in the other language. The path is appended to a base rather than resolved
 * against it (`//` would be a host), and leading slashes are collapsed so the link never becomes
 * `//host`, another site.
 */
export function switchLang(path: string, lang: Lang): string {
  let url: URL;
  try {
    url = new URL(`http://x${path.startsWith('/') ? '' : '/'}${path}`);
  } catch {
    url = new URL('http://x/');
  }
  url.searchParams.set('lang', lang === 'da' ? 'en' : 'da');
  return url.pathname.replace(/^\/+/, '/') + url.search;
}

export function page(frame: PageFrame, body: Raw): string {
  const { lang, principal: p } = frame;
  const nav =
    p?.kind === 'vendor'
      ? html`<li><a href="/">${t('uploads', lang)}</a></li>
          <li><a href="/certification">${t('certification', lang)}</a></li>
          <li><a href="/monitoring/${p.vendorId}">${t('monitoring', lang)}</a></li>`
      : p?.kind === 'admin'
        ? html`<li><a href="/admin">${t('vendors', lang)}</a></li>
            <li><a href="/admin/keys">${t('keys', lang)}</a></li>
            <li><a href="/admin/regressions">${lang === 'da' ? 'Regression' : 'Regression'}</a></li>
            <li><a href="/admin/monitoring">${t('monitoring', lang)}</a></li>`
        : html``;
  const who = p
    ? html`<span>${p.kind === 'vendor' ? p.vendorId : `MedCom: ${p.name}`}</span>
        <form method="post" action="/logout"><button class="link" type="submit">${t('logout', lang)}</button></form>`
    : html``;
  return (
    '<!DOCTYPE html>\n' +
    toString(
      html`<html lang="${lang}">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          ${frame.refresh ? html`<meta http-equiv="refresh" content="${frame.refresh}" />` : ''}
          <title>${frame.title} – ${t('appName', lang)}</title>
          <link rel="stylesheet" href="/assets/app.css" />
          <script src="/assets/app.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main">${t('skip', lang)}</a>
          <header class="top">
            <a class="brand" href="/">${t('appName', lang)}</a>
            <nav aria-label="${t('appName', lang)}">
              <ul>
                ${nav}
              </ul>
            </nav>
            <div class="who">
              <a href="${switchLang(frame.path, lang)}" hreflang="${lang === 'da' ? 'en' : 'da'}"
                >${t('language', lang)}</a
              >${who}
            </div>
          </header>
          <main id="main">
            <h1>${frame.title}</h1>
            ${body}
          </main>
        </body>
      </html> `
    )
  );
}
