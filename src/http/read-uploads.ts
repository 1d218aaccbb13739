// Reading uploaded documents from a request: a raw XML body or multipart files, with the test case and formal flag.
import type { FastifyRequest } from 'fastify';
import { apiError } from './api-errors.js';
import { cleanFileName } from './accept-uploads.js';

export interface UploadForm {
  readonly files: { readonly name: string; readonly bytes: Buffer }[];
  readonly testCase?: string;
  readonly formal: boolean;
}

function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 'on' || value === 'formal';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** `?name=&testCase=&formal=` go with a raw body; multipart takes fields of those names and files in any part. */
export async function readUploadForm(request: FastifyRequest): Promise<UploadForm> {
  const query = request.query as Record<string, unknown>;
  if (request.isMultipart()) {
    const files: { name: string; bytes: Buffer }[] = [];
    const fields: Record<string, string> = {};
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        // toBuffer throws FST_REQ_FILE_TOO_LARGE past the limit, so a cut-off file is never stored.
        const bytes = await part.toBuffer();
        if (part.filename === '' && bytes.length === 0) {
          continue; // a form submitted with no file chosen
        }
        files.push({ name: cleanFileName(part.filename, files.length), bytes });
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
    const testCase = text(fields.testCase) ?? text(query.testCase);
    return {
      files,
      ...(testCase !== undefined ? { testCase } : {}),
      formal: flag(fields.formal ?? fields.step ?? query.formal),
    };
  }
  if (!Buffer.isBuffer(request.body)) {
    throw apiError(
      'API_ERR_CONTENT_TYPE',
      'Send the document as application/xml (or text/xml) or as multipart/form-data with file parts.'
    );
  }
  const testCase = text(query.testCase);
  return {
    files: [{ name: cleanFileName(text(query.name), 0), bytes: request.body }],
    ...(testCase !== undefined ? { testCase } : {}),
    formal: flag(query.formal),
  };
}
