// The KIH-like repository simulator: an ITI-41 endpoint on a loopback address, its STS mount, query and scenario API, started in-process.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KihError } from '../core/kih-error.js';
import type { IdCardVerifier } from './dgws-check.js';
import { jsonReply, readBody, send, textReply } from './http-reply.js';
import type { HttpReply } from './http-reply.js';
import { handleIti41 } from './iti41-handler.js';
import type { CdaValidation } from './iti41-handler.js';
import { handleIti18, handleIti43 } from './registry-handler.js';
import type { RegistryContext } from './registry-handler.js';
import { checkScenario, ScenarioQueue } from './scenarios.js';
import type { Scenario } from './scenarios.js';
import { InFlight } from './in-flight.js';
import { PATHS, simulatorUrls } from '../config/simulator-paths.js';
import { DocumentStore } from './store.js';
import type { StoredEntry } from './store.js';

export interface StsHandler {
  handle(body: Uint8Array): { status: number; contentType: string; body: string };
}

export interface SimulatorOptions {
  /** Default 127.0.0.1; anything that is not a loopback address is refused. */
  host?: string;
  /** Default 0 (an ephemeral port); the CLI passes 8041. */
  port?: number;
  /** The simulator's own durable store (created when missing). */
  storeDir: string;
  /** Default '1.2.208.176.43210.8.1.99'. */
  repositoryUniqueId?: string;
  /**
   * Default true: SOAP 1.1 requests must carry wsse:Security with a saml:Assertion and a
   * medcom:Header, and SOAP 1.2 is refused. False: plain IHE (either SOAP version, DGWS optional).
   */
  requireDgws?: boolean;
  /** Checks the ID card in wsse:Security; absent: only its presence is checked. */
  verifyIdCard?: IdCardVerifier;
  /** Mounted at POST /sts/services/NewSecurityTokenService when given. */
  sts?: StsHandler;
  /** CDA validation (the project's validator); absent: documents are not validated. */
  validateDocument?: (bytes: Uint8Array) => Promise<CdaValidation>;
  /** Default KIH's allow-list: 53576-5 (PHMR), 74465-6 (QRD), 74468-0 (QFDD). */
  allowedTypeCodes?: string[];
  now?: () => Date;
}

export interface SimulatorStats {
  /** ITI-41 requests received since start. */
  readonly requests: number;
  /** DocumentEntries stored since start. */
  readonly stored: number;
  /** ITI-41 requests not answered with Success (refused, faulted, or dropped by a scenario). */
  readonly rejected: number;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly iti41Url: string;
  readonly stsUrl: string;
  readonly queryUrl: string;
  /** ITI-18 Registry Stored Query and ITI-43 Retrieve Document Set. */
  readonly registryUrl: string;
  readonly retrieveUrl: string;
  /** Every stored entry with that uniqueId, oldest first. */
  lookup(uniqueId: string): StoredEntry[];
  entries(): StoredEntry[];
  /** Queues a one-shot scenario for the next matching requests. */
  pushScenario(s: Scenario): void;
  clearScenarios(): void;
  readonly stats: SimulatorStats;
  /** Stops accepting, waits for requests in flight (bounded), then closes the store. */
  close(): Promise<void>;
}

/** A query waits this long at most for a request of its uniqueId that is still being processed. */
const QUERY_MAX_WAIT_MS = 30_000;

export const DEFAULT_REPOSITORY_UNIQUE_ID = '1.2.208.176.43210.8.1.99';
export const DEFAULT_ALLOWED_TYPE_CODES: readonly string[] = ['53576-5', '74465-6', '74468-0'];

/** How long close() waits for requests in flight before cutting their connections. */
export const CLOSE_GRACE_MS = 5_000;
const MAX_SMALL_BODY_BYTES = 1024 * 1024;

function simulatorError(message: string, cause?: unknown): KihError {
  return new KihError('KIH_ERR_SIMULATOR', message, cause === undefined ? undefined : { cause });
}

/** Loopback only: the simulator has no authentication of its own and must not be reachable from elsewhere. */
export function loopbackHost(host: string): string {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') {
    return '127.0.0.1';
  }
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  if (isIP(v4) === 4 && v4.startsWith('127.')) {
    return h;
  }
  if (isIP(h) === 6 && /^(0{0,4}:){1,7}0{0,3}1$|^::1$/.test(h)) {
    return h;
  }
  throw simulatorError(`The simulator listens on loopback addresses only (127.0.0.0/8, ::1); refusing "${host}".`);
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        simulatorError(
          err.code === 'EADDRINUSE'
            ? `Port ${port} on ${host} is already in use.`
            : `The simulator cannot listen on ${host}:${port}: ${err.message}`,
          err
        )
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Starts the simulator; a taken port or an unusable store is KIH_ERR_SIMULATOR. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const host = loopbackHost(options.host ?? '127.0.0.1');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw simulatorError(`Not a TCP port: ${String(port)}.`);
  }
  const now = options.now ?? (() => new Date());
  const repositoryUniqueId = options.repositoryUniqueId ?? DEFAULT_REPOSITORY_UNIQUE_ID;
  const store = await DocumentStore.open(options.storeDir, now);
  const scenarios = new ScenarioQueue();
  const stats = { requests: 0, stored: 0, rejected: 0 };
  const storing = new InFlight();
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const ctx: RegistryContext = {
    repositoryUniqueId,
    registeredFrom: new Map(),
    store,
    scenarios,
    requireDgws: options.requireDgws ?? true,
    ...(options.verifyIdCard ? { verifyIdCard: options.verifyIdCard } : {}),
    ...(options.validateDocument ? { validateDocument: options.validateDocument } : {}),
    allowedTypeCodes: options.allowedTypeCodes ?? DEFAULT_ALLOWED_TYPE_CODES,
    now,
    signal: closing.signal,
    stats,
    inFlight: storing,
  };

  const queryAnswer = async (url: URL): Promise<HttpReply> => {
    const uniqueId = url.searchParams.get('uniqueId');
    if (uniqueId === null || uniqueId === '') {
      return jsonReply(400, { error: 'The uniqueId query parameter is required.' });
    }
    // A request for this uniqueId still being processed decides first (see in-flight.ts).
    await storing.settled(uniqueId, QUERY_MAX_WAIT_MS);
    const found = store.lookup(uniqueId);
    return jsonReply(200, {
      uniqueId,
      stored: found.length > 0,
      entries: found.map((e) => ({ hash: e.hash, size: e.size, storedAt: e.storedAt, entryUUID: e.entryUUID })),
    });
  };

  const scenarioApi = async (req: IncomingMessage): Promise<HttpReply> => {
    if (req.method === 'GET') {
      return jsonReply(200, { scenarios: scenarios.list() });
    }
    if (req.method === 'DELETE') {
      return jsonReply(200, { cleared: scenarios.clear() });
    }
    if (req.method !== 'POST') {
      return { ...textReply(405, 'GET, POST or DELETE.\n'), headers: { allow: 'GET, POST, DELETE' } };
    }
    const body = await readBody(req, MAX_SMALL_BODY_BYTES);
    if (!body.ok) {
      return textReply(body.reason === 'too-large' ? 413 : 400, 'The scenario body cannot be read.\n');
    }
    const json = parseJson(body.body);
    if (!json.ok) {
      return jsonReply(400, { error: 'The body is not JSON.' });
    }
    try {
      scenarios.push(checkScenario(json.value));
    } catch (err) {
      return jsonReply(400, { error: err instanceof Error ? err.message : String(err) });
    }
    return jsonReply(201, { queued: scenarios.list().length });
  };

  const stsAnswer = async (req: IncomingMessage): Promise<HttpReply> => {
    const sts = options.sts;
    if (!sts) {
      return textReply(404, 'No STS is mounted on this simulator.\n');
    }
    if (req.method !== 'POST') {
      return { ...textReply(405, 'POST only.\n'), headers: { allow: 'POST' } };
    }
    const body = await readBody(req, MAX_SMALL_BODY_BYTES);
    if (!body.ok) {
      return textReply(body.reason === 'too-large' ? 413 : 400, 'The STS request cannot be read.\n');
    }
    const answer = sts.handle(body.body);
    return {
      status: answer.status,
      headers: { 'content-type': answer.contentType },
      body: Buffer.from(answer.body, 'utf8'),
    };
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    if (url.pathname === PATHS.iti18 || url.pathname === PATHS.iti43) {
      if (req.method === 'POST') {
        await (url.pathname === PATHS.iti18 ? handleIti18 : handleIti43)(req, res, ctx);
      } else {
        send(res, { ...textReply(405, 'POST only.\n'), headers: { allow: 'POST' } });
      }
      return;
    }
    if (url.pathname === PATHS.iti41) {
      if (req.method === 'POST') {
        await handleIti41(req, res, ctx);
      } else {
        send(res, { ...textReply(405, 'ITI-41 takes POST only.\n'), headers: { allow: 'POST' } });
      }
      return;
    }
    let reply: HttpReply;
    if (url.pathname === PATHS.sts) {
      reply = await stsAnswer(req);
    } else if (url.pathname === PATHS.scenarios) {
      reply = await scenarioApi(req);
    } else if (url.pathname === PATHS.documents && req.method === 'GET') {
      reply = await queryAnswer(url);
    } else if (url.pathname === PATHS.health && req.method === 'GET') {
      reply = jsonReply(200, { ok: true, stats: { ...stats }, repositoryUniqueId });
    } else {
      reply = textReply(404, `Nothing at ${url.pathname}.\n`);
    }
    send(res, reply);
  };

  const server = createServer((req, res) => {
    const work = route(req, res).catch(() => {
      if (!res.headersSent) {
        send(res, textReply(500, 'Simulator error.\n'));
      } else {
        res.destroy();
      }
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });

  let address: AddressInfo;
  try {
    address = await listen(server, port, host);
  } catch (err) {
    await store.close();
    throw err;
  }
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  let closed: Promise<void> | undefined;

  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    server.closeIdleConnections();
    // Scenario waits end now; their requests then finish (or drop) at once.
    closing.abort();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([Promise.allSettled([...inFlight]), grace]);
    clearTimeout(timer);
    server.closeAllConnections();
    await stopped;
    await store.close();
  };

  return {
    url,
    ...simulatorUrls(url),
    lookup: (uniqueId) => store.lookup(uniqueId),
    entries: () => store.entries(),
    pushScenario: (s) => {
      scenarios.push(s);
    },
    clearScenarios: () => {
      scenarios.clear();
    },
    get stats(): SimulatorStats {
      return { ...stats };
    },
    close: () => (closed ??= close()),
  };
}
