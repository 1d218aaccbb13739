// HTTP plumbing of the simulator: bounded request bodies, abortable waits, and replies as SOAP (plain or MTOM), JSON or text.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildMtomMessage } from '../xds/mtom.js';
import type { SoapVersion } from '../xds/soap-envelope.js';
import { ITI41_RESPONSE_ACTION } from '../xds/vocabulary.js';

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Reads a whole request body, refusing it as soon as it passes `limit` (by Content-Length before
 * reading, else while reading), so a huge upload never sits in memory.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult): void => {
      if (!done) {
        done = true;
        resolve(result);
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      finish({ ok: true, body: Buffer.concat(chunks, size) });
    });
    req.on('error', () => {
      finish({ ok: false, reason: 'aborted' });
    });
    req.on('close', () => {
      finish({ ok: false, reason: 'aborted' });
    });
  });
}

/** Waits `ms`, or less when `signal` aborts (the simulator is closing); never rejects. */
export function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function send(res: ServerResponse, reply: HttpReply, close = false): void {
  const headers: Record<string, string> = { ...reply.headers, 'content-length': String(reply.body.byteLength) };
  if (close) {
    headers.connection = 'close';
  }
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

export function textReply(status: number, text: string, contentType = 'text/plain; charset=utf-8'): HttpReply {
  return { status, headers: { 'content-type': contentType }, body: Buffer.from(text, 'utf8') };
}

export function jsonReply(status: number, value: unknown): HttpReply {
  return textReply(status, `${JSON.stringify(value)}\n`, 'application/json; charset=utf-8');
}

/**
 * A SOAP answer. `multipart`: MTOM/XOP with the envelope as the only part, as a CXF repository
 * answers an MTOM request; otherwise the plain envelope with its SOAP media type.
 */
export function soapReply(envelope: string, version: SoapVersion, status: number, multipart: boolean): HttpReply {
  if (!multipart) {
    const type = version === '1.1' ? 'text/xml' : 'application/soap+xml';
    return textReply(status, envelope, `${type}; charset=UTF-8`);
  }
  const mtom = buildMtomMessage({
    soapXml: envelope,
    soapVersion: version,
    attachments: [],
    action: ITI41_RESPONSE_ACTION,
  });
  return {
    status,
    headers: { 'content-type': mtom.contentType, 'mime-version': '1.0' },
    body: Buffer.concat(mtom.chunks),
  };
}

/** What a gateway in front of an overloaded repository answers. */
export function unavailableReply(): HttpReply {
  return {
    status: 503,
    headers: { 'content-type': 'text/html; charset=utf-8', 'retry-after': '1' },
    body: Buffer.from(
      '<html><head><title>503 Service Unavailable</title></head>' +
        '<body><h1>Service Unavailable</h1><p>The repository is temporarily unavailable.</p></body></html>\n',
      'utf8'
    ),
  };
}
