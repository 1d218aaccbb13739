// The one error class the tool throws: a stable code plus a message for people.
import type { ErrorCode } from './codes.js';

export class KihError extends Error {
  override readonly name = 'KihError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isKihError(value: unknown): value is KihError {
  return value instanceof KihError;
}
