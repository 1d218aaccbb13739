// One error shape for the API, `{ error: { code, message } }`, and the HTTP status of each stable code.
import { isKihError, KihError } from '../errors/kih-error.js';
import type { ErrorCode } from '../errors/codes.js';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  API_ERR_AUTH: 401,
  API_ERR_FORBIDDEN: 403,
  API_ERR_NOT_FOUND: 404,
  STORE_ERR_NOT_FOUND: 404,
  API_ERR_BAD_REQUEST: 400,
  CLI_ERR_USAGE: 400,
  API_ERR_CONTENT_TYPE: 415,
  API_ERR_TOO_LARGE: 413,
  API_ERR_RATE_LIMITED: 429,
  API_ERR_NOT_READY: 409,
  CERT_ERR_INCOMPLETE: 409,
  CERT_ERR_STEP: 409,
  API_ERR_UNAVAILABLE: 503,
  STORE_ERR_DATABASE: 503,
  STORE_ERR_QUEUE: 503,
};

/** Fastify's and its plugins' own error codes, mapped onto ours. */
const FASTIFY: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'API_ERR_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'API_ERR_TOO_LARGE',
  FST_FILES_LIMIT: 'API_ERR_TOO_LARGE',
  FST_PARTS_LIMIT: 'API_ERR_TOO_LARGE',
  FST_FIELDS_LIMIT: 'API_ERR_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'API_ERR_CONTENT_TYPE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'API_ERR_CONTENT_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'API_ERR_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'API_ERR_BAD_REQUEST',
  FST_ERR_VALIDATION: 'API_ERR_BAD_REQUEST',
  FST_PROTO_VIOLATION: 'API_ERR_BAD_REQUEST',
};

export function apiError(code: ErrorCode, message: string): KihError {
  return new KihError(code, message);
}

/** Status and body for any thrown value; unknown failures never leak their message. */
export function toApiError(err: unknown): { status: number; body: ApiErrorBody } {
  if (isKihError(err)) {
    const status = STATUS[err.code] ?? 500;
    const code = err.code === 'STORE_ERR_DATABASE' || err.code === 'STORE_ERR_QUEUE' ? 'API_ERR_UNAVAILABLE' : err.code;
    const message =
      code === 'API_ERR_UNAVAILABLE'
        ? 'The records or queues are not reachable just now; try again shortly.'
        : err.message;
    return { status, body: { error: { code: status === 500 ? 'API_ERR_INTERNAL' : code, message } } };
  }
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  const fastifyCode = typeof e?.code === 'string' ? FASTIFY[e.code] : undefined;
  if (fastifyCode) {
    return {
      status: STATUS[fastifyCode] ?? 400,
      body: { error: { code: fastifyCode, message: typeof e?.message === 'string' ? e.message : fastifyCode } },
    };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode === 429) {
    return {
      status: 429,
      body: {
        error: { code: 'API_ERR_RATE_LIMITED', message: typeof e.message === 'string' ? e.message : 'Rate limited.' },
      },
    };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: {
        error: { code: 'API_ERR_BAD_REQUEST', message: typeof e.message === 'string' ? e.message : 'Bad request.' },
      },
    };
  }
  return { status: 500, body: { error: { code: 'API_ERR_INTERNAL', message: 'The server failed unexpectedly.' } } };
}
