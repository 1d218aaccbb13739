// Sends one document's ITI-41 request to a target and retries only what is safe: the typed result of a whole submission.
import { buildIti41Request } from '../xds/iti41-request.js';
import type { CheckedRequest } from '../xds/iti41-request.js';
import type { SubmissionMetadata } from '../xds/metadata-model.js';
import { parseSubmissionResponse } from '../xds/response/parse-response.js';
import type { RegistryErrorInfo } from '../xds/response/outcome.js';
import type { SoapVersion } from '../xds/soap-envelope.js';
import { checkArrival } from './arrival-check.js';
import { runAttempts } from './attempt-loop.js';
import type { AttemptOptions, AttemptRecord, SubmissionClass, SubmissionStatus } from './attempt-loop.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';

// Where they were first defined; callers and tests still import them from here.
export type { AttemptRecord, IdCardSource, SubmissionClass, SubmissionStatus } from './attempt-loop.js';

/** Where and how to send (a subset of a Target, so tests and the worker can pass their own). */
export interface SendTarget {
  readonly name: string;
  readonly endpoint: string;
  readonly soapVersion: SoapVersion;
  readonly dgws: boolean;
  /** "Is uniqueId X stored, with which hash" (the simulator has one; KIH has none for senders). */
  readonly queryEndpoint?: string;
  /** ITI-18 and ITI-43 endpoints and the repository's id, for `kih verify`. */
  readonly registryEndpoint?: string;
  readonly retrieveEndpoint?: string;
  readonly repositoryUniqueId?: string;
}

export type SendOptions = AttemptOptions;

export interface SubmissionResult {
  readonly outcome: SubmissionStatus;
  readonly class: SubmissionClass;
  readonly errors: readonly RegistryErrorInfo[];
  readonly warnings: readonly RegistryErrorInfo[];
  readonly uniqueId: string;
  readonly target: string;
  readonly durationMs: number;
  readonly message: string;
  /** True when the success was learnt from the query endpoint after a lost answer. */
  readonly confirmedByQuery?: boolean;
  readonly attempts: readonly AttemptRecord[];
}

/**
 * Submits one document. Each attempt gets a new WS-Addressing MessageID but the same metadata
 * (uniqueId, entryUUIDs), so what the repository stores is the same whichever attempt lands.
 * With `checked` (from `prepareSubmission`, for this metadata), every attempt sends that ebRIM body
 * as it is instead of building it again.
 */
export async function sendSubmission(
  metadata: SubmissionMetadata,
  document: Uint8Array,
  target: SendTarget,
  options: SendOptions,
  checked?: CheckedRequest
): Promise<SubmissionResult> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const entry = metadata.documentEntries[0];
  if (!entry) {
    throw new TypeError('sendSubmission needs a DocumentEntry');
  }
  const started = performance.now();
  const r = await runAttempts(
    {
      target,
      request: (idCard) =>
        buildIti41Request(metadata, document, {
          endpoint: target.endpoint,
          soapVersion: target.soapVersion,
          dgws: target.dgws,
          ...(idCard !== undefined ? { idCard } : {}),
          ...(checked ? { checked } : {}),
        }),
      read: (answer) => ({ outcome: parseSubmissionResponse(answer) }),
      // XDS stores a re-sent document a second time: a lost answer is checked before sending again.
      mayChangePeer: true,
      checkArrival: async (last, attempt) => {
        const arrival = await checkArrival(options.transport, target, entry.uniqueId, entry.hash, options.idCards);
        if (arrival === 'stored') {
          return {
            outcome: 'success',
            class: 'success',
            confirmedByQuery: true,
            message: `No answer came (${last.kind === 'transport' ? last.failure.message : 'lost'}), but the repository has the document: stored.`,
          };
        }
        if (arrival === 'unknown') {
          return {
            outcome: 'unknown',
            class: 'unknown',
            message: `No answer came and ${target.name} cannot be asked whether the document arrived; not re-sent (XDS would store it twice). Check the repository before sending it again.`,
          };
        }
        // Absent: sent again after the delay, unless that was the last attempt (then the lost answer stands).
        return attempt >= policy.maxAttempts ? {} : undefined;
      },
    },
    options
  );
  return {
    outcome: r.outcome,
    class: r.class,
    errors: r.errors,
    warnings: r.warnings,
    message: r.message,
    ...(r.confirmedByQuery !== undefined ? { confirmedByQuery: r.confirmedByQuery } : {}),
    uniqueId: entry.uniqueId,
    target: target.name,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    attempts: r.attempts,
  };
}
