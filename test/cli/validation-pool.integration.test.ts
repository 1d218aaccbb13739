// The persistent validation pool (built code, real threads): files and uploaded bytes, start-up failure, close.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readCdaHeader } from '../../src/cda/cda-header.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { DocumentReport } from '../../src/core/report.js';
import type { createValidationPool as CreateValidationPool } from '../../src/validation/validation-pool.js';
import { parseXml } from '../../src/xml/xml-parser.js';
import { SAMPLES } from '../helpers/cli.js';
import { pathologicalDocument } from '../helpers/pathological.js';

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

  it('hands back the header facts of the validated tree from a thread, equal to those read in this thread', async () => {
    const bytes = readFileSync(VALID);
    const pool = await createValidationPool({}, 1);
    try {
      const validated = await pool.validateBytesWithHeader(bytes, 'upload.xml');
      expect(validated.report).toMatchObject({ file: 'upload.xml', profile: 'dk-phmr-1.3', valid: true });
      const parsed = parseXml(bytes, 'upload.xml');
      if (!parsed.ok) {
        throw new Error('the sample does not parse');
      }
      try {
        expect(validated.header).toEqual(readCdaHeader(parsed.doc));
      } finally {
        parsed.doc.dispose();
      }
      // Only when asked: a plain validation carries no header.
      expect('header' in (await pool.validateBytes(bytes, 'upload.xml'))).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it('fails to start with the schema error when the schema set is missing', async () => {
    await expect(createValidationPool({ schemasDir: path.join(PACKAGE_ROOT, 'docs') }, 1)).rejects.toMatchObject({
      code: 'CDA_ERR_SCHEMA_LOAD',
    });
  });

  it('close({ now }) stops at once and rejects what was not validated yet', async () => {
    const pool = await createValidationPool({}, 1);
    const outcome = (p: Promise<DocumentReport>): Promise<unknown> =>
      p.then(
        (report) => report,
        (err: unknown) => err
      );
    const slow = outcome(pool.validateBytes(new TextEncoder().encode(pathologicalDocument(150_000)), 'slow.xml'));
    const waiting = outcome(pool.validateFile(VALID));
    // Let the thread start the slow one.
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await pool.close({ now: true });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await slow).toMatchObject({ code: 'CDA_ERR_INTERNAL', message: expect.stringContaining('slow.xml') });
    expect(await waiting).toMatchObject({ code: 'CDA_ERR_INTERNAL' });
  });

  it('refuses work after close', async () => {
    const pool = await createValidationPool({}, 1);
    await pool.close();
    await expect(pool.validateFile(VALID)).rejects.toMatchObject({ code: 'CDA_ERR_INTERNAL' });
  });
});

describe('documents waiting for a thread', () => {
  it('go lowest priority first, then first come', async () => {
    const pool = await createValidationPool({}, 1);
    try {
      const done: string[] = [];
      const send = (name: string, priority: number, bytes: Uint8Array): Promise<void> =>
        pool.validateBytes(bytes, name, priority).then((r) => {
          done.push(r.file);
        });
      const typical = readFileSync(VALID);
      const slow = new TextEncoder().encode(pathologicalDocument(2000));
      // The first takes the thread; the others wait and are taken in priority order.
      await Promise.all([
        send('a1', 1, slow),
        send('a2', 2, slow),
        send('a3', 3, slow),
        send('b1', 1, typical),
        send('a4', 4, typical),
        send('c1', 1, typical),
      ]);
      expect(done).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'a4']);
    } finally {
      await pool.close();
    }
  });
});

describe('the time budget of one document', () => {
  it('stops a thread over budget with CDA_ERR_TIME_LIMIT, keeps the pool’s size and validates the next document', async () => {
    // Far more than a typical document needs even on a fresh thread of a busy machine, far less
    // than the slow one needs anywhere.
    const pool = await createValidationPool({}, 1, { timeLimitMs: 1000 });
    try {
      const [first] = pool.threadIds();
      // About 11 MB with 300,000 XSD findings: parsing and validating it takes seconds.
      const slow = pool.validateBytes(new TextEncoder().encode(pathologicalDocument(150_000)), 'slow.xml');
      // Queued behind it on the same (only) thread: it must not be charged for the slow one.
      const next = pool.validateFile(VALID);
      const [slowReport, nextReport] = await Promise.all([slow, next]);
      expect(slowReport).toMatchObject({ file: 'slow.xml', status: 'error', valid: false });
      expect(slowReport.issues).toEqual([
        expect.objectContaining({ ruleId: 'CDA_ERR_TIME_LIMIT', stage: 'tool', severity: 'error' }),
      ]);
      expect(nextReport).toMatchObject({ status: 'valid', profile: 'dk-phmr-1.3' });
      // One thread still, a new one: the stopped thread was replaced.
      expect(pool.threadIds()).toHaveLength(1);
      expect(pool.threadIds()[0]).not.toBe(first);
      // The replacement thread works like the first.
      expect((await pool.validateFile(INVALID)).status).toBe('invalid');
    } finally {
      await pool.close();
    }
  });

  it('lets a document within its budget finish as usual', async () => {
    const pool = await createValidationPool({}, 2, { timeLimitMs: 30_000 });
    try {
      const reports = await Promise.all([pool.validateFile(VALID), pool.validateFile(INVALID)]);
      expect(reports.map((r) => r.status)).toEqual(['valid', 'invalid']);
    } finally {
      await pool.close();
    }
  });
});
