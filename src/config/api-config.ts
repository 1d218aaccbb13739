// The HTTP server's settings from the environment (KIH_HTTP_*, KIH_FORMAL_TARGET, limits), checked at start.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { invalidSetting } from './invalid-setting.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './limits.js';

export interface ApiLimits {
  /** Bytes per document (raw body or one multipart file). */
  readonly maxFileBytes: number;
  /** Files per multipart upload. */
  readonly maxFiles: number;
  /** Bytes of one upload request in all (every multipart part together). */
  readonly maxTotalBytes: number;
  /** Requests per minute per API key (or per address before login). */
  readonly requestsPerMinute: number;
  /** Failed authentications (wrong key or login) per address per minute before that address gets 429. */
  readonly failedAuthPerMinute: number;
}

/**
 * Which proxies may set X-Forwarded-For: false (none, the default), true (any: only when every
 * request comes through a proxy), a hop count, or proxy addresses and CIDR ranges.
 */
export type TrustProxy = boolean | number | readonly string[];

export interface ApiConfig {
  readonly host: string;
  readonly port: number;
  /** The target a formal-test upload is submitted to (MedCom's KIH test environment). */
  readonly formalTarget: string;
  readonly limits: ApiLimits;
  /** Signs session cookies; a random one per process unless set (sessions then end on restart). */
  readonly sessionSecret: Buffer;
  /** Add `Secure` to cookies (behind TLS). */
  readonly secureCookies: boolean;
  readonly trustProxy: TrustProxy;
}

/** Five documents of the default size: a batch fits, twenty of the largest do not. */
export const DEFAULT_MAX_UPLOAD_TOTAL_BYTES = 5 * DEFAULT_MAX_DOCUMENT_BYTES;

export const API_ENV = {
  KIH_HTTP_HOST: 'address to listen on (default 127.0.0.1)',
  KIH_HTTP_PORT: 'port to listen on (default 8080)',
  KIH_FORMAL_TARGET: 'target of formal-test uploads (default kih-test)',
  KIH_SESSION_SECRET: 'secret for signing session cookies, at least 32 characters (default: random per start)',
  KIH_SECURE_COOKIES: 'set to 1 behind TLS so cookies are marked Secure',
  KIH_MAX_UPLOAD_BYTES: `bytes per uploaded document (default ${DEFAULT_MAX_DOCUMENT_BYTES})`,
  KIH_MAX_UPLOAD_FILES: 'documents per upload (default 20)',
  KIH_MAX_UPLOAD_TOTAL_BYTES: `bytes of one upload request in all (default ${DEFAULT_MAX_UPLOAD_TOTAL_BYTES})`,
  KIH_RATE_LIMIT: 'requests per minute per API key (default 300)',
  KIH_AUTH_FAILURE_LIMIT: 'failed authentications per address per minute before 429 (default 10)',
  KIH_TRUST_PROXY:
    'behind a reverse proxy: its addresses or CIDR ranges (comma-separated), a hop count, or true (default: none; client addresses are the socket peers)',
} as const;

const CIDR = /^(.+)\/(\d{1,3})$/;

/** Refused rather than guessed: a wrong value here lets clients choose their address for the rate limits. */
export function readTrustProxy(text: string | undefined): TrustProxy {
  const value = (text ?? '').trim();
  if (value === '' || value === 'false' || value === '0') {
    return false;
  }
  if (value === 'true') {
    return true;
  }
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  const list = value.split(',').map((a) => a.trim());
  for (const a of list) {
    const m = CIDR.exec(a);
    const address = m?.[1] ?? a;
    const bits = m?.[2] === undefined ? undefined : Number(m[2]);
    const family = isIP(address);
    if (family === 0 || (bits !== undefined && bits > (family === 4 ? 32 : 128))) {
      invalidSetting(
        'KIH_TRUST_PROXY',
        `KIH_TRUST_PROXY takes proxy addresses or CIDR ranges (comma-separated), a hop count, true or false: "${a}"`
      );
    }
  }
  return list;
}

function whole(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    invalidSetting(name, `${name} takes a whole number of at least ${min}: "${text}"`);
  }
  return n;
}

export function readApiConfig(env: NodeJS.ProcessEnv, overrides: { host?: string; port?: string } = {}): ApiConfig {
  const secret = env.KIH_SESSION_SECRET;
  if (secret !== undefined && secret.length < 32) {
    invalidSetting('KIH_SESSION_SECRET', 'KIH_SESSION_SECRET must be at least 32 characters.');
  }
  return {
    host: overrides.host ?? env.KIH_HTTP_HOST ?? '127.0.0.1',
    port: whole('KIH_HTTP_PORT', overrides.port ?? env.KIH_HTTP_PORT ?? '8080', 0),
    formalTarget: env.KIH_FORMAL_TARGET ?? 'kih-test',
    limits: {
      maxFileBytes: whole('KIH_MAX_UPLOAD_BYTES', env.KIH_MAX_UPLOAD_BYTES ?? String(DEFAULT_MAX_DOCUMENT_BYTES), 1),
      maxFiles: whole('KIH_MAX_UPLOAD_FILES', env.KIH_MAX_UPLOAD_FILES ?? '20', 1),
      maxTotalBytes: whole(
        'KIH_MAX_UPLOAD_TOTAL_BYTES',
        env.KIH_MAX_UPLOAD_TOTAL_BYTES ?? String(DEFAULT_MAX_UPLOAD_TOTAL_BYTES),
        1
      ),
      requestsPerMinute: whole('KIH_RATE_LIMIT', env.KIH_RATE_LIMIT ?? '300', 1),
      failedAuthPerMinute: whole('KIH_AUTH_FAILURE_LIMIT', env.KIH_AUTH_FAILURE_LIMIT ?? '10', 1),
    },
    sessionSecret: secret !== undefined ? Buffer.from(secret, 'utf8') : randomBytes(32),
    secureCookies: env.KIH_SECURE_COOKIES === '1',
    trustProxy: readTrustProxy(env.KIH_TRUST_PROXY),
  };
}
