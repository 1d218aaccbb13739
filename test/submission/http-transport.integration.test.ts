// The undici transport against a real HTTP server on 127.0.0.1: bytes as sent, and each kind of failure sorted by whether the request may have arrived.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTransport } from '../../src/submission/http-transport.js';
import { startTestServer } from '../helpers/http-server.js';
import type { TestServer } from '../helpers/http-server.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let handler: Handler = (_req, res) => {
  res.end('ok');
};
let server: TestServer;
let base = '';

beforeAll(async () => {
  server = await startTestServer(() => handler);
  base = server.base;
});

afterAll(async () => {
  await server.close();
});

describe('createTransport', () => {
  it('sends the chunks in order with their length, and returns status, headers and body', async () => {
    let received: { body: Buffer; length?: string; type?: string } | undefined;
    handler = (req, res, body) => {
      received = { body, length: req.headers['content-length'], type: req.headers['content-type'] };
      res.setHeader('content-type', 'text/xml');
      res.end('<answer/>');
    };
    const transport = createTransport();
    const chunks = [Buffer.from('head-'), new Uint8Array(3 * 1024 * 1024).fill(0x61), Buffer.from('-tail')];
    const exchange = await transport.send({
      url: `${base}/iti41`,
      method: 'POST',
      headers: { 'content-type': 'multipart/related' },
      chunks,
    });
    await transport.close();
    expect(exchange.ok).toBe(true);
    if (!exchange.ok) {
      return;
    }
    expect(exchange.answer.status).toBe(200);
    expect(exchange.answer.headers['content-type']).toBe('text/xml');
    expect(Buffer.from(exchange.answer.body).toString()).toBe('<answer/>');
    expect(received?.length).toBe(String(5 + 3 * 1024 * 1024 + 5));
    expect(received?.type).toBe('multipart/related');
    expect(received?.body.equals(Buffer.concat(chunks))).toBe(true);
  });

  it('a refused connection: KIH_ERR_NETWORK, and the request cannot have arrived', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => {
      probe.listen(0, '127.0.0.1', resolve);
    });
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => {
      probe.close(() => {
        resolve();
      });
    });
    const transport = createTransport();
    const exchange = await transport.send({
      url: `http://127.0.0.1:${port}/x`,
      method: 'GET',
      headers: {},
      chunks: [],
    });
    await transport.close();
    expect(exchange).toMatchObject({ ok: false, failure: { code: 'KIH_ERR_NETWORK', mayHaveArrived: false } });
  });

  it('no answer headers in time: KIH_ERR_TIMEOUT, and the request may have arrived', async () => {
    handler = () => undefined; // never answers
    const transport = createTransport({ timeouts: { headersMs: 300 } });
    const exchange = await transport.send({
      url: `${base}/slow`,
      method: 'POST',
      headers: {},
      chunks: [Buffer.from('x')],
    });
    await transport.close();
    expect(exchange).toMatchObject({ ok: false, failure: { code: 'KIH_ERR_TIMEOUT', mayHaveArrived: true } });
  });

  it('a connection dropped after the request: KIH_ERR_NETWORK, and the request may have arrived', async () => {
    handler = (req) => {
      req.socket.destroy();
    };
    const transport = createTransport();
    const exchange = await transport.send({
      url: `${base}/drop`,
      method: 'POST',
      headers: {},
      chunks: [Buffer.from('x')],
    });
    await transport.close();
    expect(exchange).toMatchObject({ ok: false, failure: { code: 'KIH_ERR_NETWORK', mayHaveArrived: true } });
  });

  it('an answer larger than the limit is refused', async () => {
    handler = (_req, res) => {
      res.end(Buffer.alloc(64 * 1024, 0x20));
    };
    const transport = createTransport({ maxAnswerBytes: 1024 });
    const exchange = await transport.send({ url: `${base}/big`, method: 'GET', headers: {}, chunks: [] });
    await transport.close();
    expect(exchange).toMatchObject({ ok: false, failure: { code: 'KIH_ERR_NETWORK' } });
    if (!exchange.ok) {
      expect(exchange.failure.message).toMatch(/larger than 1024 bytes/);
    }
  });

  it('an unreadable TLS key file is a KIH_ERR_CREDENTIALS error when the transport is made', () => {
    expect(() => createTransport({ tls: { privateKeyFile: '/nonexistent/key.pem' } })).toThrow(/TLS private key file/);
  });
});
