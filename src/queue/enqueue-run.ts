// Stores documents and starts a run: the documents once by SHA-256, the run's list, then one validate job per document.
import { isKihError, KihError } from '../core/kih-error.js';
import type { Database } from '../store/database.js';
import { createRun, ensureVendor, putDocument } from '../store/records.js';
import type { Enqueue } from './stage-context.js';

export interface RunInput {
  readonly vendorId: string;
  readonly vendorName?: string;
  readonly name?: string;
  /** A target name to submit valid documents to; absent: validate and record only. */
  readonly submitTarget?: string;
  readonly documents: readonly { readonly file: string; readonly bytes: Uint8Array }[];
}

/**
 * Enqueues every document of the run that has no final record yet. Safe at any time and any
 * number of times (job ids and records are per run document), so a run whose enqueueing was cut
 * short is completed by calling it again.
 */
export async function resumeRun(db: Database, enqueue: Enqueue, runId: string): Promise<number> {
  const open = await db.query<{ seq: number; sha256: string }>(
    `SELECT d.seq, d.sha256 FROM run_documents d
     LEFT JOIN results r ON r.run_id = d.run_id AND r.seq = d.seq
     WHERE d.run_id = $1 AND r.run_id IS NULL ORDER BY d.seq`,
    [runId]
  );
  for (const d of open) {
    await enqueue('validate', { runId, seq: d.seq, sha256: d.sha256 });
  }
  return open.length;
}

export async function enqueueRun(
  db: Database,
  enqueue: Enqueue,
  input: RunInput,
  actor: string
): Promise<{ readonly runId: string; readonly total: number }> {
  await ensureVendor(db, input.vendorId, input.vendorName ?? input.vendorId, actor);
  const documents = [];
  for (const d of input.documents) {
    documents.push({ file: d.file, sha256: await putDocument(db, d.bytes, actor) });
  }
  const runId = await createRun(
    db,
    {
      vendorId: input.vendorId,
      documents,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.submitTarget !== undefined ? { submitTarget: input.submitTarget } : {}),
    },
    actor
  );
  try {
    await resumeRun(db, enqueue, runId);
  } catch (err) {
    // The run is stored; only its jobs are missing, and resuming adds exactly those.
    throw new KihError(
      isKihError(err) ? err.code : 'STORE_ERR_QUEUE',
      `Run ${runId} is stored but not all of it is queued (${err instanceof Error ? err.message : String(err)}); finish it with kih enqueue --resume ${runId}.`,
      { cause: err }
    );
  }
  return { runId, total: documents.length };
}
