// The record queue: the final certification record of a run document (verdict and submission outcome), written once.
import { getRunDocument, recordResult } from '../store/records.js';
import type { RecordJobData, StageContext } from './stage-context.js';

export async function execRecordJob(
  ctx: StageContext,
  data: RecordJobData
): Promise<{ readonly recordedNow: boolean }> {
  const doc = await getRunDocument(ctx.db, data.runId, data.seq);
  return { recordedNow: await recordResult(ctx.db, doc, ctx.actor) };
}
