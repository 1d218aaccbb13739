// A small real HTTP server on 127.0.0.1 for tests: the whole request body is read before the handler runs.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type BodyHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface TestServer {
  readonly base: string;
  close(): Promise<void>;
}

/** Starts a server on an ephemeral loopback port; `handle` is called anew per request, so tests may swap it. */
export async function startTestServer(handle: () => BodyHandler): Promise<TestServer> {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      parts.push(c);
    });
    req.on('end', () => {
      handle()(req, res, Buffer.concat(parts));
    });
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
