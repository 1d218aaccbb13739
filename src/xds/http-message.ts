// HTTP/1.1 messages as bytes: a request head in front of body chunks that are never copied, and a small parser for tests and replay.
import { KihError } from '../core/kih-error.js';

export interface HttpRequestInput {
  readonly method: string;
  readonly url: string;
  /** Host and Content-Length are derived here; values given for them are ignored. */
  readonly headers: Readonly<Record<string, string>>;
  readonly chunks: readonly Uint8Array[];
}

export interface HttpMessage {
  readonly startLine: string;
  /** Requests only. */
  readonly method?: string;
  readonly target?: string;
  /** Responses only. */
  readonly status?: number;
  readonly reason?: string;
  readonly version: string;
  /** By lower-cased name; repeated headers are joined with `, `. */
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

const HTTP_ERROR = 'XDS_ERR_HTTP';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DERIVED = new Set(['host', 'content-length']);

/**
 * The request as a list of buffers: one for the head (request line, Host, the given headers,
 * Content-Length), then `chunks` unchanged, so a large document goes to the socket as it is.
 */
export function renderHttpRequest(input: HttpRequestInput): Uint8Array[] {
  if (!TOKEN.test(input.method)) {
    throw new KihError(HTTP_ERROR, `Not an HTTP method: ${JSON.stringify(input.method)}.`);
  }
  const url = new URL(input.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KihError(HTTP_ERROR, `Not an HTTP URL: ${input.url}.`);
  }
  const length = input.chunks.reduce((sum, c) => sum + c.byteLength, 0);
  const lines = [`${input.method} ${url.pathname || '/'}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  for (const [name, value] of Object.entries(input.headers)) {
    if (!TOKEN.test(name) || /[\r\n\0]/.test(value)) {
      throw new KihError(HTTP_ERROR, `Invalid HTTP header ${JSON.stringify(name)}: ${JSON.stringify(value)}.`);
    }
    if (!DERIVED.has(name.toLowerCase())) {
      lines.push(`${name}: ${value}`);
    }
  }
  lines.push(`Content-Length: ${length}`);
  return [Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), ...input.chunks];
}

/** Undoes chunked transfer coding (copies, which is fine for the small answers it is used on). */
function dechunk(buf: Buffer, start: number): Uint8Array {
  const pieces: Buffer[] = [];
  let pos = start;
  for (;;) {
    const nl = buf.indexOf('\r\n', pos);
    if (nl < 0) {
      throw new KihError(HTTP_ERROR, 'A chunked body ends before its last chunk.');
    }
    const size = Number.parseInt(buf.toString('latin1', pos, nl).split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0 || nl + 2 + size > buf.length) {
      throw new KihError(HTTP_ERROR, 'A chunked body has an invalid chunk size.');
    }
    if (size === 0) {
      return Buffer.concat(pieces);
    }
    pieces.push(buf.subarray(nl + 2, nl + 2 + size));
    pos = nl + 2 + size + 2;
  }
}

/**
 * Splits a request or response into start line, headers and body. The body is a view (except
 * for chunked coding): Content-Length bytes when given, else everything to the end.
 */
export function parseHttpMessage(bytes: Uint8Array): HttpMessage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headEnd = buf.indexOf('\r\n\r\n');
  let bodyStart = headEnd + 4;
  // Bare-LF heads (hand-written replays) are searched only up to the CRLF blank line, not through a large body.
  const lfEnd = buf.subarray(0, headEnd < 0 ? buf.length : headEnd).indexOf('\n\n');
  if (lfEnd >= 0 && (headEnd < 0 || lfEnd < headEnd)) {
    headEnd = lfEnd;
    bodyStart = lfEnd + 2;
  }
  if (headEnd < 0) {
    throw new KihError(HTTP_ERROR, 'The HTTP message has no blank line after its headers.');
  }
  const [startLine = '', ...headerLines] = buf.toString('latin1', 0, headEnd).split(/\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw new KihError(HTTP_ERROR, `Not an HTTP header line: ${JSON.stringify(line.slice(0, 80))}.`);
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name] ?? ''}, ${value}` : value;
  }

  let body: Uint8Array;
  const contentLength = headers['content-length'];
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    body = dechunk(buf, bodyStart);
  } else if (contentLength !== undefined) {
    const n = Number(contentLength);
    if (!Number.isInteger(n) || n < 0 || bodyStart + n > buf.length) {
      throw new KihError(
        HTTP_ERROR,
        `Content-Length ${contentLength} does not match the ${buf.length - bodyStart} body bytes.`
      );
    }
    body = buf.subarray(bodyStart, bodyStart + n);
  } else {
    body = buf.subarray(bodyStart);
  }

  const status = /^(HTTP\/\d(?:\.\d)?) (\d{3})(?: (.*))?$/.exec(startLine);
  if (status) {
    return {
      startLine,
      version: status[1] ?? '',
      status: Number(status[2]),
      reason: status[3] ?? '',
      headers,
      body,
    };
  }
  const request = /^(\S+) (\S+) (HTTP\/\d(?:\.\d)?)$/.exec(startLine);
  if (request) {
    return { startLine, method: request[1] ?? '', target: request[2] ?? '', version: request[3] ?? '', headers, body };
  }
  throw new KihError(HTTP_ERROR, `Not an HTTP request or status line: ${JSON.stringify(startLine.slice(0, 80))}.`);
}
