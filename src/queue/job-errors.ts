// How a job's error becomes BullMQ's decision: the catalogue says which codes may succeed on a later try.
import { UnrecoverableError } from 'bullmq';
import { isKihError } from '../core/kih-error.js';

/**
 * A catalogued error that retrying cannot fix (settings, credentials, an unknown target, a missing
 * record) ends the job at once; transient ones and uncatalogued failures keep BullMQ's retries.
 */
export function failFast(err: unknown): unknown {
  return isKihError(err) && !err.retryable ? new UnrecoverableError(`${err.code}: ${err.message}`) : err;
}
