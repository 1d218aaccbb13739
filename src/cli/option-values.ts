// Checks of option values shared by the commands, so every command words the same mistake the same way.
import { KihError } from '../errors/kih-error.js';

/** `--name <n>`: a whole number of at least 1, or undefined when the option was not given. */
export function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new KihError('CLI_ERR_USAGE', `--${name} takes a whole number of at least 1: "${text}"`);
  }
  return n;
}
