// Who is asking: an API key (Authorization: Bearer, or X-API-Key) or a signed session cookie from the login page.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../store/database.js';
import { principalForKey, principalForSession } from '../store/access.js';
import type { Principal } from '../store/access.js';
import { apiError } from './api-errors.js';
import type { AuthFailures } from './auth-failures.js';
import { hasBody, refuseUnread } from './refuse-unread.js';

export const SESSION_COOKIE = 'kih_session';
const SESSION_HOURS = 12;
export const SESSION_MS = SESSION_HOURS * 3600_000;

export type Access = 'none' | 'any' | 'vendor' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** True when the principal came from the session cookie (a browser), not a key header. */
    viaSession?: boolean;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) {
      const name = part.slice(0, i).trim();
      const value = part.slice(i + 1).trim();
      try {
        out[name] = decodeURIComponent(value);
      } catch {
        out[name] = value;
      }
    }
  }
  return out;
}

function sign(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/**
 * `<session id>.<expiry ms>.<hmac>`: the session's row (its key, whether it has ended) is on the
 * server, so logout or revoking the key ends every copy of the cookie; the signature keeps forged
 * ids from costing a lookup.
 */
export function sessionValue(secret: Buffer, sessionId: string, expiresAt: number): string {
  const payload = `${sessionId}.${expiresAt}`;
  return `${payload}.${sign(secret, payload)}`;
}

/** The session id of a cookie signed by us and not expired, else undefined. */
export function sessionIdOf(secret: Buffer, value: string, now = Date.now()): string | undefined {
  const parts = value.split('.');
  if (parts.length !== 3) {
    return undefined;
  }
  const [sessionId = '', expiry = '', mac = ''] = parts;
  const expected = Buffer.from(sign(secret, `${sessionId}.${expiry}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || !(Number(expiry) > now)) {
    return undefined;
  }
  return sessionId;
}

export function requestSessionId(secret: Buffer, request: FastifyRequest): string | undefined {
  const cookie = parseCookies(request.headers.cookie)[SESSION_COOKIE];
  return cookie === undefined ? undefined : sessionIdOf(secret, cookie);
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_HOURS * 3600}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

function headerKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    return auth.slice(7).trim();
  }
  const key = request.headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

/** Before a key is looked up: an address over its failed authentications gets 429 without a lookup. */
export async function checkAuthFailures(
  failures: AuthFailures,
  request: FastifyRequest,
  reply: FastifyReply
): Promise<void> {
  if (await failures.blocked(request.ip)) {
    refuseUnread(request, reply);
    reply.header('retry-after', '60');
    throw apiError('API_ERR_RATE_LIMITED', 'Too many failed authentications from this address; retry in a minute.');
  }
}

/**
 * onRequest, so before any body is read: sets request.principal; a wrong key header is refused at
 * once (and counted against the address); a request with a body to a route that needs a principal
 * and has none is refused unread, as is one with a body to no route at all.
 */
export function authenticate(db: Database, secret: Buffer, failures: AuthFailures) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = headerKey(request);
    if (key !== undefined) {
      await checkAuthFailures(failures, request, reply);
      const principal = await principalForKey(db, key);
      if (!principal) {
        await failures.count(request.ip);
        refuseUnread(request, reply);
        throw apiError('API_ERR_AUTH', 'The API key is unknown or revoked.');
      }
      request.principal = principal;
      return;
    }
    const sessionId = requestSessionId(secret, request);
    if (sessionId !== undefined) {
      const principal = await principalForSession(db, sessionId);
      if (principal) {
        request.principal = principal;
        request.viaSession = true;
        return;
      }
    }
    if (!hasBody(request)) {
      return;
    }
    if (request.is404) {
      refuseUnread(request, reply);
      throw apiError('API_ERR_NOT_FOUND', `No ${request.method} ${request.url.split('?')[0] ?? ''}.`);
    }
    if ((request.routeOptions.config.access ?? 'any') !== 'none') {
      refuseUnread(request, reply);
      throw apiError('API_ERR_AUTH', 'An API key is required (Authorization: Bearer <key>, or X-API-Key).');
    }
  };
}

/**
 * preHandler: the route's `config.access`. A browser session may only change things from this
 * site's own pages (Origin check), on top of SameSite=Strict cookies.
 */
export async function authorize(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const access = request.routeOptions.config.access ?? 'any';
  if (access === 'none') {
    return;
  }
  const p = request.principal;
  if (!p) {
    const isPage = !request.url.startsWith('/api/');
    if (isPage && request.method === 'GET') {
      await reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
      return reply;
    }
    throw apiError('API_ERR_AUTH', 'An API key is required (Authorization: Bearer <key>, or X-API-Key).');
  }
  if (access !== 'any' && p.kind !== access) {
    throw apiError('API_ERR_FORBIDDEN', `This needs a ${access === 'admin' ? 'MedCom' : 'vendor'} key.`);
  }
  if (request.viaSession && request.method !== 'GET' && request.method !== 'HEAD') {
    checkSameOrigin(request);
  }
  return undefined;
}

/**
 * A browser's form post must come from this site's own pages: a foreign Origin (or "null") is
 * refused. No Origin at all is a client that is not a browser form (or a browser too old to send one).
 */
export function checkSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (origin !== undefined && (host === undefined || originHost(origin) !== host)) {
    throw apiError('API_ERR_FORBIDDEN', 'A form from another site cannot act for your session.');
  }
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // "null" and other opaque origins match no host
  }
}

/** The vendor a request may see: a vendor only itself; MedCom any (null = all). */
export function vendorScope(p: Principal): string | null {
  return p.kind === 'vendor' ? p.vendorId : null;
}

/** A vendor asking for another vendor's id gets not-found, the same as for an id that does not exist. */
export function checkVendorAccess(p: Principal, vendorId: string): void {
  if (p.kind === 'vendor' && p.vendorId !== vendorId) {
    throw apiError('API_ERR_NOT_FOUND', `No vendor ${vendorId}.`);
  }
}

/** The authorised principal of a route that is not open to everyone (authorize has run). */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) {
    throw apiError('API_ERR_AUTH', 'An API key is required.');
  }
  return request.principal;
}
