import { describe, expect, it } from '@jest/globals';
import { readServiceConfig } from '../../src/config/service-config.js';

const BASE = { DATABASE_URL: 'postgres://127.0.0.1:5432/test' };

describe('the bounded-work settings of the service', () => {
  it('default to 1,000 findings per stage and 30 s per document', () => {
    expect(readServiceConfig(BASE)).toMatchObject({ maxFindingsPerStage: 1000, documentTimeLimitMs: 30_000 });
  });
  it('are read from KIH_MAX_FINDINGS and KIH_DOCUMENT_TIME_LIMIT_MS', () => {
    expect(readServiceConfig({ ...BASE, KIH_MAX_FINDINGS: '50', KIH_DOCUMENT_TIME_LIMIT_MS: '2000' })).toMatchObject({
      maxFindingsPerStage: 50,
      documentTimeLimitMs: 2000,
    });
  });
  it.each([
    ['KIH_MAX_FINDINGS', '0'],
    ['KIH_MAX_FINDINGS', 'many'],
    ['KIH_DOCUMENT_TIME_LIMIT_MS', '-1'],
    ['KIH_DOCUMENT_TIME_LIMIT_MS', '1.5'],
  ])('refuse %s=%s with its name', (name, value) => {
    expect(() => readServiceConfig({ ...BASE, [name]: value })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERR_INVALID', message: expect.stringContaining(name) })
    );
  });
});

describe('the queues and the verify stage settings', () => {
  it('take every queue by default, verify included', () => {
    expect(readServiceConfig(BASE).queues).toEqual(['validate', 'submit', 'record', 'verify']);
    expect(readServiceConfig({ ...BASE, KIH_QUEUES: 'verify' }).queues).toEqual(['verify']);
    expect(readServiceConfig({ ...BASE, KIH_CONCURRENCY: 'verify=3' }).concurrency).toEqual({ verify: 3 });
  });
  it('default to a 600 s window and a 10 s first re-check', () => {
    expect(readServiceConfig(BASE)).toMatchObject({ verifyWaitMs: 600_000, verifyRecheckMs: 10_000 });
  });
  it('are read from KIH_VERIFY_WAIT_SECONDS (0: notFound is final at once) and KIH_VERIFY_RECHECK_SECONDS', () => {
    expect(readServiceConfig({ ...BASE, KIH_VERIFY_WAIT_SECONDS: '0', KIH_VERIFY_RECHECK_SECONDS: '3' })).toMatchObject(
      {
        verifyWaitMs: 0,
        verifyRecheckMs: 3000,
      }
    );
  });
  it.each([
    ['KIH_VERIFY_WAIT_SECONDS', '-1'],
    ['KIH_VERIFY_WAIT_SECONDS', 'ten'],
    ['KIH_VERIFY_WAIT_SECONDS', ''],
    ['KIH_VERIFY_WAIT_SECONDS', '86401'],
    ['KIH_VERIFY_RECHECK_SECONDS', '0'],
    ['KIH_VERIFY_RECHECK_SECONDS', '2.5'],
  ])('refuse %s=%s with its name', (name, value) => {
    expect(() => readServiceConfig({ ...BASE, [name]: value })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERR_INVALID', path: name, message: expect.stringContaining(name) })
    );
  });
});
