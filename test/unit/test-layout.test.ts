// The unit/integration split is by file name (jest.config.js): a *.test.ts file that reaches for a service, a port,
// a process, the dist/ build or a browser belongs in a *.integration.test.ts file, or `npm run test:unit` stops
// being fast and service-free. A static check, so it catches a misnamed file even where the services are running.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';

const TEST_DIR = path.join(PACKAGE_ROOT, 'test');

/** What a unit test may not mention, and why the file would be an integration test. */
const INTEGRATION_SIGNS: readonly (readonly [RegExp, string])[] = [
  [/helpers\/database\.js|from 'pg'/, 'PostgreSQL'],
  [/from 'ioredis'|from 'bullmq'|queue\/service\.js|api\/harness\.js/, 'Redis'],
  [
    /helpers\/(http-server|scripted-registry)\.js|createServer\(|\.listen\(|startSimulator|startProjectSimulator/,
    'a port',
  ],
  [/node:child_process|runBinary|node:worker_threads/, 'a process or thread'],
  [/'dist'|\/dist\//, 'the dist/ build'],
  [/playwright-core|chromium|xmlsec1|xmllint/, 'a browser or system tool'],
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

describe('unit and integration tests', () => {
  const unitFiles = testFiles(TEST_DIR).filter((f) => !f.endsWith('.integration.test.ts'));

  it('finds both kinds', () => {
    expect(unitFiles.length).toBeGreaterThan(0);
    expect(testFiles(TEST_DIR).length).toBeGreaterThan(unitFiles.length);
  });

  it('keeps services, ports, processes, dist/ and browsers out of *.test.ts (name such files *.integration.test.ts)', () => {
    const found: string[] = [];
    for (const file of unitFiles) {
      if (file === new URL(import.meta.url).pathname) {
        continue; // this file names the signs
      }
      const text = readFileSync(file, 'utf8');
      for (const [sign, what] of INTEGRATION_SIGNS) {
        if (sign.test(text)) {
          found.push(`${path.relative(PACKAGE_ROOT, file)}: ${what}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
