// Validates many files on worker threads (one compiled schema per thread) and hands results back in input order.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { isKihError, KihError } from '../errors/kih-error.js';
import type { ErrorCode } from '../errors/codes.js';
import type { DocumentReport } from './report.js';
import { createDocumentValidator } from './validate-document.js';
import type { ValidateOptions } from './validate-document.js';

export interface WorkerRequest {
  readonly index: number;
  readonly file: string;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly code: string; readonly message: string }
  | { readonly type: 'result'; readonly index: number; readonly report: DocumentReport };

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

function startWorker(options: ValidateFilesOptions): Promise<Worker> {
  // Everything but the callbacks and the thread count crosses to the worker (structured clone).
  const { onReport, jobs, ...workerData } = options;
  const worker = new Worker(new URL('./validate-worker.js', import.meta.url), { workerData });
  return new Promise((resolve, reject) => {
    const onFirst = (msg: WorkerReply): void => {
      if (msg.type === 'ready') {
        resolve(worker);
      } else if (msg.type === 'failed') {
        reject(new KihError(msg.code as ErrorCode, msg.message));
      }
    };
    worker.once('message', onFirst);
    worker.once('error', reject);
  });
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
  const workers = await Promise.all(Array.from({ length: jobs }, () => startWorker(options)));
  const ordered = inOrder(files.length, options.onReport);
  let nextFile = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      const feed = (worker: Worker): void => {
        const index = nextFile++;
        const file = files[index];
        if (file !== undefined) {
          worker.postMessage({ index, file } satisfies WorkerRequest);
        }
      };
      for (const worker of workers) {
        worker.on('message', (msg: WorkerReply) => {
          if (msg.type !== 'result') {
            return;
          }
          ordered.put(msg.index, msg.report);
          if (++done === files.length) {
            resolve();
          } else {
            feed(worker);
          }
        });
        worker.on('error', (err) => {
          reject(
            isKihError(err)
              ? err
              : new KihError('CDA_ERR_INTERNAL', `A validation thread failed: ${err.message}`, { cause: err })
          );
        });
        worker.on('exit', (code) => {
          if (code !== 0 && done < files.length) {
            reject(new KihError('CDA_ERR_INTERNAL', `A validation thread exited with code ${code}.`));
          }
        });
        // Two files in flight per worker: the next is being read while the current one validates.
        feed(worker);
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return ordered.results as DocumentReport[];
}
