// Taking uploaded documents: checked, stored with their run in one transaction, then queued (or left for the sweep to queue).
import path from 'node:path';
import type { Certification } from '../store/certification-service.js';
import { isKihError } from '../core/kih-error.js';
import { resumeRun } from '../queue/enqueue-run.js';
import type { Enqueue } from '../queue/stage-context.js';
import type { Database } from '../store/database.js';
import { markEnqueued, markEnqueuePending, pendingEnqueues, storeUploads } from '../store/uploads.js';
import type { StoredUpload } from '../store/uploads.js';
import { apiError } from './api-errors.js';

/** One uploaded document, read only when it is stored (so one at a time). */
export interface UploadFile {
  readonly name: string;
  readonly size: number;
  read(): Promise<Uint8Array>;
}

export interface UploadRequest {
  readonly vendorId: string;
  readonly files: readonly UploadFile[];
  readonly testCase?: string;
  /** Formal test: valid documents are submitted to the formal-test target. */
  readonly formal: boolean;
}

export interface AcceptedUploads {
  readonly runId: string;
  readonly uploads: readonly StoredUpload[];
  /** False when the queue was not reachable: stored, and queued by the sweep once it is. */
  readonly queued: boolean;
}

/** A file name to show and store: the last path part, printable, at most 200 characters. */
export function cleanFileName(name: string | undefined, index: number): string {
  const base = path.posix.basename((name ?? '').replaceAll('\\', '/'));
  // Control characters (C0 and DEL) would garble logs and headers; everything else is kept.
  let printable = '';
  for (const ch of base) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code !== 0x7f) {
      printable += ch;
    }
  }
  printable = printable.trim().slice(0, 200);
  return printable === '' || printable === '.' || printable === '..' ? `document-${index + 1}.xml` : printable;
}

export async function acceptUploads(
  db: Database,
  enqueue: Enqueue,
  certification: Certification,
  request: UploadRequest,
  actor: string
): Promise<AcceptedUploads> {
  if (request.files.length === 0) {
    throw apiError('API_ERR_BAD_REQUEST', 'No document in the request.');
  }
  const empty = request.files.find((f) => f.size === 0);
  if (empty) {
    throw apiError('API_ERR_BAD_REQUEST', `"${empty.name}" is empty.`);
  }
  if (request.testCase !== undefined) {
    const known = [...certification.protocols.values()].some((p) => p.testCases.some((t) => t.id === request.testCase));
    if (!known) {
      throw apiError('API_ERR_BAD_REQUEST', `No test case "${request.testCase}" in the protocols.`);
    }
  }
  const stored = await storeUploads(
    db,
    {
      vendorId: request.vendorId,
      files: request.files,
      ...(request.testCase !== undefined ? { testCase: request.testCase } : {}),
      ...(request.formal ? { submitTarget: certification.formalTarget } : {}),
    },
    actor
  );
  try {
    await resumeRun(db, enqueue, stored.runId);
    return { ...stored, queued: true };
  } catch (err) {
    await markEnqueuePending(db, stored.runId, isKihError(err) ? err.code : 'unknown', actor);
    return { ...stored, queued: false };
  }
}

/** Queues runs whose upload found the queue down; safe to repeat (job ids are per run document). */
export async function sweepPendingEnqueues(db: Database, enqueue: Enqueue, actor: string): Promise<number> {
  let n = 0;
  for (const runId of await pendingEnqueues(db)) {
    await resumeRun(db, enqueue, runId);
    await markEnqueued(db, runId, actor);
    n++;
  }
  return n;
}
