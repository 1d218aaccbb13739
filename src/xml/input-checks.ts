// Checks on a document's raw bytes before any XML parser sees them: size, emptiness, UTF-8, DOCTYPE (through the guard).
import { DEFAULT_MAX_DOCUMENT_BYTES } from '../config/limits.js';
import type { ValidationIssue } from '../core/report.js';
import { findDoctype } from './guard.js';

export { DEFAULT_MAX_DOCUMENT_BYTES };

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

function issue(ruleId: string, message: string, line?: number, column?: number): ValidationIssue {
  return {
    ruleId,
    severity: 'error',
    stage: 'input',
    message,
    ...(line ? { line } : {}),
    ...(column ? { column } : {}),
  };
}

/** The guard's refusal as a document issue (also used by parseXml for bytes that skipped these checks). */
export function doctypeIssue(line: number): ValidationIssue {
  return issue(
    'CDA_ERR_DOCTYPE',
    'The document has a DOCTYPE declaration. CDA documents need none, and DTDs and entities are refused for safety.',
    line
  );
}

export function tooLargeIssue(size: number, maxBytes: number): ValidationIssue {
  return issue(
    'CDA_ERR_TOO_LARGE',
    `The document is ${size} bytes; the limit is ${maxBytes} bytes (raise it with --max-size if this is intended).`
  );
}

/** Line and column (1-based) of a byte offset, counting columns in bytes. */
function position(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Offset of the first byte that breaks UTF-8, or -1. Only called once the fast native check has failed. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) {
        return i;
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return i;
    }
    i += need + 1;
  }
  return -1;
}

function hasUtf16Or32Signature(bytes: Uint8Array): string | undefined {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xff && b1 === 0xfe) {
    return b2 === 0 && b3 === 0 ? 'UTF-32LE' : 'UTF-16LE';
  }
  if (b0 === 0xfe && b1 === 0xff) {
    return 'UTF-16BE';
  }
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) {
    return 'UTF-32BE';
  }
  // "<?" in UTF-16 without a byte order mark.
  if (b0 === 0x3c && b1 === 0 && b2 === 0x3f && b3 === 0) {
    return 'UTF-16LE';
  }
  if (b0 === 0 && b1 === 0x3c && b2 === 0 && b3 === 0x3f) {
    return 'UTF-16BE';
  }
  return undefined;
}

const XML_DECL = /^<\?xml\s[^>]*?encoding\s*=\s*(["'])([^"']*)\1/;

/**
 * All checks on raw bytes. Returns the decoded text (without BOM) when they pass, so callers
 * decode once; or the issues that stop the document here.
 */
export function checkInputBytes(
  bytes: Uint8Array,
  maxBytes: number = DEFAULT_MAX_DOCUMENT_BYTES
): { ok: true; text: string } | { ok: false; issues: ValidationIssue[] } {
  if (bytes.length === 0) {
    return { ok: false, issues: [issue('CDA_ERR_EMPTY', 'The file is empty.')] };
  }
  if (bytes.length > maxBytes) {
    return { ok: false, issues: [tooLargeIssue(bytes.length, maxBytes)] };
  }
  const wide = hasUtf16Or32Signature(bytes);
  if (wide) {
    return {
      ok: false,
      issues: [issue('CDA_ERR_ENCODING', `The document is encoded as ${wide}; DK profiles require UTF-8.`, 1, 1)],
    };
  }
  const body =
    bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2] ? bytes.subarray(3) : bytes;
  let text: string;
  try {
    text = fatalUtf8.decode(body);
  } catch {
    const offset = firstInvalidUtf8(body);
    const at = position(body, Math.max(offset, 0));
    const byte = body[offset] ?? 0;
    return {
      ok: false,
      issues: [
        issue(
          'CDA_ERR_ENCODING',
          `Byte 0x${byte.toString(16).padStart(2, '0')} at line ${at.line} is not valid UTF-8; DK profiles require UTF-8.`,
          at.line,
          at.column
        ),
      ],
    };
  }
  const declared = XML_DECL.exec(text.slice(0, 200))?.[2];
  if (declared !== undefined && declared.toUpperCase() !== 'UTF-8') {
    return {
      ok: false,
      issues: [
        issue('CDA_ERR_ENCODING', `The XML declaration names encoding "${declared}"; DK profiles require UTF-8.`, 1),
      ],
    };
  }
  const doctype = findDoctype(text);
  if (doctype) {
    return { ok: false, issues: [doctypeIssue(doctype.line)] };
  }
  return { ok: true, text };
}
