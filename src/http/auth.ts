// Who is asking: an API key (Authorization: Bearer, or X-API-Key) or a signed session cookie from the login page.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../store/database.js';
import { principalForKey, principalForKeyId } from '../store/access.js';
import type { Principal } from '../store/access.js';
import { apiError } from './api-errors.js';

export const SESSION_COOKIE = 'kih_session';
const SESSION_HOURS = 12;

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

/** `<key id>.<expiry ms>.<hmac>`: the key's id, never the key, so a stolen cookie dies with the key. */
export function sessionValue(secret: Buffer, keyId: string, now = Date.now()): string {
  const payload = `${keyId}.${now + SESSION_HOURS * 3600_000}`;
  return `${payload}.${sign(secret, payload)}`;
}

export function sessionKeyId(secret: Buffer, value: string, now = Date.now()): string | undefined {
  const parts = value.split('.');
  if (parts.length !== 3) {
    return undefined;
  }
  const [keyId = '', expiry = '', mac = ''] = parts;
  const expected = Buffer.from(sign(secret, `${keyId}.${expiry}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || !(Number(expiry) > now)) {
    return undefined;
  }
  return keyId;
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

/** onRequest: sets request.principal; a wrong key header is refused at once rather than treated as anonymous. */
export function authenticate(db: Database, secret: Buffer) {
  return async (request: FastifyRequest): Promise<void> => {
    const key = headerKey(request);
    if (key !== undefined) {
      const principal = await principalForKey(db, key);
      if (!principal) {
        throw apiError('API_ERR_AUTH', 'The API key is unknown or revoked.');
      }
      request.principal = principal;
      return;
    }
    const cookie = parseCookies(request.headers.cookie)[SESSION_COOKIE];
    const keyId = cookie === undefined ? undefined : sessionKeyId(secret, cookie);
    if (keyId !== undefined) {
      const principal = await principalForKeyId(db, keyId);
      if (principal) {
        request.principal = principal;
        request.viaSession = true;
      }
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
    const origin = request.headers.origin;
    const host = request.headers.host;
    if (origin !== undefined && host !== undefined && originHost(origin) !== host) {
      throw apiError('API_ERR_FORBIDDEN', 'A form from another site cannot act for your session.');
    }
  }
  return undefined;
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
