// The one error class the tool throws: a stable code (whose behaviour the catalogue gives) plus a message for people.
import { isRetryable } from './codes.js';
import type { ErrorCode } from './codes.js';

export class KihError extends Error {
  override readonly name = 'KihError';
  readonly code: ErrorCode;
  /** For a setting: where the bad value is (`targets.kih-test.endpoint`, `KIH_CONCURRENCY`). */
  readonly path?: string;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    if (options?.path !== undefined) {
      this.path = options.path;
    }
  }

  /** Whether trying again later may succeed (from the catalogue). */
  get retryable(): boolean {
    return isRetryable(this.code);
  }
}

export function isKihError(value: unknown): value is KihError {
  return value instanceof KihError;
}
