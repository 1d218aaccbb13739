// A long-lived pool of validation threads (one compiled schema and rule set per thread), so neither a CLI run nor a server blocks its event loop on a document.
import { Worker } from 'node:worker_threads';
import { KihError } from '../core/kih-error.js';
import type { ErrorCode } from '../core/codes.js';
import type { DocumentReport } from '../core/report.js';
import type { ValidatedDocument, ValidateOptions } from './validate-document.js';

export type WorkerRequest =
  | { readonly id: number; readonly file: string }
  | { readonly id: number; readonly bytes: Uint8Array; readonly name: string; readonly header?: boolean };

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly code: string; readonly message: string }
  | { readonly type: 'started'; readonly id: number }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly report: DocumentReport;
      readonly header?: ValidatedDocument['header'];
    };

export interface ValidationPool {
  readonly threads: number;
  /** The thread id in each slot (a stopped thread's slot shows its replacement once it is ready). */
  threadIds(): number[];
  validateFile(file: string): Promise<DocumentReport>;
  /**
   * Validates bytes that are not in a file (an upload); `name` is used as the report's file.
   * Documents waiting for a thread go lowest `priority` first (default 1), then first come.
   */
  validateBytes(bytes: Uint8Array, name: string, priority?: number): Promise<DocumentReport>;
  /** `validateBytes` with the header facts of the validated tree (plain data, cloned from the thread). */
  validateBytesWithHeader(bytes: Uint8Array, name: string, priority?: number): Promise<ValidatedDocument>;
  /**
   * Lets queued and running documents finish, then stops the threads. With `now`, stops them at
   * once: every document not yet validated is rejected (CDA_ERR_INTERNAL), for a process whose
   * jobs have been handed back already, so that no job records a verdict-less report.
   */
  close(options?: { readonly now?: boolean }): Promise<void>;
}

/**
 * Documents sent to a thread at once. One: a thread validates one document at a time anyway, and
 * a document sent ahead would wait there behind a slow one while the pool's own queue (ordered by
 * priority) could have given it to the first free thread.
 */
const IN_FLIGHT_PER_THREAD = 1;

export interface PoolOptions {
  /**
   * Time budget of one document on its thread, in ms, from the moment the thread starts it (it
   * validates nothing else meanwhile); none when absent. A thread over budget is stopped and
   * replaced, and the document gets a `CDA_ERR_TIME_LIMIT` tool error.
   */
  readonly timeLimitMs?: number;
}

interface Task {
  readonly request: WorkerRequest;
  readonly name: string;
  readonly priority: number;
  readonly resolve: (result: ValidatedDocument) => void;
  readonly reject: (err: KihError) => void;
  /** Set when the thread starts the document. */
  timer?: NodeJS.Timeout;
  started?: boolean;
}

interface Slot {
  worker: Worker;
  readonly running: Map<number, Task>;
  /** Its thread was stopped and the next one is starting: nothing is sent to it meanwhile. */
  replacing: boolean;
}

function startWorker(options: ValidateOptions): Promise<Worker> {
  const worker = new Worker(new URL('./validate-worker.js', import.meta.url), { workerData: options });
  return new Promise((resolve, reject) => {
    worker.once('message', (msg: WorkerReply) => {
      if (msg.type === 'ready') {
        resolve(worker);
      } else if (msg.type === 'failed') {
        reject(new KihError(msg.code as ErrorCode, msg.message));
      }
    });
    worker.once('error', reject);
  });
}

/** A thread that died mid-document leaves that document without a verdict: status `error`, not a crash of the run. */
function crashedReport(name: string, why: string): DocumentReport {
  return toolErrorReport(name, 'CDA_ERR_INTERNAL', `The validation thread failed: ${why}`);
}

/** A document that used up its budget: no verdict, and its own code so nobody mistakes it for a defect. */
function overBudgetReport(name: string, limitMs: number): DocumentReport {
  return {
    ...toolErrorReport(
      name,
      'CDA_ERR_TIME_LIMIT',
      `Validation was stopped after ${limitMs} ms, the time budget of one document; its thread was replaced.`
    ),
    durationMs: limitMs,
  };
}

function toolErrorReport(name: string, ruleId: ErrorCode, message: string): DocumentReport {
  return {
    file: name,
    profile: null,
    profileSource: 'none',
    valid: false,
    status: 'error',
    issues: [{ ruleId, severity: 'error', stage: 'tool', message }],
    durationMs: 0,
  };
}

/**
 * Starts `threads` validation threads. Rejects (KihError) when the schema or a rule set cannot be
 * loaded; after that, every submitted document resolves to a report, even if its thread dies or
 * runs over its budget (only `close({ now: true })` rejects the documents it leaves).
 */
export async function createValidationPool(
  options: ValidateOptions,
  threads: number,
  poolOptions: PoolOptions = {}
): Promise<ValidationPool> {
  const { timeLimitMs } = poolOptions;
  const slots: Slot[] = (await Promise.all(Array.from({ length: threads }, () => startWorker(options)))).map(
    (worker) => ({
      worker,
      running: new Map(),
      replacing: false,
    })
  );
  const queue: Task[] = [];
  let nextId = 1;
  let closing = false;
  let stoppedNow = false;
  let idle: (() => void) | undefined;

  const busy = (): number => queue.length + slots.reduce((n, s) => n + s.running.size, 0);

  const dispatch = (): void => {
    for (const slot of slots) {
      while (!slot.replacing && slot.running.size < IN_FLIGHT_PER_THREAD && queue.length > 0) {
        const task = queue.shift();
        if (!task) {
          break;
        }
        slot.running.set(task.request.id, task);
        slot.worker.postMessage(task.request);
      }
    }
    if (busy() === 0) {
      idle?.();
    }
  };

  const attach = (slot: Slot): void => {
    const worker = slot.worker;
    worker.on('message', (msg: WorkerReply) => {
      if (msg.type === 'started') {
        const task = slot.running.get(msg.id);
        if (task && timeLimitMs !== undefined) {
          task.started = true;
          task.timer = setTimeout(() => {
            // The thread is stuck in this document: answer for it now, stop the thread; 'exit'
            // hands the document behind it to the replacement.
            slot.running.delete(msg.id);
            slot.replacing = true;
            task.resolve({ report: overBudgetReport(task.name, timeLimitMs) });
            void worker.terminate();
            dispatch();
          }, timeLimitMs);
        } else if (task) {
          task.started = true;
        }
      } else if (msg.type === 'result') {
        const task = slot.running.get(msg.id);
        slot.running.delete(msg.id);
        clearTimeout(task?.timer);
        task?.resolve({ report: msg.report, ...(msg.header ? { header: msg.header } : {}) });
        dispatch();
      }
    });
    worker.on('error', () => {
      // 'exit' follows and does the clean-up.
    });
    worker.on('exit', (code) => {
      if (closing && slot.running.size === 0) {
        return;
      }
      for (const task of slot.running.values()) {
        clearTimeout(task.timer);
        if (task.started) {
          task.resolve({ report: crashedReport(task.name, `thread exited with code ${code}`) });
        } else {
          // Not begun on the stopped thread: it goes first to whichever thread is free next.
          queue.unshift(task);
        }
      }
      slot.running.clear();
      // Replace the thread so the pool keeps its size; documents queued meanwhile wait for it.
      slot.replacing = true;
      void startWorker(options).then(
        (next) => {
          if (stoppedNow) {
            // Closed with `now` while this thread was starting: nothing is left for it to do.
            void next.terminate();
            return;
          }
          slot.worker = next;
          slot.replacing = false;
          attach(slot);
          dispatch();
        },
        (err: unknown) => {
          slot.replacing = false;
          for (const task of queue.splice(0)) {
            task.resolve({ report: crashedReport(task.name, err instanceof Error ? err.message : String(err)) });
          }
          dispatch();
        }
      );
    });
  };
  slots.forEach(attach);

  const submit = (request: WorkerRequest, name: string, priority = 1): Promise<ValidatedDocument> => {
    if (closing) {
      return Promise.reject(new KihError('CDA_ERR_INTERNAL', 'The validation pool is closed.'));
    }
    return new Promise((resolve, reject) => {
      // After every waiting task of the same or a lower number: first come first served among equals.
      const at = queue.findIndex((t) => t.priority > priority);
      queue.splice(at < 0 ? queue.length : at, 0, { request, name, priority, resolve, reject });
      dispatch();
    });
  };

  return {
    threads,
    threadIds: () => slots.map((s) => s.worker.threadId),
    validateFile: async (file) => (await submit({ id: nextId++, file }, file)).report,
    validateBytes: async (bytes, name, priority) =>
      (await submit({ id: nextId++, bytes, name }, name, priority)).report,
    validateBytesWithHeader: (bytes, name, priority) =>
      submit({ id: nextId++, bytes, name, header: true }, name, priority),
    async close(closeOptions = {}) {
      closing = true;
      if (closeOptions.now === true) {
        stoppedNow = true;
        // Not a report: a verdict-less record would be stored for a job another worker will redo.
        const stopped = (task: Task): void => {
          clearTimeout(task.timer);
          task.reject(new KihError('CDA_ERR_INTERNAL', `The validator was closed before ${task.name} was validated.`));
        };
        queue.splice(0).forEach(stopped);
        for (const slot of slots) {
          slot.running.forEach(stopped);
          slot.running.clear();
        }
      } else if (busy() > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
        });
      }
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
