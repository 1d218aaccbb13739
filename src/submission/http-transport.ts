// One pooled undici agent per target: sends a request built as chunks and says, on failure, whether the request may have arrived.
import type { TlsFiles, TransportTimeouts } from '../config/targets.js';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Agent, errors as undiciErrors, request } from 'undici';
import type { Dispatcher } from 'undici';
import { KihError } from '../core/kih-error.js';

export type { TlsFiles, TransportTimeouts };

export const DEFAULT_TIMEOUTS: TransportTimeouts = { connectMs: 10_000, headersMs: 120_000, bodyMs: 60_000 };

/** TLS client certificate (PEM files); read once when the transport is made, never logged. */

export interface TransportOptions {
  readonly timeouts?: Partial<TransportTimeouts>;
  readonly tls?: TlsFiles;
  /** Sockets per origin; default 16. */
  readonly connections?: number;
  /** Longest answer body accepted; default 16 MB (answers are small; a huge one is not a repository). */
  readonly maxAnswerBytes?: number;
}

export interface OutgoingRequest {
  readonly url: string;
  readonly method: 'POST' | 'GET';
  readonly headers: Readonly<Record<string, string>>;
  /** Sent in order without being joined, so a large document is not copied. */
  readonly chunks: readonly Uint8Array[];
}

export interface HttpAnswerBytes {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Uint8Array;
}

/**
 * A failed exchange. `mayHaveArrived` is false only when the request provably never reached the
 * server (no connection); after that, a timeout or a broken connection leaves it open whether
 * the repository stored the document, and a blind retry could store it twice.
 */
export interface TransportFailure {
  readonly code: 'KIH_ERR_NETWORK' | 'KIH_ERR_TIMEOUT';
  readonly message: string;
  readonly mayHaveArrived: boolean;
}

export type Exchange =
  { readonly ok: true; readonly answer: HttpAnswerBytes } | { readonly ok: false; readonly failure: TransportFailure };

export interface Transport {
  send(req: OutgoingRequest): Promise<Exchange>;
  close(): Promise<void>;
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new KihError(
      'KIH_ERR_CREDENTIALS',
      `The TLS ${what} file ${file} cannot be read (${err instanceof Error ? err.message : String(err)}).`
    );
  }
}

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Sorts an undici or socket error into a failure, without its stack or any request content. */
export function classifyTransportError(err: unknown, url: string): TransportFailure {
  const where = new URL(url).host;
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return { code: 'KIH_ERR_TIMEOUT', message: `No connection to ${where} within the timeout.`, mayHaveArrived: false };
  }
  if (err instanceof undiciErrors.HeadersTimeoutError) {
    return {
      code: 'KIH_ERR_TIMEOUT',
      message: `${where} sent no answer within the timeout after the request was sent.`,
      mayHaveArrived: true,
    };
  }
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return {
      code: 'KIH_ERR_TIMEOUT',
      message: `${where} stopped sending its answer (body timeout).`,
      mayHaveArrived: true,
    };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NOT_CONNECTED.has(code)) {
    return { code: 'KIH_ERR_NETWORK', message: `Cannot connect to ${where} (${code}).`, mayHaveArrived: false };
  }
  const detail = err instanceof Error ? err.message : String(err);
  return {
    code: 'KIH_ERR_NETWORK',
    message: `The connection to ${where} failed: ${detail}.`,
    mayHaveArrived: true,
  };
}

/** Requests up to this size go out as one buffer; larger ones are streamed from their chunks. */
const ONE_BUFFER_MAX_BYTES = 1024 * 1024;

/**
 * A typical request (a CDA document of tens of KB in its MTOM package) costs less as one copied
 * buffer, written with its headers in one go, than as a stream of its chunks (a write and stream
 * bookkeeping per chunk: about 5% of `kih submit`'s time per document, docs/service.md); a large
 * one is streamed so that a 20 MB document is not held twice.
 */
function requestBody(chunks: readonly Uint8Array[], length: number): Buffer | Readable {
  return length <= ONE_BUFFER_MAX_BYTES ? Buffer.concat(chunks, length) : Readable.from(chunks, { objectMode: false });
}

/** Reads the answer body up to a limit, so a misbehaving peer cannot fill memory. */
async function readBody(body: Dispatcher.ResponseData['body'], limit: number): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.byteLength;
    if (size > limit) {
      body.destroy();
      throw new KihError('KIH_ERR_NETWORK', `The answer is larger than ${limit} bytes; refused.`);
    }
    parts.push(buf);
  }
  return Buffer.concat(parts, size);
}

/** A transport for one target: one keep-alive agent, timeouts, optional TLS client certificate. */
export function createTransport(options: TransportOptions = {}): Transport {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const tls = options.tls ?? {};
  const maxAnswerBytes = options.maxAnswerBytes ?? 16 * 1024 * 1024;
  const agent = new Agent({
    connections: options.connections ?? 16,
    keepAliveTimeout: 10_000,
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    connect: {
      timeout: timeouts.connectMs,
      ...(tls.certificateFile ? { cert: readPem(tls.certificateFile, 'certificate') } : {}),
      ...(tls.privateKeyFile ? { key: readPem(tls.privateKeyFile, 'private key') } : {}),
      ...(tls.caFile ? { ca: readPem(tls.caFile, 'CA') } : {}),
    },
  });
  return {
    async send(req: OutgoingRequest): Promise<Exchange> {
      const length = req.chunks.reduce((n, c) => n + c.byteLength, 0);
      try {
        const res = await request(req.url, {
          dispatcher: agent,
          method: req.method,
          headers: { ...req.headers, ...(req.method === 'POST' ? { 'content-length': String(length) } : {}) },
          ...(req.method === 'POST' ? { body: requestBody(req.chunks, length) } : {}),
        });
        const body = await readBody(res.body, maxAnswerBytes);
        return { ok: true, answer: { status: res.statusCode, headers: res.headers, body } };
      } catch (err) {
        if (err instanceof KihError) {
          return { ok: false, failure: { code: 'KIH_ERR_NETWORK', message: err.message, mayHaveArrived: true } };
        }
        return { ok: false, failure: classifyTransportError(err, req.url) };
      }
    },
    async close(): Promise<void> {
      await agent.close();
    },
  };
}
