// Failed authentications per address, counted per minute in this process (the Redis counter: test/security/auth-failures.integration.test.ts).
import { describe, expect, it, jest } from '@jest/globals';
import { authFailures } from '../../src/http/auth-failures.js';

describe('authFailures in this process', () => {
  it('blocks an address at the limit, not another one, and forgets it after a minute', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const f = authFailures(2);
      await f.count('198.51.100.1');
      expect(await f.blocked('198.51.100.1')).toBe(false);
      await f.count('198.51.100.1');
      expect(await f.blocked('198.51.100.1')).toBe(true);
      expect(await f.blocked('198.51.100.2')).toBe(false);
      jest.setSystemTime(1_000_000 + 60_001);
      expect(await f.blocked('198.51.100.1')).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});
