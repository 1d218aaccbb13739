// The HTTP server's settings from the environment (KIH_HTTP_*, KIH_FORMAL_TARGET, limits), checked at start.
import { randomBytes } from 'node:crypto';
import { invalidSetting } from './invalid-setting.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './limits.js';

export interface ApiLimits {
  /** Bytes per document (raw body or one multipart file). */
  readonly maxFileBytes: number;
  /** Files per multipart upload. */
  readonly maxFiles: number;
  /** Requests per minute per API key (or per address before login). */
  readonly requestsPerMinute: number;
}

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
}

export const API_ENV = {
  KIH_HTTP_HOST: 'address to listen on (default 127.0.0.1)',
  KIH_HTTP_PORT: 'port to listen on (default 8080)',
  KIH_FORMAL_TARGET: 'target of formal-test uploads (default kih-test)',
  KIH_SESSION_SECRET: 'secret for signing session cookies, at least 32 characters (default: random per start)',
  KIH_SECURE_COOKIES: 'set to 1 behind TLS so cookies are marked Secure',
  KIH_MAX_UPLOAD_BYTES: `bytes per uploaded document (default ${DEFAULT_MAX_DOCUMENT_BYTES})`,
  KIH_MAX_UPLOAD_FILES: 'documents per upload (default 20)',
  KIH_RATE_LIMIT: 'requests per minute per API key (default 300)',
} as const;

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
      requestsPerMinute: whole('KIH_RATE_LIMIT', env.KIH_RATE_LIMIT ?? '300', 1),
    },
    sessionSecret: secret !== undefined ? Buffer.from(secret, 'utf8') : randomBytes(32),
    secureCookies: env.KIH_SECURE_COOKIES === '1',
  };
}
