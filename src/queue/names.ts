// Queue names, the key prefix and job ids: every id is derived from the run document, so a re-enqueue is a no-op.
import { checkPrefix, DEFAULT_PREFIX } from '../config/service-config.js';
import type { QueueKind } from '../config/service-config.js';

export const QUEUE_NAMES: Readonly<Record<QueueKind, string>> = {
  validate: 'kih-validate',
  submit: 'kih-submit',
  record: 'kih-record',
};

export type { QueueKind };
export { checkPrefix, DEFAULT_PREFIX };

/** BullMQ job ids must not contain ':' and must not be all digits. */
export function jobId(kind: QueueKind, runId: string, seq: number): string {
  return `${kind}-${runId}-${seq}`;
}
