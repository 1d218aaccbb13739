// The one refusal of DTDs for every XML parser entry: a DOCTYPE in the prolog is found on the raw text or bytes before any parser runs.

/** Where a DOCTYPE declaration starts: 1-based line, and offset (characters of text, bytes of ASCII-compatible bytes). */
export interface DoctypeAt {
  readonly offset: number;
  readonly line: number;
}

/** The guard's words for a refusal; callers that keep their own message use only the position. */
export const DOCTYPE_REFUSED = 'a DOCTYPE or entity declaration is refused';

/** Thrown by refuseDoctype (and the adapters that call it); each caller reports it under its own code. */
export class XmlRefused extends Error {
  override readonly name = 'XmlRefused';
  constructor(readonly at: DoctypeAt) {
    super(DOCTYPE_REFUSED);
  }
}

/** The few reads the prolog scan needs, so text and bytes share one scan. */
interface Input {
  readonly length: number;
  isSpace(i: number): boolean;
  startsWith(s: string, i: number): boolean;
  indexOf(s: string, from: number): number;
  lineAt(offset: number): number;
}

function textInput(text: string): Input {
  return {
    length: text.length,
    isSpace: (i) => /\s/.test(text.charAt(i)),
    startsWith: (s, i) => text.startsWith(s, i),
    indexOf: (s, from) => text.indexOf(s, from),
    lineAt: (offset) => text.slice(0, offset).split('\n').length,
  };
}

/** Bytes in any ASCII-compatible encoding (UTF-8, ISO-8859-x): markup is ASCII, so it is matched byte for byte. */
function byteInput(bytes: Uint8Array): Input {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    length: buf.length,
    isSpace: (i) => buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0a || buf[i] === 0x0d,
    startsWith: (s, i) => buf.toString('latin1', i, i + s.length) === s,
    indexOf: (s, from) => buf.indexOf(s, from, 'latin1'),
    lineAt: (offset) => {
      let line = 1;
      for (let i = buf.indexOf(0x0a); i >= 0 && i < offset; i = buf.indexOf(0x0a, i + 1)) {
        line++;
      }
      return line;
    },
  };
}

/** UTF-16 bytes (by byte order mark, or "<?" without one), which libxml2 reads; their markup is not ASCII bytes. */
function utf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const [b0, b1, b2, b3] = bytes;
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0x3c && b1 === 0 && b2 === 0x3f && b3 === 0)) {
    return 'utf-16le';
  }
  if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0 && b1 === 0x3c && b2 === 0 && b3 === 0x3f)) {
    return 'utf-16be';
  }
  return undefined;
}

/**
 * Skips a byte order mark, the XML declaration, processing instructions, comments and white
 * space of the prolog and reports whether a DOCTYPE comes next. A DOCTYPE may stand only there,
 * and entities can be declared only inside one, so refusing it rules out entity expansion and
 * external fetches in every parser; scanning only the prolog keeps "<!DOCTYPE" inside text,
 * comments or CDATA of the body from tripping the check. Anything else out of place is left to
 * the parser, which refuses it as not well-formed.
 */
export function findDoctype(source: string | Uint8Array): DoctypeAt | undefined {
  let input: Input;
  let i: number;
  if (typeof source === 'string') {
    input = textInput(source);
    i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  } else {
    const wide = utf16(source);
    input = wide ? textInput(new TextDecoder(wide).decode(source)) : byteInput(source);
    i = !wide && source[0] === 0xef && source[1] === 0xbb && source[2] === 0xbf ? 3 : 0;
  }
  for (;;) {
    while (i < input.length && input.isSpace(i)) {
      i++;
    }
    const skipped = PROLOG_SKIPS.find(([open]) => input.startsWith(open, i));
    if (!skipped) {
      return input.startsWith('<!DOCTYPE', i) ? { offset: i, line: input.lineAt(i) } : undefined;
    }
    const [open, close] = skipped;
    const end = input.indexOf(close, i + open.length);
    if (end < 0) {
      return undefined;
    }
    i = end + close.length;
  }
}

/** What may stand before a DOCTYPE in a prolog: processing instructions (the XML declaration) and comments. */
const PROLOG_SKIPS: readonly (readonly [open: string, close: string])[] = [
  ['<?', '?>'],
  ['<!--', '-->'],
];

/** Throws XmlRefused when the input has a DOCTYPE; for callers that turn exceptions into their own error. */
export function refuseDoctype(source: string | Uint8Array): void {
  const at = findDoctype(source);
  if (at) {
    throw new XmlRefused(at);
  }
}
