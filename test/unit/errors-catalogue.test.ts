import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ERROR_CATALOGUE, XSD_RULE_IDS, httpStatusOf, isRetryable } from '../../src/core/codes.js';
import type { ErrorCode } from '../../src/core/codes.js';
import { toApiError } from '../../src/http/api-errors.js';
import { KihError } from '../../src/core/kih-error.js';
import { failFast } from '../../src/queue/job-errors.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';

const [doc = '', behaviourSection = ''] = readFileSync(`${PACKAGE_ROOT}/docs/errors.md`, 'utf8').split(
  '## What each code does'
);
const documented = new Set([...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]));

describe('docs/errors.md', () => {
  const codes = [...Object.keys(ERROR_CATALOGUE), ...Object.keys(XSD_RULE_IDS)];
  it.each(codes)('documents %s', (code) => {
    expect(documented.has(code)).toBe(true);
  });
  it('documents no code the source does not have', () => {
    expect([...documented].filter((c) => !codes.includes(c!))).toEqual([]);
  });
});

describe('the behaviour of each code', () => {
  const rows = new Map(
    [...behaviourSection.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (\d{3}) \| (yes|no) \| ([12]) \|$/gm)].map((m) => [
      m[1],
      { status: Number(m[2]), retryable: m[3] === 'yes', exit: Number(m[4]) },
    ])
  );
  it('is documented for every catalogued code, exactly as the catalogue says', () => {
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(
        Object.entries(ERROR_CATALOGUE).map(([code, { status, retryable, exit }]) => [
          code,
          { status, retryable, exit },
        ])
      )
    );
  });
  it('gives every code that is not a schema finding a behaviour', () => {
    const thrown = Object.keys(ERROR_CATALOGUE).sort();
    const catalogued = [...documented].filter((c) => !c!.startsWith('XSD_')).sort();
    expect(thrown).toEqual(catalogued);
  });
  it.each(Object.keys(ERROR_CATALOGUE) as ErrorCode[])(
    '%s: the API status and the job decision come from the catalogue',
    (code) => {
      const { status } = toApiError(new KihError(code, 'm'));
      expect(status).toBe(httpStatusOf(code));
      const decision = failFast(new KihError(code, 'm'));
      // BullMQ's UnrecoverableError ends the job at once; anything else keeps its retries.
      expect((decision as Error).name === 'UnrecoverableError').toBe(!isRetryable(code));
    }
  );
});
