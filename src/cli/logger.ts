// The process's one pino logger: JSON lines (pretty on a terminal), secrets redacted by path and CPR-like numbers masked in every string.
import type { Writable } from 'node:stream';
import { types } from 'node:util';
import { pino } from 'pino';
import type { DestinationStream, LogFn, Logger as PinoLogger } from 'pino';
import { maskCprLike } from '../core/log.js';
import type { LogFormat, LogLevel } from '../config/operations-config.js';

export type ProcessLogger = PinoLogger;

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where lines go: the process's stdout, or a buffer in tests. */
  readonly stream: Writable & { isTTY?: boolean };
  /** Fixed fields of every line (the process's role: `serve`, `worker`). */
  readonly base?: Readonly<Record<string, unknown>>;
}

/**
 * Fields that must never be written, wherever they appear: credentials of requests and answers,
 * and any field named after a CPR number, a patient or a key. Values are replaced, keys kept.
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  'cpr',
  '*.cpr',
  'patient',
  '*.patient',
  'patientId',
  '*.patientId',
  'apiKey',
  '*.apiKey',
  'privateKey',
  '*.privateKey',
  'password',
  '*.password',
  'idCard',
  '*.idCard',
];

/** API keys (`kih_v_…`, `kih_a_…`) and bearer tokens as they could appear inside a message. */
const KEY_LIKE = /\bkih_[va]_[A-Za-z0-9_-]{20,}|\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

/** A PEM private key, as an error message quoting a credentials file could carry it. */
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;

/** One string made safe for a log line. */
export function scrubText(text: string): string {
  return maskCprLike(
    text
      .replace(PRIVATE_KEY, '[redacted private key]')
      .replace(KEY_LIKE, (_match: string, scheme?: string) => (scheme ? `${scheme} [redacted]` : '[redacted]'))
  );
}

const MAX_DEPTH = 6;

/** An error as a plain object (type, message, stack, code, cause), every string scrubbed. */
function serializeError(err: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: scrubText(err.message) };
  if (err.stack !== undefined) {
    out.stack = scrubText(err.stack);
  }
  for (const [k, v] of Object.entries(err)) {
    if (k !== 'message' && k !== 'stack' && k !== 'cause') {
      out[k] = scrub(v, depth + 1);
    }
  }
  if (err.cause !== undefined && depth < MAX_DEPTH) {
    out.cause = scrub(err.cause, depth + 1);
  }
  return out;
}

/** A log call's argument with every string scrubbed, errors serialized, bytes summarised. */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return scrubText(value);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  // isNativeError: an error made in another realm (a vm context, a worker's structured clone) is no `instanceof Error`.
  if (value instanceof Error || types.isNativeError(value)) {
    return serializeError(value, depth);
  }
  if (ArrayBuffer.isView(value)) {
    return `[${value.byteLength} bytes]`;
  }
  if (value instanceof Date) {
    return value;
  }
  if (depth >= MAX_DEPTH) {
    return '[nested]';
  }
  if (Array.isArray(value)) {
    return value.map((v) => scrub(v, depth + 1));
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/**
 * A terminal's view of the JSON lines: time, level, message, then the fields as key=value and an
 * error's stack. Small enough to keep here instead of a pino-pretty dependency and its transport thread.
 */
export function prettyStream(out: Writable): DestinationStream {
  return {
    write(line: string): boolean {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return out.write(line);
      }
      const { time, level, msg, err, pid: _pid, hostname: _host, ...fields } = entry;
      const at = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 23);
      const rest = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      const stack = (err as { stack?: unknown } | undefined)?.stack;
      const errText = err === undefined ? '' : `\n    ${typeof stack === 'string' ? stack : JSON.stringify(err)}`;
      return out.write(
        `${at} ${(LEVEL_NAMES[Number(level)] ?? String(level)).padEnd(5)} ${typeof msg === 'string' ? msg : ''}${rest ? `  ${rest}` : ''}${errText}\n`
      );
    },
  };
}

export function createLogger(options: LoggerOptions): ProcessLogger {
  const pretty = options.format === 'pretty' || (options.format === 'auto' && options.stream.isTTY === true);
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid, ...options.base },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      // Errors are already plain objects from the hook below; pino's own serializer would rename their type.
      serializers: { err: (v: unknown) => v },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => scrub(a)) as Parameters<LogFn>);
        },
      },
    },
    pretty ? prettyStream(options.stream) : options.stream
  );
  // pino writes a child's bindings as given (no hook sees them); children inherit this method, so theirs are scrubbed too.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the logger it was called on, as pino needs
  const child = logger.child;
  logger.child = function (this: ProcessLogger, bindings, childOptions) {
    return child.call(this, scrub(bindings) as Record<string, unknown>, childOptions);
  } as typeof logger.child;
  return logger;
}

/** A logger that writes nothing (tests, and callers that want none). */
export function silentLogger(): ProcessLogger {
  return pino({ level: 'silent' });
}
