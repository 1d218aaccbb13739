import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import {
  CDA_ERROR_CODES,
  CONFIG_ERROR_CODES,
  CLI_ERROR_CODES,
  KIH_ERROR_CODES,
  API_ERROR_CODES,
  CERT_ERROR_CODES,
  REGRESS_ERROR_CODES,
  SCH_ERROR_CODES,
  STORE_ERROR_CODES,
  XDS_ERROR_CODES,
  XSD_RULE_IDS,
  ERROR_BEHAVIOUR,
  httpStatusOf,
  isRetryable,
} from '../../src/core/codes.js';
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
  const codes = [
    ...Object.keys(CONFIG_ERROR_CODES),
    ...Object.keys(CDA_ERROR_CODES),
    ...Object.keys(XSD_RULE_IDS),
    ...Object.keys(CLI_ERROR_CODES),
    ...Object.keys(SCH_ERROR_CODES),
    ...Object.keys(XDS_ERROR_CODES),
    ...Object.keys(KIH_ERROR_CODES),
    ...Object.keys(STORE_ERROR_CODES),
    ...Object.keys(REGRESS_ERROR_CODES),
    ...Object.keys(CERT_ERROR_CODES),
    ...Object.keys(API_ERROR_CODES),
  ];
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
    expect(Object.fromEntries(rows)).toEqual(ERROR_BEHAVIOUR);
  });
  it('gives every code that is not a schema finding a behaviour', () => {
    const thrown = Object.keys(ERROR_BEHAVIOUR).sort();
    const catalogued = [...documented].filter((c) => !c!.startsWith('XSD_')).sort();
    expect(thrown).toEqual(catalogued);
  });
  it.each(Object.keys(ERROR_BEHAVIOUR) as ErrorCode[])(
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
