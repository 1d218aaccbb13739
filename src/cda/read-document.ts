// Reads one document file, refusing it by its size before reading it.
import { readFile, stat } from 'node:fs/promises';
import { KihError } from '../core/kih-error.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from '../xml/input-checks.js';

/** Reads one document, refusing it before reading when it is over the size limit. */
export async function readDocument(file: string, maxBytes = DEFAULT_MAX_DOCUMENT_BYTES): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new KihError('CDA_ERR_READ', `${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (size > maxBytes) {
    throw new KihError('CDA_ERR_TOO_LARGE', `${file} is ${size} bytes; the limit is ${maxBytes} bytes.`);
  }
  return readFile(file);
}
