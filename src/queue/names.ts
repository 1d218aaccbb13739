// Queue names, the key prefix and job ids: every id is derived from the run document, so a re-enqueue is a no-op.
import { KihError } from '../core/kih-error.js';

export const QUEUE_NAMES = {
  validate: 'kih-validate',
  submit: 'kih-submit',
  record: 'kih-record',
} as const;

export type QueueKind = keyof typeof QUEUE_NAMES;

export const DEFAULT_PREFIX = 'kih';

/** BullMQ job ids must not contain ':' and must not be all digits. */
export function jobId(kind: QueueKind, runId: string, seq: number): string {
  return `${kind}-${runId}-${seq}`;
}

export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_{}-]{1,64}$/.test(prefix)) {
    throw new KihError('STORE_ERR_CONFIG', `A queue prefix is 1-64 letters, digits, "_", "-" or braces: "${prefix}"`);
  }
  return prefix;
}
