// Test helper: the final end-to-end result of a submitted document, written as the verify stage would (to be replaced by running that stage).
import { createHash } from 'node:crypto';
import { recordVerification } from '../../src/store/verification-records.js';
import type { FieldDifference, VerificationOutcome } from '../../src/store/verification-records.js';
import type { Database } from '../../src/store/database.js';

export interface MarkOptions {
  readonly mismatches?: readonly FieldDifference[];
  /** For contentMismatch: the size the registry registered (the retrieved bytes are the stored ones). */
  readonly registeredSize?: number;
  readonly message?: string;
}

/**
 * Records the verification of the submitted document `runId`/`seq` on its submission's target, with
 * the SHA-1 and size of the stored bytes as retrieved (for verified and contentMismatch).
 */
export async function markVerified(
  db: Database,
  runId: string,
  seq: number,
  outcome: VerificationOutcome = 'verified',
  options: MarkOptions = {}
): Promise<void> {
  const [row] = await db.query<{ sha256: string; target: string; unique_id: string | null; content: Buffer }>(
    `SELECT s.sha256, s.target, s.unique_id, d.content
     FROM submissions s JOIN documents d ON d.sha256 = s.sha256
     WHERE s.run_id = $1 AND s.seq = $2`,
    [runId, seq]
  );
  if (!row?.unique_id) {
    throw new Error(`markVerified: ${runId}/${seq} has no submission with a uniqueId`);
  }
  const hash = createHash('sha1').update(row.content).digest('hex');
  const retrieved = outcome === 'verified' || outcome === 'contentMismatch' || outcome === 'metadataMismatch';
  const written = await recordVerification(
    db,
    {
      runId,
      seq,
      sha256: row.sha256,
      target: row.target,
      uniqueId: row.unique_id,
      outcome,
      class: outcome === 'failure' ? 'transient' : null,
      message: options.message ?? `test: ${outcome}`,
      mismatches: options.mismatches ?? [],
      content: retrieved
        ? {
            hash,
            size: row.content.length,
            registeredHash: hash,
            registeredSize: options.registeredSize ?? row.content.length,
          }
        : null,
      errors: [],
      queries: 1,
      checks: 1,
      durationMs: 1,
    },
    'test-verify'
  );
  if (!written) {
    throw new Error(`markVerified: ${runId}/${seq} already has a verification`);
  }
}
