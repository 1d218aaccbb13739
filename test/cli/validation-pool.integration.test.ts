// The persistent validation pool (built code, real threads): files and uploaded bytes, start-up failure, close.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { DocumentReport } from '../../src/core/report.js';
import type { createValidationPool as CreateValidationPool } from '../../src/validation/validation-pool.js';
import { SAMPLES } from '../helpers/cli.js';

// The pool starts worker threads from dist/ (npm test and npm run test:integration build first), so it is imported from there too.
const { createValidationPool } = (await import(
  path.join(PACKAGE_ROOT, 'dist', 'src', 'validation', 'validation-pool.js')
)) as { createValidationPool: typeof CreateValidationPool };

const VALID = path.join(SAMPLES, 'dk-phmr-1.3', 'valid', 'weight.xml');
const INVALID = path.join(SAMPLES, 'dk-phmr-1.3', 'invalid', 'bad-mood-code.xml');

describe('createValidationPool', () => {
  it('validates files and uploaded bytes on threads, each answer matching its document', async () => {
    const pool = await createValidationPool({}, 2);
    try {
      const jobs: Promise<DocumentReport>[] = [];
      for (let i = 0; i < 6; i++) {
        jobs.push(pool.validateFile(i % 2 === 0 ? VALID : INVALID));
      }
      jobs.push(pool.validateBytes(readFileSync(VALID), 'upload.xml'));
      const reports = await Promise.all(jobs);
      expect(reports.map((r) => r.valid)).toEqual([true, false, true, false, true, false, true]);
      expect(reports[6]).toMatchObject({ file: 'upload.xml', profile: 'dk-phmr-1.3', valid: true });
      expect(reports[6]!.sha256).toBe(reports[0]!.sha256);
    } finally {
      await pool.close();
    }
  });

  it('fails to start with the schema error when the schema set is missing', async () => {
    await expect(createValidationPool({ schemasDir: path.join(PACKAGE_ROOT, 'docs') }, 1)).rejects.toMatchObject({
      code: 'CDA_ERR_SCHEMA_LOAD',
    });
  });

  it('refuses work after close', async () => {
    const pool = await createValidationPool({}, 1);
    await pool.close();
    await expect(pool.validateFile(VALID)).rejects.toMatchObject({ code: 'CDA_ERR_INTERNAL' });
  });
});
