// Fairness across vendors through the real API, queues and database: one vendor's big run of slow documents must not hold up another vendor's upload.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, startHarness, waitForDocument, xmlUpload } from './harness.js';
import type { Harness } from './harness.js';
import { startService } from '../../src/queue/service.js';
import type { Service } from '../../src/queue/service.js';
import { openValidator } from '../../src/validation/validator.js';
import type { Validator } from '../../src/validation/validator.js';
import { REDIS_URL } from '../queue/helpers.js';
import { pathologicalDocument, typicalDocument } from '../helpers/pathological.js';

let h: Harness;
let validator: Validator | undefined;
let workers: Service | undefined;

beforeAll(async () => {
  // No workers in the server process: they start once both vendors' uploads are queued (below).
  h = await startHarness({
    label: 'fairness',
    vendors: ['slowco', 'quickco'],
    workers: false,
    limits: { maxFileBytes: 1024 * 1024, maxFiles: 10, maxTotalBytes: 10 * 1024 * 1024 },
  });
});

afterAll(async () => {
  await workers?.close(1_000);
  await validator?.close();
  await h.close();
});

describe('two vendors on one service', () => {
  it("a vendor's one typical document overtakes the rest of another vendor's ten pathological ones", async () => {
    const form = new FormData();
    for (let i = 0; i < 10; i++) {
      // About 320 KB and 8,000 XSD findings each.
      form.append('file', new Blob([pathologicalDocument(4000 + i)]), `slow-${i}.xml`);
    }
    const a = await call(h, 'POST', '/api/v1/documents', { key: h.key('slowco'), body: form });
    expect(a.status).toBe(202);
    const slow = a.json<{ documents: { id: string }[] }>().documents.map((d) => d.id);
    expect(slow).toHaveLength(10);

    const b = await xmlUpload(h, h.key('quickco'), Buffer.from(typicalDocument()), '?name=typical.xml');
    expect(b.status).toBe(202);
    const quick = b.json<{ id: string }>().id;

    // Workers on the server's queues start now. In a deployment they validate on threads while the
    // server keeps answering; this test process validates on its own event loop, which would hold the
    // second upload back for as long as the first documents take, so both are queued first and the
    // order below is decided by the queues alone.
    validator = await openValidator({ threads: 1 });
    workers = startService({
      redisUrl: REDIS_URL,
      prefix: h.service.prefix,
      db: h.db,
      actor: 'fairness-workers',
      work: ['validate', 'record'],
      validator,
    });

    expect(await waitForDocument(h, h.key('quickco'), quick)).toMatchObject({ state: 'done', verdict: 'valid' });
    for (const id of slow) {
      expect(await waitForDocument(h, h.key('slowco'), id)).toMatchObject({ state: 'done', verdict: 'invalid' });
    }

    // The order in which the validations were stored (not wall-clock figures). First in, first out
    // would validate the typical document after all ten, since they were all queued before it; by
    // place in run it shares the first place with the first of the ten (validate concurrency 2).
    const rows = await h.db.query<{ id: string }>(
      `SELECT u.id FROM uploads u JOIN validations v ON v.run_id = u.run_id AND v.seq = u.seq
       WHERE u.id = ANY($1::uuid[]) ORDER BY v.id`,
      [[...slow, quick]]
    );
    const order = rows.map((r) => r.id);
    expect(order).toHaveLength(11);
    const place = order.indexOf(quick);
    expect(place).toBeLessThanOrEqual(1);
    expect(place).toBeLessThan(order.indexOf(slow[9] ?? ''));
  });
});
