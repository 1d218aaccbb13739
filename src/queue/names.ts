// Queue names, the key prefix and job ids: every id is derived from the run document, so a re-enqueue is a no-op.
import { checkPrefix, DEFAULT_PREFIX } from '../config/service-config.js';
import type { QueueKind } from '../config/service-config.js';

export const QUEUE_NAMES: Readonly<Record<QueueKind, string>> = {
  validate: 'kih-validate',
  submit: 'kih-submit',
  record: 'kih-record',
  verify: 'kih-verify',
};

export type { QueueKind };
export { checkPrefix, DEFAULT_PREFIX };

/** BullMQ job ids must not contain ':' and must not be all digits. */
export function jobId(kind: QueueKind, runId: string, seq: number): string {
  return `${kind}-${runId}-${seq}`;
}

/** BullMQ's lowest priority (its largest number). */
export const MAX_PRIORITY = 2_097_152;

/**
 * A job's priority is its document's place in its run (1 for the first; BullMQ takes lower numbers
 * first, in order of adding among equals). BullMQ alone is first in, first out, so one vendor's
 * run of many slow documents would hold up everybody queued after it; this way another vendor's
 * upload goes next to the first documents of the big run, ahead of the rest of it.
 */
export function jobPriority(seq: number): number {
  return Math.min(seq + 1, MAX_PRIORITY);
}
