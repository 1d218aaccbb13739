// Asks a repository whether a document with a given uniqueId and hash is stored, before a send that might duplicate it: ITI-18 where the target has a registry, else the simulator's JSON query.
import type { Transport } from './http-transport.js';
import { queryRegistry } from './registry-client.js';
import type { RegistryTarget } from './registry-client.js';
import type { IdCardSource } from './send-submission.js';

/** `stored`: that very document is there; `absent`: nothing under the uniqueId; `unknown`: no way to tell. */
export type Arrival = 'stored' | 'absent' | 'unknown';

/** What the check needs of a target: its registry (ITI-18) and, failing that, the simulator's query endpoint. */
export interface ArrivalTarget extends RegistryTarget {
  readonly queryEndpoint?: string;
}

interface QueryAnswer {
  readonly stored?: unknown;
  readonly entries?: readonly { readonly hash?: unknown }[];
}

/** The registered hashes under a uniqueId: `[]` when none, undefined when the peer could not be asked. */
type Hashes = readonly string[] | undefined;

/**
 * ITI-18 GetDocuments, as a consumer asks a real registry. One attempt (an expired card is
 * renewed once): a check that cannot be made is `unknown`, and the caller decides.
 */
async function hashesByRegistry(
  transport: Transport,
  target: ArrivalTarget,
  uniqueId: string,
  idCards: IdCardSource | undefined
): Promise<Hashes> {
  const answer = await queryRegistry({ kind: 'GetDocuments', uniqueIds: [uniqueId] }, target, {
    transport,
    ...(idCards ? { idCards } : {}),
    policy: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  if (answer.outcome !== 'success' || !answer.data) {
    return undefined;
  }
  return answer.data.entries.map((e) => e.hash);
}

/** The simulator's JSON query (`GET …?uniqueId=`), for targets configured with it alone. */
async function hashesByJsonQuery(transport: Transport, queryEndpoint: string, uniqueId: string): Promise<Hashes> {
  const url = new URL(queryEndpoint);
  url.searchParams.set('uniqueId', uniqueId);
  const exchange = await transport.send({
    url: url.toString(),
    method: 'GET',
    headers: { accept: 'application/json' },
    chunks: [],
  });
  if (!exchange.ok || exchange.answer.status !== 200) {
    return undefined;
  }
  let answer: QueryAnswer;
  try {
    answer = JSON.parse(Buffer.from(exchange.answer.body).toString('utf8')) as QueryAnswer;
  } catch {
    return undefined;
  }
  const entries: readonly { readonly hash?: unknown }[] = Array.isArray(answer.entries) ? answer.entries : [];
  if (entries.length === 0) {
    return answer.stored === false ? [] : undefined;
  }
  return entries.map((e) => (typeof e.hash === 'string' ? e.hash : ''));
}

/**
 * Asks the target's registry (ITI-18 GetDocuments) or, without one, the simulator's query
 * endpoint. Without either the answer is `unknown` and a person decides. A document stored under
 * the id with another hash is `unknown` too: re-sending would be refused, and it is not this
 * document. A registry that registers late (KIH's registration goes on to the NSP registry) may
 * say `absent` for a document that did arrive; the simulator's ITI-18 waits for submissions it is
 * still processing, as its JSON query does.
 */
export async function checkArrival(
  transport: Transport,
  target: ArrivalTarget,
  uniqueId: string,
  sha1: string,
  idCards?: IdCardSource
): Promise<Arrival> {
  const hashes =
    target.registryEndpoint !== undefined
      ? await hashesByRegistry(transport, target, uniqueId, idCards)
      : target.queryEndpoint !== undefined
        ? await hashesByJsonQuery(transport, target.queryEndpoint, uniqueId)
        : undefined;
  if (hashes === undefined) {
    return 'unknown';
  }
  if (hashes.length === 0) {
    return 'absent';
  }
  return hashes.some((h) => h.toLowerCase() === sha1.toLowerCase()) ? 'stored' : 'unknown';
}
