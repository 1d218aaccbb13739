// MedCom's key management: every key (never the secret), forms for new vendor and admin keys, revoke buttons.
import type { ApiKeyInfo, Principal } from '../../store/access.js';
import { html } from '../html.js';
import { t } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { page } from '../layout.js';

export function keysPage(
  lang: Lang,
  path: string,
  principal: Principal,
  keys: readonly ApiKeyInfo[],
  created?: { readonly owner: string; readonly key: string }
): string {
  return page(
    { lang, title: t('keys', lang), path, principal },
    html`${
        created
          ? html`<div class="notice warn" role="status">
              <p>${t('keyOnce', lang)} (${created.owner})</p>
              <p class="key"><code id="new-key">${created.key}</code></p>
            </div>`
          : ''
      }
      <section aria-labelledby="new-vendor-h">
        <h2 id="new-vendor-h">${t('newVendor', lang)}</h2>
        <form class="stack" method="post" action="/admin/keys">
          <input type="hidden" name="kind" value="vendor" />
          <label for="vendor-id">${t('vendorId', lang)}</label>
          <input id="vendor-id" name="id" type="text" required="required" pattern="[a-z0-9][a-z0-9._\\-]{0,63}" />
          <label for="vendor-name">${t('name', lang)}</label>
          <input id="vendor-name" name="name" type="text" />
          <div><button type="submit">${t('create', lang)}</button></div>
        </form>
      </section>
      <section aria-labelledby="new-admin-h">
        <h2 id="new-admin-h">${t('newAdmin', lang)}</h2>
        <form class="stack" method="post" action="/admin/keys">
          <input type="hidden" name="kind" value="admin" />
          <label for="admin-name">${t('name', lang)}</label>
          <input id="admin-name" name="id" type="text" required="required" pattern="[a-z0-9][a-z0-9._\\-]{0,63}" />
          <div><button type="submit">${t('create', lang)}</button></div>
        </form>
      </section>
      <h2>${t('keys', lang)}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">${t('owner', lang)}</th>
            <th scope="col">${t('role', lang)}</th>
            <th scope="col">${t('apiKey', lang)}</th>
            <th scope="col">${t('created', lang)}</th>
            <th scope="col">${t('state', lang)}</th>
            <th scope="col"></th>
          </tr>
        </thead>
        <tbody>
          ${keys.map(
            (k) =>
              html`<tr data-key="${k.id}">
                <td>${k.owner}</td>
                <td>${k.kind === 'admin' ? 'MedCom' : t('vendor', lang)}</td>
                <td><code>${k.prefix}…</code></td>
                <td>${k.createdAt.slice(0, 16).replace('T', ' ')} <span class="muted">${k.createdBy}</span></td>
                <td>
                  ${k.revokedAt ? html`<span class="muted">${t('revoked', lang)} ${k.revokedAt.slice(0, 10)}</span>` : html`<span class="ok">${t('active', lang)}</span>`}
                </td>
                <td>
                  ${k.revokedAt || k.id === principal.keyId ? '' : html`<form method="post" action="/admin/keys/${k.id}/revoke"><button class="danger" type="submit">${t('revoke', lang)}</button></form>`}
                </td>
              </tr>`
          )}
        </tbody>
      </table>`
  );
}
