// Asks a repository whether a document with a given uniqueId and hash is stored, before a send that might duplicate it.
import type { Transport } from './http-transport.js';

/** `stored`: that very document is there; `absent`: nothing under the uniqueId; `unknown`: no way to tell. */
export type Arrival = 'stored' | 'absent' | 'unknown';

interface QueryAnswer {
  readonly stored?: unknown;
  readonly entries?: readonly { readonly hash?: unknown }[];
}

/**
 * Asks the simulator's query endpoint (`GET …?uniqueId=`). KIH has no such endpoint for the
 * sender (its registry is queried through NSP with other credentials), so without one the answer
 * is `unknown` and a person decides. A document stored under the id with another hash is
 * `unknown` too: re-sending would be refused, and it is not this document.
 */
export async function checkArrival(
  transport: Transport,
  queryEndpoint: string | undefined,
  uniqueId: string,
  sha1: string
): Promise<Arrival> {
  if (queryEndpoint === undefined) {
    return 'unknown';
  }
  const url = new URL(queryEndpoint);
  url.searchParams.set('uniqueId', uniqueId);
  const exchange = await transport.send({
    url: url.toString(),
    method: 'GET',
    headers: { accept: 'application/json' },
    chunks: [],
  });
  if (!exchange.ok || exchange.answer.status !== 200) {
    return 'unknown';
  }
  let answer: QueryAnswer;
  try {
    answer = JSON.parse(Buffer.from(exchange.answer.body).toString('utf8')) as QueryAnswer;
  } catch {
    return 'unknown';
  }
  const entries: readonly { readonly hash?: unknown }[] = Array.isArray(answer.entries) ? answer.entries : [];
  if (entries.length === 0) {
    return answer.stored === false ? 'absent' : 'unknown';
  }
  return entries.some((e) => typeof e.hash === 'string' && e.hash.toLowerCase() === sha1.toLowerCase())
    ? 'stored'
    : 'unknown';
}
