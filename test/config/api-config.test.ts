// The HTTP server's settings: the upload total, the failed-authentication limit and which proxies are trusted.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_UPLOAD_TOTAL_BYTES, readApiConfig, readTrustProxy } from '../../src/config/api-config.js';

describe('readApiConfig', () => {
  it('defaults: 100 MiB an upload, 10 failed authentications a minute, no proxy trusted', () => {
    const c = readApiConfig({});
    expect(c.limits.maxTotalBytes).toBe(DEFAULT_MAX_UPLOAD_TOTAL_BYTES);
    expect(c.limits.maxTotalBytes).toBe(100 * 1024 * 1024);
    expect(c.limits.failedAuthPerMinute).toBe(10);
    expect(c.trustProxy).toBe(false);
  });

  it('takes the settings', () => {
    const c = readApiConfig({
      KIH_MAX_UPLOAD_TOTAL_BYTES: '1000',
      KIH_AUTH_FAILURE_LIMIT: '3',
      KIH_TRUST_PROXY: '10.0.0.1',
    });
    expect(c.limits.maxTotalBytes).toBe(1000);
    expect(c.limits.failedAuthPerMinute).toBe(3);
    expect(c.trustProxy).toEqual(['10.0.0.1']);
  });

  it.each([
    ['KIH_MAX_UPLOAD_TOTAL_BYTES', '0'],
    ['KIH_MAX_UPLOAD_TOTAL_BYTES', '1.5'],
    ['KIH_AUTH_FAILURE_LIMIT', '-1'],
    ['KIH_TRUST_PROXY', 'proxy.example'],
    ['KIH_TRUST_PROXY', '10.0.0.0/33'],
  ])('%s=%s is CONFIG_ERR_INVALID', (name, value) => {
    expect(() => readApiConfig({ [name]: value })).toThrow(expect.objectContaining({ code: 'CONFIG_ERR_INVALID' }));
  });
});

describe('readTrustProxy', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['true', true],
    ['1', 1],
    ['2', 2],
    ['10.0.0.1, 192.168.0.0/16, ::1', ['10.0.0.1', '192.168.0.0/16', '::1']],
  ])('%j is %j', (text, value) => {
    expect(readTrustProxy(text)).toEqual(value);
  });
});
