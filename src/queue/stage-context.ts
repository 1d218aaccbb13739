// The shared context of the stage jobs and the job data of each queue (ids and hashes only: never XML or CPR numbers).
import type { CaseChecker } from '../certification/case-checker.js';
import type { Logger } from '../core/log.js';
import type { Database } from '../store/database.js';
import type { ServiceMetrics } from './metrics.js';
import type { Senders, StageValidator } from './stage-services.js';

export interface ValidateJobData {
  readonly runId: string;
  readonly seq: number;
  readonly sha256: string;
}

export interface SubmitJobData {
  readonly runId: string;
  readonly seq: number;
  readonly sha256: string;
  readonly target: string;
}

export interface RecordJobData {
  readonly runId: string;
  readonly seq: number;
}

/** A stored document to check at its target's registry and repository (the uniqueId is read from its submission record). */
export interface VerifyJobData {
  readonly runId: string;
  readonly seq: number;
  readonly target: string;
}

export interface JobDataByQueue {
  readonly validate: ValidateJobData;
  readonly submit: SubmitJobData;
  readonly record: RecordJobData;
  readonly verify: VerifyJobData;
}

/** Adds the next stage's job; its id comes from the run document, so adding it twice is a no-op. */
export type Enqueue = <K extends keyof JobDataByQueue>(kind: K, data: JobDataByQueue[K]) => Promise<void>;

export interface StageContext {
  readonly db: Database;
  /** Who writes the records (host and pid of the worker). */
  readonly actor: string;
  readonly enqueue: Enqueue;
  readonly validator?: StageValidator;
  readonly senders?: Senders;
  /** Evaluates the certification test cases on valid documents; absent: no case checks recorded. */
  readonly caseChecker?: CaseChecker;
  /**
   * This process works the record queue too: a submit job writes the final record itself rather
   * than adding a record job (which stays for documents not submitted, and as the fallback).
   */
  readonly recordInline?: boolean;
  /** The job's logger (its lines carry queue, job id and run id); absent: silent. */
  readonly log?: Logger;
  /** The process's metrics; absent: nothing counted. */
  readonly metrics?: ServiceMetrics;
}
