// Jest's test order, with the memory-bound tests first: they measure the server's growth in the test
// process, and a process that has run the rest of the suite carries garbage that V8 collects lazily.
import TestSequencer from '@jest/test-sequencer';

const MEMORY_TESTS = /[\\/]test[\\/]security[\\/]http-(body-limits|memory)\.integration\.test\.ts$/;

export default class MemoryTestsFirst extends TestSequencer.default {
  /**
   * @param {import('@jest/test-result').Test[]} tests
   * @returns {Promise<import('@jest/test-result').Test[]>}
   */
  // eslint-disable-next-line @typescript-eslint/explicit-function-return-type -- JavaScript: the type is in the JSDoc
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((t) => MEMORY_TESTS.test(t.path)), ...sorted.filter((t) => !MEMORY_TESTS.test(t.path))];
  }
}
