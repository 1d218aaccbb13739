// The logger every layer may take (a pino instance fits it): structured fields first, then the message; a no-op when none is given.

/** Fields of one log line; an `err` field carries an Error with its stack. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The part of pino the tool uses, so lower layers log without depending on pino: the process
 * (`kih serve`, `kih worker`) creates the one pino instance and hands it down as an option.
 */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  /** A logger whose lines all carry `bindings` (queue, job id, request id). */
  child(bindings: LogFields): Logger;
}

function nothing(): void {
  // A caller that gave no logger asked for silence.
}

/** Logs nothing: the default of every option that takes a logger. */
export const NO_LOG: Logger = {
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
  child: () => NO_LOG,
};

/** Ten digits, optionally 6-4 with a dash, not part of a longer number, word or decimal: what a CPR number looks like. */
const CPR_LIKE = /(?<![0-9A-Za-z.])(\d{6})-?(\d{4})(?![0-9A-Za-z]|\.\d)/g;

/**
 * Masks every CPR-like sequence in a text. Defence in depth for log lines: no code logs a CPR
 * number on purpose, but a repository's or a library's message may quote one.
 */
export function maskCprLike(text: string): string {
  return text.replace(CPR_LIKE, '**********');
}
