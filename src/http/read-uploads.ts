// Reading uploaded documents from a request: a raw XML body or multipart files streamed to private temp files, with the test case and formal flag.
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiLimits } from '../config/api-config.js';
import { isKihError } from '../core/kih-error.js';
import { apiError } from './api-errors.js';
import { cleanFileName } from './accept-uploads.js';
import type { UploadFile } from './accept-uploads.js';
import { refuseUnread } from './refuse-unread.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes documents: a raw XML body up to the per-file limit, or multipart. */
    uploads?: boolean;
  }
}

export interface UploadForm {
  readonly files: readonly UploadFile[];
  readonly testCase?: string;
  readonly formal: boolean;
}

/** Multipart boundaries, part headers and the form fields, on top of the files' own bytes. */
const MULTIPART_OVERHEAD = 1024 * 1024;

function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 'on' || value === 'formal';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function tooLarge(limits: ApiLimits): Error {
  return apiError(
    'API_ERR_TOO_LARGE',
    `An upload is at most ${limits.maxTotalBytes} bytes in all and ${limits.maxFileBytes} bytes a document.`
  );
}

/** onRequest: an upload whose declared length is over the total is refused before its body is read. */
export function refuseOversizedUploads(limits: ApiLimits) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!request.routeOptions.config.uploads) {
      return;
    }
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > limits.maxTotalBytes + MULTIPART_OVERHEAD) {
      refuseUnread(request, reply);
      throw tooLarge(limits);
    }
  };
}

/** Busboy's own errors (a missing boundary, a cut-off part) have no code: they are the client's malformed body. */
function multipartError(err: unknown): unknown {
  if (isKihError(err)) {
    return err;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('FST_') && code !== 'FST_MULTIPART_PREMATURE_CLOSE') {
    return err;
  }
  const message = err instanceof Error ? err.message : String(err);
  return apiError('API_ERR_BAD_REQUEST', `The multipart body is malformed: ${message}.`);
}

/**
 * Reads the form, calls `use` with it, then removes the spooled files whatever happens. Multipart
 * files are streamed to a private temp directory, so a request holds at most one file in memory
 * (when it is stored); the running total of file bytes is checked as they arrive.
 * `?name=&testCase=&formal=` go with a raw body; multipart takes fields of those names and files in any part.
 */
export async function withUploadForm<T>(
  request: FastifyRequest,
  limits: ApiLimits,
  use: (form: UploadForm) => Promise<T>
): Promise<T> {
  const query = request.query as Record<string, unknown>;
  if (!request.isMultipart()) {
    if (!Buffer.isBuffer(request.body)) {
      throw apiError(
        'API_ERR_CONTENT_TYPE',
        'Send the document as application/xml (or text/xml) or as multipart/form-data with file parts.'
      );
    }
    const body = request.body;
    const testCase = text(query.testCase);
    return use({
      files: [{ name: cleanFileName(text(query.name), 0), size: body.length, read: () => Promise.resolve(body) }],
      ...(testCase !== undefined ? { testCase } : {}),
      formal: flag(query.formal),
    });
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'kih-upload-'));
  try {
    const files: UploadFile[] = [];
    const fields: Record<string, string> = {};
    let total = 0;
    try {
      for await (const part of request.parts()) {
        if (part.type !== 'file') {
          if (typeof part.value === 'string') {
            fields[part.fieldname] = part.value;
          }
          continue;
        }
        const file = path.join(dir, String(files.length));
        let size = 0;
        const count = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            size += chunk.length;
            total += chunk.length;
            done(total > limits.maxTotalBytes ? tooLarge(limits) : null, chunk);
          },
        });
        await pipeline(part.file, count, createWriteStream(file, { mode: 0o600 }));
        // A file cut off at the per-file limit is never stored.
        if (part.file.truncated) {
          throw tooLarge(limits);
        }
        if (part.filename === '' && size === 0) {
          continue; // a form submitted with no file chosen
        }
        files.push({ name: cleanFileName(part.filename, files.length), size, read: () => readFile(file) });
      }
    } catch (err) {
      throw multipartError(err);
    }
    const testCase = text(fields.testCase) ?? text(query.testCase);
    return await use({
      files,
      ...(testCase !== undefined ? { testCase } : {}),
      formal: flag(fields.formal ?? fields.step ?? query.formal),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
