import { describe, expect, it } from '@jest/globals';
import { checkInputBytes } from '../../src/xml/input-checks.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const DOC = '<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/>';

function ruleOf(bytes: Uint8Array, max?: number): string | undefined {
  const r = checkInputBytes(bytes, max);
  return r.ok ? undefined : r.issues[0]?.ruleId;
}

describe('checkInputBytes', () => {
  it('accepts UTF-8 with and without a byte order mark and returns the text without it', () => {
    const r1 = checkInputBytes(enc(DOC));
    expect(r1.ok && r1.text).toBe(DOC);
    const r2 = checkInputBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...enc('<a>æøå</a>')]));
    expect(r2.ok && r2.text).toBe('<a>æøå</a>');
  });
  it('refuses an empty file', () => {
    expect(ruleOf(new Uint8Array())).toBe('CDA_ERR_EMPTY');
  });
  it('refuses documents over the limit', () => {
    expect(ruleOf(enc(DOC), 10)).toBe('CDA_ERR_TOO_LARGE');
    expect(ruleOf(enc(DOC), DOC.length)).toBeUndefined();
  });
  it('refuses UTF-16 with and without BOM, and UTF-32', () => {
    expect(ruleOf(new Uint8Array([0xff, 0xfe, 0x3c, 0x00]))).toBe('CDA_ERR_ENCODING');
    expect(ruleOf(new Uint8Array([0xfe, 0xff, 0x00, 0x3c]))).toBe('CDA_ERR_ENCODING');
    expect(ruleOf(new Uint8Array([0x3c, 0x00, 0x3f, 0x00, 0x78, 0x00]))).toBe('CDA_ERR_ENCODING');
    expect(ruleOf(new Uint8Array([0xff, 0xfe, 0x00, 0x00, 0x3c, 0, 0, 0]))).toBe('CDA_ERR_ENCODING');
  });
  it('refuses Latin-1 bytes and says on which line', () => {
    const bytes = new Uint8Array([...enc('<a>\n<b>'), 0xe6, ...enc('</b></a>')]);
    const r = checkInputBytes(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues[0]).toMatchObject({ ruleId: 'CDA_ERR_ENCODING', line: 2, column: 4 });
      expect(r.issues[0]?.message).toContain('0xe6');
    }
  });
  it('refuses overlong encodings and surrogates, which TextDecoder also rejects', () => {
    expect(ruleOf(new Uint8Array([0x3c, 0xc0, 0xaf]))).toBe('CDA_ERR_ENCODING');
    expect(ruleOf(new Uint8Array([0x3c, 0xed, 0xa0, 0x80]))).toBe('CDA_ERR_ENCODING');
  });
  it('refuses a declaration of another encoding even when the bytes are ASCII', () => {
    expect(ruleOf(enc('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'))).toBe('CDA_ERR_ENCODING');
    expect(ruleOf(enc("<?xml version='1.0' encoding='utf-8'?><a/>"))).toBeUndefined();
  });
  it('refuses a DOCTYPE after declaration, comments and processing instructions', () => {
    const xxe =
      '<?xml version="1.0"?>\n<!-- c -->\n<?pi x?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>';
    const r = checkInputBytes(enc(xxe));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues[0]).toMatchObject({ ruleId: 'CDA_ERR_DOCTYPE', line: 4 });
    }
  });
  it('does not mistake the text "<!DOCTYPE" inside the body for a declaration', () => {
    expect(ruleOf(enc('<a><![CDATA[<!DOCTYPE x>]]><!-- <!DOCTYPE y> --></a>'))).toBeUndefined();
  });
});
