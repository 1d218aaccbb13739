// Attack clients for the HTTP hardening tests: a body streamed in chunks that stops once the server answers, and the server's memory while it runs.
import http from 'node:http';

export interface AttackResult {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Body bytes the client had written when the answer's headers arrived. */
  readonly sentAtAnswer: number;
  readonly declared: number;
}

const CHUNK = Buffer.alloc(256 * 1024, 0x61);

/**
 * Sends the body (declared in Content-Length unless `chunked`) in 256 KiB writes; stops writing as soon as the answer's headers arrive. The server closing the connection
 * while the client still writes (EPIPE, ECONNRESET) is the expected end of an early refusal.
 */
export function attack(
  baseUrl: string,
  options: {
    readonly method?: string;
    readonly path: string;
    readonly headers?: Record<string, string>;
    /** Filler bytes; or `parts`, written in order. */
    readonly bytes?: number;
    readonly parts?: readonly Buffer[];
    readonly chunked?: boolean;
  }
): Promise<AttackResult> {
  const parts = options.parts ?? [];
  const declared = parts.reduce((n, p) => n + p.length, 0) + (options.bytes ?? 0);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered: { status: number; headers: http.IncomingHttpHeaders; sentAtAnswer: number } | undefined;
    const chunks: Buffer[] = [];
    const req = http.request(baseUrl + options.path, {
      method: options.method ?? 'POST',
      headers: {
        ...options.headers,
        ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(declared) }),
      },
    });
    req.on('response', (res) => {
      answered = { status: res.statusCode ?? 0, headers: res.headers, sentAtAnswer: sent };
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ ...answered!, body: Buffer.concat(chunks).toString('utf8'), declared });
      });
      res.on('error', () => {
        resolve({ ...answered!, body: Buffer.concat(chunks).toString('utf8'), declared });
      });
    });
    req.on('error', (err) => {
      if (answered) {
        resolve({ ...answered, body: Buffer.concat(chunks).toString('utf8'), declared });
      } else {
        reject(err);
      }
    });
    const write = (buf: Buffer): Promise<boolean> =>
      new Promise((ok) => {
        if (answered || req.destroyed) {
          ok(false);
          return;
        }
        sent += buf.length;
        if (req.write(buf)) {
          ok(true);
        } else {
          const go = (): void => {
            req.off('close', go);
            req.off('drain', go);
            ok(!answered && !req.destroyed);
          };
          req.once('drain', go);
          req.once('close', go);
        }
      });
    void (async () => {
      for (const part of parts) {
        for (let at = 0; at < part.length; at += CHUNK.length) {
          if (!(await write(part.subarray(at, at + CHUNK.length)))) {
            return;
          }
        }
      }
      let left = options.bytes ?? 0;
      while (left > 0) {
        const n = Math.min(left, CHUNK.length);
        if (!(await write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n)))) {
          return;
        }
        left -= n;
      }
      if (!answered && !req.destroyed) {
        req.end();
      }
    })();
  });
}

export interface Growth<T> {
  readonly result: T;
  /** RSS at the start and its peak, MB. */
  readonly before: number;
  readonly peak: number;
  /** Peak growth of Buffer memory (ArrayBuffers outside the heap) plus the JS heap, MB. */
  readonly buffers: number;
}

/**
 * Samples this process's memory every 20 ms while `work` runs. RSS rarely shrinks after a
 * test that allocated, so the growth of Buffer and heap memory is measured too.
 */
export async function rssGrowthDuring<T>(work: () => Promise<T>): Promise<Growth<T>> {
  const start = process.memoryUsage();
  const used = (m: NodeJS.MemoryUsage): number => m.arrayBuffers + m.heapUsed;
  let peak = start.rss;
  let peakUsed = used(start);
  const sample = (): void => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakUsed = Math.max(peakUsed, used(m));
  };
  const timer = setInterval(sample, 20);
  try {
    const result = await work();
    sample();
    return { result, before: start.rss / 2 ** 20, peak: peak / 2 ** 20, buffers: (peakUsed - used(start)) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** A multipart body of `count` files that share one content buffer (so the client holds one copy). */
export function multipartFiles(boundary: string, count: number, content: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f${i}.xml"\r\nContent-Type: application/xml\r\n\r\n`
      ),
      content,
      Buffer.from('\r\n')
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return parts;
}
