// Test helper for `node dist/worker.js` child processes: waits until the worker says it runs the expected queues.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

export interface StartedWorker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  /** Everything the worker wrote to stderr so far. */
  stderr(): string;
}

/** Resolves once stderr names `queues` (`validate, submit, record, verify`); rejects if the process exits first. */
export async function untilRunning(child: ChildProcessWithoutNullStreams, queues: string): Promise<StartedWorker> {
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    })
  );
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (err.includes(`: ${queues} on `)) {
        clearInterval(check);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(check);
      reject(new Error(`worker exited (${code}) before starting: ${err}`));
    });
  });
  return { child, exited, stderr: () => err };
}
