// Worker-thread entry: compiles the schema and rule sets once, then validates what the pool sends, one message each.
import { parentPort, workerData } from 'node:worker_threads';
import { isKihError } from '../core/kih-error.js';
import { createDocumentValidator } from './validate-document.js';
import type { ValidateOptions } from './validate-document.js';
import type { WorkerReply, WorkerRequest } from './validation-pool.js';

const port = parentPort;
if (!port) {
  throw new Error('validate-worker must run as a worker thread');
}
try {
  const validator = createDocumentValidator(workerData as ValidateOptions);
  await validator.prepareRules();
  // One document at a time, each announced when it starts: the pool times a document from its
  // start, so one waiting behind it is never charged for it (and is handed to the replacement
  // thread, unstarted, when this one is stopped).
  let done: Promise<void> = Promise.resolve();
  port.on('message', (msg: WorkerRequest) => {
    done = done.then(async () => {
      port.postMessage({ type: 'started', id: msg.id } satisfies WorkerReply);
      const result =
        'file' in msg
          ? { report: await validator.validateFile(msg.file) }
          : msg.header === true
            ? await validator.validateBytesWithHeader(msg.bytes, msg.name)
            : { report: await validator.validateBytes(msg.bytes, msg.name) };
      port.postMessage({ type: 'result', id: msg.id, ...result } satisfies WorkerReply);
    });
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
} catch (err) {
  const code = isKihError(err) ? err.code : 'CDA_ERR_INTERNAL';
  port.postMessage({
    type: 'failed',
    code,
    message: err instanceof Error ? err.message : String(err),
  } satisfies WorkerReply);
  process.exit(1);
}
