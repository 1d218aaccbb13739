// MedCom's regression pages on real records: the latest run per corpus, the history, and a run's report leading with the diff.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { finishRegressionRun, startRegressionRun } from '../../src/store/regression-records.js';
import { doc, result } from '../regression/helpers.js';
import { call, startHarness } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
let first: string;
let second: string;

beforeAll(async () => {
  h = await startHarness({ label: 'regpages', workers: false });
  const manifest = { version: 1 as const, documents: [], sha256: '0'.repeat(64) };
  const versions = { tool: '0.1.0', validators: [] };
  const run = async (jobKey: string, r: ReturnType<typeof result>): Promise<string> => {
    const started = await startRegressionRun(
      h.db,
      { jobKey, corpus: 'samples', corpusDir: 'samples/', trigger: 'schedule', manifest, total: r.documents.length },
      'test'
    );
    await finishRegressionRun(h.db, started.id, r, versions, 'test');
    return started.id;
  };
  first = await run('night-1', result([doc('a.xml', [], []), doc('b.xml', ['R-1'], ['R-1'])]));
  await new Promise((r) => setTimeout(r, 20));
  second = await run(
    'night-2',
    result([doc('a.xml', [], ['R-NEW']), doc('b.xml', ['R-1'], ['R-1'])], { 'r.sch': 'bbb' })
  );
});

afterAll(async () => {
  await h.close();
});

describe('/admin/regressions', () => {
  it('lists the latest run per corpus and the history, newest first', async () => {
    const cookie = await login();
    const page = await call(h, 'GET', '/admin/regressions', { headers: { cookie } });
    expect(page.status).toBe(200);
    const ids = [...page.text.matchAll(/data-regression="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual([second, second, first]);
  });

  it("a run's report leads with what changed since the corpus's previous run", async () => {
    const cookie = await login();
    const page = await call(h, 'GET', `/admin/regressions/${second}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const changes = page.text.slice(page.text.indexOf('<section class="changes"'), page.text.indexOf('</section>'));
    expect(changes).toContain('Baseline started');
    expect(changes).toContain('R-NEW');
    expect(changes).toContain('a.xml');
    // The first run has no earlier one to compare with.
    const oldest = await call(h, 'GET', `/admin/regressions/${first}`, { headers: { cookie } });
    expect(oldest.status).toBe(200);
    expect(oldest.text).toContain('No baseline was given');
  });
});

async function login(): Promise<string> {
  const a = await call(h, 'POST', '/login', {
    type: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ key: h.key('admin') }).toString(),
  });
  return (a.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}
