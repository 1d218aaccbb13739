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
} from '../../src/core/codes.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';

const doc = readFileSync(`${PACKAGE_ROOT}/docs/errors.md`, 'utf8');
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
