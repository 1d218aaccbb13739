// MTOM/XOP multipart/related messages: building a request as a list of chunks to stream, and reading an answer.
import { randomBytes, randomUUID } from 'node:crypto';
import { KihError } from '../core/kih-error.js';
import type { SoapVersion } from './soap-envelope.js';

export interface MtomAttachment {
  readonly contentId: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

export interface MtomBuildInput {
  readonly soapXml: string | Uint8Array;
  readonly soapVersion: SoapVersion;
  readonly attachments: readonly MtomAttachment[];
  /** SOAP 1.2 action, sent as the top-level `action` parameter; SOAP 1.1 carries it in the SOAPAction HTTP header instead. */
  readonly action?: string;
  /** A fixed boundary (tests, replay); otherwise a random one. */
  readonly boundary?: string;
  /** The root part's Content-ID (without angle brackets); otherwise a new one. */
  readonly rootContentId?: string;
}

export interface MtomMessage {
  /** The HTTP Content-Type header value. */
  readonly contentType: string;
  /** The body in order: small header buffers, and each attachment body as the very object passed in. */
  readonly chunks: Uint8Array[];
  /** Total byte size of `chunks`, for Content-Length. */
  readonly length: number;
  readonly rootContentId: string;
}

export interface ContentType {
  /** Lower-cased `type/subtype`. */
  readonly mediaType: string;
  /** Parameters by lower-cased name, values unquoted and unescaped. */
  readonly params: Record<string, string>;
}

export interface MimePart {
  /** Header values by lower-cased name (repeated headers are joined with `, `). */
  readonly headers: Record<string, string>;
  /** Without angle brackets. */
  readonly contentId?: string;
  readonly contentType?: string;
  /** A view into the message bytes, never a copy. */
  readonly body: Uint8Array;
}

export interface MultipartRelated {
  readonly parts: MimePart[];
  /** The part named by the `start` parameter, or else the first part. */
  readonly root: MimePart;
}

function mtomError(message: string): KihError {
  return new KihError('XDS_ERR_MTOM', message);
}

const CONTENT_ID_DOMAIN = 'kih-certify.local';
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const DASH = 0x2d;

/**
 * A new Content-ID (without angle brackets) made only of `[A-Za-z0-9.-]`, `@` and the tool's
 * domain, so its `cid:` URL needs no percent-encoding: stacks disagree on whether to encode the
 * href, and an id with nothing to encode cannot be mismatched either way.
 */
export function newContentId(label: string): string {
  const safe = label.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^[.-]+|[.-]+$/g, '');
  const unique = randomUUID().replace(/-/g, '');
  return `${safe ? `${safe}.` : ''}${unique}@${CONTENT_ID_DOMAIN}`;
}

const CID_SAFE = /[A-Za-z0-9._~@-]/;

/** The `cid:` URL of a Content-ID (RFC 2392): angle brackets dropped, anything outside the safe set percent-encoded as UTF-8. */
export function cidUrl(contentId: string): string {
  const id = stripAngles(contentId);
  let out = 'cid:';
  for (const ch of id) {
    if (CID_SAFE.test(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) {
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  return out;
}

function stripAngles(id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1).trim() : trimmed;
}

/** A quoted-string for a header parameter (RFC 2045/822): backslash escapes for `"` and `\`. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

// RFC 2046 bchars, without the space (allowed inside but it invites quoting mistakes in other stacks).
const BOUNDARY_PATTERN = /^[A-Za-z0-9'()+_,./:=?-]{1,70}$/;

function randomBoundary(): string {
  return `MIMEBoundary_${randomBytes(24).toString('hex')}`;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Refuses values that would break out of a header line. */
function checkHeaderValue(what: string, value: string): void {
  if (/[\r\n]/.test(value)) {
    throw mtomError(`The ${what} must not contain line breaks: ${JSON.stringify(value)}.`);
  }
}

/** A Content-ID must be one msg-id: not empty, no white space, no angle brackets of its own. */
function checkContentId(id: string): void {
  if (!/^[^\s<>]+$/.test(id)) {
    throw mtomError(`Not a usable Content-ID: ${JSON.stringify(id)} (empty, or with white space or angle brackets).`);
  }
}

function partHeaders(contentType: string, contentId: string): string {
  return (
    `Content-Type: ${contentType}\r\n` + 'Content-Transfer-Encoding: binary\r\n' + `Content-ID: <${contentId}>\r\n\r\n`
  );
}

/**
 * Builds a multipart/related MTOM message without copying the documents: `chunks` holds the
 * header and boundary lines as small buffers and each attachment body as the very object passed
 * in, so a 20 MB document is written to the socket as it is.
 */
export function buildMtomMessage(input: MtomBuildInput): MtomMessage {
  const soap = typeof input.soapXml === 'string' ? Buffer.from(input.soapXml, 'utf8') : input.soapXml;
  const rootContentId = stripAngles(input.rootContentId ?? newContentId('root'));
  const ids = new Set<string>([rootContentId]);
  for (const a of input.attachments) {
    const id = stripAngles(a.contentId);
    checkContentId(id);
    checkHeaderValue('content type', a.contentType);
    if (ids.has(id)) {
      throw mtomError(`The Content-ID <${id}> is used by more than one part.`);
    }
    ids.add(id);
  }
  checkContentId(rootContentId);
  if (input.action !== undefined) {
    checkHeaderValue('action', input.action);
  }

  const bodies = [soap, ...input.attachments.map((a) => a.body)];
  let boundary: string;
  if (input.boundary !== undefined) {
    boundary = input.boundary;
    if (!BOUNDARY_PATTERN.test(boundary)) {
      throw mtomError(`The boundary ${JSON.stringify(boundary)} is not 1–70 safe characters (RFC 2046).`);
    }
    if (bodies.some((b) => asBuffer(b).includes(boundary))) {
      throw mtomError(`The boundary ${JSON.stringify(boundary)} occurs inside a part.`);
    }
  } else {
    // 192 random bits make a collision practically impossible, but checking costs one fast scan per part.
    do {
      boundary = randomBoundary();
    } while (bodies.some((b) => asBuffer(b).includes(boundary)));
  }

  const soapMediaType = input.soapVersion === '1.1' ? 'text/xml' : 'application/soap+xml';
  let contentType =
    `multipart/related; type="application/xop+xml"; boundary=${quote(boundary)}; ` +
    `start=${quote(`<${rootContentId}>`)}; start-info=${quote(soapMediaType)}`;
  if (input.soapVersion === '1.2' && input.action !== undefined) {
    contentType += `; action=${quote(input.action)}`;
  }

  const chunks: Uint8Array[] = [
    Buffer.from(
      `--${boundary}\r\n` +
        partHeaders(`application/xop+xml; charset=UTF-8; type=${quote(soapMediaType)}`, rootContentId),
      'utf8'
    ),
    soap,
  ];
  for (const a of input.attachments) {
    chunks.push(Buffer.from(`\r\n--${boundary}\r\n` + partHeaders(a.contentType, stripAngles(a.contentId)), 'utf8'));
    chunks.push(a.body);
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'));
  const length = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  return { contentType, chunks, length, rootContentId };
}

/**
 * Reads a Content-Type header (RFC 2045): media type and parameters, with quoted strings and
 * backslash escapes. Never throws; a header it cannot make sense of gives what it could read.
 *
 * Some stacks write a nested `start-info="application/soap+xml; action="…""` without escaping
 * the inner quotes, so inside a quoted value a `"` counts as closing only when a `;` or the end
 * of the header follows it; for well-formed headers that is the same rule.
 */
export function parseContentType(header: string): ContentType {
  const semi = header.indexOf(';');
  const mediaType = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  const params: Record<string, string> = {};
  let i = semi < 0 ? header.length : semi + 1;
  while (i < header.length) {
    while (i < header.length && /[\s;]/.test(header.charAt(i))) {
      i++;
    }
    const eq = header.indexOf('=', i);
    const nextSemi = header.indexOf(';', i);
    if (eq < 0 || (nextSemi >= 0 && nextSemi < eq)) {
      // A parameter without a value: skip it.
      i = nextSemi < 0 ? header.length : nextSemi + 1;
      continue;
    }
    const name = header.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < header.length && (header.charAt(i) === ' ' || header.charAt(i) === '\t')) {
      i++;
    }
    let value = '';
    if (header.charAt(i) === '"') {
      i++;
      while (i < header.length) {
        const ch = header.charAt(i);
        if (ch === '\\' && i + 1 < header.length) {
          value += header.charAt(i + 1);
          i += 2;
        } else if (ch === '"' && /^\s*(;|$)/.test(header.slice(i + 1))) {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      const end = header.indexOf(';', i);
      i = end < 0 ? header.length : end + 1;
    } else {
      const end = header.indexOf(';', i);
      value = header.slice(i, end < 0 ? header.length : end).trim();
      i = end < 0 ? header.length : end + 1;
    }
    if (name && !(name in params)) {
      params[name] = value;
    }
  }
  return { mediaType, params };
}

interface Delimiter {
  /** Where the preceding part's body ends (the line break before the delimiter is not part of it). */
  readonly bodyEnd: number;
  /** Where the next part's headers start, or -1 for the close delimiter. */
  readonly next: number;
}

/**
 * The next delimiter line at or after `from`. The search is for `\n--boundary` (Buffer.indexOf,
 * so a 20 MB body costs a few milliseconds); a CR before it is dropped from the body, which
 * accepts servers that use bare LF. A match followed by anything but `--`, transport padding or
 * a line break is content (a longer string that starts with the boundary) and is skipped.
 */
function findDelimiter(buf: Buffer, boundary: string, from: number): Delimiter | undefined {
  const dashBoundary = Buffer.from(`--${boundary}`, 'utf8');
  const needle = Buffer.from(`\n--${boundary}`, 'utf8');
  let search = from;
  for (;;) {
    let lineStart: number;
    let bodyEnd: number;
    if (search === 0 && buf.subarray(0, dashBoundary.length).equals(dashBoundary)) {
      // The body opens with the first delimiter (no preamble, no line break before it).
      lineStart = 0;
      bodyEnd = 0;
    } else {
      const idx = buf.indexOf(needle, search);
      if (idx < 0) {
        return undefined;
      }
      lineStart = idx + 1;
      bodyEnd = idx > from && buf[idx - 1] === CR ? idx - 1 : idx;
    }
    let i = lineStart + dashBoundary.length;
    if (buf[i] === DASH && buf[i + 1] === DASH) {
      return { bodyEnd, next: -1 };
    }
    while (buf[i] === SP || buf[i] === HTAB) {
      i++;
    }
    if (buf[i] === CR && buf[i + 1] === LF) {
      return { bodyEnd, next: i + 2 };
    }
    if (buf[i] === LF) {
      return { bodyEnd, next: i + 1 };
    }
    if (i >= buf.length) {
      // `--boundary` at the very end: the message was cut off before its close delimiter.
      return undefined;
    }
    search = lineStart + 1;
  }
}

function parsePart(buf: Buffer, start: number, end: number, index: number): MimePart {
  const headers: Record<string, string> = {};
  let lastName: string | undefined;
  let pos = start;
  for (;;) {
    const nl = buf.indexOf(LF, pos);
    if (nl < 0 || nl >= end) {
      throw mtomError(`MIME part ${index + 1} has no blank line between its headers and its body.`);
    }
    const lineEnd = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
    const line = buf.toString('utf8', pos, lineEnd);
    pos = nl + 1;
    if (line === '') {
      break;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && lastName !== undefined) {
      // A folded header line continues the previous header.
      headers[lastName] = `${headers[lastName] ?? ''} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      throw mtomError(`MIME part ${index + 1} has a header line without a name: ${JSON.stringify(line.slice(0, 80))}.`);
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name] ?? ''}, ${value}` : value;
    lastName = name;
  }
  const contentId = headers['content-id'];
  const contentType = headers['content-type'];
  return {
    headers,
    ...(contentId !== undefined ? { contentId: stripAngles(contentId) } : {}),
    ...(contentType !== undefined ? { contentType } : {}),
    body: buf.subarray(pos, end),
  };
}

/**
 * Splits a multipart/related body into its parts. Part bodies are views into `body`, never
 * copies. A preamble before the first delimiter and an epilogue after the close delimiter are
 * ignored; parts are returned as sent (no Content-Transfer-Encoding is undone, MTOM uses binary).
 */
export function parseMultipartRelated(body: Uint8Array, contentTypeHeader: string): MultipartRelated {
  const { mediaType, params } = parseContentType(contentTypeHeader);
  if (!mediaType.startsWith('multipart/')) {
    throw mtomError(`The content type is ${JSON.stringify(mediaType)}, not multipart.`);
  }
  const boundary = params['boundary'];
  if (!boundary) {
    throw mtomError('The multipart content type has no boundary parameter.');
  }
  const buf = asBuffer(body);
  const first = findDelimiter(buf, boundary, 0);
  if (!first) {
    throw mtomError(`The body has no delimiter line for the boundary ${JSON.stringify(boundary)}.`);
  }
  const parts: MimePart[] = [];
  let next = first.next;
  while (next >= 0) {
    const delimiter = findDelimiter(buf, boundary, next);
    if (!delimiter) {
      throw mtomError(`The body has no closing delimiter --${boundary}-- (truncated message?).`);
    }
    parts.push(parsePart(buf, next, delimiter.bodyEnd, parts.length));
    next = delimiter.next;
  }
  const [firstPart] = parts;
  if (!firstPart) {
    throw mtomError('The multipart body has no parts.');
  }
  const start = params['start'];
  if (start !== undefined && start.trim() !== '') {
    const startId = stripAngles(start);
    const root = parts.find((p) => p.contentId === startId);
    if (!root) {
      throw mtomError(`The start parameter names <${startId}>, but no part has that Content-ID.`);
    }
    return { parts, root };
  }
  return { parts, root: firstPart };
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The part an `xop:Include` href points at. The href is the percent-encoded `cid:` URL of the
 * Content-ID; some stacks also (wrongly) percent-encode the Content-ID header itself, so both
 * sides are compared decoded.
 */
export function findAttachment(parts: readonly MimePart[], href: string): MimePart | undefined {
  let id = href.trim();
  if (/^cid:/i.test(id)) {
    id = id.slice(4);
  }
  id = stripAngles(percentDecode(id));
  return (
    parts.find((p) => p.contentId === id) ??
    parts.find((p) => p.contentId !== undefined && stripAngles(percentDecode(p.contentId)) === id)
  );
}
