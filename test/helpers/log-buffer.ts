// Test helper: the process logger (same redaction as in production) writing JSON lines into memory.
import { Writable } from 'node:stream';
import { createLogger } from '../../src/cli/logger.js';
import type { ProcessLogger } from '../../src/cli/logger.js';
import type { LogLevel } from '../../src/config/operations-config.js';

export interface LogBuffer {
  readonly logger: ProcessLogger;
  /** Everything written so far, as written. */
  text(): string;
  /** Every line parsed. */
  lines(): Record<string, unknown>[];
}

export function logBuffer(level: LogLevel = 'debug'): LogBuffer {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level, format: 'json', stream });
  const text = (): string => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
