// The HTML answer for an error on a page: the stable code and the message, in the page frame.
import type { FastifyRequest } from 'fastify';
import { html } from '../html.js';
import { langOf, t } from '../i18n.js';
import { page } from '../layout.js';

export function renderErrorPage(
  request: FastifyRequest,
  status: number,
  error: { readonly code: string; readonly message: string }
): string {
  const lang = langOf(request);
  return page(
    {
      lang,
      title: status === 404 ? t('notFound', lang) : `${status}`,
      path: request.url,
      ...(request.principal ? { principal: request.principal } : {}),
    },
    html`<p class="notice bad" role="alert"><code>${error.code}</code>: ${error.message}</p>
      <p><a href="/">${t('back', lang)}</a></p>`
  );
}
