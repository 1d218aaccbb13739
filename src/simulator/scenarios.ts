// Misbehaviour scenarios of the simulator: their kinds, the per-request header, and the queue of one-shot scenarios.
import { KihError } from '../core/kih-error.js';

/** Which endpoint takes which kinds: a scenario queued for a query must not be used up by a submission. */
export const ENDPOINT_SCENARIO_KINDS = {
  iti41: [
    'slow',
    'timeout-before-store',
    'timeout-after-store',
    'busy',
    'duplicate-in-registry',
    'http-503',
    'expired-idcard',
    'not-authorized',
    'non-multipart',
    'no-relates-to',
    'registration-delay',
  ],
  iti18: ['metadata-changed', 'expired-idcard', 'not-authorized', 'http-503'],
  iti43: ['retrieve-other-bytes', 'repository-unavailable', 'expired-idcard', 'not-authorized', 'http-503'],
} as const;

export type ScenarioKind = (typeof ENDPOINT_SCENARIO_KINDS)[keyof typeof ENDPOINT_SCENARIO_KINDS][number];

/** Every kind once, in the order the endpoints list them. */
export const SCENARIO_KINDS: readonly ScenarioKind[] = [...new Set(Object.values(ENDPOINT_SCENARIO_KINDS).flat())];

export interface Scenario {
  readonly kind: ScenarioKind;
  /** How many matching requests it applies to; default 1. */
  readonly times?: number;
  readonly delayMs?: number;
  /** Only requests carrying a DocumentEntry with this uniqueId. */
  readonly uniqueId?: string;
}

/** The HTTP header that picks a scenario for one request: `<kind>[;delay=ms]`. */
export const SCENARIO_HEADER = 'x-kih-sim-scenario';

/** Longest wait a scenario may ask for: long enough for any client timeout, short enough that nothing hangs for ever. */
export const MAX_DELAY_MS = 10 * 60 * 1000;
const MAX_TIMES = 1_000_000;

/** Delays used when a scenario gives none. */
export const DEFAULT_DELAY_MS: Readonly<Record<ScenarioKind, number>> = {
  slow: 2_000,
  'timeout-before-store': 30_000,
  'timeout-after-store': 30_000,
  busy: 0,
  'duplicate-in-registry': 0,
  'http-503': 0,
  'expired-idcard': 0,
  'not-authorized': 0,
  'non-multipart': 0,
  'no-relates-to': 0,
  // The stored document is registered (found by ITI-18 and ITI-43) only this long after it was stored.
  'registration-delay': 5_000,
  'metadata-changed': 0,
  'retrieve-other-bytes': 0,
  'repository-unavailable': 0,
};

/** The delay a scenario waits for: its own, or its kind's default. */
export function delayOf(s: Scenario): number {
  return s.delayMs ?? DEFAULT_DELAY_MS[s.kind];
}

export function isScenarioKind(value: unknown): value is ScenarioKind {
  return typeof value === 'string' && (SCENARIO_KINDS as readonly string[]).includes(value);
}

function invalid(message: string): KihError {
  return new KihError('KIH_ERR_SIMULATOR', message);
}

/** Checks a scenario from an untyped source (JSON, a caller without types); throws KIH_ERR_SIMULATOR. */
export function checkScenario(value: unknown): Scenario {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('A scenario must be an object { kind, times?, delayMs?, uniqueId? }.');
  }
  const v = value as Record<string, unknown>;
  const unknownKeys = Object.keys(v).filter((k) => !['kind', 'times', 'delayMs', 'uniqueId'].includes(k));
  if (unknownKeys.length > 0) {
    throw invalid(`Unknown scenario field(s): ${unknownKeys.join(', ')}.`);
  }
  if (!isScenarioKind(v.kind)) {
    throw invalid(`Unknown scenario kind ${JSON.stringify(v.kind)}; known: ${SCENARIO_KINDS.join(', ')}.`);
  }
  const { times, delayMs, uniqueId } = v;
  if (times !== undefined && (!Number.isInteger(times) || (times as number) < 1 || (times as number) > MAX_TIMES)) {
    throw invalid(`Scenario times must be an integer from 1 to ${MAX_TIMES}.`);
  }
  if (
    delayMs !== undefined &&
    (!Number.isInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > MAX_DELAY_MS)
  ) {
    throw invalid(`Scenario delayMs must be an integer from 0 to ${MAX_DELAY_MS}.`);
  }
  if (uniqueId !== undefined && (typeof uniqueId !== 'string' || uniqueId === '')) {
    throw invalid('Scenario uniqueId must be a non-empty string.');
  }
  return {
    kind: v.kind,
    ...(times !== undefined ? { times: times as number } : {}),
    ...(delayMs !== undefined ? { delayMs: delayMs as number } : {}),
    ...(uniqueId !== undefined ? { uniqueId } : {}),
  };
}

/** Reads `X-Kih-Sim-Scenario: <kind>[;delay=ms]`; throws KIH_ERR_SIMULATOR for anything else. */
/**
 * The scenario a request's header asks for: undefined without the header, `{ error }` for one the
 * simulator cannot follow (answered 400).
 */
export function requestScenario(header: string | string[] | undefined): {
  readonly scenario?: Scenario;
  readonly error?: string;
} {
  if (typeof header !== 'string' || header.trim() === '') {
    return {};
  }
  try {
    return { scenario: parseScenarioHeader(header) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export function parseScenarioHeader(header: string): Scenario {
  const [kindPart = '', ...params] = header.split(';').map((p) => p.trim());
  let delayMs: number | undefined;
  for (const param of params) {
    const m = /^delay\s*=\s*(\d+)$/i.exec(param);
    if (!m) {
      throw invalid(`Unknown ${SCENARIO_HEADER} parameter ${JSON.stringify(param)}; only delay=<ms> is known.`);
    }
    delayMs = Number(m[1]);
  }
  return checkScenario({ kind: kindPart.toLowerCase(), ...(delayMs !== undefined ? { delayMs } : {}) });
}

interface QueuedScenario {
  readonly scenario: Scenario;
  remaining: number;
}

/** One-shot scenarios in the order they were queued; each applies to the next requests it matches. */
export class ScenarioQueue {
  private readonly queue: QueuedScenario[] = [];

  push(s: Scenario): void {
    const scenario = checkScenario(s);
    this.queue.push({ scenario, remaining: scenario.times ?? 1 });
  }

  clear(): number {
    return this.queue.splice(0).length;
  }

  list(): Scenario[] {
    return this.queue.map((q) => ({ ...q.scenario, times: q.remaining }));
  }

  /**
   * Takes one use of the first scenario that matches a request carrying these uniqueIds (an
   * unreadable request has none and matches only scenarios without a uniqueId).
   */
  take(uniqueIds: readonly string[], kinds?: readonly ScenarioKind[]): Scenario | undefined {
    const index = this.queue.findIndex(
      (q) =>
        (kinds === undefined || kinds.includes(q.scenario.kind)) &&
        (q.scenario.uniqueId === undefined || uniqueIds.includes(q.scenario.uniqueId))
    );
    const found = this.queue[index];
    if (!found) {
      return undefined;
    }
    found.remaining -= 1;
    if (found.remaining <= 0) {
      this.queue.splice(index, 1);
    }
    return found.scenario;
  }
}
