// A small plain HTTP listener for operators: /healthz, /readyz and /metrics of a worker (or of `kih serve` on a port of its own).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KihError } from '../core/kih-error.js';
import type { Logger } from '../core/log.js';
import type { ServiceMetrics } from '../queue/metrics.js';
import type { ReadinessProbe } from '../queue/readiness.js';

export interface HealthServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly readiness: ReadinessProbe;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
}

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * No authentication: bind it to an internal address (default 127.0.0.1) that only the
 * orchestrator and Prometheus reach. It answers only these three paths, with no document data.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const log = options.log.child({ component: 'health' });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const answer = async (): Promise<void> => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(405, 'text/plain', 'GET only\n');
      } else if (path === '/healthz') {
        send(200, 'application/json', JSON.stringify({ ok: true }));
      } else if (path === '/readyz') {
        const readiness = await options.readiness.check();
        send(readiness.ready ? 200 : 503, 'application/json', JSON.stringify(readiness));
      } else if (path === '/metrics') {
        send(200, options.metrics.registry.contentType, await options.metrics.registry.metrics());
      } else {
        send(404, 'text/plain', 'Not found: /healthz, /readyz, /metrics\n');
      }
    };
    answer().catch((err: unknown) => {
      log.error({ err, path }, 'health request failed');
      if (!res.headersSent) {
        send(500, 'text/plain', 'internal error\n');
      } else {
        res.destroy();
      }
    });
  });
  server.on('clientError', (err, socket) => {
    log.debug({ err }, 'malformed request on the health port');
    socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw new KihError(
      'CONFIG_ERR_INVALID',
      `The health port cannot listen on ${options.host}:${options.port}: ${err instanceof Error ? err.message : String(err)}`,
      { path: 'KIH_HEALTH_PORT', cause: err }
    );
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err) {
            reject(err);
          } else {
            resolve();
          }
        });
        server.closeAllConnections();
      }),
  };
}
