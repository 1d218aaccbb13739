import { describe, expect, it } from '@jest/globals';
import { isKihError } from '../../src/core/kih-error.js';
import { parseHttpMessage, renderHttpRequest } from '../../src/xds/http-message.js';

function concat(chunks: readonly Uint8Array[]): Buffer {
  return Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
}

function httpError(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isKihError(err) ? `${err.code}: ${err.message}` : String(err);
  }
  return undefined;
}

describe('renderHttpRequest', () => {
  it('writes the head in front of the unchanged chunks', () => {
    const doc = new Uint8Array([0, 13, 10, 255]);
    const head = Buffer.from('--b\r\n');
    const out = renderHttpRequest({
      method: 'POST',
      url: 'https://kih.test.example:8443/repository/iti41?x=1&y=%20',
      headers: {
        'Content-Type': 'multipart/related; boundary="b"',
        SOAPAction: '"urn:a"',
        host: 'ignored',
        'content-length': '1',
      },
      chunks: [head, doc],
    });
    expect(out).toHaveLength(3);
    expect(out[1]).toBe(head);
    expect(out[2]).toBe(doc);
    expect(Buffer.from(out[0]!).toString('latin1')).toBe(
      'POST /repository/iti41?x=1&y=%20 HTTP/1.1\r\n' +
        'Host: kih.test.example:8443\r\n' +
        'Content-Type: multipart/related; boundary="b"\r\n' +
        'SOAPAction: "urn:a"\r\n' +
        'Content-Length: 9\r\n\r\n'
    );
  });

  it('uses / for an empty path and leaves the default port out of Host', () => {
    const out = renderHttpRequest({ method: 'GET', url: 'http://example.org', headers: {}, chunks: [] });
    expect(Buffer.from(out[0]!).toString()).toBe('GET / HTTP/1.1\r\nHost: example.org\r\nContent-Length: 0\r\n\r\n');
  });

  it('refuses header injection, bad methods and other schemes', () => {
    const base = { method: 'POST', url: 'http://h/', headers: {}, chunks: [] };
    expect(httpError(() => renderHttpRequest({ ...base, headers: { 'X-A': 'v\r\nX-B: w' } }))).toMatch(
      /^XDS_ERR_HTTP: /
    );
    expect(httpError(() => renderHttpRequest({ ...base, headers: { 'X A': 'v' } }))).toMatch(/^XDS_ERR_HTTP: /);
    expect(httpError(() => renderHttpRequest({ ...base, method: 'PO ST' }))).toMatch(/^XDS_ERR_HTTP: /);
    expect(httpError(() => renderHttpRequest({ ...base, url: 'ftp://h/' }))).toMatch(/^XDS_ERR_HTTP: Not an HTTP URL/);
  });
});

describe('parseHttpMessage', () => {
  it('reads back a rendered request, body as a view', () => {
    const bytes = concat(
      renderHttpRequest({
        method: 'POST',
        url: 'http://h:8080/p?q',
        headers: { 'X-Twice': 'a' },
        chunks: [Buffer.from('hello\r\n\r\nworld')],
      })
    );
    const msg = parseHttpMessage(bytes);
    expect(msg).toMatchObject({
      startLine: 'POST /p?q HTTP/1.1',
      method: 'POST',
      target: '/p?q',
      version: 'HTTP/1.1',
      headers: { host: 'h:8080', 'x-twice': 'a', 'content-length': '14' },
    });
    expect(Buffer.from(msg.body).toString()).toBe('hello\r\n\r\nworld');
    expect(msg.body.buffer).toBe(bytes.buffer);
  });

  it('reads a response with repeated headers, Content-Length shorter than the bytes, and bare LF', () => {
    const msg = parseHttpMessage(
      Buffer.from('HTTP/1.1 500 Server Error\nSet-Cookie: a\nset-cookie: b\nContent-Length: 3\n\nabcdef')
    );
    expect(msg).toMatchObject({ status: 500, reason: 'Server Error', headers: { 'set-cookie': 'a, b' } });
    expect(msg.method).toBeUndefined();
    expect(Buffer.from(msg.body).toString()).toBe('abc');
  });

  it('reads a body to the end without Content-Length, and undoes chunked coding', () => {
    expect(Buffer.from(parseHttpMessage(Buffer.from('HTTP/1.0 200 OK\r\n\r\nrest')).body).toString()).toBe('rest');
    const chunked = parseHttpMessage(
      Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n')
    );
    expect(Buffer.from(chunked.body).toString()).toBe('hello, world');
    expect(parseHttpMessage(Buffer.from('HTTP/1.1 204\r\n\r\n'))).toMatchObject({ status: 204, reason: '' });
  });

  it.each([
    ['no blank line', 'HTTP/1.1 200 OK\r\nA: b\r\n', /no blank line/],
    ['a bad start line', 'HELLO\r\n\r\n', /Not an HTTP request or status line/],
    ['a bad header line', 'HTTP/1.1 200 OK\r\nnocolon\r\n\r\n', /Not an HTTP header line/],
    ['a Content-Length beyond the bytes', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', /Content-Length 10/],
    ['a truncated chunked body', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', /chunk/],
  ])('refuses %s', (_name, text, message) => {
    expect(httpError(() => parseHttpMessage(Buffer.from(text)))).toMatch(
      new RegExp(`^XDS_ERR_HTTP: .*${message.source}`)
    );
  });
});
