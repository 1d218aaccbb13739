// Worker-thread entry: compiles the schema once, then validates the files the pool sends, one message each.
import { parentPort, workerData } from 'node:worker_threads';
import { createDocumentValidator } from './validate-document.js';
import type { ValidateOptions } from './validate-document.js';
import type { WorkerReply, WorkerRequest } from './worker-pool.js';

const port = parentPort;
if (!port) {
  throw new Error('validate-worker must run as a worker thread');
}
let validator: ReturnType<typeof createDocumentValidator>;
try {
  validator = createDocumentValidator(workerData as ValidateOptions);
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
} catch (err) {
  const code = err instanceof Error && 'code' in err ? String(err.code) : 'CDA_ERR_INTERNAL';
  port.postMessage({
    type: 'failed',
    code,
    message: err instanceof Error ? err.message : String(err),
  } satisfies WorkerReply);
  process.exit(1);
}
port.on('message', (msg: WorkerRequest) => {
  void validator.validateFile(msg.file).then((report) => {
    port.postMessage({ type: 'result', index: msg.index, report } satisfies WorkerReply);
  });
});
