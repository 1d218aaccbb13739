// The one way a setting is refused: CONFIG_ERR_INVALID with the path of the bad value.
import { KihError } from '../core/kih-error.js';

/** `path` names the value (`targets.kih-test.endpoint`, `KIH_CONCURRENCY`); the message says what is wrong with it. */
export function invalidSetting(path: string, message: string): never {
  throw new KihError('CONFIG_ERR_INVALID', message, { path });
}
