// The server-rendered pages: login, the vendor's uploads and reports, certification progress, and MedCom's admin pages.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { acceptUploads } from './accept-uploads.js';
import { apiError } from './api-errors.js';
import {
  checkAuthFailures,
  checkSameOrigin,
  checkVendorAccess,
  clearedSessionCookie,
  requestSessionId,
  requirePrincipal,
  SESSION_MS,
  sessionCookie,
  sessionValue,
  vendorScope,
} from './auth.js';
import { withUploadForm } from './read-uploads.js';
import type { RouteContext } from './server.js';
import { isDecisionKind } from '../certification/progress.js';
import { renderCertificationHtml } from './render-certification.js';
import { isKihError } from '../core/kih-error.js';
import {
  addAdminKey,
  addVendorKey,
  endSession,
  getVendor,
  listKeys,
  listVendors,
  principalForKey,
  revokeKey,
  startSession,
} from '../store/access.js';
import { getRegressionRun, latestRegressionRuns, listRegressionRuns } from '../store/regression-records.js';
import { getUpload, getUploadLines, listUploads } from '../store/uploads.js';
import { diffResults } from '../regression/diff-results.js';
import { renderRegressionHtml } from '../regression/render-html.js';
import { APP_CSS, APP_JS } from './assets.js';
import { LANG_COOKIE, langOf, t } from './i18n.js';
import { page } from './layout.js';
import { adminOverviewPage, adminVendorPage, vendorCertificationPage } from './pages/certification-pages.js';
import { documentPage, excerptLines } from './pages/document-page.js';
import { keysPage } from './pages/keys-page.js';
import { regressionsPage } from './pages/regression-pages.js';
import { loginPage } from './pages/login-page.js';
import { uploadsPage, uploadsTable } from './pages/uploads-page.js';
import { monitoringCsv, monitoringCsvName, monitoringPage } from './pages/monitoring-pages.js';
import { monitoringAlerts } from './monitoring-alerts.js';
import { DEFAULT_MONITORING } from '../config/monitoring-settings.js';
import { monitoringFlags, monitoringReport } from '../store/monitoring.js';

type Form = Record<string, string | undefined>;

const SITE = 'http://site.invalid';

/**
 * Only a path on this site, judged as a browser would read it: the URL parser drops tabs and
 * newlines and turns `\\` into `/`, so `/%09/evil.example` is `//evil.example`, another host.
 * Anything that does not resolve to this origin becomes `/`; CR or LF is refused (400), as they
 * cannot go into a Location header.
 */
export function localPath(next: unknown): string {
  if (typeof next !== 'string' || next === '') {
    return '/';
  }
  if (/[\r\n]/.test(next)) {
    throw apiError('API_ERR_BAD_REQUEST', 'next must not contain line breaks.');
  }
  if (!next.startsWith('/')) {
    return '/';
  }
  let url: URL;
  try {
    url = new URL(next, SITE);
  } catch {
    return '/';
  }
  return url.origin === SITE ? `${url.pathname}${url.search}${url.hash}` : '/';
}

function htmlReply(reply: FastifyReply, body: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

export function registerPages(ctx: RouteContext): void {
  const { app, db, enqueue, certification, actor } = ctx;
  const secure = ctx.secureCookies ?? false;

  app.addHook('onRequest', async (request, reply) => {
    const q = (request.query as { lang?: unknown } | undefined)?.lang;
    if (q === 'da' || q === 'en') {
      reply.header('set-cookie', `${LANG_COOKIE}=${q}; Path=/; SameSite=Lax; Max-Age=31536000`);
    }
  });

  const asset = { config: { access: 'none' as const, rateLimit: false } };
  app.get('/assets/app.css', asset, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(APP_CSS)
  );
  app.get('/assets/app.js', asset, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(APP_JS)
  );

  app.get('/login', { config: { access: 'none' } }, async (request, reply) => {
    const q = request.query as { next?: string; failed?: string };
    return htmlReply(reply, loginPage(langOf(request), request.url, localPath(q.next), q.failed === '1'));
  });
  // Login CSRF: another site's form must not log the victim into the attacker's account.
  app.post('/login', { config: { access: 'none' } }, async (request, reply) => {
    checkSameOrigin(request);
    const form = (request.body ?? {}) as Form;
    const next = localPath(form.next);
    await checkAuthFailures(ctx.failures, request, reply);
    const principal = typeof form.key === 'string' ? await principalForKey(db, form.key.trim()) : undefined;
    if (!principal) {
      await ctx.failures.count(request.ip);
      return htmlReply(reply, loginPage(langOf(request), '/login', next, true), 401);
    }
    const expiresAt = Date.now() + SESSION_MS;
    const sessionId = await startSession(db, principal.keyId, new Date(expiresAt));
    reply.header('set-cookie', sessionCookie(sessionValue(ctx.sessionSecret, sessionId, expiresAt), secure));
    return reply.redirect(next === '/' && principal.kind === 'admin' ? '/admin' : next, 303);
  });
  // Ends the session on the server too: a copy of the cookie taken before logout no longer works.
  app.post('/logout', { config: { access: 'none' } }, async (request, reply) => {
    checkSameOrigin(request);
    const sessionId = requestSessionId(ctx.sessionSecret, request);
    if (sessionId !== undefined) {
      await endSession(db, sessionId);
    }
    reply.header('set-cookie', clearedSessionCookie(secure));
    return reply.redirect('/login', 303);
  });

  app.get('/', async (request, reply) => {
    const p = requirePrincipal(request);
    if (p.kind === 'admin') {
      return reply.redirect('/admin', 303);
    }
    const lang = langOf(request);
    const uploaded = Number((request.query as { uploaded?: string }).uploaded ?? 0);
    const uploads = await listUploads(db, p.vendorId, { limit: 200 });
    const notice =
      uploaded > 0
        ? lang === 'da'
          ? `${uploaded} dokument(er) modtaget.`
          : `${uploaded} document(s) received.`
        : undefined;
    return htmlReply(reply, uploadsPage(lang, request.url, p, [...certification.protocols.values()], uploads, notice));
  });

  app.post('/uploads', { config: { access: 'vendor', uploads: true } }, async (request, reply) => {
    const p = requirePrincipal(request);
    if (p.kind !== 'vendor') {
      throw apiError('API_ERR_FORBIDDEN', 'Uploads are made with a vendor key.');
    }
    const accepted = await withUploadForm(request, ctx.limits, (form) =>
      acceptUploads(db, enqueue, certification, { vendorId: p.vendorId, ...form }, actor)
    );
    if ((request.headers.accept ?? '').includes('application/json')) {
      return reply.status(202).send({ documents: accepted.uploads.map((u) => ({ id: u.id, file: u.file })) });
    }
    return reply.redirect(`/?uploaded=${accepted.uploads.length}`, 303);
  });

  app.get('/documents/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const scope = vendorScope(requirePrincipal(request));
    const u = await getUpload(db, scope, id);
    if (!u) {
      throw apiError('API_ERR_NOT_FOUND', `No document ${id}.`);
    }
    const lines = u.report ? await getUploadLines(db, scope, id, excerptLines(u.report)) : undefined;
    return htmlReply(
      reply,
      documentPage(langOf(request), request.url, requirePrincipal(request), u, lines, certification.protocols)
    );
  });

  app.get('/certification', { config: { access: 'vendor' } }, async (request, reply) => {
    const p = requirePrincipal(request);
    if (p.kind !== 'vendor') {
      throw apiError('API_ERR_FORBIDDEN', 'This page is for vendors.');
    }
    const list = [];
    for (const id of certification.protocols.keys()) {
      list.push(await certification.progress(db, p.vendorId, id));
    }
    return htmlReply(reply, vendorCertificationPage(langOf(request), request.url, p, list));
  });

  app.get('/certification/:vendor/:protocol/report', async (request, reply) => {
    const { vendor, protocol } = request.params as { vendor: string; protocol: string };
    checkVendorAccess(requirePrincipal(request), vendor);
    const report = await certification.report(db, vendor, protocol);
    // A standalone document for printing and archiving: its own inline style, no scripts.
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(renderCertificationHtml(report, langOf(request)));
  });

  app.get('/admin', { config: { access: 'admin' } }, async (request, reply) => {
    const vendors = await listVendors(db);
    const progress = new Map();
    for (const v of vendors) {
      const list = [];
      for (const id of certification.protocols.keys()) {
        list.push(await certification.progress(db, v.id, id));
      }
      progress.set(v.id, list);
    }
    return htmlReply(
      reply,
      adminOverviewPage(langOf(request), request.url, requirePrincipal(request), vendors, progress, [
        ...certification.protocols.keys(),
      ])
    );
  });

  const vendorPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    vendorId: string,
    notice?: { ok: boolean; text: string },
    status = 200
  ): Promise<FastifyReply> => {
    const vendor = await getVendor(db, vendorId);
    if (!vendor) {
      throw apiError('API_ERR_NOT_FOUND', `No vendor ${vendorId}.`);
    }
    const list = [];
    for (const id of certification.protocols.keys()) {
      list.push(await certification.progress(db, vendor.id, id));
    }
    return htmlReply(
      reply,
      adminVendorPage(langOf(request), request.url, requirePrincipal(request), vendor, list, notice),
      status
    );
  };

  app.get('/admin/vendors/:id', { config: { access: 'admin' } }, async (request, reply) => {
    const lang = langOf(request);
    const decided = (request.query as { decided?: string }).decided;
    return vendorPage(
      request,
      reply,
      (request.params as { id: string }).id,
      decided
        ? { ok: true, text: `${t('decision', lang)}: ${t(isDecisionKind(decided) ? decided : 'reject', lang)}` }
        : undefined
    );
  });

  app.post('/admin/vendors/:id/:protocol/decisions', { config: { access: 'admin' } }, async (request, reply) => {
    const { id, protocol } = request.params as { id: string; protocol: string };
    const form = (request.body ?? {}) as Form;
    const p = requirePrincipal(request);
    try {
      if (!isDecisionKind(form.decision)) {
        throw apiError('API_ERR_BAD_REQUEST', 'Choose certify, reject or production.');
      }
      await certification.decide(
        db,
        id,
        protocol,
        form.decision,
        form.comment ?? '',
        p.kind === 'admin' ? p.name : actor
      );
      return await reply.redirect(`/admin/vendors/${encodeURIComponent(id)}?decided=${form.decision}`, 303);
    } catch (err) {
      if (isKihError(err) && err.code !== 'API_ERR_NOT_FOUND' && !err.code.startsWith('STORE_')) {
        return await vendorPage(request, reply, id, { ok: false, text: `${err.code}: ${err.message}` }, 409);
      }
      throw err;
    }
  });

  app.get('/admin/uploads', { config: { access: 'admin' } }, async (request, reply) => {
    const lang = langOf(request);
    const vendor = (request.query as { vendor?: string }).vendor;
    const uploads = await listUploads(db, vendor ?? null, { limit: 500 });
    const filtered = vendor ? uploads.filter((u) => u.vendorId === vendor) : uploads;
    return htmlReply(
      reply,
      page(
        {
          lang,
          title: `${t('uploads', lang)}${vendor ? `: ${vendor}` : ''}`,
          path: request.url,
          principal: requirePrincipal(request),
        },
        uploadsTable(filtered, lang)
      )
    );
  });

  app.get('/admin/regressions', { config: { access: 'admin' } }, async (request, reply) => {
    const [latest, history] = await Promise.all([latestRegressionRuns(db), listRegressionRuns(db, { limit: 100 })]);
    return htmlReply(reply, regressionsPage(langOf(request), request.url, requirePrincipal(request), latest, history));
  });
  app.get('/admin/regressions/:id', { config: { access: 'admin' } }, async (request, reply) => {
    const run = await getRegressionRun(db, (request.params as { id: string }).id);
    if (!run.result) {
      return reply.redirect('/admin/regressions', 303);
    }
    // The report leads with what changed since the corpus's previous finished run.
    const previous = (await listRegressionRuns(db, { corpus: run.corpus, limit: 100 })).find(
      (r) => r.startedAt < run.startedAt && r.matched !== null
    );
    const before = previous ? (await getRegressionRun(db, previous.id)).result : null;
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(renderRegressionHtml(run.result, before ? diffResults(before, run.result) : undefined));
  });

  // Monitoring: MedCom across vendors and per vendor; a vendor only its own (another's id is not found).
  const alerts = ctx.monitoring ?? monitoringAlerts(DEFAULT_MONITORING, app.log);
  const monitoring = async (
    request: FastifyRequest,
    reply: FastifyReply,
    vendorId: string | null,
    basePath: string
  ): Promise<FastifyReply> => {
    const q = request.query as { format?: string; by?: string };
    const report = await monitoringReport(db, { vendorId, actor });
    const flags = monitoringFlags(report, alerts.settings);
    alerts.report(flags);
    if (q.format === 'csv') {
      const by = q.by === 'day' ? 'day' : 'week';
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${monitoringCsvName(report, by)}"`)
        .header('cache-control', 'no-store')
        .send(monitoringCsv(report, by));
    }
    return htmlReply(
      reply,
      monitoringPage({
        lang: langOf(request),
        path: request.url,
        principal: requirePrincipal(request),
        report,
        flags,
        refusedThreshold: alerts.settings.thresholds.refusedShareDay,
        basePath,
      })
    );
  };
  app.get('/admin/monitoring', { config: { access: 'admin' } }, async (request, reply) =>
    monitoring(request, reply, null, '/admin/monitoring')
  );
  app.get('/monitoring/:vendor', async (request, reply) => {
    const { vendor } = request.params as { vendor: string };
    checkVendorAccess(requirePrincipal(request), vendor);
    if (!(await getVendor(db, vendor))) {
      throw apiError('API_ERR_NOT_FOUND', `No vendor ${vendor}.`);
    }
    return monitoring(request, reply, vendor, `/monitoring/${encodeURIComponent(vendor)}`);
  });

  app.get('/admin/keys', { config: { access: 'admin' } }, async (request, reply) =>
    htmlReply(reply, keysPage(langOf(request), request.url, requirePrincipal(request), await listKeys(db)))
  );
  app.post('/admin/keys', { config: { access: 'admin' } }, async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const p = requirePrincipal(request);
    const who = `admin ${p.kind === 'admin' ? p.name : ''}`;
    const id = (form.id ?? '').trim();
    const key =
      form.kind === 'admin'
        ? await addAdminKey(db, id, who)
        : await addVendorKey(db, id, (form.name ?? '').trim() || id, who);
    // Shown in this answer only (no redirect, no caching): the database keeps the hash.
    return htmlReply(reply, keysPage(langOf(request), '/admin/keys', p, await listKeys(db), { owner: id, key }), 201);
  });
  app.post('/admin/keys/:id/revoke', { config: { access: 'admin' } }, async (request, reply) => {
    const p = requirePrincipal(request);
    await revokeKey(db, (request.params as { id: string }).id, `admin ${p.kind === 'admin' ? p.name : ''}`);
    return reply.redirect('/admin/keys', 303);
  });
}
