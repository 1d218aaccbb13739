import { describe, expect, it } from '@jest/globals';
import { isKihError } from '../../src/core/kih-error.js';
import {
  buildMtomMessage,
  cidUrl,
  findAttachment,
  newContentId,
  parseContentType,
  parseMultipartRelated,
} from '../../src/xds/mtom.js';
import type { MimePart } from '../../src/xds/mtom.js';

const SOAP = '<s:Envelope xmlns:s="urn:example:soap"><s:Body>æøå</s:Body></s:Envelope>';

/** Binary content that looks like framing: CRLFs, `--`, a fake delimiter and a NUL. */
function trickyBytes(): Uint8Array {
  return new Uint8Array([
    ...Buffer.from('\r\n--\r\n----MIMEBoundary_ not really\r\n\r\n', 'latin1'),
    0,
    0xff,
    0xfe,
    ...Buffer.from('--\r\n', 'latin1'),
  ]);
}

function concat(chunks: readonly Uint8Array[]): Buffer {
  return Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}

function mtomCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isKihError(err) ? `${err.code}: ${err.message}` : String(err);
  }
  return undefined;
}

describe('buildMtomMessage and parseMultipartRelated', () => {
  for (const soapVersion of ['1.1', '1.2'] as const) {
    it(`round-trips a SOAP ${soapVersion} message with a binary attachment`, () => {
      const doc = trickyBytes();
      const docId = newContentId('doc1');
      const msg = buildMtomMessage({
        soapXml: SOAP,
        soapVersion,
        attachments: [{ contentId: docId, contentType: 'text/xml', body: doc }],
        action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
      });
      // The document is handed on as the very object, not a copy.
      expect(msg.chunks).toContain(doc);
      expect(msg.chunks.filter((c) => c === doc)).toHaveLength(1);
      const bytes = concat(msg.chunks);
      expect(msg.length).toBe(bytes.length);

      const ct = parseContentType(msg.contentType);
      const soapType = soapVersion === '1.1' ? 'text/xml' : 'application/soap+xml';
      expect(ct.mediaType).toBe('multipart/related');
      expect(ct.params['type']).toBe('application/xop+xml');
      expect(ct.params['start']).toBe(`<${msg.rootContentId}>`);
      expect(ct.params['start-info']).toBe(soapType);
      expect(ct.params['boundary']).toMatch(/^MIMEBoundary_[0-9a-f]+$/);
      if (soapVersion === '1.2') {
        expect(ct.params['action']).toBe('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b');
      } else {
        expect(ct.params).not.toHaveProperty('action');
      }

      const parsed = parseMultipartRelated(bytes, msg.contentType);
      expect(parsed.parts).toHaveLength(2);
      expect(parsed.root).toBe(parsed.parts[0]);
      expect(parsed.root.contentId).toBe(msg.rootContentId);
      expect(parsed.root.headers).toEqual({
        'content-type': `application/xop+xml; charset=UTF-8; type="${soapType}"`,
        'content-transfer-encoding': 'binary',
        'content-id': `<${msg.rootContentId}>`,
      });
      expect(Buffer.from(parsed.root.body).toString('utf8')).toBe(SOAP);
      const att = parsed.parts[1]!;
      expect(att.contentId).toBe(docId);
      expect(att.contentType).toBe('text/xml');
      expect(Buffer.from(att.body).equals(Buffer.from(doc))).toBe(true);
    });
  }

  it('frames the message exactly, with CRLF line ends', () => {
    const msg = buildMtomMessage({
      soapXml: Buffer.from('<x/>'),
      soapVersion: '1.2',
      attachments: [{ contentId: 'd@h', contentType: 'application/octet-stream', body: new Uint8Array([1, 2]) }],
      boundary: 'B0',
      rootContentId: 'r@h',
    });
    expect(msg.contentType).toBe(
      'multipart/related; type="application/xop+xml"; boundary="B0"; start="<r@h>"; start-info="application/soap+xml"'
    );
    expect(concat(msg.chunks).toString('latin1')).toBe(
      '--B0\r\n' +
        'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\n' +
        'Content-Transfer-Encoding: binary\r\n' +
        'Content-ID: <r@h>\r\n\r\n' +
        '<x/>\r\n--B0\r\n' +
        'Content-Type: application/octet-stream\r\n' +
        'Content-Transfer-Encoding: binary\r\n' +
        'Content-ID: <d@h>\r\n\r\n' +
        '\x01\x02\r\n--B0--\r\n'
    );
  });

  it('refuses a fixed boundary that occurs inside a part, and header injection', () => {
    const body = Buffer.from('text with B0 inside');
    expect(
      mtomCode(() =>
        buildMtomMessage({
          soapXml: '<x/>',
          soapVersion: '1.1',
          attachments: [{ contentId: 'a@h', contentType: 'text/xml', body }],
          boundary: 'B0',
        })
      )
    ).toMatch(/^XDS_ERR_MTOM: .*occurs inside a part/);
    expect(
      mtomCode(() =>
        buildMtomMessage({
          soapXml: '<x/>',
          soapVersion: '1.1',
          attachments: [{ contentId: 'a@h\r\nX-Evil: 1', contentType: 'text/xml', body }],
        })
      )
    ).toMatch(/^XDS_ERR_MTOM: Not a usable Content-ID/);
    expect(
      mtomCode(() =>
        buildMtomMessage({
          soapXml: '<x/>',
          soapVersion: '1.1',
          attachments: [
            { contentId: 'a@h', contentType: 'text/xml', body },
            { contentId: '<a@h>', contentType: 'text/xml', body },
          ],
        })
      )
    ).toMatch(/^XDS_ERR_MTOM: .*more than one part/);
    expect(
      mtomCode(() =>
        buildMtomMessage({
          soapXml: '<x/>',
          soapVersion: '1.1',
          attachments: [{ contentId: 'a@h', contentType: 'text/xml\r\nX-Evil: 1', body }],
        })
      )
    ).toMatch(/^XDS_ERR_MTOM: .*line breaks/);
    expect(
      mtomCode(() => buildMtomMessage({ soapXml: '<x/>', soapVersion: '1.2', attachments: [], boundary: 'has space' }))
    ).toMatch(/^XDS_ERR_MTOM: .*RFC 2046/);
  });

  it('round-trips a 20 MB document, and the parsed part is a view of the message', () => {
    const doc = new Uint8Array(20 * 1024 * 1024);
    for (let i = 0; i < doc.length; i += 4096) {
      doc[i] = i % 251;
    }
    doc.set(Buffer.from('\r\n--'), 1000);
    const msg = buildMtomMessage({
      soapXml: SOAP,
      soapVersion: '1.2',
      attachments: [{ contentId: 'big@kih-certify.local', contentType: 'application/octet-stream', body: doc }],
    });
    expect(msg.chunks[3]).toBe(doc);
    const bytes = concat(msg.chunks);
    const parsed = parseMultipartRelated(bytes, msg.contentType);
    const part = findAttachment(parsed.parts, 'cid:big@kih-certify.local')!;
    expect(part.body.buffer).toBe(bytes.buffer);
    expect(part.body.byteLength).toBe(doc.byteLength);
    expect(Buffer.from(part.body.buffer, part.body.byteOffset, part.body.byteLength).equals(doc)).toBe(true);
  });
});

describe('parseMultipartRelated on what servers send', () => {
  const CT = 'multipart/related; boundary=uuid:1b2c; type="application/xop+xml"; start="<root@x>"';

  it('accepts a preamble, bare LF part headers, transport padding and an epilogue', () => {
    const body = Buffer.from(
      'This is a preamble.\r\n' +
        '--uuid:1b2c  \t\r\n' +
        'Content-Type: application/xop+xml;\n  type="text/xml"\n' +
        'Content-ID: <other@x>\n' +
        '\n' +
        'first\r\n' +
        '--uuid:1b2c\n' +
        'content-id:   <root@x>\n' +
        'X-Repeated: a\n' +
        'X-Repeated: b\n' +
        '\n' +
        '<root/>\n' +
        '--uuid:1b2c--\r\n' +
        'epilogue --uuid:1b2c\r\n',
      'latin1'
    );
    const parsed = parseMultipartRelated(body, CT);
    expect(parsed.parts.map((p) => [p.contentId, Buffer.from(p.body).toString()])).toEqual([
      ['other@x', 'first'],
      ['root@x', '<root/>'],
    ]);
    expect(parsed.parts[0]!.contentType).toBe('application/xop+xml; type="text/xml"');
    expect(parsed.parts[1]!.headers['x-repeated']).toBe('a, b');
    expect(parsed.root).toBe(parsed.parts[1]);
  });

  it('skips content lines that only start with the boundary', () => {
    const body = Buffer.from(
      '--uuid:1b2c\r\nContent-ID: <root@x>\r\n\r\nline\r\n--uuid:1b2cX is content\r\n--uuid:1b2c--',
      'latin1'
    );
    expect(Buffer.from(parseMultipartRelated(body, CT).root.body).toString()).toBe('line\r\n--uuid:1b2cX is content');
  });

  it('takes the first part as root when there is no start parameter', () => {
    const body = Buffer.from('--b\r\nContent-ID: <one>\r\n\r\n1\r\n--b\r\nContent-ID: <two>\r\n\r\n2\r\n--b--\r\n');
    const parsed = parseMultipartRelated(body, 'multipart/related; boundary=b');
    expect(parsed.root.contentId).toBe('one');
    expect(parsed.parts[1]!.contentId).toBe('two');
  });

  it.each([
    ['no boundary parameter', 'multipart/related; type="application/xop+xml"', '--b\r\n\r\nx\r\n--b--', /no boundary/],
    ['not multipart', 'text/xml; boundary=b', '--b\r\n\r\nx\r\n--b--', /not multipart/],
    ['no delimiter at all', 'multipart/related; boundary=b', '<Envelope/>', /no delimiter line/],
    [
      'no closing delimiter',
      'multipart/related; boundary=b',
      '--b\r\nContent-ID: <a>\r\n\r\nx',
      /no closing delimiter/,
    ],
    [
      'cut off after a delimiter',
      'multipart/related; boundary=b',
      '--b\r\nContent-ID: <a>\r\n\r\nx\r\n--b',
      /no closing/,
    ],
    [
      'no blank line after the headers',
      'multipart/related; boundary=b',
      '--b\r\nContent-ID: <a>\r\n--b--',
      /no blank line/,
    ],
    ['start names a missing part', 'multipart/related; boundary=b; start="<zz>"', '--b\r\n\r\nx\r\n--b--', /<zz>/],
    ['no parts', 'multipart/related; boundary=b', '--b--\r\n', /no parts/],
  ])('refuses %s', (_name, contentType, body, message) => {
    expect(mtomCode(() => parseMultipartRelated(Buffer.from(body), contentType))).toMatch(
      new RegExp(`^XDS_ERR_MTOM: .*${message.source}`)
    );
  });
});

describe('parseContentType', () => {
  it('reads quoted strings, escapes and case-insensitive names', () => {
    expect(
      parseContentType(
        'Multipart/Related; BOUNDARY="MIME_b;1"; Type="application/xop+xml"; start="<r@x>"; start-info="application/soap+xml; action=\\"urn:a\\""; charset=utf-8'
      )
    ).toEqual({
      mediaType: 'multipart/related',
      params: {
        boundary: 'MIME_b;1',
        type: 'application/xop+xml',
        start: '<r@x>',
        'start-info': 'application/soap+xml; action="urn:a"',
        charset: 'utf-8',
      },
    });
  });

  it('tolerates a nested start-info whose inner quotes are not escaped', () => {
    const { params } = parseContentType(
      'multipart/related; start-info="application/soap+xml; action="urn:ihe:iti:2007:X"";boundary=abc'
    );
    expect(params).toEqual({ 'start-info': 'application/soap+xml; action="urn:ihe:iti:2007:X"', boundary: 'abc' });
  });

  it('keeps the first of repeated parameters and skips ones without a value', () => {
    expect(parseContentType('text/xml; flag; a=1; A=2')).toEqual({ mediaType: 'text/xml', params: { a: '1' } });
    expect(parseContentType('  text/XML  ')).toEqual({ mediaType: 'text/xml', params: {} });
  });
});

describe('Content-IDs and cid: URLs', () => {
  it('makes ids whose cid: URL needs no encoding', () => {
    const id = newContentId('Dokument 1/æ');
    expect(id).toMatch(/^Dokument-1\.[0-9a-f]{32}@kih-certify\.local$/);
    expect(cidUrl(id)).toBe(`cid:${id}`);
    expect(newContentId('x')).not.toBe(newContentId('x'));
  });

  it('percent-encodes other ids and drops angle brackets', () => {
    expect(cidUrl('<1.doc@urn:ihe:iti:xds-b:2007>')).toBe('cid:1.doc@urn%3Aihe%3Aiti%3Axds-b%3A2007');
    expect(cidUrl('a b/æ')).toBe('cid:a%20b%2F%C3%A6');
  });

  it('finds attachments by percent-encoded href, with or without brackets on either side', () => {
    const part = (contentId: string): MimePart => ({ headers: {}, contentId, body: new Uint8Array() });
    const parts = [part('root@x'), part('1.doc@urn:ihe:iti:xds-b:2007'), part('2.doc%40host')];
    expect(findAttachment(parts, 'cid:1.doc@urn%3Aihe%3Aiti%3Axds-b%3A2007')).toBe(parts[1]);
    expect(findAttachment(parts, 'CID:%3C1.doc%40urn%3Aihe%3Aiti%3Axds-b%3A2007%3E')).toBe(parts[1]);
    expect(findAttachment(parts, ' cid:2.doc%40host ')).toBe(parts[2]);
    expect(findAttachment(parts, 'cid:root@x')).toBe(parts[0]);
    expect(findAttachment(parts, 'cid:missing@x')).toBeUndefined();
    expect(findAttachment(parts, 'cid:%E0%A4%A')).toBeUndefined();
  });
});
