// One error shape for the API, `{ error: { code, message } }`; each code's HTTP status comes from the catalogue.
import { isKihError, KihError } from '../core/kih-error.js';
import { httpStatusOf } from '../core/codes.js';
import type { ErrorCode } from '../core/codes.js';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

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
    const status = httpStatusOf(err.code);
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
      status: httpStatusOf(fastifyCode),
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
