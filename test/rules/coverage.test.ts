// Every assert of every DK rule set has an id, a see link and a test that names its id.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { assertIds, RULES_DIR } from '../helpers/rules.js';

const ruleFiles = readdirSync(RULES_DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.sch'))
  .map((f) => path.join(RULES_DIR, f));
const testsDir = path.dirname(new URL(import.meta.url).pathname);
const testText = readdirSync(testsDir)
  .filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts')
  .map((f) => readFileSync(path.join(testsDir, f), 'utf8'))
  .join('\n');

describe('rule coverage', () => {
  const ids = ruleFiles.flatMap((f) => assertIds(f).map((id) => [path.relative(RULES_DIR, f), id] as const));

  it('finds the rule sets', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
  });

  it('gives every assert and report an id', () => {
    for (const file of ruleFiles) {
      const text = readFileSync(file, 'utf8');
      const all = [...text.matchAll(/<(?:sch:)?(?:assert|report)\b[^>]*>/g)].map((m) => m[0]);
      expect(all.filter((tag) => !/\bid="/.test(tag))).toEqual([]);
    }
  });

  it('uses each id once', () => {
    const seen = ids.map(([, id]) => id);
    expect(seen.filter((id, i) => seen.indexOf(id) !== i)).toEqual([]);
  });

  it.each(ids)('%s: %s has a test', (_file, id) => {
    expect(testText).toContain(`'${id}'`);
  });
});
