// Validates many files, on a pool of threads or in this one, and hands results back in input order.
import os from 'node:os';
import type { DocumentReport } from '../core/report.js';
import { createDocumentValidator } from './validate-document.js';
import type { ValidateOptions } from './validate-document.js';
import { createValidationPool } from './validation-pool.js';

export interface ValidateFilesOptions extends ValidateOptions {
  /** Worker threads; 1 validates in this thread. Default: available cores, at most one per file. */
  readonly jobs?: number;
  /** Called once per document, in input order, as soon as it and every earlier one are done. */
  readonly onReport?: (report: DocumentReport, index: number) => void;
}

/** Below this many files, starting threads (each compiles the schema) costs more than it saves. */
const MIN_FILES_FOR_THREADS = 8;

export function defaultJobs(fileCount: number): number {
  return Math.max(1, Math.min(os.availableParallelism(), fileCount));
}

/** Emits reports in input order although workers finish out of order. */
interface OrderedResults {
  readonly results: (DocumentReport | undefined)[];
  put(index: number, report: DocumentReport): void;
}

function inOrder(total: number, onReport?: (report: DocumentReport, index: number) => void): OrderedResults {
  const results: (DocumentReport | undefined)[] = new Array<DocumentReport | undefined>(total);
  let next = 0;
  return {
    results,
    put(index: number, report: DocumentReport): void {
      results[index] = report;
      for (let r = results[next]; next < total && r; r = results[next]) {
        onReport?.(r, next);
        next++;
      }
    },
  };
}

/** Files read ahead of the one being validated, so the CPU never waits for the disk. */
const READ_AHEAD = 4;

async function validateInThread(files: readonly string[], options: ValidateFilesOptions): Promise<DocumentReport[]> {
  const validator = createDocumentValidator(options);
  const pending = files.slice(0, READ_AHEAD).map((f) => validator.validateFile(f));
  const out: DocumentReport[] = [];
  for (let index = 0; index < files.length; index++) {
    const next = files[index + READ_AHEAD];
    if (next !== undefined) {
      pending.push(validator.validateFile(next));
    }
    const report = await pending[index];
    if (report === undefined) {
      throw new Error('validateInThread: missing result');
    }
    out.push(report);
    options.onReport?.(report, index);
  }
  return out;
}

/**
 * Validates files with the given parallelism. Results are identical to a single-threaded run and
 * come back in input order. Throws only for tool-level failures (e.g. the schema does not load).
 */
export async function validateFiles(
  files: readonly string[],
  options: ValidateFilesOptions = {}
): Promise<DocumentReport[]> {
  const jobs = Math.min(options.jobs ?? defaultJobs(files.length), files.length);
  if (jobs <= 1 || (options.jobs === undefined && files.length < MIN_FILES_FOR_THREADS)) {
    return validateInThread(files, options);
  }
  // Everything but the callback and the thread count crosses to the threads (structured clone).
  const { onReport, jobs: _requested, ...validateOptions } = options;
  const pool = await createValidationPool(validateOptions, jobs);
  const ordered = inOrder(files.length, onReport);
  try {
    await Promise.all(
      files.map(async (file, index) => {
        ordered.put(index, await pool.validateFile(file));
      })
    );
  } finally {
    await pool.close();
  }
  return ordered.results as DocumentReport[];
}
