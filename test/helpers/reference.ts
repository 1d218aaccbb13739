// Tests that read the official schemas and public examples in place, beside the checkout (never copied into it): one rule for when they are absent.
import path from 'node:path';
import { describe, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';

/** `../shared/reference` beside the checkout. */
export const REFERENCE_ROOT = path.resolve(PACKAGE_ROOT, '..', 'shared', 'reference');

/**
 * `describe` when nothing is missing. Otherwise the suite is skipped with a line on stderr naming
 * what is missing, or, with KIH_REQUIRE_REFERENCE=1, replaced by one failing test.
 */
export function describeWithReference(
  name: string,
  missing: readonly string[]
): typeof describe | typeof describe.skip {
  if (missing.length === 0) {
    return describe;
  }
  const why = `${name}: reference material missing beside the checkout: ${missing.join(', ')}`;
  if (process.env.KIH_REQUIRE_REFERENCE === '1') {
    const failing = (title: string): void => {
      describe(title, () => {
        it('has its reference material (KIH_REQUIRE_REFERENCE=1)', () => {
          throw new Error(why);
        });
      });
    };
    return failing as unknown as typeof describe;
  }
  process.stderr.write(`SKIPPED ${why}\n`);
  return describe.skip;
}
