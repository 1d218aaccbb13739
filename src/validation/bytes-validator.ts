// One validator for documents held as bytes (uploads, submissions): on a pool of threads, or in this thread for small runs.
import type { DocumentReport } from '../core/report.js';
import { createDocumentValidator } from './validate-document.js';
import type { ValidateOptions } from './validate-document.js';
import { createValidationPool } from './validation-pool.js';

export interface BytesValidator {
  validateBytes(bytes: Uint8Array, name: string): Promise<DocumentReport>;
  close(): Promise<void>;
}

/**
 * `threads` 1 validates in this thread (its event loop waits while a document validates, which
 * is fine for a handful of documents); more starts a pool, so HTTP peers in this process stay
 * responsive. Throws KihError when the schema or a rule set cannot be loaded.
 */
export async function openBytesValidator(options: ValidateOptions, threads: number): Promise<BytesValidator> {
  if (threads <= 1) {
    const validator = createDocumentValidator(options);
    await validator.prepareRules();
    return { validateBytes: (bytes, name) => validator.validateBytes(bytes, name), close: () => Promise.resolve() };
  }
  return createValidationPool(options, threads);
}
