// Error constructors for the Schematron engine, so each failure carries a stable code.
import type { SchErrorCode } from '../core/codes.js';
import { KihError } from '../core/kih-error.js';

/**
 * - `SCH_ERR_PARSE`: a rule file (or an included one) cannot be read, is not well-formed, or has a DOCTYPE.
 * - `SCH_ERR_COMPILE`: the schema is not valid ISO Schematron, uses an unsupported construct, or
 *   its generated XSLT does not compile (for example an XPath syntax error in a test).
 * - `SCH_ERR_RUNTIME`: the compiled rules failed while running on a document.
 */
export type SchematronErrorCode = SchErrorCode;

export function schematronError(code: SchematronErrorCode, message: string, cause?: unknown): KihError {
  return new KihError(code, message, cause === undefined ? undefined : { cause });
}
